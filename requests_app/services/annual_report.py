"""The annual report's state changes (docs/annual-report.md): the draft, its texts and notes,
the figures of table 二 the disclosure office enters (one by one or from a CSV file), and
publishing, which freezes the numbers.

Every service takes the actor, checks the permission table (``report_edit``: handler or office
head; ``report_publish``: office head), locks what it changes and writes an audit event.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from requests_app import permissions
from requests_app.annual_report.checks import GENERAL_NOTE
from requests_app.annual_report.counting import FIGURE_ROWS, build_report
from requests_app.annual_report.texts import default_texts, text_problems
from requests_app.audit_actions import ReportAction
from requests_app.models import REPORT_TEXT, AnnualReport, ReportFigure
from workflow.actors import Actor
from workflow.audit import audit
from workflow.errors import Invalid, Stale
from workflow.models import Agency
from workflow.text_input import NOTE, NUL_MESSAGE

DRAFT = AnnualReport.Status.DRAFT
PUBLISHED = AnnualReport.Status.PUBLISHED
#: The earliest report year (the Regulation's first annual reports were for 2008).
FIRST_YEAR = 2008
#: The most digits a count may have, and the most for the fees in 万元 (before the point).
MAX_COUNT = 10**9
MAX_FEES = Decimal(10**11)


def _check_year(year: int, today: date) -> None:
    if not isinstance(year, int) or not FIRST_YEAR <= year <= today.year:
        raise Invalid({"year": f"报告年度应在{FIRST_YEAR}年至{today.year}年之间。"})


def _agency_id(agency) -> int:
    return getattr(agency, "pk", agency)


# -- the draft -----------------------------------------------------------------------------------


def report_draft(
    *, actor: Actor, agency: Agency | int, year: int, today: date | None = None
) -> AnnualReport:
    """The draft of the agency's report for ``year``, created when there is none: numbered after
    the last published version, its texts those of the last published version (a correction)
    or pre-filled from the numbers as they are now."""
    today = today or timezone.localdate()
    agency_id = _agency_id(agency)
    permissions.require_agency(actor, agency_id, "report_edit")
    _check_year(year, today)
    with transaction.atomic():
        # Lock the agency's row: two people opening the first draft at once make one.
        agency_row = Agency.objects.select_for_update().get(pk=agency_id)
        draft = AnnualReport.objects.filter(agency_id=agency_id, year=year, status=DRAFT).first()
        if draft:
            return draft
        last = (
            AnnualReport.objects.filter(agency_id=agency_id, year=year, status=PUBLISHED)
            .order_by("-version")
            .first()
        )
        if last:
            texts = last.texts
            notes = dict(last.carryover_notes)
        else:
            texts = default_texts(build_report(agency_id, year, checks=False), agency_row.name)
            notes = {}
        draft = AnnualReport.objects.create(
            agency_id=agency_id,
            year=year,
            version=(last.version + 1) if last else 1,
            status=DRAFT,
            text_overview=texts["一"],
            text_problems=texts["五"],
            text_other=texts["六"],
            carryover_notes=notes,
            created_by=actor,
            created_at=timezone.now(),
        )
        audit(
            actor=actor,
            action=ReportAction.REPORT_DRAFTED,
            obj=draft,
            agency=agency_id,
            to_state=DRAFT,
            data={"year": year, "version": draft.version},
        )
    return draft


def _locked_draft(report_id: int, actor: Actor, step: str) -> AnnualReport:
    report = AnnualReport.objects.select_for_update().filter(pk=report_id).first()
    if report is None:
        raise Invalid({"report": "找不到这份年度报告。"})
    permissions.require_agency(actor, report.agency_id, step)
    if report.status != DRAFT:
        raise Stale(
            f"{report.year}年度报告第{report.version}版已于"
            f"{timezone.localtime(report.published_at):%Y年%m月%d日 %H:%M}发布，不能再修改；"
            "如需更正，请新建更正版本。"
        )
    return report


def _clean_text(name: str, label: str, text: str, limit: int) -> str:
    if "\x00" in text:
        raise Invalid({name: f"{label}：{NUL_MESSAGE}"})
    if len(text) > limit:
        raise Invalid({name: f"{label}不能超过{limit}个字（现有{len(text)}个）。"})
    return text


def report_save(
    *,
    actor: Actor,
    report_id: int,
    texts: dict[str, str] | None = None,
    carryover_notes: dict[str, str] | None = None,
    correction_reason: str | None = None,
) -> AnnualReport:
    """Change a draft's texts (keys 一、五、六), its carry-over notes (case id or ``general`` →
    note; an empty note removes it) or the reason for a corrected version."""
    fields = {
        "一": ("text_overview", "一、总体情况"),
        "五": ("text_problems", "五、存在的主要问题及改进情况"),
        "六": ("text_other", "六、其他需要报告的事项"),
    }
    with transaction.atomic():
        report = _locked_draft(report_id, actor, "report_edit")
        changed: dict[str, object] = {}
        for part, text in (texts or {}).items():
            if part not in fields:
                raise Invalid({"texts": f"年度报告没有“{part}”这一部分。"})
            name, label = fields[part]
            text = _clean_text(name, label, str(text), REPORT_TEXT)
            if getattr(report, name) != text:
                setattr(report, name, text)
                changed[name] = text
        if carryover_notes is not None:
            notes = dict(report.carryover_notes)
            for key, note in carryover_notes.items():
                key = str(key)
                if key != GENERAL_NOTE and not key.isdigit():
                    raise Invalid({"carryover_notes": f"“{key}”不是案件编号。"})
                note = _clean_text("carryover_notes", "上年结转差异说明", str(note).strip(), NOTE)
                if note:
                    notes[key] = note
                else:
                    notes.pop(key, None)
            if notes != report.carryover_notes:
                report.carryover_notes = notes
                changed["carryover_notes"] = notes
        if correction_reason is not None:
            reason = _clean_text("correction_reason", "更正理由", correction_reason.strip(), NOTE)
            if reason != report.correction_reason:
                report.correction_reason = reason
                changed["correction_reason"] = reason
        if changed:
            report.save()
            audit(
                actor=actor,
                action=ReportAction.REPORT_EDITED,
                obj=report,
                agency=report.agency_id,
                data={"changed": sorted(changed)},
            )
    return report


# -- publishing ------------------------------------------------------------------------------------


def report_publish(*, actor: Actor, report_id: int, now=None) -> AnnualReport:
    """Publish a draft: the numbers are counted afresh with the ids behind every cell, the
    checks must all pass, every number of the texts must be a figure of the report
    (``texts.text_problems``), and a corrected version must say why. The published version is
    frozen: later changes of the records do not change it."""
    now = now or timezone.now()
    with transaction.atomic():
        report = _locked_draft(report_id, actor, "report_publish")
        data = build_report(report.agency_id, report.year, with_ids=True)
        problems = [
            f"核对未通过：{check.name}（{check.detail}）"
            if check.detail
            else f"核对未通过：{check.name}"
            for check in data.checks
            if not check.ok
        ]
        problems += text_problems(report.texts, data)
        if report.version > 1 and not report.correction_reason.strip():
            problems.append(f"这是第{report.version}版（更正版本），请写明更正理由。")
        if problems:
            raise Invalid({"__all__": ["年度报告不能发布：", *problems]})
        data.texts = report.texts
        report.snapshot = data.to_snapshot()
        report.summary = data.to_json()
        report.status = PUBLISHED
        report.published_at = now
        report.published_by = actor
        report.save()
        audit(
            actor=actor,
            action=ReportAction.REPORT_PUBLISHED,
            obj=report,
            agency=report.agency_id,
            from_state=DRAFT,
            to_state=PUBLISHED,
            reason=report.correction_reason,
            data={"year": report.year, "version": report.version},
            at=now,
        )
    return report


# -- figures of table 二 ---------------------------------------------------------------------------

FIELD_WORDS: dict[str, str] = {
    **{row: field_name for field_name, row in FIGURE_ROWS.items()},
    **{field_name: field_name for field_name in FIGURE_ROWS},
}


def parse_figure(field_name: str, text) -> Decimal:
    """A figure as entered: a whole number of 件 for the counts, 万元 with at most four
    decimals for the fees. Chinese messages."""
    label = FIGURE_ROWS[field_name]
    raw = str(text).strip().replace(",", "").replace("，", "")
    if "\x00" in raw:
        raise Invalid({"value": f"{label}：{NUL_MESSAGE}"})
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise Invalid({"value": f"{label}应为数字（现为“{raw[:20]}”）。"}) from None
    if not value.is_finite() or value < 0:
        raise Invalid({"value": f"{label}不能是负数。"})
    if field_name == ReportFigure.Field.FEES:
        if value >= MAX_FEES:
            raise Invalid({"value": f"{label}（万元）数值过大，请核对单位是否为万元。"})
        if value != value.quantize(Decimal("0.0001")):
            raise Invalid({"value": f"{label}（万元）最多保留四位小数。"})
    else:
        if value != value.to_integral_value():
            raise Invalid({"value": f"{label}是件数，应为整数。"})
        if value >= MAX_COUNT:
            raise Invalid({"value": f"{label}数值过大，请核对。"})
    return value


def _number_text(value) -> str:
    return f"{Decimal(value).normalize():f}"


def _save_figure(
    *, actor: Actor, agency_id: int, year: int, field_name: str, value: Decimal, source: str, now
) -> ReportFigure:
    figure = (
        ReportFigure.objects.select_for_update()
        .filter(agency_id=agency_id, year=year, field=field_name)
        .first()
    )
    before = _number_text(figure.value) if figure else ""
    if figure is None:
        figure = ReportFigure(agency_id=agency_id, year=year, field=field_name)
    figure.value = value
    figure.source = source
    figure.entered_by = actor
    figure.entered_at = now
    figure.save()
    audit(
        actor=actor,
        action=ReportAction.FIGURE_ENTERED,
        obj=figure,
        agency=agency_id,
        from_state=before,
        to_state=_number_text(value),
        reason=source,
        data={"year": year, "field": field_name},
        at=now,
    )
    return figure


def _clean_source(source: str) -> str:
    source = str(source or "").strip()
    if not source:
        raise Invalid({"source": "请写明数据来源（如：本机关行政许可办件系统2026年统计）。"})
    return _clean_text("source", "数据来源", source, NOTE)


def figure_set(
    *,
    actor: Actor,
    agency: Agency | int,
    year: int,
    field: str,
    value,
    source: str,
    today: date | None = None,
) -> ReportFigure:
    """Enter one figure of table 二 (行政许可, 行政处罚, 行政强制 counts; 行政事业性收费 in
    万元) with where it comes from."""
    today = today or timezone.localdate()
    agency_id = _agency_id(agency)
    permissions.require_agency(actor, agency_id, "report_edit")
    _check_year(year, today)
    if field not in FIGURE_ROWS:
        raise Invalid({"field": "请选择项目：行政许可、行政处罚、行政强制或行政事业性收费。"})
    number = parse_figure(field, value)
    source = _clean_source(source)
    with transaction.atomic():
        try:
            return _save_figure(
                actor=actor,
                agency_id=agency_id,
                year=year,
                field_name=field,
                value=number,
                source=source,
                now=timezone.now(),
            )
        except IntegrityError:
            raise Stale("这一数字刚被他人录入，请刷新后再试。") from None


@dataclass
class FiguresImport:
    """What a CSV import did: the figures saved (none when any row has a problem) and the
    problems, one Chinese message per row."""

    saved: list[ReportFigure] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


CSV_COLUMNS = ("年度", "项目", "数值", "数据来源")
MAX_CSV_ROWS = 1000


def figures_import_csv(
    *, actor: Actor, agency: Agency | int, content: bytes | str, today: date | None = None
) -> FiguresImport:
    """Import figures from a CSV file (UTF-8, with or without BOM, or GB18030) whose header is
    ``年度,项目,数值,数据来源``; 项目 is 行政许可, 行政处罚, 行政强制 or 行政事业性收费 (万元).
    All or nothing: when a row has a problem nothing is saved and every problem is listed by
    its row number."""
    today = today or timezone.localdate()
    agency_id = _agency_id(agency)
    permissions.require_agency(actor, agency_id, "report_edit")
    result = FiguresImport()
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("gb18030")
            except UnicodeDecodeError:
                result.problems.append("文件编码无法识别，请另存为UTF-8编码的CSV文件。")
                return result
    else:
        text = content
    if "\x00" in text:
        result.problems.append(f"文件：{NUL_MESSAGE}")
        return result
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or tuple(cell.strip() for cell in rows[0][:4]) != CSV_COLUMNS:
        result.problems.append(f"第1行应为表头：{','.join(CSV_COLUMNS)}。")
        return result
    if len(rows) - 1 > MAX_CSV_ROWS:
        result.problems.append(f"一次最多导入{MAX_CSV_ROWS}行。")
        return result
    parsed: list[tuple[int, str, Decimal, str]] = []
    seen: dict[tuple[int, str], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = [*row, "", "", "", ""][:4]
        year_text, item, value_text, source = (cell.strip() for cell in cells)
        try:
            if not year_text.isdigit():
                raise Invalid({"year": f"年度应为四位数字（现为“{year_text[:10]}”）。"})
            year = int(year_text)
            _check_year(year, today)
            field_name = FIELD_WORDS.get(item)
            if field_name is None:
                raise Invalid(
                    {"field": f"项目“{item[:20]}”不是{'、'.join(FIGURE_ROWS.values())}之一。"}
                )
            value = parse_figure(field_name, value_text)
            source = _clean_source(source)
        except ValidationError as error:
            for message in error.messages:
                result.problems.append(f"第{number}行：{message}")
            continue
        if (year, field_name) in seen:
            first = seen[(year, field_name)]
            result.problems.append(
                f"第{number}行：{year}年{FIGURE_ROWS[field_name]}与第{first}行重复。"
            )
            continue
        seen[(year, field_name)] = number
        parsed.append((year, field_name, value, source))
    if not parsed and not result.problems:
        result.problems.append("文件中没有数据行。")
    if result.problems:
        return result
    now = timezone.now()
    with transaction.atomic():
        for year, field_name, value, source in parsed:
            result.saved.append(
                _save_figure(
                    actor=actor,
                    agency_id=agency_id,
                    year=year,
                    field_name=field_name,
                    value=value,
                    source=f"{source[: NOTE - 7]}（CSV导入）",
                    now=now,
                )
            )
        audit(
            actor=actor,
            action=ReportAction.FIGURES_IMPORTED,
            object_type="requests_app.reportfigure",
            agency=agency_id,
            data={"rows": len(parsed)},
            at=now,
        )
    return result
