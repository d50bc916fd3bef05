"""A document pushed by the agency's OA system (办文系统) through the API: one call says what the
document is now in OA, and Gongkai catches up through the same services the drafting pages use
(register, update, propose, 签发, 印发), so every rule and every audit event is theirs.

Decisions (docs/api.md):

- A document is known by (agency, the client's ``system_code``, the OA's ``external_id``).
- A field left out of the push (or ``null``) keeps its stored value; the attribute and the steps
  only move forward: a push never withdraws a proposal, a 签发 or a 印发 (DOMAIN §4.3: the
  attribute changes later only by a review decision or a determination). A proposal changed in
  OA before 签发 is returned and proposed again (both steps in the history).
- All or nothing: a push that breaks a rule keeps nothing of itself, so OA can fix it and push
  again. The one exception is 不予发文: the refusal is audited (as ``document_issue`` does) after
  the push is rolled back, because every refusal is reported (DOMAIN §4.1; Xiaoyi).
- A push that says nothing new calls no service, so it writes nothing and no audit event.
- A policy document proposed non-proactive waits in ``office_review``; a 签发 pushed meanwhile is
  not recorded (the state says so), and OA pushes again after the disclosure office agreed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from attributes_app import permissions, rules
from attributes_app.audit_actions import AuditAction
from attributes_app.models import HAS_EXTERNAL_ID, Document, DraftingUnit
from attributes_app.services._common import IssueRefused, S, StaleDocument, _audit
from attributes_app.services.attribute import (
    attribute_confirm,
    attribute_send_back,
    propose_locked,
)
from attributes_app.services.publication import document_issue
from attributes_app.services.register import DocumentData, document_register, update_locked
from workflow.actors import Actor
from workflow.audit import audit
from workflow.cn import cn_date
from workflow.models import Agency
from workflow.text_input import NUL_MESSAGE, PERSON_NAME, too_long

#: The longest id an OA system may give a document.
EXTERNAL_ID = 100
#: The particulars ``document_update`` corrects, as ``DocumentData`` names them.
PARTICULARS = (
    "title",
    "number",
    "kind",
    "drafting_unit_id",
    "formed_on",
    "effective_on",
    "secrecy",
    "catalogue_item_id",
)
SENT_BACK = "办公自动化系统推送了修改后的公开属性建议，原建议退回后重新提出。"


@dataclass(kw_only=True)
class OaDocument:
    """What OA says of a document. ``None`` means "not said": the stored value stays."""

    title: str | None = None
    number: str | None = None
    kind: str | None = None
    drafting_unit_id: int | None = None
    #: The unit by its name, when OA does not know Gongkai's id.
    drafting_unit_name: str | None = None
    #: A Gongkai user of the agency in the unit (then ``Document.drafter``); "" clears it.
    drafter_username: str | None = None
    #: The drafter as OA names them (kept as text).
    drafter_name: str | None = None
    formed_on: date | None = None
    effective_on: date | None = None
    secrecy: str | None = None
    catalogue_item_id: int | None = None
    attribute: str | None = None
    reasons: str | None = None
    ground: str | None = None
    law: str | None = None
    #: 签发: the unit head approved the document in OA (``signed_on`` implies it).
    signed: bool = False
    signed_on: date | None = None
    #: 印发: the document was issued on this day.
    issued_on: date | None = None


def external_id_problem(external_id: str) -> str | None:
    """What is wrong with an OA document id, in Chinese, or None."""
    if "\x00" in external_id:
        return NUL_MESSAGE.format(label="外部编号")
    if not external_id.strip():
        return "请给出文件在外部系统中的编号。"
    if len(external_id) > EXTERNAL_ID:
        return too_long("外部编号", EXTERNAL_ID, len(external_id))
    return None


def _merged(document: Document | None, data: OaDocument, unit_id: int | None) -> DocumentData:
    def value(field: str, default):
        given = unit_id if field == "drafting_unit_id" else getattr(data, field)
        if given is not None:
            return given
        return getattr(document, field) if document is not None else default

    return DocumentData(
        title=value("title", ""),
        drafting_unit_id=value("drafting_unit_id", 0),
        kind=value("kind", rules.OTHER_KIND),
        number=value("number", ""),
        formed_on=value("formed_on", None),
        effective_on=value("effective_on", None),
        secrecy=value("secrecy", Document.Secrecy.UNDETERMINED),
        catalogue_item_id=value("catalogue_item_id", None),
    )


def _unit_id(agency: Agency, data: OaDocument) -> int | None:
    if data.drafting_unit_id is not None or data.drafting_unit_name is None:
        return data.drafting_unit_id
    name = data.drafting_unit_name.strip()
    found = DraftingUnit.objects.filter(agency=agency, name=name).values_list("pk", flat=True)
    if not found:
        raise ValidationError({"drafting_unit_name": f"{agency.name}没有名为“{name}”的起草单位。"})
    return found[0]


def _drafter(agency: Agency, unit_id: int, username: str):
    """The Gongkai user ``username`` when they work for ``agency`` in the unit (else refused)."""
    if not username:
        return None
    user = (
        get_user_model().objects.filter(username=username, pk__in=agency.staff.values("pk")).first()
    )
    if user is None:
        raise ValidationError(
            {"drafter_username": f"{agency.name}没有用户名为“{username}”的工作人员。"}
        )
    unit = DraftingUnit.objects.filter(pk=unit_id, agency=agency).first()
    if unit is None:
        return user  # no such unit: the register refuses the push and says so
    if not permissions.is_unit_member(user, unit):
        raise ValidationError(
            {"drafter_username": f"“{username}”不是{unit.name}的拟稿人员或负责人。"}
        )
    return user


def _proposal(data: OaDocument) -> tuple[str, str, str, str] | None:
    """The proposal as the state machine stores it (``AttributeFlow._set_attribute``)."""
    if not data.attribute:
        return None
    non_proactive = data.attribute in rules.NON_PROACTIVE
    ground = (data.ground or "") if non_proactive else ""
    law = (data.law or "").strip() if non_proactive and ground == rules.OTHER_LAW else ""
    return data.attribute, (data.reasons or "").strip(), ground, law


def one_or_none(queryset):
    """The one row of ``queryset`` (a unique key) or None, without the ORDER BY of ``first()``
    (the model's ordering costs more to compile than the lookup to run)."""
    try:
        return queryset.get()
    except queryset.model.DoesNotExist:
        return None


def _stored_proposal(document: Document) -> tuple[str, str, str, str]:
    return (
        document.attribute,
        document.attribute_reasons,
        document.attribute_ground,
        document.attribute_law,
    )


def documents_locked(
    *, agency: Agency, system_code: str, external_ids: Collection[str]
) -> dict[str, Document]:
    """The documents of ``agency`` that ``system_code`` knows by these ids, by id, locked in the
    caller's transaction (in the order of their keys, so two batches wait rather than deadlock):
    a batch push reads them in one query and hands each to ``document_upsert`` (``locked``)."""
    ids = [i for i in external_ids if not external_id_problem(i)]
    documents = (
        Document.objects.select_for_update(of=("self",))
        .filter(HAS_EXTERNAL_ID, agency=agency, external_system=system_code, external_id__in=ids)
        .order_by("pk")
    )
    found = {}
    for document in documents:
        document.agency = agency  # the rows were found within it
        found[document.external_id] = document
    return found


def document_upsert(
    *,
    actor: Actor,
    agency: Agency,
    system_code: str,
    external_id: str,
    data: OaDocument,
    today: date | None = None,
    precondition: Callable[[Document | None], None] | None = None,
    locked: Mapping[str, Document] | None = None,
) -> tuple[Document, bool]:
    """Create or bring up to date the document OA knows as ``external_id``; returns it and
    whether it was created.

    ``precondition`` is called with the stored document (locked) or None before anything
    changes: the API checks ``If-Match`` there, so that a concurrent change is seen.
    ``locked``: what ``documents_locked`` found for this and other ids, in the caller's
    transaction (an id not in it had no document then); without it the document is looked up
    and locked here.
    """
    today = today or timezone.localdate()
    problem = external_id_problem(external_id)
    if problem:
        raise ValidationError({"external_id": problem})
    if data.drafter_name is not None and len(data.drafter_name.strip()) > PERSON_NAME:
        length = len(data.drafter_name.strip())
        raise ValidationError({"drafter_name": too_long("拟稿人姓名", PERSON_NAME, length)})
    if data.signed_on is not None and data.signed_on > today:
        raise ValidationError(
            {"signed_on": f"签发日期（{cn_date(data.signed_on)}）晚于今天，请核对。"}
        )
    existed: int | None = None
    document: Document | None = None
    try:
        with transaction.atomic():
            # Locked here and handed to the services that work on a locked row. No
            # select_related: most pushes register a new document, and the unit (for the
            # permission checks of an update) is read when needed; the drafter is read only when
            # a push names one to compare.
            if locked is not None:
                document = locked.get(external_id)
            else:
                document = one_or_none(
                    Document.objects.select_for_update(of=("self",)).filter(
                        HAS_EXTERNAL_ID,
                        agency=agency,
                        external_system=system_code,
                        external_id=external_id,
                    )
                )
                if document is not None:
                    document.agency = agency  # the row was found within it
            existed = document.pk if document is not None else None
            if precondition is not None:
                precondition(document)
            document, created = _catch_up(
                actor, agency, system_code, external_id, document, data, today=today
            )
    except IssueRefused as refusal:
        refused = getattr(refusal, "document", document)
        _audit_refusal(actor, agency, system_code, external_id, refused, existed, refusal)
        raise
    return document, created


def _catch_up(
    actor, agency, system_code, external_id, document, data: OaDocument, *, today
) -> tuple[Document, bool]:
    unit_id = _unit_id(agency, data)
    wanted = _merged(document, data, unit_id)
    created = document is None
    proposal = _proposal(data)
    if created:
        external = {
            "external_system": system_code,
            "external_id": external_id,
            "drafter_name": (data.drafter_name or "").strip(),
        }
        if data.drafter_username and data.drafter_username.strip():
            external["drafter"] = _drafter(
                agency, wanted.drafting_unit_id, data.drafter_username.strip()
            )
        document = document_register(
            actor=actor, agency=agency, data=wanted, today=today, external=external
        )
    else:
        if (
            proposal is not None
            and document.attribute_state == S.PROPOSED
            and proposal != _stored_proposal(document)
        ):
            document = attribute_send_back(actor=actor, document_id=document.pk, comment=SENT_BACK)
        if any(getattr(document, f) != _stripped(getattr(wanted, f)) for f in PARTICULARS):
            document = update_locked(document, actor=actor, data=wanted, today=today)
        _update_drafter(actor, agency, document, data)

    if proposal is not None and proposal != _stored_proposal(document):
        document = propose_locked(
            document,
            actor=actor,
            attribute=data.attribute,
            reasons=data.reasons or "",
            ground=data.ground or "",
            law=data.law or "",
        )
    if data.signed or data.signed_on is not None:
        document = _sign(actor, document, data, today=today)
    if data.issued_on is not None and data.issued_on != document.issued_on:
        try:
            document = document_issue(
                actor=actor, document_id=document.pk, issued_on=data.issued_on, today=today
            )
        except IssueRefused as refusal:
            refusal.document = document  # what was refused, for the audit after the rollback
            raise
    return document, created


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


def _update_drafter(actor, agency, document: Document, data: OaDocument) -> None:
    """The drafter as OA names them (text) and as a Gongkai user, when the push changes them."""
    values = {}
    if data.drafter_name is not None and data.drafter_name.strip() != document.drafter_name:
        values["drafter_name"] = data.drafter_name.strip()
    username = data.drafter_username.strip() if data.drafter_username is not None else None
    current = document.drafter.get_username() if document.drafter_id else ""
    if username is not None and username != current:
        values["drafter"] = _drafter(agency, document.drafting_unit_id, username)
    if not values:
        return
    if document.is_issued:
        raise StaleDocument(
            f"《{document.title}》已于{cn_date(document.issued_on)}印发，不能再修改拟稿人。"
        )
    values["updated_at"] = timezone.now()
    Document.objects.filter(pk=document.pk).update(**values)
    for field, value in values.items():
        setattr(document, field, value)
    changed = {"drafter_name": values.get("drafter_name", document.drafter_name)}
    if "drafter" in values:
        changed["drafter"] = username
    _audit(actor, AuditAction.DOCUMENT_UPDATED, document, data={"changed": changed})


def _sign(actor, document: Document, data: OaDocument, *, today: date) -> Document:
    """签发 in OA: the head confirmed the attribute (``attribute_confirm``) when it waits for
    that; a document already confirmed stays as it is."""
    state = document.attribute_state
    if state == S.PROPOSED:
        return attribute_confirm(
            actor=actor,
            document_id=document.pk,
            formed_on=None if document.formed_on else data.signed_on,
            today=today,
        )
    if state == S.UNDETERMINED and data.issued_on is None:
        raise ValidationError(
            {
                "attribute": "签发时应当确认公开属性：请在推送中给出公开属性建议及理由"
                "（未提出公开属性建议的不予发文）。"
            }
        )
    # office_review waits for the disclosure office (the state tells OA); a confirmed or
    # published document was signed already; an undetermined one about to be issued is refused
    # by document_issue with the reason.
    return document


def _audit_refusal(
    actor, agency, system_code, external_id, document, existed, refusal: IssueRefused
) -> None:
    """不予发文 is recorded although the push was rolled back (as ``document_issue`` does)."""
    title = document.title if document is not None else ""
    audit(
        actor=actor,
        action=AuditAction.DOCUMENT_ISSUE_REFUSED,
        object_type=Document._meta.label_lower,
        object_id=str(existed) if existed else "",
        object_repr=f"《{title}》（{system_code}:{external_id}）",
        agency=agency,
        from_state=document.attribute_state if document is not None else "",
        to_state=document.attribute_state if document is not None else "",
        reason=refusal.messages[0],
        data={"external_system": system_code, "external_id": external_id, "kept": bool(existed)},
    )
