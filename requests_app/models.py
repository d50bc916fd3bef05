"""An information request (政府信息公开申请) and what hangs off it."""

from datetime import date

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models.functions import Coalesce

from requests_app.rules.outcomes import OUTCOMES
from workflow import text_input as limits
from workflow.clock import PAUSE_REASONS
from workflow.cn import cn_date
from workflow.models import Agency
from workflow.text_input import BoundedTextField, length_checks

NO_DUE_DATE = date(9999, 12, 31)
OUTCOME_CHOICES = [(code, outcome.label) for code, outcome in OUTCOMES.items()]


class InformationRequest(models.Model):
    """One application, from registration to archive (DOMAIN §3)."""

    class Kind(models.TextChoices):
        DISCLOSURE = "disclosure", "申请公开政府信息（第二十七条）"
        CORRECTION = "correction", "要求更正本人相关政府信息（第四十一条）"

    class Channel(models.TextChoices):
        IN_PERSON = "in_person", "当面提交"
        REGISTERED_POST = "registered_post", "邮寄（需签收）"
        ORDINARY_LETTER = "ordinary_letter", "平常信函"
        ONLINE = "online", "互联网"
        FAX = "fax", "传真"

    class ApplicantKind(models.TextChoices):
        PERSON = "person", "自然人"
        ORGANIZATION = "organization", "法人或其他组织"

    class OrganizationKind(models.TextChoices):
        # The five columns of the annual report (Report Format, section 3).
        BUSINESS = "business", "商业企业"
        RESEARCH = "research", "科研机构"
        NONPROFIT = "nonprofit", "社会公益组织"
        LEGAL_SERVICE = "legal_service", "法律服务机构"
        OTHER = "other", "其他"

    class IdType(models.TextChoices):
        RESIDENT_ID = "resident_id", "居民身份证"
        PASSPORT = "passport", "护照"
        HMT = "hmt", "港澳台居民居住证或来往内地通行证"
        OTHER = "other", "其他有效身份证件"

    class Form(models.TextChoices):
        # Art. 40
        PAPER = "paper", "纸质文本"
        ELECTRONIC = "electronic", "电子文件"
        ON_SITE = "on_site", "当场阅览、抄录"

    class Delivery(models.TextChoices):
        COLLECT = "collect", "当面领取"
        POST = "post", "邮寄"
        EMAIL = "email", "电子邮件"
        ONLINE = "online", "网上平台"

    class Stage(models.TextChoices):
        REGISTER = "register", "登记"
        ACCEPT = "accept", "受理审查"
        REASONS = "reasons", "说明理由"
        CORRECT = "correct", "补正"
        CONSULT = "consult", "征求意见"
        PROPOSE = "propose", "提出办理意见"
        FEE = "fee", "等待缴费"
        APPROVE = "approve", "审批"
        SERVE = "serve", "送达"
        ARCHIVE = "archive", "归档"
        CLOSED = "closed", "已归档"

    agency = models.ForeignKey(Agency, verbose_name="机关", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField("登记年度")
    sequence = models.PositiveIntegerField("年度序号")
    case_number = models.CharField("登记编号", max_length=60)
    kind = models.CharField(
        "申请类型", max_length=12, choices=Kind.choices, default=Kind.DISCLOSURE
    )
    channel = models.CharField("提交方式", max_length=20, choices=Channel.choices)
    arrival_date = models.DateField("到达日期")
    receipt_date = models.DateField("收到申请之日")
    # Art. 31(2): an ordinary letter is confirmed with the applicant on the day it arrives; a
    # later receipt date is recorded with why.
    late_receipt_reason = models.CharField(
        "收到申请之日晚于到达日期的理由", max_length=300, blank=True
    )

    applicant_kind = models.CharField(
        "申请人类型", max_length=12, choices=ApplicantKind.choices, default=ApplicantKind.PERSON
    )
    organization_kind = models.CharField(
        "组织类别", max_length=16, choices=OrganizationKind.choices, blank=True
    )
    applicant_name = models.CharField("申请人姓名或名称", max_length=100)
    id_type = models.CharField("证件类型", max_length=16, choices=IdType.choices, blank=True)
    id_number = models.CharField("证件号码", max_length=40, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    legal_representative = models.CharField("法定代表人或负责人", max_length=50, blank=True)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    address = models.CharField("通讯地址", max_length=200, blank=True)
    postcode = models.CharField("邮政编码", max_length=6, blank=True)
    agent_name = models.CharField("代理人姓名", max_length=50, blank=True)
    agent_id_number = models.CharField("代理人证件号码", max_length=40, blank=True)
    agent_phone = models.CharField("代理人联系电话", max_length=40, blank=True)
    power_of_attorney = models.BooleanField("已提交授权委托书", default=False)

    description = BoundedTextField("所需政府信息的描述", max_length=limits.DESCRIPTION)
    document_names = BoundedTextField(
        "文件名称、文号等特征描述", max_length=limits.REASON, blank=True
    )
    form_wanted = models.CharField("获取信息的方式", max_length=12, choices=Form.choices)
    delivery = models.CharField("送达方式", max_length=12, choices=Delivery.choices)
    accessibility_needs = models.CharField(
        "需要的必要帮助（第四十三条）", max_length=200, blank=True
    )

    stage = models.CharField(
        "办理阶段", max_length=12, choices=Stage.choices, default=Stage.REGISTER
    )
    outcome = models.CharField("办理结果", max_length=40, choices=OUTCOME_CHOICES, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_requests",
    )

    # Correction (Art. 30)
    correction_items = models.JSONField("需要补正的事项", default=list, blank=True)
    correction_asked_on = models.DateField("补正告知日期", null=True, blank=True)
    correction_deadline = models.DateField("补正期限", null=True, blank=True)
    corrected_on = models.DateField("收到补正申请之日", null=True, blank=True)
    # Service (DOMAIN §3.8)
    service_method = models.CharField("送达方式", max_length=12, blank=True)
    served_on = models.DateField("送达日期", null=True, blank=True)
    served_late = models.BooleanField("逾期送达", default=False)
    tracking_number = models.CharField("邮件号码", max_length=60, blank=True)
    closed_on = models.DateField("归档日期", null=True, blank=True)
    # The one date the annual report counts a request as concluded (办结): the reply served, or
    # the request ended by withdrawal or deemed abandonment (requests_app.annual_report). Set
    # once; a reply ordered anew by a reconsideration or court does not move it.
    concluded_on = models.DateField("办结日期", null=True, blank=True)
    # The outcome the request was concluded with, kept with the date: a reply ordered anew clears
    # ``outcome`` while the case is handled again, and table 三 still counts the request once, in
    # the row of the reply that concluded it.
    concluded_outcome = models.CharField(
        "办结时的办理结果", max_length=40, choices=OUTCOME_CHOICES, blank=True
    )

    # The clock's state, stored for lists and recomputed from ClockEntry rows (clock_sync).
    due_date = models.DateField("答复期限", null=True, blank=True)
    # The list's sort key: the due date, or the far future while there is none (paused or
    # closed), so that "soonest first, none last" is a plain index scan.
    due_sort = models.GeneratedField(
        expression=Coalesce("due_date", models.Value(NO_DUE_DATE)),
        output_field=models.DateField(),
        db_persist=True,
        verbose_name="排序用期限",
    )
    days_left = models.IntegerField("剩余工作日", null=True, blank=True)
    at_risk = models.BooleanField("临期", default=False)
    overdue = models.BooleanField("超期", default=False)
    paused = models.BooleanField("计时暂停", default=False)
    provisional = models.BooleanField("期限为暂定", default=False)
    clock_explanation = models.JSONField("期限说明", default=list, blank=True)
    clock_computed_on = models.DateField("期限计算日期", null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.PROTECT,
        related_name="registered_requests",
    )
    created_at = models.DateTimeField("登记时间")
    updated_at = models.DateTimeField("最后更新", auto_now=True)
    # The one-time token of the registration form that created the case: posting the same form
    # again (double click, back and resubmit, two requests at once) finds this case instead of
    # registering a second one.
    submission_token = models.CharField("登记表标记", max_length=64, blank=True, editable=False)
    # The case's viewflow process (one), keyed by the process's artifact: the task lists sort by
    # the case's due date through this join, walking the case's due-date index
    # (requests_app.flows.by_due_date). No column: the key is the process's artifact_object_id.
    processes = GenericRelation(
        "viewflow.Process",
        content_type_field="artifact_content_type",
        object_id_field="artifact_object_id",
        related_query_name="request",
    )

    class Meta:
        verbose_name = "政府信息公开申请"
        verbose_name_plural = "政府信息公开申请"
        ordering = ["due_date", "id"]
        constraints = [
            *length_checks("request", description=limits.DESCRIPTION, document_names=limits.REASON),
            models.UniqueConstraint(
                fields=["agency", "year", "sequence"], name="request_number_unique"
            ),
            models.UniqueConstraint(
                fields=["agency", "case_number"], name="request_case_number_unique"
            ),
            models.UniqueConstraint(
                fields=["submission_token"],
                condition=~models.Q(submission_token=""),
                name="request_submission_token_unique",
                violation_error_message="这份登记表已经提交过。",
            ),
            models.CheckConstraint(
                condition=models.Q(receipt_date__gte=models.F("arrival_date")),
                name="request_receipt_not_before_arrival",
                violation_error_message="收到申请之日不能早于到达日期。",
            ),
            models.CheckConstraint(
                condition=models.Q(applicant_kind="person", organization_kind="")
                | models.Q(applicant_kind="organization") & ~models.Q(organization_kind=""),
                name="request_organization_kind_matches_applicant",
                violation_error_message="法人或其他组织需要选择组织类别；自然人不选。",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "due_sort", "id"], name="request_agency_due_idx"),
            models.Index(
                fields=["agency", "stage", "due_sort", "id"], name="request_agency_stage_idx"
            ),
            # With what the dashboard counts over a year of an agency's requests, so that
            # PostgreSQL answers from the index alone (covering columns: PostgreSQL only).
            models.Index(
                fields=["agency", "receipt_date"],
                include=["served_on", "due_date", "outcome", "id"],
                name="request_agency_receipt_cover",
            ),
            models.Index(fields=["agency", "concluded_on"], name="request_agency_concluded_idx"),
            # The API's clients poll for the cases changed since their last call (few of many):
            # without it each poll reads all of the agency's cases.
            models.Index(fields=["agency", "updated_at"], name="request_agency_updated_idx"),
            # The deadline flags (临期, 超期, 暂停, 暂定) mark few cases; a filter by any of them
            # walks only these, in the list's order, instead of every case of the agency.
            models.Index(
                fields=["agency", "due_sort", "id"],
                condition=models.Q(overdue=True)
                | models.Q(at_risk=True)
                | models.Q(paused=True)
                | models.Q(provisional=True),
                name="request_agency_flagged_idx",
            ),
            models.Index(fields=["agency", "applicant_name"], name="request_applicant_idx"),
            models.Index(fields=["id_number"], name="request_id_number_idx"),
            models.Index(fields=["credit_code"], name="request_credit_code_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_number} {self.applicant_name}"

    @property
    def is_open(self) -> bool:
        return self.stage != self.Stage.CLOSED and not self.outcome


class ClockEntry(models.Model):
    """One event of the case's statutory clock (workflow.clock.ClockEvent), append-only."""

    class Kind(models.TextChoices):
        START = "start", "开始计算"
        PAUSE = "pause", "暂停计时"
        RESUME = "resume", "恢复计时"
        EXTEND = "extend", "延长期限"
        STOP = "stop", "办结"
        REASONS = "reasons", "要求说明理由"
        DEFER = "defer", "延迟答复"
        REOPEN = "reopen", "责令重新答复"

    request = models.ForeignKey(
        InformationRequest, on_delete=models.CASCADE, related_name="clock_entries"
    )
    kind = models.CharField("事件", max_length=10, choices=Kind.choices)
    on = models.DateField("日期")
    days = models.PositiveSmallIntegerField("工作日数", default=0)
    until = models.DateField("延迟答复期限", null=True, blank=True)
    reason = models.CharField("理由", max_length=40, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = "计时事件"
        verbose_name_plural = "计时事件"
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.get_kind_display()}"

    @property
    def reason_text(self) -> str:
        """The reason for people: a pause keeps the code of ``PAUSE_REASONS`` (what the clock
        reads), shown in its words; other events keep words already."""
        if self.kind == self.Kind.PAUSE and self.reason in PAUSE_REASONS:
            return PAUSE_REASONS[self.reason][0]
        return self.reason


class CaseCounter(models.Model):
    """The last case number given per agency and year; locked while a number is taken."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "登记编号计数"
        verbose_name_plural = "登记编号计数"
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="case_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.year}: {self.last}"


#: The outcomes that disclose information: a secrecy review comes first (Art. 17 ¶2), and a third
#: party's objection must be answered (Art. 32).
DISCLOSING_OUTCOMES = ("disclosed", "partly_disclosed")


class Decision(models.Model):
    """The handler's proposal and its approval (DOMAIN §3.6): outcome, grounds, what is provided."""

    request = models.OneToOneField(
        InformationRequest, on_delete=models.CASCADE, related_name="decision"
    )
    outcome = models.CharField("办理结果", max_length=40, choices=OUTCOME_CHOICES)
    articles = models.JSONField("所依据的条款", default=list)
    reason = BoundedTextField("理由和说明", max_length=limits.REASON, blank=True)
    withheld_parts = models.JSONField(
        "不予公开的部分", default=list, blank=True, help_text="每项：内容、理由、依据"
    )
    details = models.JSONField("其他要素", default=dict, blank=True)
    provide_form = models.CharField(
        "提供信息的形式", max_length=12, choices=InformationRequest.Form.choices, blank=True
    )
    needs_legal_review = models.BooleanField("需要法制审核", default=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField("提出时间")
    legal_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    legal_reviewed_at = models.DateTimeField("法制审核时间", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    # Art. 32: disclosure over a third party's objection.
    public_interest_reasons = BoundedTextField(
        "不公开可能对公共利益造成重大影响的理由", max_length=limits.REASON, blank=True
    )
    overridden_objections = models.JSONField(
        "不顾第三方反对决定公开的征求意见", default=list, blank=True
    )
    disclose_from = models.DateField("向申请人提供信息的最早日期", null=True, blank=True)
    # Art. 15, 32: why a refusal to protect a third party was decided without consulting it.
    no_consultation_reason = models.TextField("未征求第三方意见的理由", blank=True)

    class Meta:
        constraints = length_checks(
            "decision", reason=limits.REASON, public_interest_reasons=limits.REASON
        )
        verbose_name = "办理意见"
        verbose_name_plural = "办理意见"

    def __str__(self) -> str:
        return f"{self.request.case_number} {self.get_outcome_display()}"

    @property
    def secrecy_review(self) -> "SecrecyReview | None":
        """The secrecy review of this proposal (Art. 17 ¶2); a new proposal needs its own."""
        return (
            SecrecyReview.objects.filter(request_id=self.request_id, proposal_at=self.proposed_at)
            .select_related("reviewer")
            .order_by("-recorded_at", "-id")
            .first()
        )


class SecrecyReview(models.Model):
    """The secrecy review (保密审查) of information proposed for disclosure to an applicant
    (Art. 17 ¶2; Licheng 三(一)): who, when, conclusion and opinion, for one proposal."""

    class Conclusion(models.TextChoices):
        CLEARED = "cleared", "不涉及国家秘密，同意公开"
        NOT_CLEARED = "not_cleared", "不同意公开"

    request = models.ForeignKey(
        InformationRequest,
        verbose_name="申请",
        on_delete=models.CASCADE,
        related_name="secrecy_reviews",
    )
    #: The ``proposed_at`` of the proposal reviewed: a new proposal needs a new review.
    proposal_at = models.DateTimeField("所审查办理意见的提出时间")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审查人", on_delete=models.PROTECT, related_name="+"
    )
    reviewed_on = models.DateField("审查日期")
    conclusion = models.CharField("审查结论", max_length=12, choices=Conclusion.choices)
    opinion = models.TextField("审查意见")
    #: Recorded by the office head because the agency has no secrecy reviewer.
    by_office_head = models.BooleanField("由政务公开工作机构负责人审查", default=False)
    recorded_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = "保密审查"
        verbose_name_plural = "保密审查"
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.request.case_number} {self.get_conclusion_display()}"

    @property
    def cleared(self) -> bool:
        return self.conclusion == self.Conclusion.CLEARED


class Consultation(models.Model):
    """A written consultation of a third party (Art. 32) or another agency (Art. 34)."""

    class Party(models.TextChoices):
        THIRD_PARTY = "third_party", "第三方"
        AGENCY = "agency", "其他机关"

    class Reply(models.TextChoices):
        PENDING = "pending", "等待答复"
        AGREE = "agree", "同意公开"
        OBJECT = "object", "不同意公开"
        NO_REPLY = "no_reply", "逾期未答复"

    request = models.ForeignKey(
        InformationRequest, on_delete=models.CASCADE, related_name="consultations"
    )
    party = models.CharField("征求对象", max_length=12, choices=Party.choices)
    party_name = models.CharField("名称或姓名", max_length=100)
    party_address = models.CharField("地址", max_length=200, blank=True)
    matter = BoundedTextField("征求意见的内容", max_length=limits.MATTER)
    sent_on = models.DateField("发函日期")
    # The end of the 15 working days counted from the letter's service (Art. 32, 34); empty
    # until the service is recorded (NoticeService).
    limit_date = models.DateField("答复期限", null=True, blank=True)
    reply = models.CharField("答复", max_length=10, choices=Reply.choices, default=Reply.PENDING)
    replied_on = models.DateField("答复或期限届满日期", null=True, blank=True)
    reasons = BoundedTextField("意见和理由", max_length=limits.REASON, blank=True)
    # Art. 32: the written notice when the agency discloses over this third party's objection.
    disclosure_notice = models.ForeignKey(
        "CaseDocument",
        verbose_name="决定公开告知书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间")

    class Meta:
        constraints = length_checks("consultation", matter=limits.MATTER, reasons=limits.REASON)
        verbose_name = "征求意见"
        verbose_name_plural = "征求意见"
        ordering = ["sent_on", "id"]
        indexes = [models.Index(fields=["reply", "limit_date"], name="consultation_open_idx")]

    def __str__(self) -> str:
        return f"{self.get_party_display()}：{self.party_name}"

    @property
    def is_open(self) -> bool:
        return self.reply == self.Reply.PENDING


class Extension(models.Model):
    """An extension of the reply period (Art. 33 ¶2): asked by the handler, approved by the head."""

    request = models.OneToOneField(
        InformationRequest, on_delete=models.CASCADE, related_name="extension"
    )
    days = models.PositiveSmallIntegerField("延长工作日数")
    reason = BoundedTextField("延期理由", max_length=limits.REASON)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField("申请时间")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_on = models.DateField("批准并告知日期", null=True, blank=True)

    class Meta:
        constraints = length_checks("extension", reason=limits.REASON)
        verbose_name = "延期"
        verbose_name_plural = "延期"

    def __str__(self) -> str:
        return f"{self.request.case_number} 延长{self.days}个工作日"


class ReasonsRequest(models.Model):
    """Art. 35: the applicant is asked to explain a volume or frequency clearly beyond reason."""

    class Status(models.TextChoices):
        PENDING = "pending", "等待说明"
        ANSWERED = "answered", "已说明理由"
        LAPSED = "lapsed", "逾期未说明"

    class Finding(models.TextChoices):
        UNREASONABLE = "unreasonable", "理由不合理，不予处理"
        REASONABLE = "reasonable", "理由合理，继续办理"
        DEFERRED = "deferred", "理由合理，但无法按期答复，确定延迟答复期限"

    request = models.OneToOneField(
        InformationRequest, on_delete=models.CASCADE, related_name="reasons_request"
    )
    grounds = BoundedTextField("数量、频次明显超过合理范围的情况", max_length=limits.REASON)
    items = models.JSONField("需要说明的事项", default=list)
    how_to_answer = models.CharField("说明方式", max_length=200)
    period_days = models.PositiveSmallIntegerField("说明期限（工作日）")
    asked_on = models.DateField("要求说明理由日期")
    reply_by = models.DateField("说明期限")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    answered_on = models.DateField("收到说明之日", null=True, blank=True)
    answer = BoundedTextField("申请人的说明", max_length=limits.ANSWER, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finding = models.CharField("审查结论", max_length=14, choices=Finding.choices, blank=True)
    finding_note = BoundedTextField("审查意见", max_length=limits.REASON, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField("审查日期", null=True, blank=True)
    created_at = models.DateTimeField("记录时间")

    class Meta:
        constraints = length_checks(
            "reasons_request",
            grounds=limits.REASON,
            answer=limits.ANSWER,
            finding_note=limits.REASON,
        )
        verbose_name = "要求说明理由"
        verbose_name_plural = "要求说明理由"
        indexes = [models.Index(fields=["status", "reply_by"], name="reasons_open_idx")]

    def __str__(self) -> str:
        return f"{self.request.case_number} {self.get_status_display()}"


class Deferral(models.Model):
    """Art. 35: a later reply date for a reasonable request that cannot be answered in time;
    proposed by the handler, approved by the head of the disclosure office (as an extension)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待批准"
        APPROVED = "approved", "已批准"
        REFUSED = "refused", "未批准"

    request = models.OneToOneField(
        InformationRequest, on_delete=models.CASCADE, related_name="deferral"
    )
    until = models.DateField("延迟答复期限")
    reason = BoundedTextField("无法按期答复的理由", max_length=limits.REASON)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField("提出时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField("审批日期", null=True, blank=True)
    comment = models.CharField("审批意见", max_length=200, blank=True)

    class Meta:
        constraints = length_checks("deferral", reason=limits.REASON)
        verbose_name = "延迟答复"
        verbose_name_plural = "延迟答复"

    def __str__(self) -> str:
        return f"{self.request.case_number} 延迟至{self.until:%Y-%m-%d}"


class CaseDocument(models.Model):
    """A letter issued in the case (PDF and DOCX kept) or a file uploaded to it."""

    class Kind(models.TextChoices):
        LETTER = "letter", "文书"
        APPLICATION = "application", "申请书扫描件"
        ID_PROOF = "id_proof", "身份证明"
        PROVIDED = "provided", "提供的政府信息"
        SERVICE_PROOF = "service_proof", "送达凭证"
        CASE_FILE = "case_file", "案卷"
        OTHER = "other", "其他材料"
        # Uploaded with a reconsideration or lawsuit record (services.challenges).
        CHALLENGE_APPLICATION = "ch_application", "行政复议申请书或起诉状"
        CHALLENGE_DECISION = "ch_decision", "行政复议决定书或裁判文书"

    request = models.ForeignKey(
        InformationRequest, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    title = models.CharField("名称", max_length=200)
    letter_kind = models.CharField("文书种类", max_length=40, blank=True)
    number = models.CharField("文号", max_length=60, blank=True)
    template_version = models.CharField("模板版本", max_length=500, blank=True)
    file = models.FileField("文件", upload_to="cases/%Y/%m/")
    docx = models.FileField("DOCX", upload_to="cases/%Y/%m/", blank=True)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    # Uploads: the name the file had on the user's computer (made safe), the type read from its
    # content (requests_app.uploads.FILE_TYPES) and its SHA-256, to show it was not altered.
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    file_type = models.CharField("文件类型", max_length=10, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    # The reconsideration or lawsuit an uploaded application or decision belongs to.
    challenge = models.ForeignKey(
        "Challenge",
        verbose_name="行政复议、行政诉讼",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "案件材料"
        verbose_name_plural = "案件材料"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_upload(self) -> bool:
        return self.kind not in (self.Kind.LETTER, self.Kind.CASE_FILE)


class Challenge(models.Model):
    """An administrative reconsideration (行政复议) or lawsuit (行政诉讼) about how a request was
    handled: the annual report's table 四 (Report Format, section 4) counts them, and a result
    ordering a new reply reopens the case."""

    class Kind(models.TextChoices):
        RECONSIDERATION = "reconsideration", "行政复议"
        LAWSUIT_DIRECT = "lawsuit_direct", "行政诉讼（未经复议直接起诉）"
        LAWSUIT_AFTER = "lawsuit_after", "行政诉讼（复议后起诉）"

    class Result(models.TextChoices):
        # The four columns of table 四, in its order.
        UPHELD = "upheld", "结果维持"
        CORRECTED = "corrected", "结果纠正"
        OTHER = "other", "其他结果"
        PENDING = "pending", "尚未审结"

    class Detail(models.TextChoices):
        # What the decision or judgment did: the first five are corrections, the rest "other".
        REVOKED = "revoked", "撤销"
        VARIED = "varied", "变更"
        DECLARED_UNLAWFUL = "declared_unlawful", "确认违法"
        ORDERED_PERFORMANCE = "ordered_performance", "责令履行"
        ORDERED_NEW_REPLY = "ordered_new_reply", "责令重新答复"
        DISMISSED = "dismissed", "驳回"
        TERMINATED = "terminated", "终止"
        WITHDRAWN = "withdrawn", "撤回（撤诉）"
        OTHER = "other", "其他"

    request = models.ForeignKey(
        InformationRequest,
        verbose_name="申请",
        on_delete=models.PROTECT,
        related_name="challenges",
    )
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    # A lawsuit after reconsideration names the reconsideration it follows.
    follows = models.ForeignKey(
        "self",
        verbose_name="所针对的行政复议",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lawsuits",
    )
    body = models.CharField("复议机关或人民法院", max_length=100)
    number = models.CharField("案号", max_length=80, blank=True)
    filed_on = models.DateField("申请或起诉日期")
    claim = BoundedTextField("申请人的请求", max_length=limits.REASON, blank=True)
    result = models.CharField("结果", max_length=10, choices=Result.choices, default=Result.PENDING)
    detail = models.CharField("结果内容", max_length=20, choices=Detail.choices, blank=True)
    concluded_on = models.DateField("审结日期", null=True, blank=True)
    # A decision ordering a new reply: the period it sets runs from the agency's receipt of it.
    decision_received_on = models.DateField("本机关收到决定或判决之日", null=True, blank=True)
    new_reply_days = models.PositiveSmallIntegerField(
        "重新答复期限（工作日）", null=True, blank=True
    )
    # When the case was handled again on this record's order (services.challenges), and what
    # the earlier handling was (outcome, decision date, reply letter, service) as it stood then.
    reopened_at = models.DateTimeField("重新办理时间", null=True, blank=True)
    earlier = models.JSONField("此前的办理情况", default=dict, blank=True)
    # Raised by every change: an edit made on an older page is refused (optimistic locking).
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间")
    updated_at = models.DateTimeField("最后更新", auto_now=True)

    class Meta:
        verbose_name = "行政复议、行政诉讼"
        verbose_name_plural = "行政复议、行政诉讼"
        ordering = ["filed_on", "id"]
        constraints = length_checks("challenge", claim=limits.REASON)
        indexes = [models.Index(fields=["filed_on"], name="challenge_filed_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number or self.body}"


class Fee(models.Model):
    """A processing fee (Fee Rules): notice, payment within 20 working days, or waiver."""

    class Method(models.TextChoices):
        PER_PIECE = "per_piece", "按件计收"
        PER_PAGE = "per_page", "按量计收"

    class Status(models.TextChoices):
        PENDING = "pending", "等待缴费"
        PAID = "paid", "已缴费"
        WAIVED = "waived", "已免收"
        LAPSED = "lapsed", "逾期未缴费"

    request = models.OneToOneField(InformationRequest, on_delete=models.CASCADE, related_name="fee")
    method = models.CharField("计收方式", max_length=10, choices=Method.choices)
    quantity = models.PositiveIntegerField("件数或页数")
    earlier_this_month = models.PositiveIntegerField("本月此前申请件数", default=0)
    reduction = models.PositiveIntegerField("减免金额（元）", default=0)
    reduction_reason = models.CharField("减免理由", max_length=200, blank=True)
    amount = models.PositiveIntegerField("应缴金额（元）")
    calculation = models.JSONField("计算过程", default=list)
    payment_method = models.CharField("缴费方式", max_length=200)
    notice_on = models.DateField("收费通知日期")
    # 20 working days from the day after the notice's receipt (Fee Rules); empty until the
    # service of the notice is recorded (NoticeService).
    pay_by = models.DateField("缴费期限", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    settled_on = models.DateField("缴费或免收日期", null=True, blank=True)
    waiver_reason = models.CharField("免收理由", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = "信息处理费"
        verbose_name_plural = "信息处理费"
        indexes = [models.Index(fields=["status", "pay_by"], name="fee_open_idx")]

    def __str__(self) -> str:
        return f"{self.request.case_number} {self.amount}元"


class NoticeService(models.Model):
    """The service of a notice whose period runs from its receipt (DOMAIN §3.8): the correction
    notice (Art. 30), the consultation letters (Art. 32, 34) and the fee notice (Fee Rules).

    Until ``served_on`` is recorded the period has no end (待送达) and no timer acts on it.
    """

    class Notice(models.TextChoices):
        CORRECTION = "correction", "补正申请告知书"
        THIRD_PARTY = "third_party", "第三方意见征询函"
        AGENCY = "agency", "征求意见函"
        FEE = "fee", "信息处理费缴费通知书"

    class Method(models.TextChoices):
        DIRECT = "direct", "直接送达（以受送达人签收之日为送达日期）"
        POST = "post", "邮寄送达（以交邮之日为送达日期，须通过邮政企业寄送）"
        ELECTRONIC = "electronic", "电子送达（以通过受送达人选择的渠道发出之日为送达日期）"

    request = models.ForeignKey(
        InformationRequest, on_delete=models.CASCADE, related_name="notice_services"
    )
    notice = models.CharField("文书", max_length=12, choices=Notice.choices)
    letter = models.OneToOneField(
        CaseDocument,
        verbose_name="告知书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notice_service",
    )
    consultation = models.OneToOneField(
        Consultation,
        verbose_name="征求意见",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="service",
    )
    addressee = models.CharField("受送达人", max_length=100)
    issued_on = models.DateField("文书日期")
    period_days = models.PositiveSmallIntegerField("期限（工作日）")
    method = models.CharField("送达方式", max_length=12, choices=Method.choices, blank=True)
    served_on = models.DateField("送达日期", null=True, blank=True)
    received_on = models.DateField("收到之日", null=True, blank=True)
    period_end = models.DateField("期限届满日", null=True, blank=True)
    tracking_number = models.CharField("邮件号码", max_length=60, blank=True)
    proof = models.ForeignKey(
        CaseDocument,
        verbose_name="送达凭证",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    presumed = models.BooleanField(
        "按告知书日期推定送达",
        default=False,
        help_text="系统升级前发出的文书，没有送达记录，以文书日期推定为送达日期。",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记送达时间", null=True, blank=True)
    created_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = "文书送达"
        verbose_name_plural = "文书送达"
        ordering = ["issued_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "notice"],
                condition=models.Q(notice__in=["correction", "fee"]),
                name="notice_service_one_per_case",
            ),
        ]
        indexes = [models.Index(fields=["served_on"], name="notice_service_pending_idx")]

    def __str__(self) -> str:
        return f"{self.get_notice_display()}（{self.addressee}）"

    @property
    def is_served(self) -> bool:
        return self.served_on is not None

    @property
    def period_label(self) -> str:
        return PERIOD_LABELS[self.notice]

    @property
    def period_words(self) -> str:
        """The period as the law words it."""
        if self.notice == self.Notice.FEE:
            return f"收到通知次日起{self.period_days}个工作日内"
        return f"自收到之日起{self.period_days}个工作日内"

    @property
    def explanation(self) -> str:
        """One line for the case page and the clock's explanation, e.g.
        "补正申请告知书2026年3月12日送达，补正期限至2026年4月2日（含当日）"."""
        name = f"{self.get_notice_display()}（{self.addressee}）"
        if self.served_on is None:
            return (
                f"{name}{cn_date(self.issued_on)}发出，待送达；{self.period_label}"
                f"{self.period_words}，送达后计算"
            )
        if self.presumed:
            served = f"按告知书日期推定{cn_date(self.served_on)}送达（系统升级）"
        elif self.method == self.Method.POST and self.received_on != self.served_on:
            served = (
                f"{cn_date(self.served_on)}交邮，按本机关规定推定{cn_date(self.received_on)}收到"
            )
        else:
            served = f"{cn_date(self.served_on)}送达"
        return f"{name}{served}，{self.period_label}至{cn_date(self.period_end)}（含当日）"


PERIOD_LABELS = {
    NoticeService.Notice.CORRECTION: "补正期限",
    NoticeService.Notice.THIRD_PARTY: "提出意见期限",
    NoticeService.Notice.AGENCY: "提出意见期限",
    NoticeService.Notice.FEE: "缴费期限",
}


#: The length of each text part of an annual report (一、五、六), in characters.
REPORT_TEXT = 20000


class AnnualReport(models.Model):
    """An agency's annual report for a year (Art. 49–50; docs/annual-report.md).

    Versions: at most one draft per agency and year, numbered after the last published version.
    Publishing freezes the numbers (``snapshot``: the report's data with the ids behind every
    cell; ``summary``: the same numbers without ids, for lists and next year's check) and the
    texts; the published row is never changed again. A corrected report is a new version.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="annual_reports"
    )
    year = models.PositiveSmallIntegerField("报告年度")
    version = models.PositiveSmallIntegerField("版本", default=1)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    text_overview = BoundedTextField("一、总体情况", max_length=REPORT_TEXT, blank=True)
    text_problems = BoundedTextField(
        "五、存在的主要问题及改进情况", max_length=REPORT_TEXT, blank=True
    )
    text_other = BoundedTextField("六、其他需要报告的事项", max_length=REPORT_TEXT, blank=True)
    # Why this year's 上年结转 differs from last year's published 结转下年度继续办理: keyed by the
    # case's id (one note per case that makes the difference), or "general" when last year's
    # report was not published in this system.
    carryover_notes = models.JSONField("上年结转差异说明", default=dict, blank=True)
    correction_reason = models.CharField("更正理由", max_length=limits.NOTE, blank=True)
    summary = models.JSONField("报告数字", default=dict, blank=True)
    snapshot = models.JSONField("发布时的数据（含每个数字对应的案件）", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("最后更新", auto_now=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "政府信息公开工作年度报告"
        verbose_name_plural = "政府信息公开工作年度报告"
        ordering = ["agency", "year", "version"]
        constraints = [
            *length_checks(
                "annual_report",
                text_overview=REPORT_TEXT,
                text_problems=REPORT_TEXT,
                text_other=REPORT_TEXT,
            ),
            models.UniqueConstraint(
                fields=["agency", "year", "version"], name="annual_report_version_unique"
            ),
            models.UniqueConstraint(
                fields=["agency", "year"],
                condition=models.Q(status="draft"),
                name="annual_report_one_draft",
                violation_error_message="本年度报告已有一份草稿。",
            ),
        ]

    def __str__(self) -> str:
        status = self.get_status_display()
        return f"{self.agency} {self.year}年度报告（第{self.version}版，{status}）"

    @property
    def texts(self) -> dict[str, str]:
        return {"一": self.text_overview, "五": self.text_problems, "六": self.text_other}


class ReportFigure(models.Model):
    """A figure of table 二 that the disclosure office enters (Art. 20 items 5, 6, 8): the
    decisions on licences, penalties and coercive measures and the administrative fees charged,
    with where the number comes from. Every change is audited."""

    class Field(models.TextChoices):
        LICENSING = "licensing", "行政许可"
        PENALTY = "penalty", "行政处罚"
        COERCION = "coercion", "行政强制"
        FEES = "fees", "行政事业性收费"

    agency = models.ForeignKey(Agency, verbose_name="机关", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField("报告年度")
    field = models.CharField("项目", max_length=12, choices=Field.choices)
    # 件 for the three counts, 万元 for the fees.
    value = models.DecimalField("数值", max_digits=16, decimal_places=4)
    source = models.CharField("数据来源", max_length=limits.NOTE)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField("录入时间")

    class Meta:
        verbose_name = "年度报告录入数字"
        verbose_name_plural = "年度报告录入数字"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "field"], name="report_figure_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(value__gte=0), name="report_figure_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.year} {self.get_field_display()} {self.value}"


class ReportTally(models.Model):
    """One agency's counts of tables 三 and 四, its fees and its correction requests for one
    year, kept so that a province's overview reads one row per agency instead of counting a
    million requests each time (``annual_report.tally_store``). A kept tally is dropped as soon
    as anything it counts changes (``ReportTallyStale``); an agency's own report is always
    counted afresh."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("报告年度")
    numbers = models.JSONField("数字")
    counted_at = models.DateTimeField("统计时间")

    class Meta:
        verbose_name = "年度报告统计缓存"
        verbose_name_plural = "年度报告统计缓存"
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="report_tally_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year}"


class ReportTallyStale(models.Model):
    """An agency whose kept tallies no longer hold: a request, challenge or fee of it was
    added, removed or changed in what the report counts. Written by database triggers
    (``annual_report.tally_store``), so no way of writing escapes it; read and cleared when
    tallies are kept."""

    agency_id = models.BigIntegerField("机关", primary_key=True)
    changes = models.PositiveBigIntegerField("变动次数", default=1)

    class Meta:
        verbose_name = "年度报告统计待更新"
        verbose_name_plural = "年度报告统计待更新"

    def __str__(self) -> str:
        return str(self.agency_id)


# -- online applications awaiting confirmation (Art. 31(3)) ---------------------------------------

#: What an applicant submits online: the registration's particulars and request, without the
#: channel and dates, which confirmation sets (``services.submissions``).
SUBMITTED_FIELDS = (
    "kind",
    "applicant_kind",
    "organization_kind",
    "applicant_name",
    "id_type",
    "id_number",
    "credit_code",
    "legal_representative",
    "contact_person",
    "phone",
    "email",
    "address",
    "postcode",
    "agent_name",
    "agent_id_number",
    "agent_phone",
    "power_of_attorney",
    "description",
    "document_names",
    "form_wanted",
    "delivery",
    "accessibility_needs",
)


def _as_on_a_case(name: str) -> models.Field:
    # The same column as the case's (label, limit, choices): a confirmed submission's values
    # become the case's unchanged.
    return InformationRequest._meta.get_field(name).clone()


class SubmissionCounter(models.Model):
    """The last submission number given per agency and year; locked while a number is taken."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "网上申请编号计数"
        verbose_name_plural = "网上申请编号计数"
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="submission_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.year}: {self.last}"


class OnlineSubmission(models.Model):
    """An application submitted online (an API client's portal or hotline system, or the public
    form), waiting for the registrar: under Art. 31(3) it is received on the day both sides
    confirm (以双方确认之日), so it becomes a case (and its clock starts) only when confirmed."""

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "已确认登记"
        RETURNED = "returned", "已退回"

    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="online_submissions"
    )
    year = models.PositiveSmallIntegerField("提交年度")
    sequence = models.PositiveIntegerField("年度序号")
    number = models.CharField("网上申请编号", max_length=40)
    source = models.ForeignKey(
        "workflow.ApiClient",
        verbose_name="来源系统",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="online_submissions",
        help_text="提交申请的接口客户端；申请人在公开页面直接提交的为空。",
    )
    external_ref = models.CharField("来源系统的编号", max_length=100, blank=True)
    submitted_at = models.DateTimeField("提交时间")
    # The day submitted, in the agency's time zone: the case's arrival date (到达日期).
    submitted_on = models.DateField("提交日期")

    kind = _as_on_a_case("kind")
    applicant_kind = _as_on_a_case("applicant_kind")
    organization_kind = _as_on_a_case("organization_kind")
    applicant_name = _as_on_a_case("applicant_name")
    id_type = _as_on_a_case("id_type")
    id_number = _as_on_a_case("id_number")
    credit_code = _as_on_a_case("credit_code")
    legal_representative = _as_on_a_case("legal_representative")
    contact_person = _as_on_a_case("contact_person")
    phone = _as_on_a_case("phone")
    email = _as_on_a_case("email")
    address = _as_on_a_case("address")
    postcode = _as_on_a_case("postcode")
    agent_name = _as_on_a_case("agent_name")
    agent_id_number = _as_on_a_case("agent_id_number")
    agent_phone = _as_on_a_case("agent_phone")
    power_of_attorney = _as_on_a_case("power_of_attorney")
    description = _as_on_a_case("description")
    document_names = _as_on_a_case("document_names")
    form_wanted = _as_on_a_case("form_wanted")
    delivery = _as_on_a_case("delivery")
    accessibility_needs = _as_on_a_case("accessibility_needs")

    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    case = models.OneToOneField(
        InformationRequest,
        verbose_name="登记的申请",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="online_submission",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认或退回人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("确认或退回时间", null=True, blank=True)
    return_reason = BoundedTextField("退回理由", max_length=limits.REASON, blank=True)
    # The applicant's query code (issue #16), kept only as a hash; blank for API submissions.
    query_code_hash = models.CharField("查询码摘要", max_length=128, blank=True, editable=False)

    class Meta:
        verbose_name = "网上申请"
        verbose_name_plural = "网上申请"
        ordering = ["submitted_at", "id"]
        constraints = [
            *length_checks(
                "submission",
                description=limits.DESCRIPTION,
                document_names=limits.REASON,
                return_reason=limits.REASON,
            ),
            models.UniqueConstraint(
                fields=["agency", "year", "sequence"], name="submission_sequence_unique"
            ),
            models.UniqueConstraint(fields=["agency", "number"], name="submission_number_unique"),
            models.UniqueConstraint(
                fields=["source", "external_ref"],
                condition=~models.Q(external_ref=""),
                name="submission_external_ref_unique",
                violation_error_message="来源系统的编号已提交过。",
            ),
            # Confirmed ⇔ a case; returned ⇒ a reason; pending ⇒ no decision yet.
            models.CheckConstraint(
                condition=models.Q(status="pending", case__isnull=True, decided_at__isnull=True)
                | models.Q(status="confirmed", case__isnull=False, decided_at__isnull=False)
                | models.Q(status="returned", case__isnull=True, decided_at__isnull=False)
                & ~models.Q(return_reason=""),
                name="submission_status_matches_decision",
            ),
            models.CheckConstraint(
                condition=models.Q(applicant_kind="person", organization_kind="")
                | models.Q(applicant_kind="organization") & ~models.Q(organization_kind=""),
                name="submission_organization_kind_matches_applicant",
                violation_error_message="法人或其他组织需要选择组织类别；自然人不选。",
            ),
        ]
        indexes = [
            # The registrar's 待确认 list: an agency's pending submissions, oldest first.
            models.Index(
                fields=["agency", "status", "submitted_at", "id"], name="submission_agency_idx"
            ),
            models.Index(fields=["id_number"], name="submission_id_number_idx"),
            models.Index(fields=["credit_code"], name="submission_credit_code_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.applicant_name}"


class SubmissionDocument(models.Model):
    """A file an applicant attached to the public form (issue #16): an ID copy, a business
    licence, a power of attorney. Checked as a registrar's upload is (``requests_app.uploads``);
    the registrar sees it with the submission, and confirming moves it to the case as a
    ``CaseDocument`` (the same stored file, ``case_document``)."""

    submission = models.ForeignKey(
        OnlineSubmission, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField("类别", max_length=16, choices=CaseDocument.Kind.choices)
    file = models.FileField("文件", upload_to="submissions/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=200)
    file_type = models.CharField("文件类型", max_length=10)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    created_at = models.DateTimeField("上传时间")
    case_document = models.OneToOneField(
        CaseDocument,
        verbose_name="归入案卷的材料",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "网上申请所附材料"
        verbose_name_plural = "网上申请所附材料"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class OnlineLetter(models.Model):
    """A letter to the applicant made available on the public tracking page (issue #16).

    The applicant who chose the online platform (网上平台) is served there: the service date is
    the day the letter is made available (到达受送达人特定系统之日, docs/public.md), so the first
    time is kept and never moved. The first download by the applicant is kept as evidence.
    """

    request = models.ForeignKey(
        InformationRequest, on_delete=models.CASCADE, related_name="online_letters"
    )
    letter = models.OneToOneField(
        CaseDocument, verbose_name="文书", on_delete=models.CASCADE, related_name="online"
    )
    available_at = models.DateTimeField("在查询页面提供的时间")
    first_opened_at = models.DateTimeField("申请人首次下载的时间", null=True, blank=True)

    class Meta:
        verbose_name = "网上送达的文书"
        verbose_name_plural = "网上送达的文书"
        ordering = ["available_at", "id"]

    def __str__(self) -> str:
        return f"{self.request.case_number} {self.letter.title}"


#: The longest free text of a guide (one part: what is published and how, other notes).
GUIDE_TEXT = 5000


class Guide(models.Model):
    """An agency's 政府信息公开指南 (Art. 12), kept by its disclosure office.

    Versions: at most one draft per agency, numbered after the last published version.
    Publishing freezes the words (``snapshot``: the sections as ``rules.guide`` wrote them from
    these fields) and the row: a published version is never changed; a revision is a new version.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="guides"
    )
    version = models.PositiveSmallIntegerField("版本", default=1)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    # 受理机构 (Art. 12: name, address, office hours, phone, fax, online contact)
    office_name = models.CharField("受理机构名称", max_length=limits.NAME, blank=True)
    office_address = models.CharField("办公地址", max_length=limits.ADDRESS, blank=True)
    office_postcode = models.CharField("邮政编码", max_length=6, blank=True)
    office_hours = models.CharField("办公时间", max_length=limits.NOTE, blank=True)
    office_phone = models.CharField("联系电话", max_length=limits.PHONE, blank=True)
    office_fax = models.CharField("传真", max_length=limits.PHONE, blank=True)
    office_email = models.CharField("电子邮箱", max_length=limits.NAME, blank=True)
    online_channel = models.CharField("互联网申请渠道", max_length=limits.URL, blank=True)
    # 主动公开
    proactive_scope = BoundedTextField("公开范围和编排体系", max_length=GUIDE_TEXT, blank=True)
    proactive_channels = BoundedTextField("公开方式", max_length=GUIDE_TEXT, blank=True)
    proactive_time_limit = BoundedTextField("公开时限", max_length=limits.REASON, blank=True)
    # 依申请公开
    application_notes = BoundedTextField("申请的其他说明", max_length=GUIDE_TEXT, blank=True)
    # 监督和救济 (DOMAIN §3.8)
    reconsideration_organ = models.CharField("行政复议机关", max_length=limits.NAME, blank=True)
    court = models.CharField("管辖法院", max_length=limits.NAME, blank=True)
    court_after_reconsideration = models.CharField(
        "复议机关改变原行政行为时的管辖法院", max_length=limits.NAME, blank=True
    )
    supervision_notes = BoundedTextField(
        "监督和救济的其他说明", max_length=limits.REASON, blank=True
    )
    other_notes = BoundedTextField("其他事项", max_length=GUIDE_TEXT, blank=True)

    publish_note = models.CharField("发布说明", max_length=limits.NOTE, blank=True)
    snapshot = models.JSONField("发布时的内容", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("最后更新", auto_now=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "政府信息公开指南"
        verbose_name_plural = "政府信息公开指南"
        ordering = ["agency", "version"]
        constraints = [
            *length_checks(
                "guide",
                proactive_scope=GUIDE_TEXT,
                proactive_channels=GUIDE_TEXT,
                proactive_time_limit=limits.REASON,
                application_notes=GUIDE_TEXT,
                supervision_notes=limits.REASON,
                other_notes=GUIDE_TEXT,
            ),
            models.UniqueConstraint(fields=["agency", "version"], name="guide_version_unique"),
            models.UniqueConstraint(
                fields=["agency"],
                condition=models.Q(status="draft"),
                name="guide_one_draft",
                violation_error_message="本机关的公开指南已有一份草稿。",
            ),
        ]
        indexes = [models.Index(fields=["agency", "status", "version"], name="guide_latest_idx")]

    def __str__(self) -> str:
        return f"{self.agency}政府信息公开指南（第{self.version}版，{self.get_status_display()}）"
