"""The register: drafting units, documents' particulars, and
the files of their final text and interpretation material."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from attributes_app import permissions, rules
from attributes_app.audit_actions import AuditAction
from attributes_app.models import HAS_EXTERNAL_ID, HAS_NUMBER, CatalogueItem, Document, DraftingUnit
from attributes_app.services._common import S, StaleDocument, _audit, _locked, _title
from workflow.actors import Actor
from workflow.audit import audit
from workflow.cn import cn_date
from workflow.models import Agency
from workflow.text_input import NAME, clean_name, too_long

# -- drafting units ----------------------------------------------------------------------------


def drafting_unit_save(
    *,
    actor: Actor,
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
                action=AuditAction.DRAFTING_UNIT_SAVED,
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
        errors["kind"] = "请选择文件类型：政策性文件、规章、行政规范性文件或其他公文。"
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


def validate_document(
    data: DocumentData, *, agency: Agency, today: date, unit: DraftingUnit | None = None
) -> dict[str, str]:
    """Every problem of ``data`` for ``agency``, by field, in Chinese. ``unit``: the agency's
    unit of ``data.drafting_unit_id`` when the caller has just read it (not read again)."""
    errors = document_problems(data, today=today)
    known = unit is not None and unit.pk == data.drafting_unit_id and unit.agency_id == agency.pk
    if (
        not known
        and not DraftingUnit.objects.filter(pk=data.drafting_unit_id, agency=agency).exists()
    ):
        errors["drafting_unit_id"] = f"请选择{agency.name}的起草单位。"
    if (
        data.catalogue_item_id is not None
        and not CatalogueItem.objects.filter(pk=data.catalogue_item_id, agency=agency).exists()
    ):
        errors["catalogue_item_id"] = "请选择本机关公开事项目录中的事项。"
    number = data.number.strip()
    if number and Document.objects.filter(HAS_NUMBER, agency=agency, number=number).exists():
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


def new_document(
    agency: Agency,
    data: DocumentData,
    *,
    actor: Actor,
    drafter: Actor | None = None,
    now: datetime,
) -> Document:
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
    *,
    actor: Actor,
    agency: Agency,
    data: DocumentData,
    file=None,
    today: date | None = None,
    external: dict | None = None,
) -> Document:
    """Enter a document in the register: a new draft, or an older, already issued document.

    ``external``: what an external system (OA, ``services.oa``) says beyond ``data`` — its
    ``external_system`` and ``external_id``, its ``drafter_name``, a ``drafter`` it named —
    stored with the entry."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    try:  # by its key, without ``first()``'s ordering (the same row or none)
        unit = DraftingUnit.objects.get(pk=data.drafting_unit_id, agency=agency)
    except DraftingUnit.DoesNotExist:
        unit = None
    permissions.require(actor, "register", agency=agency, unit=unit)
    errors = validate_document(data, agency=agency, today=today, unit=unit)
    if errors:
        raise ValidationError(errors)
    drafter = actor if permissions.is_unit_member(actor, unit) else None
    try:
        with transaction.atomic():
            document = new_document(agency, data, actor=actor, drafter=drafter, now=now)
            document.drafting_unit = unit
            for field, value in (external or {}).items():
                setattr(document, field, value)
            document.save()
            if file is not None:
                document.file.save(file.name, file, save=True)
            _audit(
                actor,
                AuditAction.DOCUMENT_REGISTERED,
                document,
                reason="登记已印发的文件" if data.issued_on else "登记文稿",
            )
    except IntegrityError:
        if external and external.get("external_id"):
            twin = Document.objects.filter(
                HAS_EXTERNAL_ID,
                agency=agency,
                external_system=external.get("external_system", ""),
                external_id=external["external_id"],
            )
            if twin.exists():
                # Another push of the same document registered it first (both found none).
                raise StaleDocument(
                    "另一次调用刚刚登记了这份文件，请重新读取（GET）后再推送修改。"
                ) from None
        raise ValidationError({"number": "本机关已有使用该文号的文件，请核对。"}) from None
    return document


def document_update(
    *, actor: Actor, document_id: int, data: DocumentData, today: date | None = None
) -> Document:
    """Correct a draft's particulars before it is issued.

    The kind may change only while no attribute is proposed: a proposal was checked (and perhaps
    reviewed by the disclosure office) for the kind it had.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        return update_locked(_locked(document_id), actor=actor, data=data, today=today)


def update_locked(document: Document, *, actor: Actor, data: DocumentData, today: date) -> Document:
    """``document_update`` on a document the caller holds locked in its own transaction (an OA
    push locks it first, ``services.oa``): the same checks and audit event, without reading the
    row again."""
    permissions.require(actor, "update", agency=document.agency, unit=document.drafting_unit)
    if document.attribute_state == S.CLASSIFIED:
        raise StaleDocument(f"{_title(document)}已转为涉密文件，不在本系统办理。")
    if document.is_issued:
        raise StaleDocument(
            f"{_title(document)}已于{cn_date(document.issued_on)}印发，不能再修改；"
            "效力变化请登记效力状态。"
        )
    errors = validate_document(
        DocumentData(**{**data.__dict__, "number": ""}),
        agency=document.agency,
        today=today,
        unit=document.drafting_unit,
    )
    number = data.number.strip()
    if (
        number
        and Document.objects.filter(HAS_NUMBER, agency=document.agency, number=number)
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
    _audit(actor, AuditAction.DOCUMENT_UPDATED, document, data={"changed": changed})
    return document


def document_attach_text(*, actor: Actor, document_id: int, file) -> Document:
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
        _audit(actor, AuditAction.DOCUMENT_TEXT_ATTACHED, document, reason=document.file.name)
    return document


def document_attach_interpretation(*, actor: Actor, document_id: int, file) -> Document:
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
            AuditAction.DOCUMENT_INTERPRETATION_ATTACHED,
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
