"""What every step of a request shares: the case locked, its stage and the actor's role
checked, the stage moved with its audit event, and the clock kept.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from requests_app.clock_sync import evaluate_case, events_of, sync_clock
from requests_app.letters import case_facts
from requests_app.models import ClockEntry, InformationRequest, NoticeService
from workflow.actors import Actor
from workflow.audit import audit
from workflow.clock import ClockEvent
from workflow.cn import cn_date
from workflow.errors import Stale

R = InformationRequest


class StaleCase(Stale):
    """The case moved on before this action: someone else acted first. The message says how."""


# -- shared checks ------------------------------------------------------------------------------

CASE_TYPE = "requests_app.informationrequest"


def _locked(case_id: int) -> InformationRequest:
    # Only the case's row: the joined agency row stays free for the agency's other cases.
    return (
        InformationRequest.objects.select_for_update(of=("self",))
        .select_related("agency")
        .get(pk=case_id)
    )


def _require_stage(case: InformationRequest, stages: tuple[str, ...], doing: str) -> None:
    if case.stage not in stages:
        raise StaleCase(
            f"{case.case_number}当前处于“{case.get_stage_display()}”阶段，不能{doing}；"
            "可能已有其他人办理了这一步，请刷新页面查看。"
        )


def _add_clock(
    case, kind: str, on: date, actor: Actor, *, today: date, days=0, reason="", note="", until=None
):
    """Append a clock event after checking that the clock accepts it (Art. 30, 33, 35)."""
    events = [
        *events_of(case),
        ClockEvent(kind=kind, on=on, days=days, reason=reason, until=until),
    ]
    try:
        evaluate_case(case, today=today, events=events)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    ClockEntry.objects.create(
        request=case,
        kind=kind,
        on=on,
        days=days,
        until=until,
        reason=reason,
        note=note,
        created_by=actor,
        created_at=timezone.now(),
    )


def _move(case, to: str, *, actor: Actor, action: str, reason: str = "", today: date, data=None):
    before = case.stage
    case.stage = to
    case.save(update_fields=["stage", "updated_at"])
    sync_clock(case, today=today)
    audit(
        actor=actor,
        action=action,
        obj=case,
        agency=case.agency,
        from_state=before,
        to_state=to,
        reason=reason,
        data=data,
    )


def _conclude(case: InformationRequest, on: date) -> dict[str, str]:
    """Record the case's conclusion date (办结日期, the one date the annual report counts it by;
    docs/annual-report.md) unless it has one: it is set once and never moved, not even by a new
    reply a reconsideration or a court orders. Returns the audit data of the change (empty when
    the date was already set)."""
    if case.concluded_on is not None:
        return {}
    case.concluded_on = on
    case.save(update_fields=["concluded_on"])
    return {"concluded_on": on.isoformat()}


def _not_in_future(value: date, today: date, what: str) -> None:
    if value > today:
        raise ValidationError(f"{what}（{cn_date(value)}）晚于今天，请核对。")


def _facts_due(case, due: date | None):
    facts = case_facts(case)
    facts.due_date = due
    return facts


OPEN_STAGES = (
    R.Stage.ACCEPT,
    R.Stage.REASONS,
    R.Stage.CORRECT,
    R.Stage.CONSULT,
    R.Stage.PROPOSE,
    R.Stage.FEE,
    R.Stage.APPROVE,
)


def _await_service(
    case,
    notice: str,
    letter,
    *,
    addressee: str,
    issued_on: date,
    period_days: int,
    consultation=None,
) -> NoticeService:
    """The notice waits for its service to be recorded: its period has no end until then."""
    return NoticeService.objects.create(
        request=case,
        notice=notice,
        letter=letter,
        consultation=consultation,
        addressee=addressee,
        issued_on=issued_on,
        period_days=period_days,
        created_at=timezone.now(),
    )
