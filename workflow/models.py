"""Shared models of the engine: agencies, the audit log and the working-day calendar's data."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from workflow import index_numbers


def validate_index_number_scheme(value: str) -> None:
    problem = index_numbers.scheme_problem(value)
    if problem:
        raise ValidationError(problem)


#: Codes no agency may take: addresses of the public side's own beside ``/public/<code>/``.
RESERVED_CODES = frozenset({"captcha", "static", "media", "api", "admin"})


class Agency(models.Model):
    """An administrative organ (行政机关); every case and document belongs to one."""

    name = models.CharField("机关名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=30, blank=True)
    code = models.SlugField("代码", max_length=40, unique=True, help_text="英文字母、数字或连字符")
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="工作人员",
        related_name="agencies",
        blank=True,
        help_text="可以办理本机关事务的用户；其他机关的用户看不到本机关的数据。",
    )
    # The supervising government (Art. 3: 县级以上地方人民政府 lead the work in their area): it sees
    # the annual reports and dashboards of the agencies below it, not their cases.
    parent = models.ForeignKey(
        "self",
        verbose_name="上级政府",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="监督本机关政府信息公开工作的人民政府（查看所属机关的年度报告和统计）。",
    )
    # Letters and case numbers (DOMAIN §3.8)
    case_number_prefix = models.CharField(
        "登记编号前缀",
        max_length=20,
        blank=True,
        help_text="例如：孝政信申；编号形如 孝政信申〔2026〕17号",
    )

    # The 文号 of each family of letters (DOMAIN §3.8); empty: the 登记编号前缀 followed by 复, 告
    # or 函 (workflow.letters.kinds.FAMILIES).
    reply_number_prefix = models.CharField(
        "答复书文号前缀",
        max_length=20,
        blank=True,
        help_text="如 孝政公复，文号形如 孝政公复〔2026〕5号；留空时为登记编号前缀加“复”。",
    )
    notice_number_prefix = models.CharField(
        "告知书文号前缀",
        max_length=20,
        blank=True,
        help_text="补正、延期、征求意见、收费等告知书的文号前缀。留空时为登记编号前缀加“告”。",
    )
    letter_number_prefix = models.CharField(
        "征求意见函文号前缀",
        max_length=20,
        blank=True,
        help_text="致第三方、其他机关的征求意见函的文号前缀。留空时为登记编号前缀加“函”。",
    )

    class NumberStyle(models.TextChoices):
        PLAIN = "plain", "〔2026〕17号（GB/T 9704）"
        WITH_DI = "with_di", "〔2026〕第17号"

    number_style = models.CharField(
        "编号样式", max_length=10, choices=NumberStyle.choices, default=NumberStyle.PLAIN
    )

    class LetterHead(models.TextChoices):
        LETTER = "letter", "信函格式（红色机关名称、红色双线）"
        PLAIN = "plain", "普通格式（无版头）"

    letter_head = models.CharField(
        "文书版头", max_length=10, choices=LetterHead.choices, default=LetterHead.LETTER
    )

    class ReplyLayout(models.TextChoices):
        SINGLE = "single", "统一使用答复书（正文随结果变化）"
        SEPARATE = "separate", "按结果使用单独的告知书"

    reply_layout = models.CharField(
        "答复文书样式", max_length=10, choices=ReplyLayout.choices, default=ReplyLayout.SINGLE
    )
    office_name = models.CharField(
        "政府信息公开工作机构", max_length=100, blank=True, help_text="例如：孝义市人民政府办公室"
    )
    office_phone = models.CharField("联系电话", max_length=40, blank=True)
    office_address = models.CharField("通讯地址", max_length=200, blank=True)
    office_postcode = models.CharField("邮政编码", max_length=6, blank=True)
    reconsideration_organ = models.CharField(
        "行政复议机关",
        max_length=100,
        blank=True,
        help_text="2023年修订的《行政复议法》施行后一般为本级人民政府；垂直管理部门为上一级主管部门。",
    )
    court = models.CharField(
        "管辖法院", max_length=100, blank=True, help_text="例如：孝义市人民法院"
    )
    court_after_reconsideration = models.CharField(
        "复议机关改变原行为时的管辖法院",
        max_length=100,
        blank=True,
        help_text=(
            "复议前置的答复中，行政复议机关改变原行政行为的，复议机关是被告，管辖法院可能不同"
            "（《行政诉讼法》第十五条第（一）项、第十八条、第二十六条）。例如：吕梁市中级人民法院。"
            "不填写时，文书写“依法向人民法院提起行政诉讼”。"
        ),
    )
    # Deadlines (DOMAIN §3.3, §3.4 policies)
    at_risk_days = models.PositiveSmallIntegerField(
        "临期提醒（工作日）", default=5, help_text="剩余工作日不多于此数时标为临期。"
    )
    correction_period_days = models.PositiveSmallIntegerField(
        "补正期限默认值（工作日）", default=15
    )

    # Disclosure attributes of documents (DOMAIN §4.2, §4.3 policies)
    class PublicationRule(models.TextChoices):
        WORKING_DAYS = "working_days", "自成文之日起若干个工作日内（《条例》第二十六条）"
        HOURS = "hours", "自印发之时起若干小时内"

    publication_rule = models.CharField(
        "主动公开期限规则",
        max_length=12,
        choices=PublicationRule.choices,
        default=PublicationRule.WORKING_DAYS,
        help_text="《条例》第二十六条为自形成或者变更之日起20个工作日；有的地方要求印发后24小时内。",
    )
    publication_working_days = models.PositiveSmallIntegerField(
        "主动公开期限（工作日）", default=20
    )
    publication_hours = models.PositiveSmallIntegerField("主动公开期限（小时）", default=24)
    publication_at_risk_days = models.PositiveSmallIntegerField(
        "公开临期提醒（工作日）",
        default=2,
        help_text="距公开期限（或解读期限）的最后一天不多于此数个工作日时标为临期。",
    )
    interpretation_days = models.PositiveSmallIntegerField(
        "政策解读期限（工作日）",
        default=3,
        help_text=(
            "政策性文件的解读材料自文件公开之日起若干个工作日内公开。填0表示解读材料与文件同步审签、"
            "同时公开：没有解读材料的政策性文件不予发文（退文）。"
        ),
    )
    # The 索引号 of published documents (workflow.index_numbers): a number given is stored with
    # the document, so a later change of the scheme numbers only documents published after it.
    index_number_scheme = models.CharField(
        index_numbers.LABEL,
        max_length=index_numbers.SCHEME_LIMIT,
        default=index_numbers.DEFAULT,
        validators=[validate_index_number_scheme],
        help_text=(
            "主动公开的文件首次公开时编排的索引号。占位符：{机构代码}、{年}（四位年份）、"
            "{序号}（{序号:05} 补足5位）；其他文字照录，例如 11140000012345678X/{年}-{序号:05}。"
            "修改后只影响以后公开的文件，已编的索引号不变。"
        ),
    )
    review_applicant_threshold = models.PositiveSmallIntegerField(
        "年度复核：申请人数标准",
        default=3,
        help_text="不同申请人申请同一文件且答复予以公开或部分公开的人数达到此数时提示转为主动公开"
        "（《条例》第四十四条）。",
    )
    review_age_years = models.PositiveSmallIntegerField(
        "年度复核：文件年限（年）",
        default=5,
        help_text="至复核年度末成文已满此年数的文件，提示复核其理由是否仍然成立。",
    )
    reasons_period_days = models.PositiveSmallIntegerField(
        "说明理由期限默认值（工作日）",
        default=15,
        help_text="《条例》第三十五条要求申请人说明理由，未规定期限；此为本机关确定的合理期限。",
    )
    postal_receipt_days = models.PositiveSmallIntegerField(
        "邮寄送达推定收到（工作日）",
        null=True,
        blank=True,
        help_text=(
            "补正告知书、征求意见函、缴费通知等自受送达人收到之日起计算期限的文书，邮寄送达时，"
            "以交邮之日后第几个工作日推定为收到之日。不填写（默认）时，以登记的送达日期为准；"
            "填写后，文书中写明期限的计算方法。"
        ),
    )
    third_party_wait_days = models.PositiveSmallIntegerField(
        "告知第三方后等待（工作日）",
        default=0,
        help_text=(
            "不顾第三方反对决定公开的（《条例》第三十二条），书面告知第三方后至少等待多少个工作日"
            "才向申请人提供信息。条例未规定等待期，默认0（不等待）；等待期不得使答复晚于答复期限。"
        ),
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "行政机关"
        verbose_name_plural = "行政机关"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(publication_working_days__gte=1, publication_hours__gte=1),
                name="agency_publication_period_positive",
                violation_error_message="主动公开期限至少为1个工作日或1小时。",
            ),
            models.CheckConstraint(
                condition=models.Q(review_applicant_threshold__gte=1),
                name="agency_review_threshold_positive",
                violation_error_message="申请人数标准至少为1。",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Each family of letters, and the cases, are numbered apart: no two may share a prefix,
        or two documents could carry the same 文号 (DOMAIN §3.8)."""
        from workflow.letters.kinds import FAMILIES, family_prefix

        super().clean()
        seen = {self.case_number_prefix or self.short_name or self.name: "登记编号"}
        errors = {}
        if self.code in RESERVED_CODES:
            # The public side's own addresses sit beside the agencies' (/public/<code>/).
            errors["code"] = f"代码“{self.code}”是公开页面的保留地址，请另取一个。"
        for family, (label, _) in FAMILIES.items():
            prefix = family_prefix(self, family)
            if prefix in seen:
                errors[f"{family}_number_prefix"] = (
                    f"{label}文号前缀“{prefix}”与{seen[prefix]}的前缀相同，文号会重复，请另取一个。"
                )
            seen.setdefault(prefix, f"{label}文号")
        if errors:
            raise ValidationError(errors)


class AuditEvent(models.Model):
    """One append-only record of a state change: who, when, from, to and why."""

    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="为空表示系统自动操作（如定时任务）。",
    )
    agency = models.ForeignKey(
        Agency, verbose_name="机关", null=True, blank=True, on_delete=models.PROTECT
    )
    action = models.CharField("操作", max_length=60)
    object_type = models.CharField("对象类型", max_length=60)
    object_id = models.CharField("对象编号", max_length=60, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    from_state = models.CharField("变更前", max_length=200, blank=True)
    to_state = models.CharField("变更后", max_length=200, blank=True)
    reason = models.TextField("理由", blank=True)
    data = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("审计记录只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("审计记录只能追加，不能删除。")


class HolidaySchedule(models.Model):
    """A State Council holiday notice loaded after release; it overrides the bundled year file."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    title = models.CharField("通知标题", max_length=200)
    number = models.CharField("文号", max_length=60, blank=True)
    published = models.DateField("发布日期", null=True, blank=True)
    schedule_toml = models.TextField("安排（TOML）")
    source_text = models.TextField("导入的原文", blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="导入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    imported_at = models.DateTimeField("导入时间")

    class Meta:
        verbose_name = "节假日安排（导入）"
        verbose_name_plural = "节假日安排（导入）"
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title


class CalendarAdjustment(models.Model):
    """A local day off, or an administrator's correction of one day of the national schedule."""

    class Kind(models.TextChoices):
        OFF = "off", "休息日"
        WORKING = "working", "工作日"

    agency = models.ForeignKey(
        Agency,
        verbose_name="适用机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calendar_adjustments",
        help_text="留空表示对所有机关适用（更正全国安排）。",
    )
    day = models.DateField("日期")
    kind = models.CharField("调整为", max_length=10, choices=Kind.choices)
    reason = models.CharField(
        "理由", max_length=200, help_text="例如：本自治州成立纪念日放假一天（依据文件名称）"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间")
    updated_at = models.DateTimeField("最后修改时间")

    class Meta:
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整"
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "day"],
                condition=models.Q(agency__isnull=False),
                name="calendar_adjustment_agency_day_unique",
                violation_error_message="该机关在这一天已有调整记录，请修改原记录。",
            ),
            models.UniqueConstraint(
                fields=["day"],
                condition=models.Q(agency__isnull=True),
                name="calendar_adjustment_national_day_unique",
                violation_error_message="这一天已有适用于全部机关的调整记录，请修改原记录。",
            ),
        ]

    def __str__(self) -> str:
        scope = self.agency.name if self.agency_id else "全部机关"
        return f"{self.day:%Y-%m-%d} {self.get_kind_display()}（{scope}）"


class CalendarRevision(models.Model):
    """A single counter bumped whenever the calendar's data changes, so every process rebuilds."""

    revision = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "日历版本"
        verbose_name_plural = "日历版本"

    def __str__(self) -> str:
        return f"日历版本 {self.revision}"


class Job(models.Model):
    """A long action run in the background (e.g. opening a yearly review over 100,000 documents):
    who asked, for which agency, its state, and what came of it (``workflow.jobs``).

    The action itself is one service call in one transaction, so a job that fails or is cut off
    leaves nothing half done; the row only tells the person who asked how it went.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "正在办理"
        DONE = "done", "已完成"
        FAILED = "failed", "未完成"

    kind = models.CharField("任务类型", max_length=120)
    title = models.CharField("任务", max_length=200)
    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="+"
    )
    # Empty for outbound work the system sends of itself (``workflow.jobs.submit_outbound``).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField("提交时间")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField("涉及数量", null=True, blank=True)
    params = models.JSONField("参数", default=dict, blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    # The process that claimed the job: host, pid, when that process started (so a pid used
    # again by another process is not taken for it) and its pid namespace; see
    # ``workflow.jobs.owner_gone``.
    owner = models.CharField("办理进程", max_length=200, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    message = models.TextField("结果说明", blank=True)
    result = models.JSONField("结果", default=dict, blank=True)
    # How often the job was claimed, how often it may be, and the back-off between tries: an
    # ordinary job runs once (a job cut off by a lost worker is run once again in the ``celery``
    # mode); outbound work (``submit_outbound``) is tried again after 1, 2, 4 … × ``retry_backoff``
    # seconds until ``max_attempts``.
    attempts = models.PositiveIntegerField("已办理次数", default=0)
    max_attempts = models.PositiveSmallIntegerField("最多办理次数", default=1)
    retry_backoff = models.PositiveIntegerField("重试间隔（秒）", default=0)
    # A queued try is not claimed before this time (a retry waiting out its back-off).
    next_attempt_at = models.DateTimeField("下次办理时间", null=True, blank=True)
    # When the job was last handed to its runner (a thread, the Celery broker): a job queued and
    # not handed on for a while is handed on again (``workflow.jobs.resend_lost``).
    sent_at = models.DateTimeField("交付办理时间", null=True, blank=True)
    # The last unexpected error of a try (for the administrators; the person sees ``message``).
    last_error = models.TextField("最近一次错误", blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="job_status_idx")]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_status_display()}）"


class ApiClient(models.Model):
    """A system of an agency's that calls the API (``/api/v1/``): the OA 办文系统, the website's
    CMS, a hotline or provincial platform (docs/api.md).

    It acts through a user of its own (``user``: no password, never logs in to the pages), so the
    audit log names the client as the actor of every write. The token is shown once, when made;
    only its SHA-256 is kept (``workflow.api.clients``)."""

    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="api_clients"
    )
    name = models.CharField("接入系统名称", max_length=100, help_text="例如：办公自动化（OA）系统")
    system_code = models.SlugField(
        "系统代码",
        max_length=40,
        help_text="如 oa；外部系统的文件编号在同一代码下唯一，换客户端时沿用。",
    )
    scopes = models.JSONField("权限范围", default=list, blank=True)
    ip_allow_list = models.TextField(
        "允许的来源地址",
        blank=True,
        help_text="每行一个 IP 地址或网段（如 10.1.2.0/24）；留空表示不限来源。",
    )
    expires_at = models.DateTimeField("有效期至", null=True, blank=True)
    rate = models.PositiveIntegerField(
        "每分钟调用上限", default=600, help_text="超过时返回 429，并说明何时可以再调用。"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="操作账号",
        on_delete=models.PROTECT,
        related_name="api_client",
        editable=False,
    )
    token_prefix = models.CharField("令牌前缀", max_length=16, unique=True, editable=False)
    token_hash = models.CharField("令牌摘要", max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField("登记时间", editable=False)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField("最近调用时间", null=True, blank=True, editable=False)
    last_used_ip = models.GenericIPAddressField(
        "最近调用地址", null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = "接口客户端"
        verbose_name_plural = "接口客户端"
        ordering = ["agency", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.agency}）"


class IdempotencyRecord(models.Model):
    """The answer given to a POST with an ``Idempotency-Key``: the same key again gets the same
    answer and changes nothing (``workflow.api.idempotency``)."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField("请求摘要", max_length=64)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.JSONField(null=True, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "幂等记录"
        verbose_name_plural = "幂等记录"
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotency_client_key"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path}（{self.key}）"


class WebhookEndpoint(models.Model):
    """A URL of an API client's system that receives the agency's events (``workflow.webhooks``).

    The signing secret is shown once, when the endpoint is registered. It is not stored: only a
    random seed is, and the secret is derived from it with the installation's key
    (``GONGKAI_WEBHOOK_KEY``, by default ``SECRET_KEY``), so a copy of the database alone does not
    let anyone forge our signatures."""

    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="+", editable=False
    )
    client = models.ForeignKey(
        ApiClient,
        verbose_name="接口客户端",
        on_delete=models.PROTECT,
        related_name="webhook_endpoints",
        editable=False,
    )
    url = models.CharField("接收地址", max_length=500, editable=False)
    events = models.JSONField(
        "订阅的事件", default=list, blank=True, help_text="留空表示订阅全部事件。"
    )
    secret_seed = models.CharField("签名密钥种子", max_length=64, editable=False)
    secret_hint = models.CharField("签名密钥末四位", max_length=8, editable=False)
    active = models.BooleanField("启用", default=True)
    inactive_reason = models.CharField("停用原因", max_length=300, blank=True)
    created_at = models.DateTimeField("登记时间", editable=False)
    removed_at = models.DateTimeField("删除时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "事件通知地址"
        verbose_name_plural = "事件通知地址"
        ordering = ["agency", "client", "id"]
        indexes = [models.Index(fields=["agency", "active"], name="webhook_endpoint_agency_idx")]

    def __str__(self) -> str:
        return f"{self.url}（{self.client.name}）"


class WebhookDelivery(models.Model):
    """One event for one endpoint: sent until the endpoint acknowledges it (2xx), then never again.

    ``event_id`` is the same for every endpoint and every try: the receiver's key for doing
    its work once."""

    class Status(models.TextChoices):
        PENDING = "pending", "待送达"
        DELIVERED = "delivered", "已送达"
        FAILED = "failed", "送达失败"

    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.PROTECT, related_name="+", editable=False
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name="接收地址",
        on_delete=models.CASCADE,
        related_name="deliveries",
        editable=False,
    )
    event_id = models.UUIDField("事件编号", editable=False)
    event_type = models.CharField("事件类型", max_length=40, editable=False)
    payload = models.JSONField("内容", editable=False)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.PENDING, editable=False
    )
    attempts = models.PositiveIntegerField("发送次数", default=0, editable=False)
    last_status_code = models.PositiveSmallIntegerField(
        "最近响应码", null=True, blank=True, editable=False
    )
    last_error = models.TextField("最近错误", blank=True, editable=False)
    created_at = models.DateTimeField("产生时间", editable=False)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "事件通知记录"
        verbose_name_plural = "事件通知记录"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="webhook_delivery_once_per_endpoint"
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "created_at"], name="webhook_delivery_idx")
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}（{self.get_status_display()}）"


class WebhookAttempt(models.Model):
    """One try of a delivery: when, the status code (none: no answer), how long, why not."""

    delivery = models.ForeignKey(
        WebhookDelivery, verbose_name="通知", on_delete=models.CASCADE, related_name="tries"
    )
    at = models.DateTimeField("发送时间")
    status_code = models.PositiveSmallIntegerField("响应码", null=True, blank=True)
    duration_ms = models.PositiveIntegerField("用时（毫秒）", default=0)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = "发送记录"
        verbose_name_plural = "发送记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error[:40]}"
