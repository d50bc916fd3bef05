"""What the requests tell the agencies' systems (``workflow.webhooks``): a case registered, its
stage changed, a letter issued, its reply deadline at risk or overdue.

The payloads name the case (id, 登记编号), its stages and dates: never the applicant (name,
identity, contacts) — an event goes to a machine, and the client reads more through the API
only if its scopes let it.
"""

from __future__ import annotations

from typing import Any

from requests_app.audit_actions import RequestAction
from requests_app.models import CaseDocument, InformationRequest
from workflow import webhooks
from workflow.letters.kinds import KINDS

Stage = InformationRequest.Stage
STAGES = set(Stage.values)


def _stage(code: str) -> dict[str, str]:
    return {"code": code, "label": Stage(code).label if code in STAGES else ""}


def case_data(case: InformationRequest) -> dict[str, Any]:
    """What every event about ``case`` says of it."""
    return {
        "request_id": case.pk,
        "case_number": case.case_number,
        "channel": case.channel,
        "receipt_date": case.receipt_date,
        "stage": _stage(case.stage),
        "due_date": case.due_date,
    }


def from_audit(row: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The events an audit event about a case means: its registration, a change of stage."""
    action, before, after = row["action"], row["from_state"], row["to_state"]
    registered = action == RequestAction.REQUEST_REGISTERED
    moved = before in STAGES and after in STAGES and before != after
    if not (registered or moved):
        return []
    case = InformationRequest.objects.filter(pk=row["object_id"]).first()
    if case is None:
        return []
    data = case_data(case)
    if registered:
        return [("request.registered", data)]
    try:
        label = RequestAction(action).label
    except ValueError:
        label = ""
    return [
        (
            "request.stage_changed",
            {
                **data,
                "from_stage": _stage(before),
                "to_stage": _stage(after),
                "action": {"code": str(action), "label": label},
            },
        )
    ]


def letter_issued(case: InformationRequest, document: CaseDocument) -> None:
    """Tell that ``document`` (a letter) was issued in ``case`` (in the issuing transaction)."""
    kind = KINDS.get(document.letter_kind)
    webhooks.emit(
        case.agency_id,
        "request.letter_issued",
        {
            **case_data(case),
            "letter": {
                "id": document.pk,
                "kind": document.letter_kind,
                "kind_label": kind.label if kind else "",
                "number": document.number,
                "issued_at": document.created_at,
            },
        },
        occurred_at=document.created_at,
    )


def clock_flags_raised(case: InformationRequest, *, was_at_risk: bool, was_overdue: bool) -> None:
    """Tell that the case's reply deadline has come near or passed, when its flag has just been
    raised; once per case and due date, however often the clock is computed."""
    for flag, was, event_type in (
        (case.at_risk, was_at_risk, "request.deadline_at_risk"),
        (case.overdue, was_overdue, "request.deadline_overdue"),
    ):
        if flag and not was:
            webhooks.emit(
                case.agency_id,
                event_type,
                {**case_data(case), "days_left": case.days_left, "paused": case.paused},
                event_id=webhooks.event_id_for(event_type, case.pk, case.due_date),
            )


def register() -> None:
    webhooks.register_audit_source(InformationRequest._meta.label_lower, from_audit)
