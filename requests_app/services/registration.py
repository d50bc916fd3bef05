"""Registration (DOMAIN §3.1, §3.2; Art. 29, 31) and the files uploaded to a case."""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterable
from dataclasses import dataclass, fields
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from requests_app import permissions
from requests_app.audit_actions import RequestAction
from requests_app.clock_sync import sync_clock
from requests_app.identity import credit_code_problem, resident_id_problem
from requests_app.letter_contexts import ReceiptContext
from requests_app.letters import common, issue_letter
from requests_app.models import CaseCounter, CaseDocument, ClockEntry, InformationRequest
from requests_app.process import start_request_process
from requests_app.selectors import possible_duplicates
from requests_app.services._common import R, StaleCase, _locked
from requests_app.uploads import (
    KIND_LABELS,
    REGISTRATION_KINDS,
    CheckedFile,
    check_files,
    check_total,
    role_refusal,
    stage_refusal,
)
from workflow.actors import Actor
from workflow.api.clients import client_of
from workflow.audit import audit
from workflow.cn import cn_date
from workflow.errors import NotAllowed
from workflow.letters.contexts import CaseNumber
from workflow.models import Agency
from workflow.roles import user_roles
from workflow.text_input import NUL_MESSAGE, too_long


class DuplicateSubmission(Exception):
    """The registration form with this token was already registered: ``case`` is its case."""

    def __init__(self, case: InformationRequest):
        super().__init__(f"这份申请已经登记（{case.case_number}），没有重复登记。")
        self.case = case


class PossibleDuplicates(Exception):
    """The same applicant has cases the registrar has not seen yet (registered meanwhile)."""

    def __init__(self, cases: list[InformationRequest]):
        super().__init__("同一申请人已有申请登记，请核对后再决定是否登记。")
        self.cases = cases


@dataclass(kw_only=True)
class Application:
    """What an applicant asks and who they are (Art. 29): the particulars of a registration
    without its channel and dates, and all an online submission carries (Art. 31(3))."""

    applicant_kind: str
    applicant_name: str
    description: str
    form_wanted: str
    delivery: str
    kind: str = R.Kind.DISCLOSURE
    organization_kind: str = ""
    id_type: str = ""
    id_number: str = ""
    credit_code: str = ""
    legal_representative: str = ""
    contact_person: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    postcode: str = ""
    agent_name: str = ""
    agent_id_number: str = ""
    agent_phone: str = ""
    power_of_attorney: bool = False
    document_names: str = ""
    accessibility_needs: str = ""


@dataclass(kw_only=True)
class Registration(Application):
    """What the registrar records at registration (DOMAIN §3.1, §3.2): the application, how it
    came and when it arrived and was received."""

    channel: str
    arrival_date: date
    receipt_date: date
    late_receipt_reason: str = ""


# Art. 31: the receipt date by channel. In person and registered post: the day it is handed in
# or signed for, i.e. the arrival day itself; ordinary letters, online and fax: the day of the
# confirmation, which can be later than the arrival.
SAME_DAY_CHANNELS = {R.Channel.IN_PERSON, R.Channel.REGISTERED_POST}


def text_problems(data: Registration) -> dict[str, str]:
    """Text longer than its column or holding NUL (which PostgreSQL cannot store), by field:
    the forms say it first; this keeps any other caller from reaching the database with it."""
    errors: dict[str, str] = {}
    for item in fields(data):
        value = getattr(data, item.name)
        if not isinstance(value, str):
            continue
        column = R._meta.get_field(item.name)
        if "\x00" in value:
            errors[item.name] = NUL_MESSAGE.format(label=column.verbose_name)
        elif column.max_length and len(value) > column.max_length:
            errors[item.name] = too_long(column.verbose_name, column.max_length, len(value))
    return errors


def validate_registration(data: Registration, *, today: date) -> dict[str, str]:
    """Every problem with ``data``, by field, in Chinese (empty when it can be registered)."""
    errors: dict[str, str] = {}
    if data.channel not in R.Channel.values:
        errors["channel"] = "请选择提交方式。"
    if data.receipt_date > today:
        errors["receipt_date"] = f"收到申请之日{cn_date(data.receipt_date)}晚于今天，请核对。"
    elif data.receipt_date < data.arrival_date:
        errors["receipt_date"] = (
            f"收到申请之日（{cn_date(data.receipt_date)}）不能早于到达日期"
            f"（{cn_date(data.arrival_date)}）。"
        )
    elif data.channel in SAME_DAY_CHANNELS and data.receipt_date != data.arrival_date:
        errors["receipt_date"] = (
            "当面提交的以提交之日、邮寄（需签收）的以签收之日为收到申请之日"
            "（《条例》第三十一条），应与到达日期相同。"
        )
    elif (
        data.channel == R.Channel.ORDINARY_LETTER
        and data.receipt_date > data.arrival_date
        and not data.late_receipt_reason.strip()
    ):
        # Art. 31(2): the office confirms an ordinary letter with the applicant on the day it
        # arrives; a confirmation on a later day is recorded with its reason.
        errors["late_receipt_reason"] = (
            f"平常信函应当于到达当日与申请人确认（《条例》第三十一条第（二）项）；收到申请之日"
            f"（{cn_date(data.receipt_date)}）晚于到达日期（{cn_date(data.arrival_date)}）的，"
            "请在“收到申请之日晚于到达日期的理由”中写明原因。"
        )
    if data.arrival_date > today:
        errors["arrival_date"] = f"到达日期{cn_date(data.arrival_date)}晚于今天，请核对。"
    if not data.applicant_name.strip():
        errors["applicant_name"] = "请填写申请人的姓名或名称。"
    if not data.description.strip():
        errors["description"] = "请填写申请获取的政府信息的名称、文号或者便于查询的其他特征性描述。"
    errors.update(text_problems(data))
    if data.form_wanted not in R.Form.values:
        errors["form_wanted"] = "请选择获取信息的方式（《条例》第四十条）。"
    if data.delivery not in R.Delivery.values:
        errors["delivery"] = "请选择送达方式。"
    if data.kind not in R.Kind.values:
        errors["kind"] = "请选择申请类型。"
    if data.applicant_kind == R.ApplicantKind.PERSON:
        if data.organization_kind:
            errors["organization_kind"] = "自然人申请不选组织类别。"
        if data.id_type == R.IdType.RESIDENT_ID:
            problem = resident_id_problem(data.id_number, today=today)
            if problem:
                errors["id_number"] = problem
        elif not data.id_type:
            errors["id_type"] = "请选择申请人的身份证件类型。"
        elif not data.id_number.strip():
            errors["id_number"] = "请填写证件号码。"
    elif data.applicant_kind == R.ApplicantKind.ORGANIZATION:
        if data.organization_kind not in R.OrganizationKind.values:
            errors["organization_kind"] = (
                "请选择组织类别（商业企业、科研机构、社会公益组织、法律服务机构或其他）。"
            )
        problem = credit_code_problem(data.credit_code)
        if problem:
            errors["credit_code"] = problem
        if not data.legal_representative.strip():
            errors["legal_representative"] = "请填写法定代表人或者主要负责人的姓名。"
    else:
        errors["applicant_kind"] = "请选择申请人类型。"
    if not (data.phone.strip() or data.email.strip() or data.address.strip()):
        errors["phone"] = "请至少填写一种联系方式（电话、电子邮箱或通讯地址）。"
    if data.agent_name.strip() and not data.power_of_attorney:
        errors["power_of_attorney"] = "由代理人提交的，应当核验并勾选授权委托书。"
    if data.agent_id_number.strip() and len(data.agent_id_number.strip()) == 18:
        problem = resident_id_problem(data.agent_id_number, today=today)
        if problem:
            errors["agent_id_number"] = "代理人" + problem
    return errors


def next_case_number(agency: Agency, year: int) -> int:
    """Take the next sequence number of ``agency`` for ``year``, inside the caller's transaction.

    The counter row is locked until the transaction ends, so concurrent registrations queue up
    (PostgreSQL: row lock; SQLite: the IMMEDIATE transaction's write lock); a rolled-back
    registration gives its number back, so the numbers have no gaps and are never reused.
    """
    counter, _ = CaseCounter.objects.select_for_update().get_or_create(agency=agency, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def format_case_number(agency: Agency, year: int, sequence: int) -> str:
    prefix = agency.case_number_prefix or agency.short_name or agency.name
    return CaseNumber(prefix=prefix, year=year, sequence=sequence).format(agency.number_style)


def request_register(
    *,
    actor: Actor,
    agency: Agency,
    data: Registration,
    today: date | None = None,
    submission_token: str = "",
    known_duplicates: Collection[int] | None = None,
    attachments: dict[str, Iterable] | None = None,
) -> InformationRequest:
    """Register an application: number it, start its clock on the receipt date (Art. 31, 33).

    ``submission_token``: the registration form's one-time token; a second registration with the
    same token raises ``DuplicateSubmission`` with the case already registered (the database's
    unique constraint decides between two at once). ``known_duplicates``: the pks of the same
    applicant's cases the registrar has seen and confirmed; when given, a case of the applicant
    registered meanwhile by someone else raises ``PossibleDuplicates`` (checked under the case
    counter's lock, so two officers registering one walk-in at once cannot both pass).
    ``attachments``: files by kind (application scan, ID proof), kept with the case.
    """
    now = timezone.now()
    today = today or timezone.localdate()
    errors = validate_registration(data, today=today)
    if errors:
        raise ValidationError(errors)
    if client_of(actor) is not None:
        raise NotAllowed(
            "接口客户端不能直接登记申请：网上申请由登记人员确认后登记（《条例》第三十一条）。"
        )
    if not permissions.works_for(actor, agency.pk):
        raise NotAllowed(f"您不是{agency.name}的工作人员，不能为其登记申请。")
    if not permissions.holds_role(actor, "register"):
        raise NotAllowed("登记申请需要由登记人员办理。")
    uploads = _check_attachments(actor, attachments or {})
    values = {f.name: getattr(data, f.name) for f in fields(Registration)}
    for key in ("id_number", "credit_code", "agent_id_number"):
        values[key] = values[key].strip().upper()
    stored: list[str] = []
    try:
        with transaction.atomic():
            year = data.receipt_date.year
            sequence = next_case_number(agency, year)
            # Under the counter's lock: registrations of this agency and year queue up here.
            if submission_token:
                earlier = R.objects.filter(submission_token=submission_token).first()
                if earlier is not None:
                    raise DuplicateSubmission(earlier)
            if known_duplicates is not None:
                same = possible_duplicates(
                    agency,
                    id_number=values["id_number"],
                    credit_code=values["credit_code"],
                    applicant_name=data.applicant_name,
                )
                if any(c.pk not in known_duplicates for c in same):
                    raise PossibleDuplicates(same)
            case = InformationRequest.objects.create(
                agency=agency,
                year=year,
                sequence=sequence,
                case_number=format_case_number(agency, year, sequence),
                stage=R.Stage.ACCEPT,
                created_by=actor,
                created_at=now,
                submission_token=submission_token,
                **values,
            )
            ClockEntry.objects.create(
                request=case,
                kind=ClockEntry.Kind.START,
                on=data.receipt_date,
                note="收到申请",
                created_by=actor,
                created_at=now,
            )
            sync_clock(case, today=today)
            start_request_process(case)
            issue_letter(
                case,
                "receipt",
                ReceiptContext(
                    **common(case, actor, issue_date=today),
                    arrival_date=case.arrival_date,
                    late_receipt_reason=case.late_receipt_reason,
                    wanted_form=f"{case.get_form_wanted_display()}，{case.get_delivery_display()}",
                ),
                actor=actor,
            )
            audit(
                actor=actor,
                action=RequestAction.REQUEST_REGISTERED,
                obj=case,
                agency=agency,
                from_state="",
                to_state=R.Stage.ACCEPT,
                reason=f"{case.get_channel_display()}，收到申请之日{cn_date(case.receipt_date)}",
                at=now,
            )
            for kind, checked in uploads:
                _keep_uploads(
                    case, kind, checked, actor=actor, title="", today=today, stored=stored
                )
    except IntegrityError:
        _discard(stored)
        # Two posts of one form at once on different agencies' counters: the unique token
        # constraint lets one through; the other finds it here.
        earlier = (
            R.objects.filter(submission_token=submission_token).first()
            if submission_token
            else None
        )
        if earlier is not None:
            raise DuplicateSubmission(earlier) from None
        raise
    except BaseException:
        _discard(stored)
        raise
    return case


def _check_attachments(actor: Actor, attachments: dict[str, Iterable]) -> list[tuple[str, list]]:
    """The files handed in with the application, checked; errors keyed ``<kind>_files``."""
    uploads: list[tuple[str, list[CheckedFile]]] = []
    errors: dict[str, list[str]] = {}
    for kind, files in attachments.items():
        files = [f for f in files if f]
        if not files:
            continue
        if kind not in REGISTRATION_KINDS:
            raise ValueError(f"{kind} is not handed in at registration")
        refusal = role_refusal(kind, user_roles(actor))
        if refusal:
            raise NotAllowed(refusal)
        try:
            uploads.append((kind, check_files(kind, files)))
        except ValidationError as error:
            errors[f"{kind}_files"] = error.messages
    if errors:
        raise ValidationError(errors)
    check_total([c.size for _, checked in uploads for c in checked], label="所附材料")
    return uploads


# -- uploads -------------------------------------------------------------------------------------


def _keep_uploads(
    case,
    kind: str,
    checked: list[CheckedFile],
    *,
    actor: Actor,
    title: str,
    today: date,
    stored,
    challenge=None,
    about: str = "",
) -> list[CaseDocument]:
    """Store checked files under random names, one CaseDocument each, and audit the upload.

    ``challenge``: the reconsideration or lawsuit they belong to (its application or decision),
    named ``about`` in the history."""
    now = timezone.now()
    documents = []
    for item in checked:
        document = CaseDocument(
            request=case,
            challenge=challenge,
            kind=kind,
            title=title or KIND_LABELS[kind],
            original_name=item.name,
            file_type=item.file_type.code,
            size=item.size,
            sha256=item.sha256,
            created_by=actor,
            created_at=now,
        )
        # The stored name is random: the path says nothing about the case and cannot be
        # guessed; the user's own file name is kept in the row.
        random_name = f"{secrets.token_hex(16)}{item.file_type.extensions[0]}"
        document.file.save(random_name, item.file, save=False)
        stored.append(document.file.name)
        document.save()
        documents.append(document)
    audit(
        actor=actor,
        action=(
            RequestAction.CHALLENGE_DOCUMENTS_UPLOADED
            if challenge is not None
            else RequestAction.DOCUMENTS_UPLOADED
        ),
        obj=case,
        agency=case.agency,
        from_state=case.stage,
        to_state=case.stage,
        reason=f"{about}{KIND_LABELS[kind]}：" + "、".join(d.original_name for d in documents),
        data={
            **({"challenge_id": challenge.pk} if challenge is not None else {}),
            "kind": kind,
            "on": today.isoformat(),
            "documents": [
                {"id": d.pk, "name": d.original_name, "size": d.size, "sha256": d.sha256}
                for d in documents
            ],
        },
        at=now,
    )
    return documents


def _discard(names: list[str]) -> None:
    """Remove files stored by a transaction that did not commit."""
    storage = CaseDocument._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


def request_upload(
    *,
    actor: Actor,
    case_id: int,
    kind: str,
    files: Iterable,
    title: str = "",
    today: date | None = None,
) -> list[CaseDocument]:
    """Keep files uploaded to a case: the application scan and ID proof (registrar, until the
    archive), the information provided (handler, from the proposal until service), the proof
    of service (registrar, at or after service), other material (handler or registrar).

    Every file is checked by its content, size and name (``requests_app.uploads``); the
    archived case is read-only. Raises ``ValidationError`` keyed ``files``/``title``,
    ``NotAllowed`` (other agency, wrong role) or ``StaleCase`` (the stage does not allow
    it, e.g. archived meanwhile).
    """
    today = today or timezone.localdate()
    files = [f for f in files if f]
    title = (title or "").strip()
    case = InformationRequest.objects.select_related("agency").get(pk=case_id)
    permissions.require(actor, case, "upload")
    if kind not in KIND_LABELS or kind in (CaseDocument.Kind.LETTER, CaseDocument.Kind.CASE_FILE):
        raise ValidationError({"kind": "请选择材料类别。"})
    refusal = role_refusal(kind, user_roles(actor))
    if refusal:
        raise NotAllowed(refusal)
    if len(title) > 200:
        raise ValidationError({"title": f"材料名称最多200个字（现在是{len(title)}个）。"})
    if not files:
        raise ValidationError({"files": f"请选择要上传的{KIND_LABELS[kind]}文件。"})
    try:
        checked = check_files(kind, files)
    except ValidationError as error:
        raise ValidationError({"files": error.messages}) from None
    stored: list[str] = []
    try:
        with transaction.atomic():
            case = _locked(case_id)
            refusal = stage_refusal(kind, case.stage)
            if refusal:
                raise StaleCase(refusal)
            documents = _keep_uploads(
                case, kind, checked, actor=actor, title=title, today=today, stored=stored
            )
    except BaseException:
        _discard(stored)
        raise
    return documents
