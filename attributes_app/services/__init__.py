"""State changes of documents and their disclosure attributes: one service per change (STYLE.md).

Every service is keyword-only with an explicit ``actor``, runs in one transaction, re-reads what it
changes under a row lock, checks the actor's permission (``attributes_app.permissions``) and the
current state, makes the change, and writes the audit event (and, for the attribute, its
``AttributeChange`` history row). Errors:

- ``ValidationError``: bad input, keyed by field where there is one, in Chinese;
- ``IssueRefused`` (a ``ValidationError``): the document may not be issued (不予发文), with why;
- ``PermissionError``: the actor may not do this (other agency, wrong role, another unit);
- ``StaleDocument`` / ``StaleReview``: the state no longer allows the step; usually someone else
  acted first. The message says what the state is now.

The yearly review's services work on thousands of rows at once: set-based queries, bulk inserts
and updates, history and audit rows in bulk, and the same checks as the single-row path.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from viewflow.fsm import NoTransition, TransitionConditionsUnmet

from attributes_app import permissions, rules
from attributes_app.deadline_sync import (
    apply_due,
    apply_interpretation,
    interpretation_due,
    new_publication,
    policy_of,
    publication_due,
)
from attributes_app.flows import TRANSITION_ACTIONS, AttributeFlow
from attributes_app.models import (
    ArchiveTransfer,
    AttributeChange,
    AttributeReview,
    AttributeState,
    CatalogueItem,
    Determination,
    Document,
    DocumentRequestLink,
    DraftingUnit,
    Publication,
    ReviewItem,
    SecrecyReview,
)
from workflow.audit import audit, audit_bulk, audit_row
from workflow.bulk import insert_rows
from workflow.calendar import get_calendar
from workflow.cn import cn_date
from workflow.models import Agency
from workflow.text_input import NAME, clean_name, too_long

S = AttributeState
CHUNK = 2000  # ids per IN (…) list: well under SQLite's and PostgreSQL's parameter limits


class StaleDocument(Exception):
    """The document's state does not allow this step (now). The message says what it is."""


class StaleReview(Exception):
    """The review or its items moved on before this action; the message says how."""


class IssueRefused(ValidationError):
    """不予发文: the document may not be issued; the message gives the reason (DOMAIN §4.1)."""


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


def _audit(actor, action: str, document: Document, *, before: str = "", reason="", data=None):
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


# -- units and the catalogue -------------------------------------------------------------------


def drafting_unit_save(
    *,
    actor,
    agency: Agency,
    name: str,
    members: Iterable = (),
    heads: Iterable = (),
    unit_id: int | None = None,
) -> DraftingUnit:
    """Create or change a drafting unit with its members and heads (administrators).

    Members and heads must work for the agency: a unit cannot lend its documents to outsiders.
    """
    permissions.require(actor, "manage_units", agency=agency)
    name = clean_name(name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写起草单位名称。"})
    if len(name) > NAME:
        raise ValidationError({"name": too_long("起草单位名称", NAME, len(name))})
    members, heads = list(members), list(heads)
    staff = set(agency.staff.values_list("pk", flat=True))
    strangers = [u for u in members + heads if u.pk not in staff]
    if strangers:
        names = "、".join(sorted({u.get_username() for u in strangers}))
        raise ValidationError(
            {"members": f"{names}不是{agency.name}的工作人员，不能加入起草单位。"}
        )
    try:
        with transaction.atomic():
            if unit_id is None:
                unit = DraftingUnit.objects.create(agency=agency, name=name)
                before = ""
            else:
                unit = DraftingUnit.objects.select_for_update().get(pk=unit_id, agency=agency)
                before = unit.name
                unit.name = name
                unit.save(update_fields=["name"])
            unit.members.set(members)
            unit.heads.set(heads)
            audit(
                actor=actor,
                action="drafting_unit_saved",
                obj=unit,
                agency=agency,
                from_state=before,
                to_state=name,
                data={
                    "members": sorted(u.get_username() for u in members),
                    "heads": sorted(u.get_username() for u in heads),
                },
            )
    except IntegrityError:
        raise ValidationError({"name": f"{agency.name}已有名为“{name}”的起草单位。"}) from None
    return unit


@dataclass(kw_only=True)
class CatalogueItemData:
    name: str
    content: str
    legal_basis: str
    default_attribute: str = rules.PROACTIVE
    publication_days: int | None = None


def catalogue_item_save(
    *, actor, agency: Agency, data: CatalogueItemData, item_id: int | None = None
) -> CatalogueItem:
    """Create or change an item of the catalogue of disclosure items (DOMAIN §5)."""
    permissions.require(actor, "manage_catalogue", agency=agency)
    errors: dict[str, str] = {}
    for field, label in (
        ("name", "事项名称"),
        ("content", "公开内容"),
        ("legal_basis", "公开依据"),
    ):
        if not getattr(data, field).strip():
            errors[field] = f"请填写{label}。"
    if data.default_attribute not in rules.ATTRIBUTE_LABELS:
        errors["default_attribute"] = "请选择默认公开属性。"
    if data.publication_days is not None and not 1 <= data.publication_days <= 60:
        errors["publication_days"] = "公开时限应为1至60个工作日；留空则按本机关的主动公开期限。"
    if errors:
        raise ValidationError(errors)
    values = {f.name: getattr(data, f.name) for f in fields(CatalogueItemData)}
    values.update(name=data.name.strip(), content=data.content.strip())
    try:
        with transaction.atomic():
            if item_id is None:
                item = CatalogueItem.objects.create(agency=agency, **values)
            else:
                item = CatalogueItem.objects.select_for_update().get(pk=item_id, agency=agency)
                for key, value in values.items():
                    setattr(item, key, value)
                item.save()
            audit(actor=actor, action="catalogue_item_saved", obj=item, agency=agency)
    except IntegrityError:
        raise ValidationError({"name": "本机关的目录中已有同名事项。"}) from None
    return item


# -- the document register ---------------------------------------------------------------------


@dataclass(kw_only=True)
class DocumentData:
    """What is recorded of a document at registration (and while it is a draft)."""

    title: str
    drafting_unit_id: int
    kind: str = rules.OTHER_KIND
    number: str = ""
    formed_on: date | None = None
    #: Only for an older document registered after it was issued (its attribute is then set by
    #: a determination, DOMAIN §4.4); new documents are issued through ``document_issue``.
    issued_on: date | None = None
    secrecy: str = Document.Secrecy.UNDETERMINED
    effective_on: date | None = None
    catalogue_item_id: int | None = None
    #: An older document may already have been amended, have expired or been repealed.
    validity: str = Document.Validity.IN_FORCE
    validity_changed_on: date | None = None
    validity_note: str = ""


#: The register's text limits (the model's columns), said in the same words as the forms'.
TEXT_LIMITS = (
    ("title", "文件标题", 300),
    ("number", "文号", 60),
    ("validity_note", "效力说明", 300),
)


def document_problems(data: DocumentData, *, today: date) -> dict[str, str]:
    """The problems of ``data`` that need no database, by field, in Chinese: what is missing,
    a classified document, dates in the future or out of order, validity without its date.

    ``validate_document`` adds the agency's units, catalogue and numbers; the spreadsheet import
    of older documents runs this per row and looks those up once for the whole file."""
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = "请填写文件标题。"
    for field, label, limit in TEXT_LIMITS:
        length = len(getattr(data, field).strip())
        if length > limit:
            errors.setdefault(field, too_long(label, limit, length))
    if data.kind not in Document.Kind.values:
        errors["kind"] = "请选择文件类型：政策性文件、行政规范性文件或其他公文。"
    if data.secrecy == Document.Secrecy.CLASSIFIED:
        errors["secrecy"] = "涉密文件不在本系统登记和办理，请按保密管理规定处理。"
    elif data.secrecy not in Document.Secrecy.values:
        errors["secrecy"] = "请选择密级状态。"
    for field, label in (("formed_on", "成文日期"), ("issued_on", "印发日期")):
        value = getattr(data, field)
        if value is not None and value > today:
            errors[field] = f"{label}（{cn_date(value)}）晚于今天，请核对。"
    if data.formed_on and data.issued_on and data.issued_on < data.formed_on:
        errors["issued_on"] = "印发日期不能早于成文日期。"
    validity = _validity_problems(data.validity, data.validity_changed_on, data.issued_on, today)
    if "changed_on" in validity:
        validity["validity_changed_on"] = validity.pop("changed_on")
    errors.update(validity)
    return errors


def number_taken(number: str) -> str:
    """The message for a 文号 the agency has already used (the register's unique constraint)."""
    return f"本机关已有文号为“{number}”的文件，请核对。"


def validate_document(data: DocumentData, *, agency: Agency, today: date) -> dict[str, str]:
    """Every problem of ``data`` for ``agency``, by field, in Chinese."""
    errors = document_problems(data, today=today)
    if not DraftingUnit.objects.filter(pk=data.drafting_unit_id, agency=agency).exists():
        errors["drafting_unit_id"] = f"请选择{agency.name}的起草单位。"
    if (
        data.catalogue_item_id is not None
        and not CatalogueItem.objects.filter(pk=data.catalogue_item_id, agency=agency).exists()
    ):
        errors["catalogue_item_id"] = "请选择本机关公开事项目录中的事项。"
    number = data.number.strip()
    if number and Document.objects.filter(agency=agency, number=number).exists():
        errors.setdefault("number", number_taken(number))
    return errors


def _validity_problems(
    validity: str, changed: date | None, issued_on: date | None, today: date
) -> dict[str, str]:
    """What is wrong with a validity and the date of its change (keys ``validity`` and
    ``changed_on``): at registration and when the validity is recorded later."""
    if validity not in Document.Validity.values:
        return {"validity": "请选择效力状态：有效、已修改、已失效或已废止。"}
    if validity == Document.Validity.IN_FORCE:
        return {}
    if issued_on is None:
        return {"validity": "尚未印发的文稿不能登记为已修改、已失效或已废止。"}
    label = Document.Validity(validity).label.removeprefix("已")
    if changed is None:
        return {"changed_on": f"请填写文件{label}的日期。"}
    if changed > today:
        return {"changed_on": f"{label}日期（{cn_date(changed)}）晚于今天，请核对。"}
    if changed < issued_on:
        return {"changed_on": f"{label}日期不能早于印发日期（{cn_date(issued_on)}）。"}
    return {}


def new_document(agency: Agency, data: DocumentData, *, actor, drafter=None, now) -> Document:
    """The unsaved register entry for ``data`` (checked already): one place for what is stored,
    for the page's registration and the spreadsheet import alike."""
    in_force = data.validity == Document.Validity.IN_FORCE
    return Document(
        agency=agency,
        drafting_unit_id=data.drafting_unit_id,
        drafter=drafter,
        title=data.title.strip(),
        number=data.number.strip(),
        kind=data.kind,
        formed_on=data.formed_on,
        issued_on=data.issued_on,
        secrecy=data.secrecy,
        effective_on=data.effective_on,
        catalogue_item_id=data.catalogue_item_id,
        validity=data.validity,
        validity_changed_on=None if in_force else data.validity_changed_on,
        validity_note=data.validity_note.strip(),
        created_by=actor,
        created_at=now,
    )


def document_register(
    *, actor, agency: Agency, data: DocumentData, file=None, today: date | None = None
) -> Document:
    """Enter a document in the register: a new draft, or an older, already issued document."""
    today = today or timezone.localdate()
    unit = DraftingUnit.objects.filter(pk=data.drafting_unit_id, agency=agency).first()
    permissions.require(actor, "register", agency=agency, unit=unit)
    errors = validate_document(data, agency=agency, today=today)
    if errors:
        raise ValidationError(errors)
    drafter = actor if permissions.is_unit_member(actor, unit) else None
    try:
        with transaction.atomic():
            document = new_document(agency, data, actor=actor, drafter=drafter, now=timezone.now())
            document.save()
            if file is not None:
                document.file.save(file.name, file, save=True)
            _audit(
                actor,
                "document_registered",
                document,
                reason="登记已印发的文件" if data.issued_on else "登记文稿",
            )
    except IntegrityError:
        raise ValidationError({"number": "本机关已有使用该文号的文件，请核对。"}) from None
    return document


def document_update(
    *, actor, document_id: int, data: DocumentData, today: date | None = None
) -> Document:
    """Correct a draft's particulars before it is issued.

    The kind may change only while no attribute is proposed: a proposal was checked (and perhaps
    reviewed by the disclosure office) for the kind it had.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        document = _locked(document_id)
        permissions.require(actor, "update", agency=document.agency, unit=document.drafting_unit)
        if document.attribute_state == S.CLASSIFIED:
            raise StaleDocument(f"{_title(document)}已转为涉密文件，不在本系统办理。")
        if document.is_issued:
            raise StaleDocument(
                f"{_title(document)}已于{cn_date(document.issued_on)}印发，不能再修改；"
                "效力变化请登记效力状态。"
            )
        errors = validate_document(
            DocumentData(**{**data.__dict__, "number": ""}), agency=document.agency, today=today
        )
        number = data.number.strip()
        if (
            number
            and Document.objects.filter(agency=document.agency, number=number)
            .exclude(pk=document.pk)
            .exists()
        ):
            errors["number"] = number_taken(number)
        if data.kind != document.kind and document.attribute_state != S.UNDETERMINED:
            errors["kind"] = "已提出公开属性建议的文件不能修改文件类型；请先退回建议。"
        if data.drafting_unit_id != document.drafting_unit_id:
            new_unit = DraftingUnit.objects.filter(pk=data.drafting_unit_id).first()
            if new_unit is not None:
                permissions.require(actor, "update", agency=document.agency, unit=new_unit)
        if errors:
            raise ValidationError(errors)
        changed = {}
        for field in (
            "title",
            "number",
            "kind",
            "formed_on",
            "effective_on",
            "catalogue_item_id",
            "drafting_unit_id",
            "secrecy",
        ):
            value = getattr(data, field)
            value = value.strip() if isinstance(value, str) else value
            if getattr(document, field) != value:
                changed[field] = str(value) if value is not None else ""
                setattr(document, field, value)
        document.save()
        _audit(actor, "document_updated", document, data={"changed": changed})
    return document


def document_attach_text(*, actor, document_id: int, file) -> Document:
    """Attach (or replace) the file of the document's final text."""
    with transaction.atomic():
        document = _locked(document_id)
        permissions.require(
            actor, "attach_text", agency=document.agency, unit=document.drafting_unit
        )
        if document.attribute_state == S.CLASSIFIED:
            raise StaleDocument(f"{_title(document)}已转为涉密文件，不在本系统保存正文。")
        old = document.file.name if document.file else ""
        document.file.save(file.name, file, save=False)
        document.save(update_fields=["file", "updated_at"])
        if old and old != document.file.name:
            storage = document.file.storage
            transaction.on_commit(lambda: storage.delete(old))
        _audit(actor, "document_text_attached", document, reason=document.file.name)
    return document


def document_attach_interpretation(*, actor, document_id: int, file) -> Document:
    """Attach (or replace) the interpretation material approved with a policy document, where
    the agency's policy requires it before issuance (DOMAIN §4.2; Xiaoyi: 同步审签)."""
    with transaction.atomic():
        document = _locked(document_id)
        permissions.require(
            actor, "attach_text", agency=document.agency, unit=document.drafting_unit
        )
        if document.attribute_state == S.CLASSIFIED:
            raise StaleDocument(f"{_title(document)}已转为涉密文件，不在本系统保存材料。")
        if not rules.needs_interpretation(document.kind):
            raise ValidationError(
                {"interpretation_file": "只有政策性文件需要随文报送政策解读材料。"}
            )
        old = document.interpretation_file.name if document.interpretation_file else ""
        document.interpretation_file.save(file.name, file, save=False)
        document.save(update_fields=["interpretation_file", "updated_at"])
        if old and old != document.interpretation_file.name:
            storage = document.interpretation_file.storage
            transaction.on_commit(lambda: storage.delete(old))
        _audit(
            actor,
            "document_interpretation_attached",
            document,
            reason=document.interpretation_file.name,
        )
    return document


def interpretation_missing(document: Document) -> bool:
    """The agency has the interpretation approved with a policy document and none is attached."""
    return (
        rules.needs_interpretation_with_document(document.kind, document.agency.interpretation_days)
        and not document.interpretation_file
    )


# -- attribute transitions (DOMAIN §4.1) -------------------------------------------------------

_SPECIAL_REFUSALS = {
    ("confirm", S.OFFICE_REVIEW): "政策性文件拟依申请公开或不予公开的，须先经政务公开工作机构审查，"
    "审查同意后才能确认。",
    (
        "propose",
        S.PROPOSED,
    ): "公开属性建议已经提出，等待起草单位负责人确认；需要修改的，请负责人退回。",
    ("publish", S.RESTRICTED): "该文件的公开属性为依申请公开或不予公开，不能主动公开。",
    ("determine", S.PROPOSED): "该文件正在拟稿中，公开属性由起草单位负责人在签发时确认。",
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
    document: Document, name: str, *, actor, doing: str, now: datetime, **kwargs
) -> AttributeChange:
    """Run one transition of the attribute state machine on a locked document, then save it,
    its history row and the audit event. Order of checks: permission, state, conditions."""
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
        action=f"attribute_{name}",
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
        },
        at=now,
    )
    return change


def attribute_propose(
    *, actor, document_id: int, attribute: str, reasons: str = "", ground: str = "", law: str = ""
) -> Document:
    """The drafter proposes the attribute of a draft (DOMAIN §4.1).

    On-request and withheld need reasons and a legal ground; a policy document proposed so goes
    to the disclosure office (state ``office_review``) before its head can confirm it.
    """
    with transaction.atomic():
        document = _locked(document_id)
        _transition(
            document,
            "propose",
            actor=actor,
            doing="提出公开属性建议",
            now=timezone.now(),
            attribute=attribute,
            reasons=reasons,
            ground=ground,
            law=law,
        )
    return document


def attribute_office_approve(*, actor, document_id: int, opinion: str = "") -> Document:
    """The disclosure office (office_head) agrees with a policy document's non-proactive
    attribute; the proposal goes on to the drafting unit's head."""
    with transaction.atomic():
        document = _locked(document_id)
        _transition(
            document,
            "office_approve",
            actor=actor,
            doing="审查",
            now=timezone.now(),
            opinion=opinion,
        )
    return document


def attribute_office_return(*, actor, document_id: int, opinion: str) -> Document:
    """The disclosure office sends the proposal back to the drafter with its opinion."""
    with transaction.atomic():
        document = _locked(document_id)
        _transition(
            document,
            "office_return",
            actor=actor,
            doing="退回",
            now=timezone.now(),
            opinion=opinion,
        )
    return document


def attribute_confirm(
    *,
    actor,
    document_id: int,
    formed_on: date | None = None,
    comment: str = "",
    today: date | None = None,
) -> Document:
    """The drafting unit's head confirms the attribute when approving the document (签发).

    The formation date (成文日期) is the day of approval unless already recorded (GB/T 9704
    7.3.5.3). A proactive document gets its publication obligation, counted from that date
    (Art. 26) or, under an hours rule, from issuance.
    """
    today = today or timezone.localdate()
    _not_in_future(formed_on, today, "formed_on", "成文日期")
    now = timezone.now()
    with transaction.atomic():
        document = _locked(document_id)
        document.formed_on = formed_on or document.formed_on or today
        _transition(
            document, "confirm", actor=actor, doing="确认公开属性", now=now, comment=comment
        )
        if document.attribute_state == S.AWAITING_PUBLICATION:
            new_publication(
                document,
                source=Publication.Source.DRAFTING,
                start_on=document.formed_on,
                start_at=document.issued_at,
                changed=False,
                now=now,
            ).save()
    return document


def attribute_send_back(*, actor, document_id: int, comment: str) -> Document:
    """The drafting unit's head returns the proposal to the drafter."""
    with transaction.atomic():
        document = _locked(document_id)
        _transition(
            document, "send_back", actor=actor, doing="退回", now=timezone.now(), comment=comment
        )
    return document


def issue_refusal_of(document: Document) -> str | None:
    """Why ``document`` may not be issued now (不予发文), or None: its attribute first, then its
    final text and its secrecy status. The page asks the same, so it offers no form to refuse."""
    return rules.issue_refusal(
        state=document.attribute_state,
        kind=document.kind,
        attribute=document.attribute,
        reasons=document.attribute_reasons,
        ground=document.attribute_ground,
        law=document.attribute_law,
        interpretation_missing=interpretation_missing(document),
    ) or rules.issue_prerequisites_refusal(has_text=bool(document.file), secrecy=document.secrecy)


def document_issue(
    *,
    actor,
    document_id: int,
    issued_on: date | None = None,
    number: str | None = None,
    today: date | None = None,
) -> Document:
    """Record that the document was issued (印发), or refuse (不予发文, DOMAIN §4.1).

    Refused when the attribute is not proposed, not confirmed, still with the disclosure office,
    or non-proactive without reasons and legal ground; and when the final text is not uploaded
    or the secrecy status not decided. A refusal is itself recorded in the audit
    log (Xiaoyi: every case of a document without secrecy status or attribute is reported).
    An hours-rule publication deadline starts now (or, recorded for an earlier day, at the start
    of that day, which never gives more time).
    """
    today = today or timezone.localdate()
    issued_on = issued_on or today
    _not_in_future(issued_on, today, "issued_on", "印发日期")
    now = timezone.now()
    refusal = None
    with transaction.atomic():
        document = _locked(document_id)
        permissions.require(actor, "issue", agency=document.agency, unit=document.drafting_unit)
        if document.is_issued:
            raise StaleDocument(f"{_title(document)}已于{cn_date(document.issued_on)}登记印发。")
        refusal = issue_refusal_of(document)
        if refusal is None:
            if document.formed_on and issued_on < document.formed_on:
                raise ValidationError(
                    {"issued_on": f"印发日期不能早于成文日期（{cn_date(document.formed_on)}）。"}
                )
            if number is not None and number.strip():
                number = number.strip()
                taken = Document.objects.filter(agency=document.agency, number=number).exclude(
                    pk=document.pk
                )
                if taken.exists():
                    raise ValidationError({"number": f"本机关已有文号为“{number}”的文件。"})
                document.number = number
            document.issued_on = issued_on
            document.issued_at = (
                now
                if issued_on == today
                else timezone.make_aware(datetime.combine(issued_on, time(0)))
            )
            document.issued_by = actor
            document.save()
            publication = Publication.objects.select_for_update().filter(document=document).first()
            if publication is not None and publication.published_on is None:
                publication.start_at = document.issued_at
                apply_due(
                    publication,
                    publication_due(publication, document=document, agency=document.agency),
                )
                publication.save()
            _audit(
                actor,
                "document_issued",
                document,
                reason=f"{cn_date(issued_on)}印发，{document.mark}",
                data={"number": document.number},
            )
            return document
    # After the transaction: the refusal is recorded although nothing changed.
    audit(
        actor=actor,
        action="document_issue_refused",
        obj=document,
        agency=document.agency,
        from_state=document.attribute_state,
        to_state=document.attribute_state,
        reason=refusal,
    )
    raise IssueRefused(refusal)


# -- secrecy review and publication (DOMAIN §4.1, §4.2) ----------------------------------------


def secrecy_review_record(
    *,
    actor,
    document_id: int,
    conclusion: str,
    opinion: str,
    reviewed_on: date | None = None,
    today: date | None = None,
) -> SecrecyReview:
    """Record a secrecy review (保密审查) with its opinion; required before publication."""
    today = today or timezone.localdate()
    reviewed_on = reviewed_on or today
    _not_in_future(reviewed_on, today, "reviewed_on", "审查日期")
    if conclusion not in SecrecyReview.Conclusion.values:
        raise ValidationError({"conclusion": "请选择审查结论。"})
    if not opinion.strip():
        raise ValidationError({"opinion": "请写明保密审查意见。"})
    with transaction.atomic():
        document = _locked(document_id)
        permissions.require(actor, "secrecy_review", agency=document.agency)
        if document.attribute_state in (S.CLASSIFIED, S.PUBLISHED):
            raise StaleDocument(
                f"{_title(document)}{document.get_attribute_state_display()}，不需要保密审查。"
            )
        review = SecrecyReview.objects.create(
            document=document,
            reviewer=actor,
            reviewed_on=reviewed_on,
            conclusion=conclusion,
            opinion=opinion.strip(),
            recorded_at=timezone.now(),
        )
        if (
            conclusion == SecrecyReview.Conclusion.CLEARED
            and document.secrecy == Document.Secrecy.UNDETERMINED
        ):
            document.secrecy = Document.Secrecy.NON_SECRET
            document.save(update_fields=["secrecy", "updated_at"])
        _audit(
            actor,
            "secrecy_reviewed",
            document,
            reason=f"{review.get_conclusion_display()}：{review.opinion}",
        )
    return review


def _validate_publication(url: str, channel: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    try:
        URLValidator(schemes=["http", "https"])(url.strip())
    except ValidationError:
        errors["url"] = "请填写公开页面的完整网址，以 http:// 或 https:// 开头。"
    if channel not in Publication.Channel.values:
        errors["channel"] = "请选择公开渠道。"
    return errors


def document_publish(
    *,
    actor,
    document_id: int,
    url: str,
    channel: str = Publication.Channel.PORTAL,
    published_on: date | None = None,
    today: date | None = None,
) -> Publication:
    """Record that a proactive document was published: where (URL, channel) and when.

    Requires issuance and a secrecy review that cleared the document. A policy document's
    interpretation deadline then starts (DOMAIN §4.2).
    """
    today = today or timezone.localdate()
    published_on = published_on or today
    _not_in_future(published_on, today, "published_on", "公开日期")
    errors = _validate_publication(url, channel)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        document = _locked(document_id)
        if document.issued_on and published_on < document.issued_on:
            raise ValidationError({"published_on": "公开日期不能早于印发日期。"})
        _transition(
            document,
            "publish",
            actor=actor,
            doing="登记主动公开",
            now=now,
            where=f"{Publication.Channel(channel).label} {url.strip()}",
        )
        publication = Publication.objects.select_for_update().get(document=document)
        publication.published_on = published_on
        publication.url = url.strip()
        publication.channel = channel
        publication.published_by = actor
        publication.published_late = publication.due_on is not None and (
            published_on > publication.due_on
        )
        apply_interpretation(publication, interpretation_due(publication, agency=document.agency))
        publication.save()
    return publication


def interpretation_record(
    *,
    actor,
    document_id: int,
    title: str,
    url: str,
    published_on: date | None = None,
    today: date | None = None,
) -> Publication:
    """Record the publication of a policy document's interpretation (政策解读), linked to it."""
    today = today or timezone.localdate()
    published_on = published_on or today
    _not_in_future(published_on, today, "published_on", "解读公开日期")
    errors = _validate_publication(url, Publication.Channel.PORTAL)
    if not title.strip():
        errors["title"] = "请填写解读材料的标题。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        document = _locked(document_id)
        permissions.require(
            actor, "interpretation", agency=document.agency, unit=document.drafting_unit
        )
        publication = Publication.objects.select_for_update().filter(document=document).first()
        if publication is None or not publication.interpretation_required:
            raise StaleDocument(f"{_title(document)}不是需要解读的政策性文件。")
        if publication.published_on is None:
            raise StaleDocument(f"{_title(document)}尚未公开；请先登记文件的公开，再登记解读。")
        if publication.interpretation_published_on is not None:
            raise StaleDocument(
                f"{_title(document)}的解读已于{cn_date(publication.interpretation_published_on)}"
                "登记公开。"
            )
        if published_on < publication.published_on:
            raise ValidationError({"published_on": "解读的公开日期不能早于文件的公开日期。"})
        publication.interpretation_title = title.strip()
        publication.interpretation_url = url.strip()
        publication.interpretation_published_on = published_on
        publication.interpretation_late = publication.interpretation_due_on is not None and (
            published_on > publication.interpretation_due_on
        )
        publication.save()
        _audit(actor, "interpretation_published", document, reason=f"{title.strip()} {url}")
    return publication


def document_mark_classified(
    *, actor, document_id: int, reason: str, on: date | None = None, today: date | None = None
) -> Document:
    """The document is classified (涉密): it leaves the system, with a record that it did.

    Its final text is deleted from the system once the change commits; a pending publication is
    withdrawn and open yearly-review items are withdrawn. Title and number stay in the register.
    """
    today = today or timezone.localdate()
    on = on or today
    _not_in_future(on, today, "on", "转为涉密日期")
    now = timezone.now()
    with transaction.atomic():
        document = _locked(document_id)
        _transition(document, "classify", actor=actor, doing="转为涉密文件", now=now, reason=reason)
        document.classified_on = on
        document.classified_by = actor
        document.classified_reason = reason.strip()
        old_file = document.file.name if document.file else ""
        document.file = ""
        document.save()
        if old_file:
            storage = Document._meta.get_field("file").storage
            transaction.on_commit(lambda: storage.delete(old_file))
        Publication.objects.filter(document=document, published_on__isnull=True).update(
            withdrawn_on=on
        )
        ReviewItem.objects.filter(
            document=document,
            status__in=[ReviewItem.Status.WITH_UNIT, ReviewItem.Status.PROPOSED],
        ).update(status=ReviewItem.Status.WITHDRAWN)
    return document


def document_set_validity(
    *,
    actor,
    document_id: int,
    validity: str,
    changed_on: date | None = None,
    note: str = "",
    today: date | None = None,
) -> Document:
    """Record that an issued document was amended, expired or repealed (or is in force again)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        document = _locked(document_id)
        permissions.require(actor, "validity", agency=document.agency, unit=document.drafting_unit)
        if not document.is_issued:
            raise StaleDocument(f"{_title(document)}尚未印发，没有效力状态可言。")
        problems = _validity_problems(validity, changed_on, document.issued_on, today)
        if problems:
            raise ValidationError(problems)
        before = document.get_validity_display()
        document.validity = validity
        document.validity_changed_on = (
            None if validity == Document.Validity.IN_FORCE else changed_on
        )
        document.validity_note = note.strip()
        document.save()
        audit(
            actor=actor,
            action="document_validity_changed",
            obj=document,
            agency=document.agency,
            from_state=before,
            to_state=document.get_validity_display(),
            reason=note.strip(),
        )
    return document


def document_record_process_decision(
    *, actor, document_id: int, decided_on: date, note: str = "", today: date | None = None
) -> Document:
    """Record that the decision a process-information document prepared has been made (the
    yearly review's signal: the reason for not publishing it may have lapsed, Art. 16 ¶2)."""
    today = today or timezone.localdate()
    _not_in_future(decided_on, today, "decided_on", "决定作出日期")
    with transaction.atomic():
        document = _locked(document_id)
        permissions.require(
            actor, "process_decision", agency=document.agency, unit=document.drafting_unit
        )
        if document.attribute_ground != rules.PROCESS_INFO:
            raise ValidationError(
                {"decided_on": f"{_title(document)}不是以过程性信息为由不主动公开的文件。"}
            )
        document.process_decided_on = decided_on
        document.save(update_fields=["process_decided_on", "updated_at"])
        _audit(
            actor,
            "process_decision_recorded",
            document,
            reason=f"所涉决定已于{cn_date(decided_on)}作出。{note.strip()}",
        )
    return document


# -- requests and determinations (Art. 44; DOMAIN §4.4) ----------------------------------------


def _request_of(request_id: int, agency: Agency):
    from requests_app.models import InformationRequest

    request = InformationRequest.objects.filter(pk=request_id).first()
    if request is None or request.agency_id != agency.pk:
        raise ValidationError({"request_id": "申请和文件不属于同一机关，不能关联。"})
    return request


def document_link_request(*, actor, document_id: int, request_id: int) -> DocumentRequestLink:
    """Record that an information request concerns a document (used by the Art. 44 signal)."""
    with transaction.atomic():
        document = _locked(document_id)
        permissions.require(actor, "link_request", agency=document.agency)
        request = _request_of(request_id, document.agency)
        if DocumentRequestLink.objects.filter(document=document, request=request).exists():
            raise ValidationError({"request_id": f"申请{request.case_number}已关联这份文件。"})
        link = DocumentRequestLink.objects.create(
            document=document, request=request, created_by=actor, created_at=timezone.now()
        )
        _audit(
            actor,
            "document_linked_to_request",
            document,
            reason=f"申请{request.case_number}涉及该文件",
            data={"request_id": request.pk, "case_number": request.case_number},
        )
    return link


def document_unlink_request(*, actor, document_id: int, request_id: int) -> None:
    """Remove a link entered by mistake."""
    with transaction.atomic():
        document = _locked(document_id)
        permissions.require(actor, "link_request", agency=document.agency)
        deleted, _ = DocumentRequestLink.objects.filter(
            document=document, request_id=request_id
        ).delete()
        if not deleted:
            raise StaleDocument("这份文件与该申请没有关联（可能已被他人取消）。")
        _audit(
            actor,
            "document_unlinked_from_request",
            document,
            data={"request_id": request_id},
        )


def attribute_determine(
    *,
    actor,
    document_id: int,
    attribute: str,
    reasons: str,
    ground: str = "",
    law: str = "",
    request_id: int | None = None,
    decided_on: date | None = None,
    today: date | None = None,
) -> Determination:
    """The drafting unit determines the attribute of an issued document that has none, by letter
    to the disclosure office (公函, DOMAIN §4.4), usually because a request concerns it.

    Goes through the state machine's ``determine`` transition (source: determination). A request
    named here is linked to the document. A proactive result creates the publication obligation,
    counted from the determination (Art. 26: "from its change").
    """
    today = today or timezone.localdate()
    decided_on = decided_on or today
    _not_in_future(decided_on, today, "decided_on", "认定日期")
    if not reasons.strip():
        raise ValidationError({"reasons": "请写明认定的理由。"})
    now = timezone.now()
    with transaction.atomic():
        document = _locked(document_id)
        permissions.require(actor, "determine", agency=document.agency, unit=document.drafting_unit)
        flow = AttributeFlow(document)
        if not flow.determine.can_proceed(check_conditions=False):
            raise _stale(document, "determine", "认定公开属性")
        transfer = ArchiveTransfer.objects.filter(document=document).first()
        if transfer is not None:
            raise StaleDocument(
                f"{_title(document)}已于{cn_date(transfer.transferred_on)}移交"
                f"{transfer.archive_name}，按照《中华人民共和国档案法》的规定利用，"
                "不再认定公开属性。"
            )
        errors = rules.attribute_problems(
            kind=document.kind, attribute=attribute, reasons=reasons, ground=ground, law=law
        )
        if errors:
            raise ValidationError(errors)
        request = _request_of(request_id, document.agency) if request_id else None
        determination = Determination.objects.create(
            document=document,
            request=request,
            attribute=attribute,
            reasons=reasons.strip(),
            ground=ground if attribute in rules.NON_PROACTIVE else "",
            law=law.strip() if attribute in rules.NON_PROACTIVE else "",
            decided_by=actor,
            decided_on=decided_on,
            decided_at=now,
        )
        _transition(
            document,
            "determine",
            actor=actor,
            doing="认定公开属性",
            now=now,
            attribute=attribute,
            reasons=reasons,
            ground=ground,
            law=law,
            determination_id=determination.pk,
        )
        if request is not None:
            DocumentRequestLink.objects.get_or_create(
                document=document,
                request=request,
                defaults={"created_by": actor, "created_at": now},
            )
        if document.attribute_state == S.AWAITING_PUBLICATION:
            new_publication(
                document,
                source=Publication.Source.DETERMINATION,
                start_on=decided_on,
                start_at=now,
                changed=True,
                now=now,
                determination=determination,
            ).save()
    return determination


# -- the yearly review (DOMAIN §4.3) -----------------------------------------------------------


def _applicant_key():
    """One applicant: the ID number, else the credit code, else the name (as registered)."""
    return Coalesce(
        NullIf(F("request__id_number"), Value("")),
        NullIf(F("request__credit_code"), Value("")),
        F("request__applicant_name"),
    )


def review_open(
    *,
    actor,
    agency: Agency,
    year: int,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> AttributeReview:
    """Open the yearly review of ``agency`` for ``year``: collect every on-request and withheld
    document, flag the signals of DOMAIN §4.3, and send each item to its drafting unit.

    One open review per agency at a time, one per year (both enforced by the database, so two
    legal reviewers opening at once get one review and one clear refusal). ``progress``, when
    given, is called with the number of documents gathered so far, every ``CHUNK`` documents.
    """
    today = today or timezone.localdate()
    permissions.require(actor, "review_open", agency=agency)
    if not 2000 <= year <= today.year:
        raise ValidationError({"year": f"复核年度应在2000年至{today.year}年之间。"})
    if AttributeReview.objects.filter(agency=agency, status=AttributeReview.Status.OPEN).exists():
        raise StaleReview(f"{agency.name}还有尚未结束的年度复核，请先结束后再启动新的复核。")
    if AttributeReview.objects.filter(agency=agency, year=year).exists():
        raise StaleReview(f"{agency.name}{year}年度的复核已经启动过。")
    now = timezone.now()
    threshold = agency.review_applicant_threshold
    age_years = agency.review_age_years
    try:
        with transaction.atomic():
            review = AttributeReview.objects.create(
                agency=agency,
                year=year,
                applicant_threshold=threshold,
                age_years=age_years,
                opened_by=actor,
                opened_at=now,
            )
            # A document transferred to the archives is used under the Archives Law; the
            # agency no longer holds it, so its attribute is no longer the agency's to review.
            restricted = Document.objects.filter(
                agency=agency, attribute_state=S.RESTRICTED, archive_transfer__isnull=True
            )
            applicants = dict(
                DocumentRequestLink.objects.filter(
                    document__agency=agency,
                    document__attribute_state=S.RESTRICTED,
                    document__archive_transfer__isnull=True,
                    request__outcome__in=rules.DISCLOSING_OUTCOMES,
                )
                .values("document_id")
                .annotate(n=Count(_applicant_key(), distinct=True))
                .values_list("document_id", "n")
            )
            counts: Counter[str] = Counter()

            def items():
                for row in restricted.values_list(
                    "pk",
                    "drafting_unit_id",
                    "attribute",
                    "attribute_ground",
                    "process_decided_on",
                    "formed_on",
                    "issued_on",
                    "validity",
                ).iterator(chunk_size=CHUNK):
                    pk, unit_id, attribute, ground, decided_on, formed, issued, validity = row
                    counts["gathered"] += 1
                    if progress is not None and counts["gathered"] % CHUNK == 0:
                        progress(counts["gathered"])
                    signals = rules.review_signals(
                        year=year,
                        applicants=applicants.get(pk, 0),
                        applicant_threshold=threshold,
                        ground=ground,
                        process_decided_on=decided_on,
                        formed_on=formed or issued,
                        age_years=age_years,
                        validity=validity,
                    )
                    counts.update(signals.codes())
                    counts["flagged"] += signals.any
                    yield {
                        "review_id": review.pk,
                        "document_id": pk,
                        "drafting_unit_id": unit_id,
                        "attribute": attribute,
                        "applicants": applicants.get(pk, 0),
                        "signal_requests": signals.requests,
                        "signal_process_decided": signals.process_decided,
                        "signal_aged": signals.aged,
                        "signal_invalid": signals.invalid,
                        "flagged": signals.any,
                        "status": ReviewItem.Status.WITH_UNIT,
                    }

            counts["items"] = insert_rows(ReviewItem, items())
            audit(
                actor=actor,
                action="review_opened",
                obj=review,
                agency=agency,
                from_state="",
                to_state=review.status,
                reason=f"纳入复核{counts['items']}件，其中有提示的{counts['flagged']}件",
                data={
                    "items": counts["items"],
                    "signals": {k: n for k, n in counts.items() if k not in ("items", "gathered")},
                },
                at=now,
            )
    except IntegrityError:
        raise StaleReview(
            f"{agency.name}的年度复核刚刚由他人启动，或者还有尚未结束的复核，请刷新页面查看。"
        ) from None
    return review


@dataclass(kw_only=True)
class ReviewProposal:
    """A drafting unit's proposal on a reviewed document: keep, or change to ``attribute``."""

    verdict: str
    reasons: str
    attribute: str = ""
    ground: str = ""
    law: str = ""


@dataclass(kw_only=True)
class ReviewDecision:
    """The legal office's decision on one or many reviewed documents (one shared reason)."""

    verdict: str
    reason_code: str
    reasons: str
    attribute: str = ""
    ground: str = ""
    law: str = ""


@dataclass(frozen=True)
class BulkResult:
    """What a bulk action did: how many items, and how many documents changed attribute."""

    items: int
    changed: int = 0
    publications: int = 0


def _locked_review(review_id: int) -> AttributeReview:
    try:
        review = (
            AttributeReview.objects.select_for_update(of=("self",))
            .select_related("agency")
            .get(pk=review_id)
        )
    except AttributeReview.DoesNotExist:
        raise ValidationError("没有找到这次年度复核。") from None
    return review


def _require_open(review: AttributeReview) -> None:
    if review.status != AttributeReview.Status.OPEN:
        raise StaleReview(f"{review.year}年度复核已经结束，不能再修改。")


def _lock_items(review: AttributeReview, item_ids: Sequence[int]) -> list[dict]:
    """Lock and read the items ``item_ids`` of ``review``; all must exist in it."""
    ids = sorted(set(item_ids))
    if not ids:
        raise ValidationError({"items": "请至少选择一项。"})
    rows: list[dict] = []
    for chunk in _chunks(ids):
        rows.extend(
            ReviewItem.objects.select_for_update(of=("self",))
            .filter(review=review, pk__in=chunk)
            .values(
                "pk",
                "document_id",
                "drafting_unit_id",
                "status",
                "attribute",
                "document__kind",
                "document__title",
            )
        )
    if len(rows) != len(ids):
        raise ValidationError({"items": f"有{len(ids) - len(rows)}项不属于{review.year}年度复核。"})
    return rows


def _examples(rows: list[dict], limit: int = 3) -> str:
    titles = [f"《{row['document__title']}》" for row in rows[:limit]]
    more = f"等{len(rows)}件" if len(rows) > limit else ""
    return "、".join(titles) + more


def review_propose(*, actor, item_id: int, proposal: ReviewProposal) -> BulkResult:
    """A member of the document's drafting unit proposes keep or change, with reasons."""
    item = ReviewItem.objects.filter(pk=item_id).values("review_id").first()
    if item is None:
        raise ValidationError("没有找到这项复核。")
    return review_propose_bulk(
        actor=actor, review_id=item["review_id"], item_ids=[item_id], proposal=proposal
    )


def review_propose_bulk(
    *, actor, review_id: int, item_ids: Sequence[int], proposal: ReviewProposal
) -> BulkResult:
    """A drafting unit proposes the same keep/change, with one shared reason, for many items.

    The actor must be a member (or head) of every item's unit. An item may be proposed again
    until it is decided. All or nothing: any item that cannot take the proposal refuses all.
    """
    now = timezone.now()
    with transaction.atomic():
        review = _locked_review(review_id)
        agency = review.agency
        if not permissions.works_for(actor, agency):
            raise PermissionError(f"您不是{agency.name}的工作人员，不能办理其复核。")
        _require_open(review)
        rows = _lock_items(review, item_ids)
        units = {row["drafting_unit_id"] for row in rows}
        for unit in DraftingUnit.objects.filter(pk__in=units):
            permissions.require(actor, "review_propose", agency=agency, unit=unit)
        done = [r for r in rows if r["status"] not in (ReviewItem.Status.WITH_UNIT, "proposed")]
        if done:
            raise StaleReview(f"{_examples(done)}已经作出决定或已移出复核，不能再提出意见。")
        problems: dict[str, str] = {}
        refused: list[dict] = []
        for row in rows:
            found = rules.review_verdict_problems(
                kind=row["document__kind"],
                current=row["attribute"],
                verdict=proposal.verdict,
                attribute=proposal.attribute,
                reasons=proposal.reasons,
                ground=proposal.ground,
                law=proposal.law,
            )
            if found:
                problems.update(found)
                refused.append(row)
        if problems:
            if len(rows) > 1:
                problems["items"] = f"{_examples(refused)}不能按这一意见处理。"
            raise ValidationError(problems)
        change = proposal.verdict == rules.CHANGE
        non_proactive = change and proposal.attribute in rules.NON_PROACTIVE
        values = {
            "status": ReviewItem.Status.PROPOSED,
            "proposal": proposal.verdict,
            "proposed_attribute": proposal.attribute if change else "",
            "proposal_reasons": proposal.reasons.strip(),
            "proposed_ground": proposal.ground if non_proactive else "",
            "proposed_law": proposal.law.strip() if non_proactive else "",
            "proposed_by": actor,
            "proposed_at": now,
        }
        ids = [row["pk"] for row in rows]
        for chunk in _chunks(ids):
            ReviewItem.objects.filter(pk__in=chunk).update(**values)
        audit_bulk(
            [
                audit_row(
                    actor=actor,
                    action="review_item_proposed",
                    object_type=ReviewItem._meta.label_lower,
                    object_id=str(row["pk"]),
                    object_repr=f"{review.year}年度复核：《{row['document__title']}》"[:200],
                    agency=agency,
                    from_state=row["status"],
                    to_state=ReviewItem.Status.PROPOSED,
                    reason=proposal.reasons.strip(),
                    data={"verdict": proposal.verdict, "attribute": proposal.attribute},
                    at=now,
                )
                for row in rows
            ]
        )
    return BulkResult(items=len(rows))


def review_decide(*, actor, item_id: int, decision: ReviewDecision) -> BulkResult:
    """The legal office decides one reviewed document (see ``review_decide_bulk``)."""
    item = ReviewItem.objects.filter(pk=item_id).values("review_id").first()
    if item is None:
        raise ValidationError("没有找到这项复核。")
    return review_decide_bulk(
        actor=actor, review_id=item["review_id"], item_ids=[item_id], decision=decision
    )


def review_decide_bulk(
    *, actor, review_id: int, item_ids: Sequence[int], decision: ReviewDecision
) -> BulkResult:
    """The legal office decides many reviewed documents at once, with one shared reason.

    Every item must have its unit's proposal and no decision yet; every document to change must
    still be restricted with the attribute it had when the review opened. All or nothing: two
    officers deciding overlapping items at once get one success and one clear refusal.

    A change goes through the state machine's ``review_change`` for each document (history row
    with the review item as its source); a change to proactive creates the publication
    obligation, counted from the decision (Art. 26: "from its change").
    """
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        review = _locked_review(review_id)
        agency = review.agency
        permissions.require(actor, "review_decide", agency=agency)
        _require_open(review)
        base = rules.review_verdict_problems(
            kind=rules.OTHER_KIND,
            current="",
            verdict=decision.verdict,
            attribute=decision.attribute,
            reason_code=decision.reason_code,
            reasons=decision.reasons,
            ground=decision.ground,
            law=decision.law,
        )
        if base:
            raise ValidationError(base)
        rows = _lock_items(review, item_ids)
        decided = [r for r in rows if r["status"] in ("decided", "withdrawn")]
        if decided:
            raise StaleReview(
                f"{_examples(decided)}已经作出决定或已移出复核（可能已有其他人办理），请刷新页面查看。"
            )
        waiting = [r for r in rows if r["status"] == ReviewItem.Status.WITH_UNIT]
        if waiting:
            raise ValidationError({"items": f"起草单位尚未对{_examples(waiting)}提出意见。"})
        change = decision.verdict == rules.CHANGE
        changed = publications = 0
        if change:
            changed, publications = _apply_review_change(review, rows, decision, actor, now, today)
        non_proactive = change and decision.attribute in rules.NON_PROACTIVE
        values = {
            "status": ReviewItem.Status.DECIDED,
            "decision": decision.verdict,
            "decided_attribute": decision.attribute if change else "",
            "reason_code": decision.reason_code,
            "decision_reason": decision.reasons.strip(),
            "decided_ground": decision.ground if non_proactive else "",
            "decided_law": decision.law.strip() if non_proactive else "",
            "decided_by": actor,
            "decided_at": now,
        }
        ids = [row["pk"] for row in rows]
        for chunk in _chunks(ids):
            ReviewItem.objects.filter(pk__in=chunk).update(**values)
        label = rules.VERDICT_LABELS[decision.verdict]
        audit_bulk(
            [
                audit_row(
                    actor=actor,
                    action="review_item_decided",
                    object_type=ReviewItem._meta.label_lower,
                    object_id=str(row["pk"]),
                    object_repr=f"{review.year}年度复核：《{row['document__title']}》"[:200],
                    agency=agency,
                    from_state=row["attribute"],
                    to_state=decision.attribute if change else row["attribute"],
                    reason=f"{label}：{decision.reasons.strip()}",
                    data={
                        "verdict": decision.verdict,
                        "reason_code": decision.reason_code,
                        "document_id": row["document_id"],
                    },
                    at=now,
                )
                for row in rows
            ]
        )
    return BulkResult(items=len(rows), changed=changed, publications=publications)


def _apply_review_change(
    review: AttributeReview,
    rows: list[dict],
    decision: ReviewDecision,
    actor,
    now: datetime,
    today: date,
) -> tuple[int, int]:
    """Change the documents of ``rows`` to ``decision.attribute`` through the state machine."""
    item_of = {row["document_id"]: row["pk"] for row in rows}
    attribute_at_open = {row["document_id"]: row["attribute"] for row in rows}
    documents: list[Document] = []
    for chunk in _chunks(sorted(item_of)):
        documents.extend(
            Document.objects.select_for_update(of=("self",))
            .filter(pk__in=chunk)
            .select_related("catalogue_item")
            .only(
                "pk",
                "agency_id",
                "title",
                "kind",
                "attribute",
                "attribute_state",
                "attribute_reasons",
                "attribute_ground",
                "attribute_law",
                "number",
                "catalogue_item__publication_days",
            )
        )
    moved = [
        d
        for d in documents
        if d.attribute_state != S.RESTRICTED or d.attribute != attribute_at_open[d.pk]
    ]
    if moved:
        raise StaleReview(
            f"{_examples([{'document__title': d.title} for d in moved])}的公开属性在复核期间已经"
            "变化（转为涉密或另行认定），请单独处理。"
        )
    changes: list[dict] = []
    refused: list[dict] = []
    problems: dict[str, str] = {}
    targets = set()
    for document in documents:
        flow = AttributeFlow(document)
        try:
            flow.review_change(
                actor=actor,
                at=now,
                attribute=decision.attribute,
                reasons=decision.reasons,
                ground=decision.ground,
                law=decision.law,
                review_item_id=item_of[document.pk],
            )
        except ValidationError as error:
            problems.update(error.message_dict)
            refused.append({"document__title": document.title})
            continue
        targets.add(document.attribute_state)
        changes.extend(flow.changes)
    if problems:
        if len(documents) > 1:
            problems["items"] = f"{_examples(refused)}不能按这一决定变更。"
        raise ValidationError(problems)
    # One decision gives every document the same attribute, reasons and state: one UPDATE.
    (target_state,) = targets
    first = documents[0]
    for chunk in _chunks([d.pk for d in documents]):
        Document.objects.filter(pk__in=chunk).update(
            attribute=first.attribute,
            attribute_reasons=first.attribute_reasons,
            attribute_ground=first.attribute_ground,
            attribute_law=first.attribute_law,
            attribute_state=target_state,
            updated_at=now,
        )
    insert_rows(AttributeChange, changes)
    by_pk = {d.pk: d for d in documents}
    audit_bulk(
        audit_row(
            actor=actor,
            action="attribute_review_change",
            object_type=Document._meta.label_lower,
            object_id=str(change["document_id"]),
            object_repr=str(by_pk[change["document_id"]]),
            agency=review.agency_id,
            from_state=change["from_state"],
            to_state=change["to_state"],
            reason=change["reason"],
            data={
                "from_attribute": change["from_attribute"],
                "to_attribute": change["to_attribute"],
                "source": change["source"],
                "review_item_id": change["review_item_id"],
            },
            at=now,
        )
        for change in changes
    )
    if target_state != S.AWAITING_PUBLICATION:
        return len(documents), 0
    # Art. 26: published within the period "from its change". Every document of the decision
    # starts together, so the deadline differs only by a catalogue item's own time limit.
    policy = policy_of(review.agency)
    calendar = get_calendar(review.agency_id)
    tz = timezone.get_default_timezone()
    deadlines: dict[int | None, rules.Deadline | None] = {}
    publications = []
    for document in documents:
        days = document.catalogue_item.publication_days if document.catalogue_item else None
        if days not in deadlines:
            deadlines[days] = rules.publication_deadline(
                policy,
                calendar=calendar,
                tz=tz,
                start_on=today,
                start_at=now,
                changed=True,
                item_days=days,
            )
        deadline = deadlines[days]
        publications.append(
            {
                "document_id": document.pk,
                "agency_id": review.agency_id,
                "source": Publication.Source.REVIEW,
                "review_item_id": item_of[document.pk],
                "start_on": today,
                "start_at": now,
                "changed": True,
                "due_on": deadline.due_on,
                "due_at": deadline.due_at,
                "at_risk_from": deadline.at_risk_from,
                "provisional": deadline.provisional,
                "explanation": deadline.explanation,
                "interpretation_required": rules.needs_interpretation(document.kind),
                "created_at": now,
            }
        )
    return len(documents), insert_rows(Publication, publications)


def review_close(*, actor, review_id: int):
    """Close the review once every item is decided; store and return its report data
    (DOMAIN §4.3 step 4: reviewed, kept, changed, by reason and unit; the non-proactive share
    by year; the list of changes)."""
    from attributes_app.selectors import review_report

    now = timezone.now()
    with transaction.atomic():
        review = _locked_review(review_id)
        permissions.require(actor, "review_close", agency=review.agency)
        _require_open(review)
        open_items = review.items.filter(
            status__in=[ReviewItem.Status.WITH_UNIT, ReviewItem.Status.PROPOSED]
        ).count()
        if open_items:
            raise ValidationError(f"还有{open_items}项尚未作出复核决定，不能结束复核。")
        report = review_report(review)
        review.status = AttributeReview.Status.CLOSED
        review.closed_by = actor
        review.closed_at = now
        review.report = report.as_data()
        review.save(update_fields=["status", "closed_by", "closed_at", "report"])
        audit(
            actor=actor,
            action="review_closed",
            obj=review,
            agency=review.agency,
            from_state=AttributeReview.Status.OPEN,
            to_state=AttributeReview.Status.CLOSED,
            reason=f"复核{report.reviewed}件，维持{report.kept}件，变更{report.changed}件",
            at=now,
        )
    return report


__all__ = [
    "BulkResult",
    "CatalogueItemData",
    "DocumentData",
    "IssueRefused",
    "ReviewDecision",
    "ReviewProposal",
    "StaleDocument",
    "StaleReview",
    "attribute_confirm",
    "attribute_determine",
    "attribute_office_approve",
    "attribute_office_return",
    "attribute_propose",
    "attribute_send_back",
    "catalogue_item_save",
    "document_attach_interpretation",
    "document_attach_text",
    "document_issue",
    "document_link_request",
    "document_mark_classified",
    "document_problems",
    "document_publish",
    "document_record_process_decision",
    "document_register",
    "document_set_validity",
    "document_unlink_request",
    "document_update",
    "drafting_unit_save",
    "interpretation_record",
    "number_taken",
    "review_close",
    "review_decide",
    "review_decide_bulk",
    "review_open",
    "review_propose",
    "review_propose_bulk",
    "secrecy_review_record",
    "validate_document",
]
