"""The state machine of a document's disclosure attribute (DOMAIN §4), on ``viewflow.fsm``.

Transitions (source → target, who):

- ``propose``: undetermined → proposed, or → office_review for a policy document proposed
  on-request or withheld (drafter of the document's unit);
- ``office_approve``: office_review → proposed; ``office_return``: office_review → undetermined
  (the disclosure office, ``office_head``);
- ``confirm``: proposed → awaiting_publication (proactive) or restricted (on-request, withheld);
  ``send_back``: proposed → undetermined (head of the drafting unit, at approval 签发);
- ``publish``: awaiting_publication → published (after issuance and a cleared secrecy review);
- ``withdraw``: published → awaiting_publication (the page was taken down: an error, a replaced
  version; the duty to publish is open again against the same deadline, same roles as publish);
- ``review_change``: restricted → awaiting_publication or restricted (a yearly-review decision,
  ``legal_reviewer``);
- ``determine``: undetermined → awaiting_publication or restricted (an issued document without
  attribute, by the unit's letter, DOMAIN §4.4; head of the drafting unit);
- ``classify``: any state but published → classified (the document leaves the system;
  ``secrecy_reviewer``).

The state is stored in ``Document.attribute_state`` through the State's getter and setter; the
flow never saves: services lock the row, run a transition, then save (one row, or thousands in
bulk for the yearly review). Each successful transition appends the field values of an
``AttributeChange`` to ``flow.changes`` (who, when, from, to, why, and the decision it came
from) for the service to store together with the audit event.

Conditions here are the document's own preconditions (issued, secrecy review passed, reasons
complete); the values a transition brings (a proposed attribute, a review decision) are checked by
``attributes_app.rules`` in the transition itself. Permissions are ``attributes_app.permissions``;
services check them before calling, since viewflow.fsm checks them only in its views.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from viewflow.fsm import State

from attributes_app import permissions, rules
from attributes_app.models import AttributeChange, AttributeState, Document

S = AttributeState
Source = AttributeChange.Source


def _check(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationError(problems)


# -- conditions: callables of the flow returning State.CONDITION with the reason for people ------


def _not_issued(flow: AttributeFlow) -> State.CONDITION:
    return State.CONDITION(
        not flow.document.is_issued,
        "文件已经印发；已印发而没有公开属性的文件，由起草单位以公函认定公开属性。",
    )


def _issued(flow: AttributeFlow) -> State.CONDITION:
    return State.CONDITION(flow.document.is_issued, "文件尚未印发，请先登记印发。")


def _attribute_complete(flow: AttributeFlow) -> State.CONDITION:
    doc = flow.document
    problems = rules.attribute_problems(
        kind=doc.kind,
        attribute=doc.attribute,
        reasons=doc.attribute_reasons,
        ground=doc.attribute_ground,
        law=doc.attribute_law,
    )
    return State.CONDITION(not problems, "".join(problems.values()))


def _office_reviewed_if_needed(flow: AttributeFlow) -> State.CONDITION:
    doc = flow.document
    reviewed = doc.office_reviewed_at is not None
    return State.CONDITION(
        reviewed or not rules.needs_office_review(doc.kind, doc.attribute),
        "政策性文件拟依申请公开或不予公开的，须先经政务公开工作机构审查。",
    )


def _secrecy_cleared(flow: AttributeFlow) -> State.CONDITION:
    latest = flow.document.secrecy_reviews.order_by("-reviewed_on", "-id").first()
    if latest is None:
        return State.CONDITION(False, "拟公开的文件须先经保密审查，记录审查意见。")
    return State.CONDITION(
        latest.conclusion == latest.Conclusion.CLEARED,
        f"保密审查意见为“{latest.get_conclusion_display()}”，不能公开。",
    )


# -- targets -------------------------------------------------------------------------------------


def _after_proposal(flow: AttributeFlow, *args, attribute: str = "", **kwargs) -> str:
    if rules.needs_office_review(flow.document.kind, attribute):
        return S.OFFICE_REVIEW
    return S.PROPOSED


def _by_attribute(flow: AttributeFlow, *args, attribute: str = "", **kwargs) -> str:
    attribute = attribute or flow.document.attribute
    return S.AWAITING_PUBLICATION if attribute == rules.PROACTIVE else S.RESTRICTED


def _allowed(action: str):
    def permission(flow: AttributeFlow, user) -> bool:
        return flow.permission_problem(action, user) is None

    return permission


class AttributeFlow:
    """The attribute state machine of one ``Document`` (see the module docstring)."""

    state = State(S, default=S.UNDETERMINED)

    def __init__(self, document: Document):
        self.document = document
        self.changes: list[dict] = []
        self._pending: dict = {}

    def permission_problem(self, action: str, user) -> str | None:
        return permissions.problem(
            user, action, agency=self.document.agency, unit=self.document.drafting_unit
        )

    @state.getter()
    def _get_state(self) -> str:
        return self.document.attribute_state

    @state.setter()
    def _set_state(self, value: str) -> None:
        self.document.attribute_state = value

    @state.on_success()
    def _record(self, descriptor, source, target, *, actor, at: datetime, **kwargs) -> None:
        pending, self._pending = self._pending, {}
        doc = self.document
        self.changes.append(
            {
                "document_id": doc.pk,
                "at": at,
                "actor_id": actor.pk if getattr(actor, "is_authenticated", False) else None,
                "source": pending["source"],
                "from_state": source,
                "to_state": target,
                "from_attribute": pending["before"],
                "to_attribute": doc.attribute,
                "reason": pending.get("reason", ""),
                "legal_basis": doc.legal_basis if doc.attribute in rules.NON_PROACTIVE else "",
                "review_item_id": pending.get("review_item_id"),
                "determination_id": pending.get("determination_id"),
            }
        )

    def _begin(self, source: str, reason: str = "", **links) -> None:
        self._pending = {"source": source, "before": self.document.attribute, "reason": reason}
        self._pending.update(links)

    def _set_attribute(self, attribute: str, reasons: str, ground: str, law: str) -> None:
        doc = self.document
        doc.attribute = attribute
        non_proactive = attribute in rules.NON_PROACTIVE
        doc.attribute_reasons = reasons.strip()
        doc.attribute_ground = ground if non_proactive else ""
        doc.attribute_law = law.strip() if non_proactive and ground == rules.OTHER_LAW else ""

    # -- drafting (DOMAIN §4.1) ------------------------------------------------------------------

    @state.transition(
        source=S.UNDETERMINED,
        target=State.GET_STATE(_after_proposal, states=[S.PROPOSED, S.OFFICE_REVIEW]),
        conditions=[_not_issued],
        permission=_allowed("propose"),
        label="提出公开属性建议",
    )
    def propose(
        self,
        *,
        actor,
        at: datetime,
        attribute: str,
        reasons: str = "",
        ground: str = "",
        law: str = "",
    ) -> None:
        """The drafter proposes the attribute, with reasons and legal ground when non-proactive;
        a policy document proposed non-proactive goes to the disclosure office first."""
        doc = self.document
        _check(
            rules.attribute_problems(
                kind=doc.kind, attribute=attribute, reasons=reasons, ground=ground, law=law
            )
        )
        self._begin(Source.DRAFTING, reasons.strip())
        self._set_attribute(attribute, reasons, ground, law)
        doc.proposed_by, doc.proposed_at = actor, at
        doc.office_reviewed_by, doc.office_reviewed_at, doc.office_review_opinion = None, None, ""

    @state.transition(
        source=S.OFFICE_REVIEW,
        target=S.PROPOSED,
        permission=_allowed("office_review"),
        label="政务公开工作机构审查同意",
    )
    def office_approve(self, *, actor, at: datetime, opinion: str = "") -> None:
        """The disclosure office agrees that the policy document need not be proactive."""
        self._begin(Source.OFFICE_REVIEW, opinion.strip() or "审查同意")
        doc = self.document
        doc.office_reviewed_by, doc.office_reviewed_at = actor, at
        doc.office_review_opinion = opinion.strip() or "审查同意"

    @state.transition(
        source=S.OFFICE_REVIEW,
        target=S.UNDETERMINED,
        permission=_allowed("office_review"),
        label="政务公开工作机构退回",
    )
    def office_return(self, *, actor, at: datetime, opinion: str) -> None:
        """The disclosure office sends the proposal back to the drafter with its opinion."""
        if not opinion.strip():
            raise ValidationError({"opinion": "退回时请写明审查意见，供拟稿人修改。"})
        self._begin(Source.OFFICE_REVIEW, opinion.strip())
        doc = self.document
        doc.office_review_opinion = opinion.strip()
        doc.attribute = ""

    @state.transition(
        source=S.PROPOSED,
        target=State.GET_STATE(_by_attribute, states=[S.AWAITING_PUBLICATION, S.RESTRICTED]),
        conditions=[_attribute_complete, _office_reviewed_if_needed],
        permission=_allowed("confirm"),
        label="确认公开属性",
    )
    def confirm(self, *, actor, at: datetime, comment: str = "") -> None:
        """The drafting unit's head confirms the attribute when approving the document (签发)."""
        self._begin(Source.CONFIRMATION, comment.strip() or self.document.attribute_reasons)
        self.document.confirmed_by, self.document.confirmed_at = actor, at

    @state.transition(
        source=S.PROPOSED,
        target=S.UNDETERMINED,
        permission=_allowed("return"),
        label="退回公开属性建议",
    )
    def send_back(self, *, actor, at: datetime, comment: str) -> None:
        """The head sends the proposal back to the drafter."""
        if not comment.strip():
            raise ValidationError({"comment": "退回时请写明意见，供拟稿人修改。"})
        self._begin(Source.CONFIRMATION, comment.strip())
        self.document.attribute = ""

    # -- publication (DOMAIN §4.2) -------------------------------------------------------------

    @state.transition(
        source=S.AWAITING_PUBLICATION,
        target=S.PUBLISHED,
        conditions=[_issued, _secrecy_cleared],
        permission=_allowed("publish"),
        label="登记主动公开",
    )
    def publish(self, *, actor, at: datetime, where: str = "") -> None:
        """The document was published (after issuance and a secrecy review that cleared it)."""
        self._begin(Source.PUBLICATION, where)

    @state.transition(
        source=S.PUBLISHED,
        target=S.AWAITING_PUBLICATION,
        permission=_allowed("withdraw_publication"),
        label="撤下公开页面",
    )
    def withdraw(self, *, actor, at: datetime, reason: str) -> None:
        """The published page was taken down (an error, a version replaced). A proactive
        document must stay public (Art. 26), so it awaits publication again; only a yearly
        review, a determination or its classification changes that, never a takedown."""
        if not reason.strip():
            raise ValidationError({"reason": "请写明撤下公开页面的原因。"})
        self._begin(Source.PUBLICATION, reason.strip())

    # -- later changes (DOMAIN §4.3, §4.4) -----------------------------------------------------

    @state.transition(
        source=S.RESTRICTED,
        target=State.GET_STATE(_by_attribute, states=[S.AWAITING_PUBLICATION, S.RESTRICTED]),
        permission=_allowed("review_decide"),
        label="年度复核变更公开属性",
    )
    def review_change(
        self,
        *,
        actor,
        at: datetime,
        attribute: str,
        reasons: str,
        ground: str = "",
        law: str = "",
        review_item_id: int | None = None,
    ) -> None:
        """A yearly-review decision changes the attribute (to proactive, or between on-request
        and withheld)."""
        doc = self.document
        if attribute == doc.attribute:
            raise ValidationError({"attribute": "变更后的公开属性与现在相同。"})
        _check(
            rules.attribute_problems(
                kind=doc.kind, attribute=attribute, reasons=reasons, ground=ground, law=law
            )
        )
        self._begin(Source.REVIEW, reasons.strip(), review_item_id=review_item_id)
        self._set_attribute(attribute, reasons, ground, law)

    @state.transition(
        source=S.UNDETERMINED,
        target=State.GET_STATE(_by_attribute, states=[S.AWAITING_PUBLICATION, S.RESTRICTED]),
        conditions=[_issued],
        permission=_allowed("determine"),
        label="认定公开属性",
    )
    def determine(
        self,
        *,
        actor,
        at: datetime,
        attribute: str,
        reasons: str,
        ground: str = "",
        law: str = "",
        determination_id: int | None = None,
    ) -> None:
        """The drafting unit determines the attribute of an issued document without one."""
        doc = self.document
        _check(
            rules.attribute_problems(
                kind=doc.kind, attribute=attribute, reasons=reasons, ground=ground, law=law
            )
        )
        self._begin(Source.DETERMINATION, reasons.strip(), determination_id=determination_id)
        self._set_attribute(attribute, reasons, ground, law)
        doc.confirmed_by, doc.confirmed_at = actor, at

    @state.transition(
        source=[S.UNDETERMINED, S.PROPOSED, S.OFFICE_REVIEW, S.AWAITING_PUBLICATION, S.RESTRICTED],
        target=S.CLASSIFIED,
        permission=_allowed("classify"),
        label="转为涉密文件",
    )
    def classify(self, *, actor, at: datetime, reason: str) -> None:
        """The document is a state secret: it is handled as classified and leaves the system."""
        if not reason.strip():
            raise ValidationError({"reason": "请写明转为涉密文件的依据（定密决定等）。"})
        self._begin(Source.CLASSIFICATION, reason.strip())
        self.document.attribute = ""
        self.document.secrecy = Document.Secrecy.CLASSIFIED


#: Transition name -> the permission action that guards it.
TRANSITION_ACTIONS = {
    "propose": "propose",
    "office_approve": "office_review",
    "office_return": "office_review",
    "confirm": "confirm",
    "send_back": "return",
    "publish": "publish",
    "withdraw": "withdraw_publication",
    "review_change": "review_decide",
    "determine": "determine",
    "classify": "classify",
}
