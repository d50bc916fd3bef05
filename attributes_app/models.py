"""The document register and the disclosure attribute of each document (DOMAIN §4, §5).

The attribute's state lives in ``Document.attribute_state``, a plain column driven by the state
machine of ``attributes_app.flows`` (viewflow.fsm); every change of it leaves an
``AttributeChange`` row and an audit event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from attributes_app import rules
from workflow import text_input as limits
from workflow.models import Agency
from workflow.text_input import BoundedTextField, length_checks

USER = settings.AUTH_USER_MODEL

#: The conditions of the partial unique indexes on a document's 文号 and its external id. A
#: lookup by either repeats its condition: SQLite uses a partial index only when the query states
#: the index's condition (it does not infer ``number <> ''`` from ``number = 'x'``), and without
#: it reads every document of the agency.
HAS_NUMBER = ~Q(number="")
HAS_EXTERNAL_ID = ~Q(external_id="")


class Attribute(models.TextChoices):
    PROACTIVE = rules.PROACTIVE, rules.ATTRIBUTE_LABELS[rules.PROACTIVE]
    ON_REQUEST = rules.ON_REQUEST, rules.ATTRIBUTE_LABELS[rules.ON_REQUEST]
    WITHHELD = rules.WITHHELD, rules.ATTRIBUTE_LABELS[rules.WITHHELD]


GROUND_CHOICES = [
    (g.code, f"{g.label}（{g.article}）" if g.article else g.label) for g in rules.GROUNDS.values()
]


class AttributeState(models.TextChoices):
    UNDETERMINED = rules.UNDETERMINED, rules.STATE_LABELS[rules.UNDETERMINED]
    PROPOSED = rules.PROPOSED, rules.STATE_LABELS[rules.PROPOSED]
    OFFICE_REVIEW = rules.OFFICE_REVIEW, rules.STATE_LABELS[rules.OFFICE_REVIEW]
    AWAITING_PUBLICATION = (
        rules.AWAITING_PUBLICATION,
        rules.STATE_LABELS[rules.AWAITING_PUBLICATION],
    )
    PUBLISHED = rules.PUBLISHED, rules.STATE_LABELS[rules.PUBLISHED]
    RESTRICTED = rules.RESTRICTED, rules.STATE_LABELS[rules.RESTRICTED]
    CLASSIFIED = rules.CLASSIFIED, rules.STATE_LABELS[rules.CLASSIFIED]


class DraftingUnit(models.Model):
    """A unit of an agency that drafts documents (起草单位): its drafters and its heads.

    A drafter proposes attributes only for the documents of units they are a member of; a head
    confirms only for the units they head. Heads count as members of their unit.
    """

    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="drafting_units"
    )
    name = models.CharField("单位名称", max_length=100)
    members = models.ManyToManyField(
        USER, verbose_name="拟稿人员", related_name="drafting_units", blank=True
    )
    heads = models.ManyToManyField(
        USER, verbose_name="负责人", related_name="headed_drafting_units", blank=True
    )
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = "起草单位"
        verbose_name_plural = "起草单位"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "name"],
                name="drafting_unit_name_unique",
                violation_error_message="本机关已有同名的起草单位。",
            )
        ]

    def __str__(self) -> str:
        return self.name


class CatalogueItem(models.Model):
    """An item of the catalogue of disclosure items (政务公开事项标准目录, DOMAIN §5), with the
    standard columns (``attributes_app.catalogue``): the pilot area, 一级事项, 二级事项 (``name``),
    公开内容（要素）, 公开依据, 公开时限, 公开主体, 公开渠道和载体, 公开对象, 公开方式, 公开层级.

    The items are the agency's working copy (the draft); what the public sees is the latest
    ``CataloguePublication``. A document linked to an item takes the item's 公开方式 as its
    proposal's default attribute, and the item's time limit in working days (when set) when it is
    earlier than the agency's rule.
    """

    class Audience(models.TextChoices):
        PUBLIC = "public", "全社会"
        SPECIFIC = "specific", "特定群体"

    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="catalogue_items"
    )
    area = models.CharField(
        "领域",
        max_length=limits.NAME,
        blank=True,
        help_text="26个试点领域之一，或本机关的其他领域。",
    )
    first_level = models.CharField("一级事项", max_length=limits.NAME, blank=True)
    name = models.CharField("二级事项", max_length=200)
    content = BoundedTextField("公开内容（要素）", max_length=limits.REASON)
    legal_basis = BoundedTextField("公开依据", max_length=limits.REASON)
    time_limit = models.CharField(
        "公开时限",
        max_length=limits.NOTE,
        blank=True,
        help_text="按标准目录的写法，例如：自信息形成或者变更之日起20个工作日内。",
    )
    body = models.CharField("公开主体", max_length=limits.NOTE, blank=True)
    channels = models.JSONField("公开渠道和载体", default=list, blank=True)
    audience = models.CharField(
        "公开对象", max_length=10, choices=Audience.choices, default=Audience.PUBLIC
    )
    default_attribute = models.CharField(
        "公开方式", max_length=12, choices=Attribute.choices, default=Attribute.PROACTIVE
    )
    level_county = models.BooleanField("县级公开", default=True)
    level_township = models.BooleanField("乡级公开", default=False)
    publication_days = models.PositiveSmallIntegerField(
        "公开时限（工作日）",
        null=True,
        blank=True,
        help_text="自信息形成或者变更之日起的工作日数；留空按本机关的主动公开期限。",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True, null=True)

    class Meta:
        verbose_name = "公开事项"
        verbose_name_plural = "公开事项目录"
        ordering = ["area", "first_level", "name", "id"]
        constraints = [
            *length_checks("catalogue_item", content=limits.REASON, legal_basis=limits.REASON),
            models.UniqueConstraint(
                fields=["agency", "area", "first_level", "name"],
                name="catalogue_item_unique_in_area",
                violation_error_message="本机关目录的同一领域、一级事项下已有同名的二级事项。",
            ),
            models.CheckConstraint(
                condition=Q(publication_days__isnull=True) | Q(publication_days__gte=1),
                name="catalogue_item_days_positive",
                violation_error_message="公开时限至少为1个工作日。",
            ),
            models.CheckConstraint(
                condition=Q(level_county=True) | Q(level_township=True),
                name="catalogue_item_has_level",
                violation_error_message="请至少选择一个公开层级。",
            ),
            models.CheckConstraint(
                condition=Q(audience__in=["public", "specific"]),
                name="catalogue_item_audience_valid",
            ),
        ]
        indexes = [models.Index(fields=["agency", "area"], name="catalogue_item_area")]

    def __str__(self) -> str:
        return f"{self.name}（{self.area}）" if self.area else self.name


class CataloguePublication(models.Model):
    """A published version of an agency's catalogue: a frozen copy of its items (``items``, as
    ``attributes_app.catalogue_sheet.snapshot`` writes them), numbered 1, 2 … per agency. Edits
    after it change the working copy only; the public page shows the latest version."""

    agency = models.ForeignKey(
        Agency,
        verbose_name="机关",
        on_delete=models.PROTECT,
        related_name="catalogue_publications",
    )
    version = models.PositiveIntegerField("版本号")
    published_at = models.DateTimeField("发布时间")
    published_by = models.ForeignKey(
        USER, verbose_name="发布人", on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField("发布说明", max_length=limits.NOTE, blank=True)
    item_count = models.PositiveIntegerField("事项数")
    items = models.JSONField("事项", default=list)

    class Meta:
        verbose_name = "公开事项目录版本"
        verbose_name_plural = "公开事项目录版本"
        ordering = ["agency", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "version"],
                name="catalogue_publication_version_unique",
                violation_error_message="这个版本号已经用过。",
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="catalogue_publication_version_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"公开事项目录第{self.version}版"


class Document(models.Model):
    """An official document of an agency (公文) and its disclosure attribute (DOMAIN §4)."""

    class Kind(models.TextChoices):
        POLICY = rules.POLICY, rules.KIND_LABELS[rules.POLICY]
        RULE = rules.RULE, rules.KIND_LABELS[rules.RULE]
        NORMATIVE = rules.NORMATIVE, rules.KIND_LABELS[rules.NORMATIVE]
        OTHER = rules.OTHER_KIND, rules.KIND_LABELS[rules.OTHER_KIND]

    class Secrecy(models.TextChoices):
        UNDETERMINED = "undetermined", "未确定密级"
        NON_SECRET = "non_secret", "非涉密"
        CLASSIFIED = "classified", "涉密（已移出本系统）"

    class Validity(models.TextChoices):
        IN_FORCE = "in_force", "有效"
        AMENDED = "amended", "已修改"
        EXPIRED = "expired", "已失效"
        REPEALED = "repealed", "已废止"

    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="documents"
    )
    drafting_unit = models.ForeignKey(
        DraftingUnit, verbose_name="起草单位", on_delete=models.PROTECT, related_name="documents"
    )
    drafter = models.ForeignKey(
        USER,
        verbose_name="拟稿人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="drafted_documents",
    )
    # The drafter as the OA system names them, when they are not (or not known as) a Gongkai
    # user; ``drafter`` is set only for a staff member of the drafting unit.
    drafter_name = models.CharField("拟稿人姓名（外部系统）", max_length=50, blank=True)
    # The document's identity in the agency's OA system (``ApiClient.system_code`` and the id the
    # OA gives), so that a push of the same document updates it instead of registering it again.
    external_system = models.CharField("外部系统代码", max_length=40, blank=True)
    external_id = models.CharField("外部系统中的编号", max_length=100, blank=True)
    title = models.CharField("标题", max_length=300)
    number = models.CharField("文号", max_length=60, blank=True)
    # Given once, when the document is first published (services.publication), under the
    # agency's scheme of the day; stored, so edits, a re-publication or a new scheme never move it.
    index_number = models.CharField("索引号", max_length=100, blank=True, editable=False)
    kind = models.CharField("文件类型", max_length=12, choices=Kind.choices, default=Kind.OTHER)
    formed_on = models.DateField("成文日期", null=True, blank=True)
    issued_on = models.DateField("印发日期", null=True, blank=True)
    issued_at = models.DateTimeField("发文登记时间", null=True, blank=True)
    issued_by = models.ForeignKey(
        USER,
        verbose_name="发文登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    catalogue_item = models.ForeignKey(
        CatalogueItem,
        verbose_name="公开事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    file = models.FileField("正式文本", upload_to="documents/%Y/%m/", blank=True)
    # A policy document's interpretation approved with it, where the agency requires so (DOMAIN
    # §4.2; Xiaoyi: 同步审签).
    interpretation_file = models.FileField(
        "随文审签的政策解读材料", upload_to="interpretations/%Y/%m/", blank=True
    )

    secrecy = models.CharField(
        "密级状态", max_length=12, choices=Secrecy.choices, default=Secrecy.UNDETERMINED
    )
    classified_on = models.DateField("转为涉密日期", null=True, blank=True)
    classified_by = models.ForeignKey(
        USER,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    classified_reason = BoundedTextField("转为涉密的依据", max_length=limits.REASON, blank=True)

    validity = models.CharField(
        "效力状态", max_length=10, choices=Validity.choices, default=Validity.IN_FORCE
    )
    effective_on = models.DateField("施行日期", null=True, blank=True)
    validity_changed_on = models.DateField("修改、失效或废止日期", null=True, blank=True)
    validity_note = models.CharField(
        "效力说明", max_length=300, blank=True, help_text="例如：被某某文件废止"
    )
    process_decided_on = models.DateField(
        "过程性信息所涉决定作出日期",
        null=True,
        blank=True,
        help_text="以过程性信息为由不主动公开的文件，记录其所涉事项的决定作出之日。",
    )

    # The attribute (DOMAIN §4.1) and its state (attributes_app.flows)
    attribute = models.CharField("公开属性", max_length=12, choices=Attribute.choices, blank=True)
    attribute_reasons = BoundedTextField("不主动公开的理由", max_length=limits.REASON, blank=True)
    attribute_ground = models.CharField(
        "法律依据", max_length=24, choices=GROUND_CHOICES, blank=True
    )
    attribute_law = models.CharField(
        "所依据的法律、法规", max_length=300, blank=True, help_text="依据其他法律、法规时填写"
    )
    attribute_state = models.CharField(
        "公开属性状态",
        max_length=24,
        choices=AttributeState.choices,
        default=AttributeState.UNDETERMINED,
    )
    proposed_by = models.ForeignKey(
        USER,
        verbose_name="建议人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField("提出建议时间", null=True, blank=True)
    office_reviewed_by = models.ForeignKey(
        USER,
        verbose_name="公开办审查人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    office_reviewed_at = models.DateTimeField("公开办审查时间", null=True, blank=True)
    office_review_opinion = BoundedTextField("公开办审查意见", max_length=limits.REASON, blank=True)
    confirmed_by = models.ForeignKey(
        USER,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    created_by = models.ForeignKey(
        USER, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间")
    updated_at = models.DateTimeField("最后更新", auto_now=True)

    class Meta:
        verbose_name = "公文"
        verbose_name_plural = "公文"
        ordering = ["-formed_on", "-id"]
        constraints = [
            *length_checks(
                "document",
                classified_reason=limits.REASON,
                attribute_reasons=limits.REASON,
                office_review_opinion=limits.REASON,
            ),
            models.UniqueConstraint(
                fields=["agency", "number"],
                condition=HAS_NUMBER,
                name="document_number_unique",
                violation_error_message="本机关已有使用该文号的文件。",
            ),
            models.UniqueConstraint(
                fields=["agency", "index_number"],
                condition=~Q(index_number=""),
                name="document_index_number_unique",
                violation_error_message="本机关已有使用该索引号的文件。",
            ),
            models.UniqueConstraint(
                fields=["agency", "external_system", "external_id"],
                condition=HAS_EXTERNAL_ID,
                name="document_external_id_unique",
                violation_error_message="本机关已有来自该外部系统、编号相同的文件。",
            ),
            models.CheckConstraint(
                condition=~Q(attribute_state__in=[rules.AWAITING_PUBLICATION, rules.PUBLISHED])
                | Q(attribute=rules.PROACTIVE),
                name="document_published_is_proactive",
                violation_error_message="待公开或已公开的文件，公开属性应为主动公开。",
            ),
            models.CheckConstraint(
                condition=~Q(attribute_state=rules.RESTRICTED)
                | Q(attribute__in=sorted(rules.NON_PROACTIVE)),
                name="document_restricted_is_non_proactive",
                violation_error_message="不主动公开的文件，公开属性应为依申请公开或不予公开。",
            ),
            models.CheckConstraint(
                condition=~Q(attribute_state=rules.UNDETERMINED) | Q(attribute=""),
                name="document_undetermined_has_no_attribute",
                violation_error_message="未确定公开属性的文件不应有公开属性。",
            ),
            models.CheckConstraint(
                condition=Q(attribute_state=rules.CLASSIFIED, secrecy="classified")
                | (~Q(attribute_state=rules.CLASSIFIED) & ~Q(secrecy="classified")),
                name="document_classified_consistent",
                violation_error_message="转为涉密的文件，密级状态和公开属性状态应一致。",
            ),
            models.CheckConstraint(
                condition=Q(formed_on__isnull=True)
                | Q(issued_on__isnull=True)
                | Q(issued_on__gte=models.F("formed_on")),
                name="document_issued_after_formed",
                violation_error_message="印发日期不能早于成文日期。",
            ),
            models.CheckConstraint(
                condition=Q(validity="in_force", validity_changed_on__isnull=True)
                | (~Q(validity="in_force") & Q(validity_changed_on__isnull=False)),
                name="document_validity_dated",
                violation_error_message="修改、失效或废止的文件应填写日期；有效的文件不填。",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "attribute_state"], name="document_agency_state_idx"),
            models.Index(
                fields=["agency", "attribute", "attribute_state"], name="document_review_idx"
            ),
            models.Index(
                fields=["drafting_unit", "attribute_state"], name="document_unit_state_idx"
            ),
            models.Index(fields=["agency", "formed_on"], name="document_agency_formed_idx"),
            models.Index(fields=["agency", "updated_at"], name="document_agency_updated_idx"),
            models.Index(
                fields=["agency", "secrecy", "attribute_state"], name="document_error_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}" if self.number else self.title

    @property
    def mark(self) -> str:
        """The words printed on the document, e.g. "（此件公开发布）"."""
        return rules.attribute_mark(self.attribute)

    @property
    def legal_basis(self) -> str:
        return rules.legal_basis(self.attribute_ground, self.attribute_law)

    @property
    def is_issued(self) -> bool:
        return self.issued_on is not None

    @property
    def archived(self) -> ArchiveTransfer | None:
        """Its transfer to a national archives, if it was transferred (DOMAIN §4.4)."""
        try:
            return self.archive_transfer
        except ArchiveTransfer.DoesNotExist:
            return None


class IndexNumberCounter(models.Model):
    """The last running number of the 索引号 given per agency and year (year 0 when the agency's
    scheme has no year); locked while a number is taken."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "索引号计数"
        verbose_name_plural = "索引号计数"
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="index_number_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.year}: {self.last}"


class SecrecyReview(models.Model):
    """A secrecy review (保密审查) before publication: who, when, opinion (DOMAIN §4.1)."""

    class Conclusion(models.TextChoices):
        CLEARED = "cleared", "不涉及国家秘密，同意公开"
        NOT_CLEARED = "not_cleared", "不同意公开"

    document = models.ForeignKey(
        Document, verbose_name="文件", on_delete=models.CASCADE, related_name="secrecy_reviews"
    )
    reviewer = models.ForeignKey(
        USER, verbose_name="审查人", on_delete=models.PROTECT, related_name="+"
    )
    reviewed_on = models.DateField("审查日期")
    conclusion = models.CharField("审查结论", max_length=12, choices=Conclusion.choices)
    opinion = BoundedTextField("审查意见", max_length=limits.REASON)
    recorded_at = models.DateTimeField("记录时间")

    class Meta:
        constraints = length_checks("secrecy_review", opinion=limits.REASON)
        verbose_name = "保密审查"
        verbose_name_plural = "保密审查"
        ordering = ["reviewed_on", "id"]

    def __str__(self) -> str:
        return f"{self.document} {self.get_conclusion_display()}"


class Determination(models.Model):
    """A drafting unit's determination of the attribute of a document without one, by letter
    (公函) to the disclosure office, usually because a request concerns it (DOMAIN §4.4)."""

    document = models.ForeignKey(
        Document, verbose_name="文件", on_delete=models.PROTECT, related_name="determinations"
    )
    request = models.ForeignKey(
        "requests_app.InformationRequest",
        verbose_name="引起认定的申请",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    attribute = models.CharField("认定的公开属性", max_length=12, choices=Attribute.choices)
    reasons = BoundedTextField("认定理由", max_length=limits.REASON, blank=True)
    ground = models.CharField("法律依据", max_length=24, choices=GROUND_CHOICES, blank=True)
    law = models.CharField("所依据的法律、法规", max_length=300, blank=True)
    decided_by = models.ForeignKey(
        USER, verbose_name="认定人", on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField("认定日期")
    decided_at = models.DateTimeField("记录时间")

    class Meta:
        constraints = length_checks("determination", reasons=limits.REASON)
        verbose_name = "公开属性认定"
        verbose_name_plural = "公开属性认定"
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.document} 认定为{self.get_attribute_display()}"


class AttributeReview(models.Model):
    """The yearly review of an agency's on-request and withheld documents (DOMAIN §4.3)."""

    class Status(models.TextChoices):
        OPEN = "open", "进行中"
        CLOSED = "closed", "已结束"

    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="attribute_reviews"
    )
    year = models.PositiveSmallIntegerField("复核年度")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.OPEN)
    applicant_threshold = models.PositiveSmallIntegerField("申请人数标准")
    age_years = models.PositiveSmallIntegerField("文件年限（年）")
    opened_by = models.ForeignKey(
        USER, verbose_name="启动人", on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField("启动时间")
    closed_by = models.ForeignKey(
        USER,
        verbose_name="结束人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    report = models.JSONField("复核报告数据", default=dict, blank=True)

    class Meta:
        verbose_name = "年度复核"
        verbose_name_plural = "年度复核"
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year"],
                name="attribute_review_year_unique",
                violation_error_message="本机关该年度的复核已经启动。",
            ),
            models.UniqueConstraint(
                fields=["agency"],
                condition=Q(status="open"),
                name="attribute_review_one_open",
                violation_error_message="本机关还有尚未结束的年度复核。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.year}年度公开属性复核"


class ReviewItem(models.Model):
    """One document in a yearly review: its signals, the unit's proposal, the legal office's
    decision."""

    class Status(models.TextChoices):
        WITH_UNIT = "with_unit", "待起草单位提出意见"
        PROPOSED = "proposed", "待法制机构决定"
        DECIDED = "decided", "已决定"
        WITHDRAWN = "withdrawn", "已移出复核（转为涉密或移交档案馆）"

    class Verdict(models.TextChoices):
        KEEP = rules.KEEP, rules.VERDICT_LABELS[rules.KEEP]
        CHANGE = rules.CHANGE, rules.VERDICT_LABELS[rules.CHANGE]

    REASON_CHOICES = list(rules.REVIEW_REASONS.items())

    review = models.ForeignKey(
        AttributeReview, verbose_name="年度复核", on_delete=models.CASCADE, related_name="items"
    )
    document = models.ForeignKey(
        Document, verbose_name="文件", on_delete=models.PROTECT, related_name="review_items"
    )
    drafting_unit = models.ForeignKey(
        DraftingUnit, verbose_name="起草单位", on_delete=models.PROTECT, related_name="+"
    )
    attribute = models.CharField("复核时的公开属性", max_length=12, choices=Attribute.choices)
    applicants = models.PositiveIntegerField("申请并获公开的不同申请人数", default=0)
    signal_requests = models.BooleanField("提示：申请人数达到标准", default=False)
    signal_process_decided = models.BooleanField("提示：过程性信息决定已作出", default=False)
    signal_aged = models.BooleanField("提示：成文已满年限", default=False)
    signal_invalid = models.BooleanField("提示：已失效或废止", default=False)
    flagged = models.BooleanField("有提示", default=False)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.WITH_UNIT
    )

    proposal = models.CharField("起草单位意见", max_length=8, choices=Verdict.choices, blank=True)
    proposed_attribute = models.CharField(
        "建议的公开属性", max_length=12, choices=Attribute.choices, blank=True
    )
    proposal_reasons = BoundedTextField("起草单位的理由", max_length=limits.REASON, blank=True)
    proposed_ground = models.CharField(
        "建议的法律依据", max_length=24, choices=GROUND_CHOICES, blank=True
    )
    proposed_law = models.CharField("建议依据的法律、法规", max_length=300, blank=True)
    proposed_by = models.ForeignKey(
        USER,
        verbose_name="提出人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField("提出时间", null=True, blank=True)

    decision = models.CharField("决定", max_length=8, choices=Verdict.choices, blank=True)
    decided_attribute = models.CharField(
        "决定的公开属性", max_length=12, choices=Attribute.choices, blank=True
    )
    reason_code = models.CharField("理由类别", max_length=20, choices=REASON_CHOICES, blank=True)
    decision_reason = BoundedTextField("决定理由", max_length=limits.REASON, blank=True)
    decided_ground = models.CharField(
        "决定的法律依据", max_length=24, choices=GROUND_CHOICES, blank=True
    )
    decided_law = models.CharField("决定依据的法律、法规", max_length=300, blank=True)
    decided_by = models.ForeignKey(
        USER,
        verbose_name="决定人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)

    class Meta:
        verbose_name = "复核事项"
        verbose_name_plural = "复核事项"
        ordering = ["id"]
        constraints = [
            *length_checks(
                "review_item", proposal_reasons=limits.REASON, decision_reason=limits.REASON
            ),
            models.UniqueConstraint(
                fields=["review", "document"], name="review_item_document_unique"
            ),
            models.CheckConstraint(
                condition=~Q(status="decided") | ~Q(decision=""),
                name="review_item_decided_has_decision",
            ),
            models.CheckConstraint(
                condition=~Q(status="proposed") | ~Q(proposal=""),
                name="review_item_proposed_has_proposal",
            ),
        ]
        indexes = [
            models.Index(fields=["review", "status"], name="review_item_status_idx"),
            models.Index(fields=["review", "drafting_unit", "status"], name="review_item_unit_idx"),
            models.Index(fields=["document", "status"], name="review_item_document_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.review.year}年度复核：{self.document}"


class Publication(models.Model):
    """The obligation to publish a proactive document, and its publication (DOMAIN §4.2).

    Created when a document becomes proactive (confirmed at drafting, changed by a yearly review,
    or determined); the deadline is stored for lists and recomputed when the calendar changes.
    A policy document's interpretation (政策解读) has its own deadline from the publication.
    """

    class Source(models.TextChoices):
        DRAFTING = "drafting", "拟稿时确定主动公开"
        REVIEW = "review", "年度复核变更为主动公开"
        DETERMINATION = "determination", "属性认定为主动公开"

    class Channel(models.TextChoices):
        PORTAL = "portal", "政府门户网站"
        GAZETTE = "gazette", "政府公报"
        NEW_MEDIA = "new_media", "政务新媒体"
        PRESS = "press", "新闻发布会、报刊、广播、电视"
        READING_ROOM = "reading_room", "政府信息公开查阅场所"
        OTHER = "other", "其他渠道"

    document = models.OneToOneField(
        Document, verbose_name="文件", on_delete=models.CASCADE, related_name="publication"
    )
    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField("来源", max_length=16, choices=Source.choices)
    review_item = models.ForeignKey(
        ReviewItem,
        verbose_name="复核事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    determination = models.ForeignKey(
        Determination,
        verbose_name="属性认定",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    start_on = models.DateField("起算日期", help_text="成文日期或属性变更日期")
    start_at = models.DateTimeField("起算时刻", null=True, blank=True, help_text="按小时计算时")
    changed = models.BooleanField("因属性变更而公开", default=False)
    due_on = models.DateField("公开期限", null=True, blank=True)
    due_at = models.DateTimeField("期限届满时刻", null=True, blank=True)
    at_risk_from = models.DateField("临期起始日", null=True, blank=True)
    provisional = models.BooleanField("期限为暂定", default=False)
    explanation = models.CharField("期限说明", max_length=300, blank=True)

    published_on = models.DateField("公开日期", null=True, blank=True)
    url = models.URLField("公开网址", max_length=500, blank=True)
    channel = models.CharField("公开渠道", max_length=16, choices=Channel.choices, blank=True)
    published_late = models.BooleanField("逾期公开", default=False)
    published_by = models.ForeignKey(
        USER,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_on = models.DateField(
        "撤销日期", null=True, blank=True, help_text="文件转为涉密的，不再公开。"
    )

    interpretation_required = models.BooleanField("需要政策解读", default=False)
    interpretation_due_on = models.DateField("解读期限", null=True, blank=True)
    interpretation_due_at = models.DateTimeField("解读期限届满时刻", null=True, blank=True)
    interpretation_at_risk_from = models.DateField("解读临期起始日", null=True, blank=True)
    interpretation_provisional = models.BooleanField("解读期限为暂定", default=False)
    interpretation_explanation = models.CharField("解读期限说明", max_length=300, blank=True)
    interpretation_title = models.CharField("解读标题", max_length=300, blank=True)
    interpretation_url = models.URLField("解读网址", max_length=500, blank=True)
    interpretation_published_on = models.DateField("解读公开日期", null=True, blank=True)
    interpretation_late = models.BooleanField("解读逾期公开", default=False)
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "主动公开任务"
        verbose_name_plural = "主动公开任务"
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(published_on__isnull=True) | (~Q(url="") & ~Q(channel="")),
                name="publication_where_recorded",
                violation_error_message="已公开的，应记录公开网址和渠道。",
            ),
        ]
        indexes = [
            models.Index(
                fields=["agency", "published_on", "withdrawn_on", "due_at"],
                name="publication_open_idx",
            ),
            models.Index(
                fields=["agency", "interpretation_required", "interpretation_published_on"],
                name="publication_interp_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"主动公开：{self.document}"


class AttributeChange(models.Model):
    """One change of a document's attribute or of its state: who, when, from, to, why, and the
    decision it came from (drafting, office review, review item, determination …)."""

    class Source(models.TextChoices):
        DRAFTING = "drafting", "拟稿时提出建议"
        OFFICE_REVIEW = "office_review", "政务公开工作机构审查"
        CONFIRMATION = "confirmation", "起草单位负责人确认（签发）"
        PUBLICATION = "publication", "主动公开"
        REVIEW = "review", "年度复核决定"
        DETERMINATION = "determination", "属性认定（公函）"
        CLASSIFICATION = "classification", "转为涉密文件"

    document = models.ForeignKey(
        Document, verbose_name="文件", on_delete=models.CASCADE, related_name="attribute_changes"
    )
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        USER,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField("依据", max_length=16, choices=Source.choices)
    from_state = models.CharField("变更前状态", max_length=24, choices=AttributeState.choices)
    to_state = models.CharField("变更后状态", max_length=24, choices=AttributeState.choices)
    from_attribute = models.CharField(
        "变更前属性", max_length=12, choices=Attribute.choices, blank=True
    )
    to_attribute = models.CharField(
        "变更后属性", max_length=12, choices=Attribute.choices, blank=True
    )
    reason = models.TextField("理由", blank=True)
    legal_basis = models.CharField("法律依据", max_length=300, blank=True)
    review_item = models.ForeignKey(
        ReviewItem,
        verbose_name="复核事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    determination = models.ForeignKey(
        Determination,
        verbose_name="属性认定",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "公开属性变更记录"
        verbose_name_plural = "公开属性变更记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["document", "at"], name="attribute_change_doc_idx")]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.get_from_state_display()} → "
            f"{self.get_to_state_display()}"
        )

    @property
    def is_withdrawal(self) -> bool:
        """A published page taken down: the document awaits publication again."""
        return (self.from_state, self.to_state) == (
            AttributeState.PUBLISHED,
            AttributeState.AWAITING_PUBLICATION,
        )

    @property
    def source_label(self) -> str:
        return "撤下公开页面" if self.is_withdrawal else self.get_source_display()


class DocumentRequestLink(models.Model):
    """An information request concerns a document (for Art. 44 and determinations).

    Kept here so that requests_app does not depend on attributes_app.
    """

    document = models.ForeignKey(
        Document, verbose_name="文件", on_delete=models.CASCADE, related_name="request_links"
    )
    request = models.ForeignKey(
        "requests_app.InformationRequest",
        verbose_name="申请",
        on_delete=models.CASCADE,
        related_name="document_links",
    )
    created_by = models.ForeignKey(
        USER,
        verbose_name="关联人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("关联时间")

    class Meta:
        verbose_name = "申请涉及的文件"
        verbose_name_plural = "申请涉及的文件"
        constraints = [
            models.UniqueConstraint(
                fields=["document", "request"],
                name="document_request_link_unique",
                violation_error_message="该申请已关联这份文件。",
            )
        ]
        indexes = [models.Index(fields=["request"], name="document_link_request_idx")]

    def __str__(self) -> str:
        return f"{self.request_id} → {self.document_id}"


class ArchiveTransfer(models.Model):
    """The document was transferred to a national archives (国家档案馆): from then on it is used
    under the Archives Law, and a request for it is answered so (DOMAIN §4.4)."""

    document = models.OneToOneField(
        Document, verbose_name="文件", on_delete=models.CASCADE, related_name="archive_transfer"
    )
    transferred_on = models.DateField("移交日期")
    archive_name = models.CharField("接收的档案馆", max_length=100)
    recorded_by = models.ForeignKey(
        USER, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "移交档案馆"
        verbose_name_plural = "移交档案馆"

    def __str__(self) -> str:
        return f"{self.document} 已移交{self.archive_name}"


class DeterminationLetter(models.Model):
    """The letter (公函) by which a drafting unit sets a document's attribute (DOMAIN §4.4):
    numbered per agency and year without gaps, kept as PDF and DOCX."""

    determination = models.OneToOneField(
        Determination, verbose_name="属性认定", on_delete=models.PROTECT, related_name="letter"
    )
    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    sequence = models.PositiveIntegerField("序号")
    number = models.CharField("函件编号", max_length=60)
    file = models.FileField("PDF", upload_to="determinations/%Y/")
    docx = models.FileField("DOCX", upload_to="determinations/%Y/")
    issued_by = models.ForeignKey(
        USER, verbose_name="出具人", on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField("出具时间")

    class Meta:
        verbose_name = "公开属性认定函"
        verbose_name_plural = "公开属性认定函"
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "sequence"], name="determination_letter_number_unique"
            )
        ]

    def __str__(self) -> str:
        return self.number
