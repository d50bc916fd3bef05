"""What the attributes services share: the errors, the document's row lock, the audit event of a
document, the attribute state machine's runner, and id chunks for set-based queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.core.exceptions import ValidationError
from viewflow.fsm import NoTransition, TransitionConditionsUnmet

from attributes_app import permissions
from attributes_app.audit_actions import AuditAction
from attributes_app.flows import TRANSITION_ACTIONS, AttributeFlow
from attributes_app.models import AttributeChange, AttributeState, Document
from workflow.actors import Actor
from workflow.audit import audit
from workflow.cn import cn_date
from workflow.errors import Invalid, Stale

S = AttributeState
CHUNK = 2000  # ids per IN (…) list: well under SQLite's and PostgreSQL's parameter limits


class StaleDocument(Stale):
    """The document's state does not allow this step (now). The message says what it is."""


class StaleReview(Stale):
    """The review or its items moved on before this action; the message says how."""


class IssueRefused(Invalid):
    """不予发文: the document may not be issued; the message gives the reason (DOMAIN §4.1)."""

    #: The API's error code (``workflow.api.errors``): 422 ``issue_refused``.
    api_code = "issue_refused"


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _not_in_future(value: date | None, today: date, field: str, what: str) -> None:
    if value is not None and value > today:
        raise ValidationError({field: f"{what}（{cn_date(value)}）晚于今天，请核对。"})


def _locked(document_id: int) -> Document:
    try:
        return (
            Document.objects.select_for_update(of=("self",))
            .select_related("agency", "drafting_unit", "catalogue_item")
            .get(pk=document_id)
        )
    except Document.DoesNotExist:
        raise ValidationError("没有找到这份文件，可能已被删除。") from None


def _title(document: Document) -> str:
    return f"《{document.title}》"


def _audit(
    actor: Actor,
    action: AuditAction,
    document: Document,
    *,
    before: str = "",
    reason: str = "",
    data: dict | None = None,
) -> None:
    audit(
        actor=actor,
        action=action,
        obj=document,
        agency=document.agency,
        from_state=before or document.attribute_state,
        to_state=document.attribute_state,
        reason=reason,
        data=data,
    )


_SPECIAL_REFUSALS = {
    ("confirm", S.OFFICE_REVIEW): "政策性文件拟依申请公开或不予公开的，须先经政务公开工作机构审查，"
    "审查同意后才能确认。",
    (
        "propose",
        S.PROPOSED,
    ): "公开属性建议已经提出，等待起草单位负责人确认；需要修改的，请负责人退回。",
    ("publish", S.RESTRICTED): "该文件的公开属性为依申请公开或不予公开，不能主动公开。",
    ("determine", S.PROPOSED): "该文件正在拟稿中，公开属性由起草单位负责人在签发时确认。",
    ("withdraw", S.AWAITING_PUBLICATION): "该文件尚未登记公开（或公开页面已经撤下），"
    "没有可以撤下的公开记录。",
}


def _stale(document: Document, transition: str, doing: str) -> StaleDocument:
    special = _SPECIAL_REFUSALS.get((transition, document.attribute_state))
    if special:
        return StaleDocument(special)
    return StaleDocument(
        f"{_title(document)}的公开属性当前为“{document.get_attribute_state_display()}”，"
        f"不能{doing}；可能已有其他人办理了这一步，请刷新页面查看。"
    )


def _transition(
    document: Document,
    name: str,
    *,
    actor: Actor,
    doing: str,
    now: datetime,
    audit_data: dict | None = None,
    **kwargs,
) -> AttributeChange:
    """Run one transition of the attribute state machine on a locked document, then save it,
    its history row and the audit event (with ``audit_data`` added to its details). Order of
    checks: permission, state, conditions."""
    permissions.require(
        actor, TRANSITION_ACTIONS[name], agency=document.agency, unit=document.drafting_unit
    )
    flow = AttributeFlow(document)
    method = getattr(flow, name)
    if not method.can_proceed(check_conditions=False):
        raise _stale(document, name, doing)
    try:
        method(actor=actor, at=now, **kwargs)
    except TransitionConditionsUnmet as error:
        raise ValidationError(error.unmet_message or f"现在不能{doing}。") from None
    except NoTransition:
        raise _stale(document, name, doing) from None
    document.save()
    (values,) = flow.changes
    change = AttributeChange.objects.create(**values)
    audit(
        actor=actor,
        action=AuditAction(f"attribute_{name}"),
        obj=document,
        agency=document.agency,
        from_state=change.from_state,
        to_state=change.to_state,
        reason=change.reason,
        data={
            "from_attribute": change.from_attribute,
            "to_attribute": change.to_attribute,
            "source": change.source,
            "legal_basis": change.legal_basis,
            **(audit_data or {}),
        },
        at=now,
    )
    return change
