"""Per-agency template overrides (with versions) and the record of issued letters."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from workflow.letters.kinds import family_prefix  # noqa: F401  (re-exported)
from workflow.models import Agency


class TemplateOverride(models.Model):
    """An agency's own text for one letter template or fragment; shadows the bundled file."""

    agency = models.ForeignKey(
        Agency, verbose_name="机关", on_delete=models.CASCADE, related_name="letter_overrides"
    )
    name = models.CharField(
        "模板",
        max_length=100,
        help_text="模板文件名，如 reply.txt、outcomes/not_held.txt",
    )
    source = models.TextField("模板内容")
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    note = models.CharField("修改说明", max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "文书模板（本机关修改）"
        verbose_name_plural = "文书模板（本机关修改）"
        ordering = ["agency", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "name"],
                name="letter_override_agency_name_unique",
                violation_error_message="本机关已修改过这个模板，请编辑原记录。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.name} · 第{self.version}版"

    def save(self, *args, **kwargs) -> None:
        """Validate, bump the version when the text changed, and keep every version."""
        from workflow.audit import audit

        self.clean()
        with transaction.atomic():
            before = "内置模板"
            if self.pk is not None:
                previous = TemplateOverride.objects.select_for_update().get(pk=self.pk)
                before = f"第{previous.version}版"
                if previous.source != self.source:
                    self.version = previous.version + 1
            super().save(*args, **kwargs)
            _, created = TemplateOverrideVersion.objects.get_or_create(
                override=self,
                version=self.version,
                defaults={"source": self.source, "created_by": self.updated_by, "note": self.note},
            )
            if created:
                audit(
                    actor=self.updated_by,
                    action="letter_template_saved",
                    obj=self,
                    agency=self.agency,
                    from_state=before,
                    to_state=f"第{self.version}版",
                    reason=self.note,
                )

    def clean(self) -> None:
        """Reject a template that does not compile or does not render its samples."""
        from workflow.letters.previews import override_errors

        errors = override_errors(self.name, self.source)
        if errors:
            raise ValidationError({"source": errors})


class TemplateOverrideVersion(models.Model):
    """Every saved text of an override, so an issued letter's wording can be reproduced."""

    override = models.ForeignKey(
        TemplateOverride, verbose_name="模板", on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveIntegerField("版本")
    source = models.TextField("模板内容")
    note = models.CharField("修改说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("保存时间", auto_now_add=True)

    class Meta:
        verbose_name = "文书模板历史版本"
        verbose_name_plural = "文书模板历史版本"
        ordering = ["override", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["override", "version"], name="letter_override_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.override.name} 第{self.version}版"


class IssuedLetter(models.Model):
    """One letter that went out: its kind, number and the template version that produced it."""

    agency = models.ForeignKey(Agency, verbose_name="机关", on_delete=models.PROTECT)
    kind = models.CharField("文书种类", max_length=40)
    number = models.CharField("文号", max_length=60, blank=True)
    template_version = models.CharField("模板版本", max_length=500)
    object_type = models.CharField("所属对象类型", max_length=60, blank=True)
    object_id = models.CharField("所属对象编号", max_length=60, blank=True)
    sha256 = models.CharField("文件摘要（SHA-256）", max_length=64, blank=True)
    issued_at = models.DateTimeField("出具时间")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="出具人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The letter's files are rendered and written after the issuing transaction commits
    # (workflow.letters.issuing): until they are, the letter's structure waits here, so that a
    # render that failed (or a process that stopped) after the commit is made up on demand.
    structure = models.JSONField("待生成文件的文书结构", null=True, blank=True, editable=False)
    files = models.JSONField("文件", default=list, blank=True, editable=False)

    class Meta:
        verbose_name = "已出具文书"
        verbose_name_plural = "已出具文书"
        ordering = ["-issued_at"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="issued_letter_object_idx")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.number}"

    @property
    def pending(self) -> bool:
        """Its files are not written yet."""
        return self.structure is not None


class LetterSequence(models.Model):
    """The last 文号 given per agency, year and letter family; locked while a number is taken."""

    agency = models.ForeignKey(Agency, verbose_name="机关", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField("年度")
    family = models.CharField("文书类别", max_length=20)
    last = models.PositiveIntegerField("已用到的序号", default=0)

    class Meta:
        verbose_name = "文号计数"
        verbose_name_plural = "文号计数"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "family"], name="letter_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.year} {self.family}: {self.last}"


def next_letter_sequence(agency: Agency, year: int, family: str) -> int:
    """The next 文号 sequence of ``agency``'s letters of ``family`` in ``year``. Call it inside
    the issuing transaction: the counter row stays locked until the issue commits (PostgreSQL:
    row lock; SQLite: the IMMEDIATE transaction's write lock), and a rolled-back issue gives its
    number back, so two letters issued at once get consecutive numbers and none is skipped."""
    counter, _ = LetterSequence.objects.select_for_update().get_or_create(
        agency=agency, year=year, family=family
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def agency_overrides(agency: Agency | int | None) -> dict[str, str]:
    """The agency's overrides as {template name: source}, for ``render_letter(overrides=...)``."""
    if agency is None:
        return {}
    rows = TemplateOverride.objects.filter(agency=agency).values_list("name", "source")
    return dict(rows)


def template_version(agency: Agency | int | None) -> str:
    """What produced an agency's letters right now: ``builtin`` plus each override's version.

    Recorded on ``IssuedLetter.template_version``; e.g. ``builtin+reply.txt@v3+_remedy.txt@v1``.
    """
    if agency is None:
        return "builtin"
    rows = TemplateOverride.objects.filter(agency=agency).order_by("name")
    return "+".join(["builtin", *(f"{row.name}@v{row.version}" for row in rows)])
