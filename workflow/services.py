"""State changes of the engine's own data: calendar adjustments and imported holiday notices.

Each service runs in one transaction, re-reads what it changes under a row lock, writes the audit
event, bumps the calendar revision (so every process rebuilds its calendars) and, once the data is
committed, recomputes the stored deadlines that depend on the changed days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from workflow.audit import audit
from workflow.calendar import WorkingCalendar, get_calendar, iter_days
from workflow.cn import cn_date
from workflow.deadlines import CalendarChange, MovedDeadline, recompute_deadlines
from workflow.holiday_data import YearSchedule, parse_year_toml
from workflow.models import Agency, CalendarAdjustment, CalendarRevision, HolidaySchedule
from workflow.roles import has_role
from workflow.selectors import agencies_of


def bump_calendar_revision() -> None:
    updated = CalendarRevision.objects.filter(pk=1).update(revision=F("revision") + 1)
    if not updated:
        CalendarRevision.objects.get_or_create(pk=1, defaults={"revision": 1})


def _check_calendar_actor(actor, agency_ids: set[int | None]) -> None:
    """Only a superuser changes the whole installation's calendar; an agency's administrator
    changes only the local days of their own agencies. ``actor`` None is the system itself."""
    if actor is None or actor.is_superuser:
        return
    if None in agency_ids:
        raise PermissionDenied("适用于全部机关的工作日调整只能由超级用户办理。")
    mine = set(agencies_of(actor).values_list("pk", flat=True))
    if not has_role(actor, "admin") or not agency_ids <= mine:
        raise PermissionDenied("只能调整本机关的工作日。")


def _describe(kind: str, reason: str) -> str:
    return f"{CalendarAdjustment.Kind(kind).label}：{reason}"


def calendar_adjustment_save(
    *,
    actor,
    day: date,
    kind: str,
    reason: str,
    agency: Agency | None = None,
    adjustment_id: int | None = None,
) -> tuple[CalendarAdjustment, list[MovedDeadline]]:
    """Create or change a local adjustment of one day; returns it and the deadlines that moved."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写调整理由（例如依据的文件名称）。"})
    if kind not in CalendarAdjustment.Kind.values:
        raise ValidationError({"kind": "调整类型只能是“休息日”或“工作日”。"})
    _check_calendar_actor(actor, {getattr(agency, "pk", None)})
    now = timezone.now()
    changed: set[date] = {day}
    touched: set[int | None] = {getattr(agency, "pk", None)}
    try:
        with transaction.atomic():
            if adjustment_id is None:
                adjustment = CalendarAdjustment(created_by=actor, created_at=now)
                before = ""
            else:
                adjustment = CalendarAdjustment.objects.select_for_update().get(pk=adjustment_id)
                _check_calendar_actor(actor, {adjustment.agency_id})
                before = f"{adjustment.day:%Y-%m-%d} " + _describe(
                    adjustment.kind, adjustment.reason
                )
                changed.add(adjustment.day)
                touched.add(adjustment.agency_id)
            adjustment.agency = agency
            adjustment.day = day
            adjustment.kind = kind
            adjustment.reason = reason
            adjustment.updated_at = now
            adjustment.save()
            bump_calendar_revision()
            audit(
                actor=actor,
                action="calendar_adjustment_saved",
                obj=adjustment,
                agency=agency,
                from_state=before,
                to_state=f"{day:%Y-%m-%d} " + _describe(kind, reason),
                reason=reason,
                at=now,
            )
    except IntegrityError:
        scope = "该机关" if agency else "全部机关"
        raise ValidationError(
            {"day": f"{cn_date(day)}已有{scope}的调整记录，请修改原记录。"}
        ) from None
    # A national correction (agency None) may move every agency's deadlines.
    scopes = [None] if None in touched else sorted(touched)
    moved: list[MovedDeadline] = []
    for scope_id in scopes:
        moved += recompute_deadlines(
            CalendarChange(frozenset(changed), agency_id=scope_id, reason=reason)
        )
    return adjustment, moved


def calendar_adjustment_delete(*, actor, adjustment_id: int, reason: str) -> list[MovedDeadline]:
    """Remove a local adjustment; the day falls back to the national schedule."""
    reason = (reason or "").strip() or "删除调整记录"
    with transaction.atomic():
        adjustment = CalendarAdjustment.objects.select_for_update().get(pk=adjustment_id)
        _check_calendar_actor(actor, {adjustment.agency_id})
        day, agency = adjustment.day, adjustment.agency
        audit(
            actor=actor,
            action="calendar_adjustment_deleted",
            obj=adjustment,
            agency=agency,
            from_state=f"{day:%Y-%m-%d} " + _describe(adjustment.kind, adjustment.reason),
            to_state="（已删除，恢复全国统一安排）",
            reason=reason,
        )
        adjustment.delete()
        bump_calendar_revision()
    return recompute_deadlines(
        CalendarChange(frozenset({day}), agency_id=getattr(agency, "pk", None), reason=reason)
    )


@dataclass
class ImportResult:
    schedule: YearSchedule
    replaced: bool
    changed_days: list[date] = field(default_factory=list)
    moved: list[MovedDeadline] = field(default_factory=list)


def schedule_changes(
    before: WorkingCalendar, after: WorkingCalendar, schedule: YearSchedule
) -> list[date]:
    """Days of the notice's span (its year and the December before) whose status changed."""
    first = date(schedule.year - 1, 12, 1)
    last = date(schedule.year, 12, 31)
    changed = []
    for day in iter_days(first, last):
        try:
            if before.is_working_day(day) != after.is_working_day(day):
                changed.append(day)
        except ValueError:
            changed.append(day)
    return changed


def holiday_schedule_import(
    *, actor, schedule: YearSchedule, source_text: str = ""
) -> ImportResult:
    """Load a year's State Council notice without a release (DOMAIN §2).

    The imported schedule overrides the bundled year file; every stored deadline that depends on a
    day whose status changed is recomputed, and the ones that moved are returned.
    """
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied("国务院节假日安排适用于全部机关，只能由超级用户导入。")
    # Validate by round-tripping through the file format: the stored text is what is loaded later.
    stored = schedule.to_toml()
    schedule = parse_year_toml(stored, source=f"{schedule.year}年安排")
    before = get_calendar(None)
    now = timezone.now()
    with transaction.atomic():
        existing = HolidaySchedule.objects.select_for_update().filter(year=schedule.year).first()
        replaced = existing is not None or schedule.year in before.official_years
        row = existing or HolidaySchedule(year=schedule.year)
        previous = (
            f"{row.title}（{row.number}）"
            if existing
            else (
                "随软件发布的安排"
                if schedule.year in before.official_years
                else "暂定（无官方安排）"
            )
        )
        row.title = schedule.title
        row.number = schedule.number
        row.published = schedule.published
        row.schedule_toml = stored
        row.source_text = source_text
        row.imported_by = actor if getattr(actor, "is_authenticated", False) else None
        row.imported_at = now
        row.save()
        bump_calendar_revision()
        audit(
            actor=actor,
            action="holiday_schedule_imported",
            obj=row,
            from_state=previous,
            to_state=f"{schedule.title}（{schedule.number}）",
            reason=f"导入{schedule.year}年国务院节假日安排",
            data={
                "days_off": sorted(d.isoformat() for d in schedule.days_off),
                "workdays": sorted(d.isoformat() for d in schedule.workdays),
            },
            at=now,
        )
    from workflow.calendar import invalidate_calendar_cache

    invalidate_calendar_cache()
    after = get_calendar(None)
    changed = schedule_changes(before, after, schedule)
    moved = (
        recompute_deadlines(
            CalendarChange(frozenset(changed), reason=f"导入{schedule.year}年节假日安排")
        )
        if changed
        else []
    )
    return ImportResult(schedule=schedule, replaced=replaced, changed_days=changed, moved=moved)
