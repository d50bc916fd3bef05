"""Online applications awaiting confirmation (Art. 31(3)): submitted, then confirmed or returned.

An application submitted online (by an API client for a portal or hotline system, or on the
public form of issue #16) is received on the day both sides confirm it (以双方确认之日). Until
a registrar confirms it, it is an ``OnlineSubmission`` in the "网上申请待确认" list: no case
number, no clock. Confirming registers the case through ``request_register`` (channel online,
arrival date the day submitted, receipt date the day confirmed: the clock starts then); returning
it ends it with a reason the applicant is told (e.g. a complaint belongs to 12345).

The rules of the particulars are the registration form's (``validate_registration``): an API
client's submission is refused at once for what would stop the registrar from registering it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection, Iterable, Mapping
from dataclasses import fields
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from requests_app import permissions
from requests_app.audit_actions import RequestAction, SubmissionAction
from requests_app.models import (
    SUBMITTED_FIELDS,
    CaseDocument,
    InformationRequest,
    OnlineSubmission,
    SubmissionDocument,
)
from requests_app.models import SubmissionCounter as Counter
from requests_app.services._common import R
from requests_app.services.online_service import issued_to_platform
from requests_app.services.registration import (
    Application,
    Registration,
    _discard,
    request_register,
    validate_registration,
)
from requests_app.uploads import KIND_LABELS, CheckedFile, check_files, check_total
from workflow.actors import Actor
from workflow.api.clients import client_of
from workflow.audit import audit
from workflow.cn import cn_date
from workflow.errors import NotAllowed, Stale
from workflow.models import Agency
from workflow.roles import ROLES
from workflow.text_input import NUL_MESSAGE, clean_name, strip_bidi, too_long

S = OnlineSubmission

EXTERNAL_REF_LIMIT = S._meta.get_field("external_ref").max_length
RETURN_REASON_LIMIT = S._meta.get_field("return_reason").max_length
#: Printable text without spaces at the ends: a client's own reference, e.g. "12345-20260301-0042".
EXTERNAL_REF = re.compile(r"[^\s\x00-\x1f\x7f]([^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?")
MULTI_LINE = ("description", "document_names")


#: Reasons a registrar most often returns an online application for, each saying where the
#: applicant should turn instead (the page offers them; the registrar can edit or write another).
#: An unclear request is not among them: it is registered and corrected (Art. 30).
RETURN_REASONS = (
    (
        "咨询、投诉、举报、信访",
        "您提交的内容属于咨询、投诉、举报或信访事项，不是政府信息公开申请（《条例》第三十九条），"
        "本机关不作为政府信息公开申请处理。请拨打12345政务服务便民热线，或通过信访渠道反映。",
    ),
    (
        "重复提交",
        "您已通过网上提交了相同的申请，本次提交不再重复登记。",
    ),
)


#: What an applicant may attach on the public form: proof of identity (an ID card, a business
#: licence) and other material (a power of attorney above all). Checked as staff uploads are.
PUBLIC_KINDS = (CaseDocument.Kind.ID_PROOF, CaseDocument.Kind.OTHER)


class SubmissionStale(Stale):
    """The submission was confirmed or returned meanwhile: the message says by whom and how."""


#: What an applicant submits online: ``Registration`` without the channel and the dates, which
#: confirmation sets (Art. 31(3)). Field for field the case's (``SUBMITTED_FIELDS``).
OnlineApplication = Application


def registration_of(
    data: OnlineApplication | OnlineSubmission, *, submitted_on: date, receipt_date: date
) -> Registration:
    """The registration of an online application confirmed on ``receipt_date`` (Art. 31(3))."""
    return Registration(
        channel=R.Channel.ONLINE,
        arrival_date=submitted_on,
        receipt_date=receipt_date,
        **{name: getattr(data, name) for name in SUBMITTED_FIELDS},
    )


def _cleaned(data: OnlineApplication) -> OnlineApplication:
    """Invisible characters that could make a name read as something else removed (as the
    registration form does), the numbers upper-cased, the ends of each line trimmed."""
    values = {}
    for item in fields(OnlineApplication):
        value = getattr(data, item.name)
        if isinstance(value, str):
            value = strip_bidi(value) if item.name in MULTI_LINE else clean_name(value)
            value = value.strip()
        values[item.name] = value
    for key in ("id_number", "credit_code", "agent_id_number"):
        values[key] = values[key].upper()
    return OnlineApplication(**values)


def form_problems(data: OnlineApplication) -> dict[str, str]:
    """What the registration form's fields check beyond ``validate_registration`` (the same
    messages): the e-mail address and postcode, and the contact the chosen delivery needs."""
    errors: dict[str, str] = {}
    if data.email and "\x00" not in data.email:
        try:
            validate_email(data.email)
        except ValidationError:
            errors["email"] = "请输入有效的电子邮箱地址，例如 zhang@example.com。"
    if data.postcode and not re.fullmatch(r"\d{6}", data.postcode):
        errors["postcode"] = "邮政编码为6位数字。"
    if data.delivery == R.Delivery.EMAIL and not data.email:
        errors["email"] = "选择电子邮件送达的，请填写电子邮箱。"
    if data.delivery == R.Delivery.POST and not data.address:
        errors["address"] = "选择邮寄送达的，请填写通讯地址。"
    return errors


def external_ref_problem(value: str) -> str | None:
    label = S._meta.get_field("external_ref").verbose_name
    if "\x00" in value:
        return NUL_MESSAGE.format(label=label)
    if len(value) > EXTERNAL_REF_LIMIT:
        return too_long(label, EXTERNAL_REF_LIMIT, len(value))
    if value and not EXTERNAL_REF.fullmatch(value):
        return f"{label}不能含有换行等控制字符，首尾不能有空格。"
    return None


def next_submission_number(agency: Agency, year: int) -> int:
    """The next submission sequence of ``agency`` in ``year``, inside the caller's transaction:
    the counter row stays locked until it ends, so numbers have no gaps and are never reused
    (as ``next_case_number``)."""
    counter, _ = Counter.objects.select_for_update().get_or_create(agency=agency, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def format_submission_number(year: int, sequence: int) -> str:
    """网申2026-000017: told to the applicant, unique within the agency."""
    return f"网申{year}-{sequence:06d}"


def _create_refusal(actor: Actor | None, agency: Agency) -> str | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None  # the public form (issue #16): the applicant, not signed in
    client = client_of(actor)
    if client is None:
        return "工作人员请在“登记申请”中直接登记当面、邮寄等方式收到的申请。"
    if client.agency_id != agency.pk:
        return f"接口客户端只能向本机关提交网上申请，不能向{agency.name}提交。"
    return None


def submission_create(
    *,
    actor: Actor | None,
    agency: Agency,
    data: OnlineApplication,
    external_ref: str = "",
    query_code_hash: str = "",
    attachments: Mapping[str, Iterable] | None = None,
) -> OnlineSubmission:
    """Keep an online application for the registrar to confirm (Art. 31(3)): numbered, not yet
    received, so no case and no clock.

    ``actor``: the API client's user (the client becomes the ``source``), or None for the
    public form. ``external_ref``: the client's own reference, unique per client.
    ``query_code_hash``: the public form's hash of the applicant's query code (issue #16).
    ``attachments``: the public form's files by kind (``PUBLIC_KINDS``), checked as staff
    uploads are, errors keyed ``<kind>_files``; confirming moves them to the case. The
    particulars are checked by the registration's rules as if registered today (channel
    online), so the registrar is not handed one that cannot be registered. Raises
    ``ValidationError`` keyed by field, ``NotAllowed`` for a person or another agency's client.
    """
    now = timezone.now()
    today = timezone.localdate(now)
    refusal = _create_refusal(actor, agency)
    if refusal:
        raise NotAllowed(refusal)
    source = client_of(actor) if actor is not None else None
    data = _cleaned(data)
    external_ref = external_ref or ""
    errors = validate_registration(
        registration_of(data, submitted_on=today, receipt_date=today), today=today
    )
    for name, message in form_problems(data).items():
        errors.setdefault(name, message)
    problem = external_ref_problem(external_ref)
    if problem:
        errors["external_ref"] = problem
    elif external_ref and source is None:
        errors["external_ref"] = "只有接口客户端提交的申请才有来源系统的编号。"
    uploads = _checked_attachments(attachments or {}, errors)
    if errors:
        raise ValidationError(errors)
    stored: list[str] = []
    try:
        with transaction.atomic():
            sequence = next_submission_number(agency, today.year)
            # Under the counter's lock: a client's submissions queue up here (its agency's).
            if external_ref:
                _refuse_known_ref(source, external_ref)
            submission = S.objects.create(
                agency=agency,
                year=today.year,
                sequence=sequence,
                number=format_submission_number(today.year, sequence),
                source=source,
                external_ref=external_ref,
                submitted_at=now,
                submitted_on=today,
                query_code_hash=query_code_hash,
                **{name: getattr(data, name) for name in SUBMITTED_FIELDS},
            )
            audit(
                actor=actor,
                action=SubmissionAction.SUBMISSION_RECEIVED,
                obj=submission,
                agency=agency,
                to_state=S.Status.PENDING,
                reason=(f"{source.name}提交" if source else "申请人在网上提交")
                + (f"，来源编号{external_ref}" if external_ref else ""),
                at=now,
            )
            for kind, checked in uploads:
                _keep_attachments(submission, kind, checked, now=now, stored=stored)
    except IntegrityError:
        _discard(stored)
        # The counter's lock keeps one client's submissions in line; this is the database's
        # unique (source, external_ref) speaking if anything ever got past it.
        if external_ref:
            _refuse_known_ref(source, external_ref)
        raise
    except BaseException:
        _discard(stored)
        raise
    return submission


def _checked_attachments(
    attachments: Mapping[str, Iterable], errors: dict
) -> list[tuple[str, list[CheckedFile]]]:
    uploads: list[tuple[str, list[CheckedFile]]] = []
    for kind, files in attachments.items():
        if kind not in PUBLIC_KINDS:
            raise ValueError(f"{kind} is not attached to an online application")
        files = [f for f in files if f]
        if not files:
            continue
        try:
            uploads.append((kind, check_files(kind, files, label="")))
        except ValidationError as error:
            errors[f"{kind}_files"] = error.messages
    try:
        check_total([c.size for _, checked in uploads for c in checked], label="所附材料")
    except ValidationError as error:
        errors.setdefault("__all__", error.messages)
    return uploads


def _keep_attachments(
    submission: OnlineSubmission, kind: str, checked: list[CheckedFile], *, now, stored: list
) -> None:
    for item in checked:
        document = SubmissionDocument(
            submission=submission,
            kind=kind,
            original_name=item.name,
            file_type=item.file_type.code,
            size=item.size,
            sha256=item.sha256,
            created_at=now,
        )
        # A random stored name, as a case's uploads have: the path tells nothing.
        document.file.save(
            f"{secrets.token_hex(16)}{item.file_type.extensions[0]}", item.file, save=False
        )
        stored.append(document.file.name)
        document.save()


def _move_attachments(submission: OnlineSubmission, case: InformationRequest, *, actor, now):
    """The applicant's files become the case's materials (the same stored files), with the
    upload in the case's history as the registrar's would be."""
    documents = list(submission.documents.all())
    if not documents:
        return
    for item in documents:
        moved = CaseDocument.objects.create(
            request=case,
            kind=item.kind,
            title=KIND_LABELS[item.kind],
            file=item.file.name,
            original_name=item.original_name,
            file_type=item.file_type,
            size=item.size,
            sha256=item.sha256,
            created_by=actor,
            created_at=now,
        )
        item.case_document = moved
        item.save(update_fields=["case_document"])
    audit(
        actor=actor,
        action=RequestAction.DOCUMENTS_UPLOADED,
        obj=case,
        agency=case.agency,
        from_state=case.stage,
        to_state=case.stage,
        reason=f"网上申请{submission.number}所附材料："
        + "、".join(d.original_name for d in documents),
        data={
            "submission_id": submission.pk,
            "documents": [
                {"id": d.case_document_id, "name": d.original_name, "sha256": d.sha256}
                for d in documents
            ],
        },
        at=now,
    )


def _refuse_known_ref(source, external_ref: str) -> None:
    earlier = S.objects.filter(source=source, external_ref=external_ref).first()
    if earlier is not None:
        error = ValidationError(
            {
                "external_ref": (
                    f"来源系统的编号“{external_ref}”已提交过（网上申请编号{earlier.number}，"
                    f"id {earlier.pk}），没有重复提交。"
                )
            }
        )
        error.api_code = "duplicate"
        raise error


# -- the registrar's decision ---------------------------------------------------------------------


def decide_refusal(actor: Actor, agency_id: int) -> str | None:
    """Why ``actor`` may not confirm or return the agency's submissions (the registrar's, as
    registration is: ``permissions.STEPS["register"]``), or None."""
    if client_of(actor) is not None:
        # Art. 31(3): the agency confirms; a client submits and may never confirm its own.
        return "接口客户端只能提交网上申请，不能确认或退回。"
    if not permissions.works_for(actor, agency_id):
        return "您不能处理其他机关的网上申请。"
    if not permissions.holds_role(actor, "register"):
        names = "或".join(ROLES[role] for role in permissions.STEPS["register"].roles)
        return f"网上申请由{names}确认登记或退回。"
    return None


def _locked(submission_id: int) -> OnlineSubmission:
    # No join but the agency's: after waiting for the lock, PostgreSQL re-reads the locked row
    # but not the joined ones, so the decider and the case are read afterwards, as committed.
    return S.objects.select_for_update(of=("self",)).select_related("agency").get(pk=submission_id)


def _require_pending(submission: OnlineSubmission) -> None:
    if submission.status == S.Status.PENDING:
        return
    who = submission.decided_by.get_full_name() or submission.decided_by.username
    local = timezone.localtime(submission.decided_at)
    when = f"{who}于{cn_date(local.date())}{local:%H:%M}"
    if submission.status == S.Status.CONFIRMED:
        raise SubmissionStale(
            f"网上申请{submission.number}已由{when}确认登记为{submission.case.case_number}，"
            "没有重复登记；请刷新页面查看。"
        )
    raise SubmissionStale(
        f"网上申请{submission.number}已由{when}退回（{submission.return_reason}），不能再处理；"
        "请刷新页面查看。"
    )


def submission_confirm(
    *,
    actor: Actor,
    submission_id: int,
    today: date | None = None,
    known_duplicates: Collection[int] | None = None,
) -> InformationRequest:
    """Confirm an online application: it is received today (Art. 31(3)) and registered as a case
    (channel online, arrival date the day submitted, receipt date ``today``: the clock starts
    the next working day), with its receipt letter. Returns the case.

    ``known_duplicates`` as in ``request_register``: the same applicant's cases the registrar
    saw. Two registrars confirming at once: the row lock lets one register; the other gets
    ``SubmissionStale`` naming the case. Raises ``NotAllowed`` (not the agency's registrar, an
    API client), ``ValidationError`` (the particulars no longer pass, e.g. an ID card expired).
    """
    now = timezone.now()
    today = today or timezone.localdate(now)
    submission = S.objects.select_related("agency").get(pk=submission_id)
    refusal = decide_refusal(actor, submission.agency_id)
    if refusal:
        raise NotAllowed(refusal)
    with transaction.atomic():
        submission = _locked(submission_id)
        _require_pending(submission)
        case = request_register(
            actor=actor,
            agency=submission.agency,
            data=registration_of(
                submission, submitted_on=submission.submitted_on, receipt_date=today
            ),
            today=today,
            # One case per submission, whatever else happens: the case's unique token.
            submission_token=f"online-{submission.pk}",
            known_duplicates=known_duplicates,
        )
        submission.status = S.Status.CONFIRMED
        submission.case = case
        submission.decided_by = actor
        submission.decided_at = now
        submission.save(update_fields=["status", "case", "decided_by", "decided_at"])
        _move_attachments(submission, case, actor=actor, now=now)
        receipt = case.documents.filter(letter_kind="receipt").order_by("id").first()
        if receipt is not None:
            issued_to_platform(case=case, letter=receipt, actor=actor, now=now)
        audit(
            actor=actor,
            action=SubmissionAction.SUBMISSION_CONFIRMED,
            obj=submission,
            agency=submission.agency,
            from_state=S.Status.PENDING,
            to_state=S.Status.CONFIRMED,
            reason=f"登记为{case.case_number}，收到申请之日{cn_date(today)}（双方确认之日）",
            data={"case_id": case.pk, "receipt_date": today.isoformat()},
            at=now,
        )
        # The case's own history (and case file) says where it came from and when it arrived:
        # the proof of its receipt date under Art. 31(3).
        source = submission.source.name if submission.source_id else "网上申请表"
        submitted = timezone.localtime(submission.submitted_at)
        audit(
            actor=actor,
            action=RequestAction.ONLINE_SUBMISSION_CONFIRMED,
            obj=case,
            agency=submission.agency,
            from_state=case.stage,
            to_state=case.stage,
            reason=(
                f"网上申请{submission.number}（{source}，{cn_date(submitted.date())}"
                f"{submitted:%H:%M}提交）经确认登记，以确认之日{cn_date(today)}为收到申请之日"
                "（《条例》第三十一条第（三）项）"
            ),
            data={"submission_id": submission.pk, "external_ref": submission.external_ref},
            at=now,
        )
    return case


def submission_return(*, actor: Actor, submission_id: int, reason: str) -> OnlineSubmission:
    """Return an online application unregistered, with the reason the applicant is told: e.g.
    a consultation, complaint, report or petition is not an information request (Art. 39) and
    belongs to the 12345 hotline or the petition office. Raises ``ValidationError`` (no
    reason), ``NotAllowed``, ``SubmissionStale`` (confirmed or returned meanwhile)."""
    now = timezone.now()
    reason = strip_bidi(reason or "").strip()
    submission = S.objects.select_related("agency").get(pk=submission_id)
    refusal = decide_refusal(actor, submission.agency_id)
    if refusal:
        raise NotAllowed(refusal)
    if not reason:
        raise ValidationError({"reason": "请填写退回的理由，并告诉申请人应通过什么渠道办理。"})
    if "\x00" in reason:
        raise ValidationError({"reason": NUL_MESSAGE.format(label="退回理由")})
    if len(reason) > RETURN_REASON_LIMIT:
        raise ValidationError({"reason": too_long("退回理由", RETURN_REASON_LIMIT, len(reason))})
    with transaction.atomic():
        submission = _locked(submission_id)
        _require_pending(submission)
        submission.status = S.Status.RETURNED
        submission.return_reason = reason
        submission.decided_by = actor
        submission.decided_at = now
        submission.save(update_fields=["status", "return_reason", "decided_by", "decided_at"])
        audit(
            actor=actor,
            action=SubmissionAction.SUBMISSION_RETURNED,
            obj=submission,
            agency=submission.agency,
            from_state=S.Status.PENDING,
            to_state=S.Status.RETURNED,
            reason=reason,
            at=now,
        )
    return submission
