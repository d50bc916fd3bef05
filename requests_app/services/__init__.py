"""State changes of an information request: one service per change (STYLE.md).

Each service: one transaction, the case re-read under a row lock, its state checked, the change
made, an audit event written, the stored clock recomputed. Bad input raises ``ValidationError``
with Chinese messages keyed by field; a state that no longer allows the step raises
``StaleCase`` (someone else acted first).
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, fields
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from requests_app.clock_sync import evaluate_case, events_of, sync_clock
from requests_app.flows import process_lock, rearm_timers, start_request_process, sync_process
from requests_app.identity import credit_code_problem, resident_id_problem
from requests_app.letters import (
    applicant,
    case_facts,
    common,
    issue_letter,
    issued_letters,
    render_letter_files,
)
from requests_app.models import (
    CaseCounter,
    CaseDocument,
    ClockEntry,
    Consultation,
    Decision,
    Deferral,
    Extension,
    Fee,
    InformationRequest,
    NoticeService,
    ReasonsRequest,
    SecrecyReview,
)
from requests_app.selectors import possible_duplicates
from requests_app.uploads import (
    KIND_LABELS,
    REGISTRATION_KINDS,
    CheckedFile,
    check_files,
    check_total,
    role_refusal,
    stage_refusal,
)
from workflow.audit import audit
from workflow.calendar import get_calendar
from workflow.clock import ClockEvent, notice_period_end
from workflow.cn import cn_date
from workflow.letters.contexts import (
    AgencyConsultationContext,
    CaseNumber,
    ConsultationNoticeContext,
    CorrectionContext,
    DeferralContext,
    ExtensionContext,
    FeeContext,
    HandlingSheetContext,
    Party,
    ReasonsRequestContext,
    ReceiptContext,
    ReplyContext,
    ThirdPartyConsultationContext,
    ThirdPartyDisclosureContext,
    WithheldPart,
)
from workflow.letters.kinds import KINDS
from workflow.letters.models import template_version
from workflow.models import Agency
from workflow.roles import has_role, user_roles
from workflow.text_input import NUL_MESSAGE, too_long

R = InformationRequest
REG = "《中华人民共和国政府信息公开条例》"


class StaleCase(Exception):
    """The case moved on before this action: someone else acted first. The message says how."""


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
class Registration:
    """What the registrar records at registration (DOMAIN §3.1, §3.2)."""

    channel: str
    arrival_date: date
    receipt_date: date
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
    actor,
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
    if not agency.staff.filter(pk=actor.pk).exists():
        raise PermissionError(f"您不是{agency.name}的工作人员，不能为其登记申请。")
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
                action="request_registered",
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


def _check_attachments(actor, attachments: dict[str, Iterable]) -> list[tuple[str, list]]:
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
            raise PermissionError(refusal)
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
    case, kind: str, checked: list[CheckedFile], *, actor, title: str, today: date, stored
) -> list[CaseDocument]:
    """Store checked files under random names, one CaseDocument each, and audit the upload."""
    now = timezone.now()
    documents = []
    for item in checked:
        document = CaseDocument(
            request=case,
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
        action="documents_uploaded",
        obj=case,
        agency=case.agency,
        from_state=case.stage,
        to_state=case.stage,
        reason=f"{KIND_LABELS[kind]}：" + "、".join(d.original_name for d in documents),
        data={
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
    *, actor, case_id: int, kind: str, files: Iterable, title: str = "", today=None
) -> list[CaseDocument]:
    """Keep files uploaded to a case: the application scan and ID proof (registrar, until the
    archive), the information provided (handler, from the proposal until service), the proof
    of service (registrar, at or after service), other material (handler or registrar).

    Every file is checked by its content, size and name (``requests_app.uploads``); the
    archived case is read-only. Raises ``ValidationError`` keyed ``files``/``title``,
    ``PermissionError`` (other agency, wrong role) or ``StaleCase`` (the stage does not allow
    it, e.g. archived meanwhile).
    """
    today = today or timezone.localdate()
    files = [f for f in files if f]
    title = (title or "").strip()
    case = InformationRequest.objects.select_related("agency").get(pk=case_id)
    _require(actor, case)
    if kind not in KIND_LABELS or kind in (CaseDocument.Kind.LETTER, CaseDocument.Kind.CASE_FILE):
        raise ValidationError({"kind": "请选择材料类别。"})
    refusal = role_refusal(kind, user_roles(actor))
    if refusal:
        raise PermissionError(refusal)
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


# -- shared checks ------------------------------------------------------------------------------

CASE_TYPE = "requests_app.informationrequest"


def _require(actor, case: InformationRequest, *roles: str) -> None:
    """The actor works for the case's agency and holds one of ``roles`` (DOMAIN §1)."""
    if not case.agency.staff.filter(pk=actor.pk).exists():
        raise PermissionError("您不能办理其他机关的申请。")
    if roles and not any(has_role(actor, role) for role in roles):
        from workflow.roles import ROLES

        names = "或".join(ROLES[r] for r in roles)
        raise PermissionError(f"这一步需要由{names}办理。")


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
    case, kind: str, on: date, actor, *, today: date, days=0, reason="", note="", until=None
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


def _move(case, to: str, *, actor, action: str, reason: str = "", today: date, data=None):
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


def _not_in_future(value: date, today: date, what: str) -> None:
    if value > today:
        raise ValidationError(f"{what}（{cn_date(value)}）晚于今天，请核对。")


# -- accept, correction (Art. 30) ------------------------------------------------------------


def request_accept(*, actor, case_id: int, handler=None, today: date | None = None):
    """The handler takes the case on: it is an information request this agency handles."""
    today = today or timezone.localdate()
    with transaction.atomic():
        case = _locked(case_id)
        _require(actor, case, "handler")
        _require_stage(case, (R.Stage.ACCEPT,), "受理")
        case.handler = handler or actor
        case.save(update_fields=["handler"])
        _move(case, R.Stage.PROPOSE, actor=actor, action="request_accepted", today=today)
    return case


CORRECTION_WINDOW = 7  # Art. 30: the correction notice goes out within 7 working days of receipt


def request_ask_correction(
    *, actor, case_id: int, items: list[str], period_days: int | None = None, today=None
):
    """One correction notice listing everything at once, with a reasonable period (Art. 30)."""
    today = today or timezone.localdate()
    items = [item.strip() for item in items if item and item.strip()]
    if not items:
        raise ValidationError({"items": "请逐项列明需要补正的事项（一次性告知）。"})
    with transaction.atomic():
        case = _locked(case_id)
        _require(actor, case, "handler")
        _require_stage(case, (R.Stage.ACCEPT,), "告知补正")
        if case.correction_asked_on:
            raise ValidationError("补正只能告知一次（《条例》第三十条）。")
        calendar = get_calendar(case.agency_id)
        latest = calendar.add_working_days(case.receipt_date, CORRECTION_WINDOW)
        if today > latest:
            raise ValidationError(
                f"补正告知应当在收到申请之日起7个工作日内发出（《条例》第三十条），"
                f"本申请最迟应于{cn_date(latest)}发出，现已超过。"
            )
        period = period_days or case.agency.correction_period_days
        if not 1 <= period <= 60:
            raise ValidationError({"period_days": "补正期限应为1至60个工作日。"})
        # The period runs from the applicant's receipt of the notice (Art. 30 "自收到本告知书之日
        # 起"): it has no end until the notice's service is recorded (notice_record_service).
        case.correction_items = items
        case.correction_asked_on = today
        case.correction_deadline = None
        case.save(update_fields=["correction_items", "correction_asked_on", "correction_deadline"])
        _add_clock(case, "pause", today, actor, today=today, reason="correction", note="补正告知")
        letter = issue_letter(
            case,
            "correction_notice",
            CorrectionContext(
                **common(case, actor, issue_date=today), items=items, period_days=period
            ),
            actor=actor,
        )
        _await_service(
            case,
            NoticeService.Notice.CORRECTION,
            letter,
            addressee=case.applicant_name,
            issued_on=today,
            period_days=period,
        )
        _move(
            case,
            R.Stage.CORRECT,
            actor=actor,
            action="request_correction_asked",
            reason=f"补正期限为自收到告知书之日起{period}个工作日，待送达",
            today=today,
            data={"items": items},
        )
    return case


def request_record_correction(
    *, actor, case_id: int, received_on: date, late_reason: str = "", today=None
):
    """The corrected application arrived: the period starts again from that day (Art. 30)."""
    today = today or timezone.localdate()
    _not_in_future(received_on, today, "收到补正申请之日")
    with transaction.atomic():
        case = _locked(case_id)
        _require(actor, case, "registrar", "handler")
        _require_stage(case, (R.Stage.CORRECT,), "登记补正")
        if received_on < case.correction_asked_on:
            raise ValidationError({"received_on": "收到补正申请之日不能早于补正告知日期。"})
        deadline = case.correction_deadline
        if deadline is not None and received_on > deadline and not late_reason.strip():
            raise ValidationError(
                {
                    "late_reason": (
                        f"补正期限已于{cn_date(case.correction_deadline)}届满；逾期补正的，"
                        "请写明申请人的正当理由，否则应按视为放弃申请处理。"
                    )
                }
            )
        case.corrected_on = received_on
        case.save(update_fields=["corrected_on"])
        _add_clock(case, "start", received_on, actor, today=today, note="收到补正后的申请")
        _move(
            case,
            R.Stage.ACCEPT,
            actor=actor,
            action="request_corrected",
            reason=late_reason.strip() or f"{cn_date(received_on)}收到补正后的申请",
            today=today,
        )
    return case


def request_correction_lapsed(*, case_id: int, today=None):
    """No correction in time: the application is deemed abandoned (Art. 30). Run by the timer."""
    today = today or timezone.localdate()
    with transaction.atomic():
        case = _locked(case_id)
        deadline = case.correction_deadline
        # No end before the notice is served; nothing before the end has passed (Art. 30).
        if case.stage != R.Stage.CORRECT or deadline is None or today <= deadline:
            return None
        _decide_abandoned(
            case,
            outcome="abandoned_no_correction",
            notice_date=case.correction_asked_on,
            lapsed=case.correction_deadline,
            today=today,
        )
    return case


def _decide_abandoned(case, *, outcome: str, notice_date: date, lapsed: date, today: date):
    from workflow.letters.outcomes import default_articles

    Decision.objects.update_or_create(
        request=case,
        defaults={
            "outcome": outcome,
            "articles": default_articles(outcome),
            "reason": "",
            "details": {"notice_date": notice_date.isoformat(), "lapsed": lapsed.isoformat()},
            "proposed_by": case.handler or case.created_by,
            "proposed_at": timezone.now(),
            "approved_at": timezone.now(),
            "decided_on": today,
        },
    )
    case.outcome = outcome
    case.save(update_fields=["outcome"])
    _issue_reply(case, case.decision, actor=None, issue_date=today)
    _move(
        case,
        R.Stage.SERVE,
        actor=None,
        action="request_deemed_abandoned",
        reason=f"期限于{cn_date(lapsed)}届满",
        today=today,
    )


# -- volume or frequency clearly beyond reason (Art. 35) -------------------------------------


#: Words that ask the applicant what the information is for: Art. 35 asks only why the volume or
#: frequency is so high (the 2019 revision removed the old Art. 13 "特殊需要" test).
PURPOSE_WORDS = ("用途", "目的", "用于何")


def request_ask_reasons(
    *,
    actor,
    case_id: int,
    grounds: str,
    items: list[str],
    how_to_answer: str,
    period_days: int | None = None,
    today=None,
) -> ReasonsRequest:
    """Ask the applicant to explain a volume or frequency clearly beyond reason (Art. 35).

    The Regulation sets no period for the answer: the agency's default (``reasons_period_days``)
    is Policy. The reply clock keeps running while the applicant answers (``workflow.clock``)."""
    today = today or timezone.localdate()
    items = [item.strip() for item in items if item and item.strip()]
    errors = {}
    if not grounds.strip():
        errors["grounds"] = (
            "请写明申请数量、频次明显超过合理范围的具体情况（如一段时间内提交的件数、内容相同的件数）。"
        )
    if not items:
        errors["items"] = "请逐项列明需要申请人说明的事项。"
    for index, item in enumerate(items, 1):
        if any(word in item for word in PURPOSE_WORDS):
            errors["items"] = (
                f"第{index}项要求说明所需信息的用途。2019年修订的《条例》已删除“根据自身生产、生活、"
                "科研等特殊需要”的申请条件，第三十五条只能要求申请人说明申请数量、频次明显超过"
                "合理范围的理由；请删去该项。"
            )
            break
    if not how_to_answer.strip():
        errors["how_to_answer"] = (
            "请写明申请人说明理由的方式（如书面说明，可当面提交、邮寄或网上提交）。"
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = _locked(case_id)
        _require(actor, case, "handler")
        _require_stage(case, (R.Stage.ACCEPT,), "要求说明理由")
        if ReasonsRequest.objects.filter(request=case).exists():
            raise ValidationError(
                "本申请已经要求过申请人说明理由（《条例》第三十五条），不能再次要求。"
            )
        period = period_days or case.agency.reasons_period_days
        if not 1 <= period <= 60:
            raise ValidationError({"period_days": "说明理由的期限应为1至60个工作日。"})
        reply_by = get_calendar(case.agency_id).add_working_days(today, period)
        reasons = ReasonsRequest.objects.create(
            request=case,
            grounds=grounds.strip(),
            items=items,
            how_to_answer=how_to_answer.strip(),
            period_days=period,
            asked_on=today,
            reply_by=reply_by,
            asked_by=actor,
            created_at=timezone.now(),
        )
        if case.handler_id is None:
            case.handler = actor
            case.save(update_fields=["handler"])
        _add_clock(case, "reasons", today, actor, today=today, note="要求说明理由")
        issue_letter(
            case,
            "reasons_request",
            ReasonsRequestContext(
                **common(case, actor, issue_date=today),
                grounds=reasons.grounds,
                items=items,
                how_to_answer=reasons.how_to_answer,
                reply_by=reply_by,
                period_days=period,
            ),
            actor=actor,
        )
        _move(
            case,
            R.Stage.REASONS,
            actor=actor,
            action="reasons_asked",
            reason=f"说明期限至{cn_date(reply_by)}",
            today=today,
            data={"items": items},
        )
    return reasons


def reasons_record_answer(
    *, actor, case_id: int, answered_on: date, answer: str, today=None
) -> ReasonsRequest:
    """The applicant's explanation arrived (Art. 35): recorded for the handler to examine."""
    today = today or timezone.localdate()
    _not_in_future(answered_on, today, "收到说明之日")
    if not answer.strip():
        raise ValidationError({"answer": "请记录申请人说明的理由（可摘录要点）。"})
    with transaction.atomic():
        case = _locked(case_id)
        _require(actor, case, "registrar", "handler")
        _require_stage(case, (R.Stage.REASONS,), "登记申请人说明的理由")
        reasons = ReasonsRequest.objects.select_for_update().get(request=case)
        if reasons.status != ReasonsRequest.Status.PENDING:
            raise StaleCase(
                f"{case.case_number}的说明理由已记录为“{reasons.get_status_display()}”。"
            )
        if answered_on < reasons.asked_on:
            raise ValidationError({"answered_on": "收到说明之日不能早于要求说明理由的日期。"})
        if answered_on > reasons.reply_by:
            raise ValidationError(
                {
                    "answered_on": (
                        f"说明期限已于{cn_date(reasons.reply_by)}届满，逾期收到的说明不再登记，"
                        "按逾期未说明处理。"
                    )
                }
            )
        reasons.status = ReasonsRequest.Status.ANSWERED
        reasons.answered_on = answered_on
        reasons.answer = answer.strip()
        reasons.recorded_by = actor
        reasons.save(update_fields=["status", "answered_on", "answer", "recorded_by"])
        audit(
            actor=actor,
            action="reasons_answered",
            obj=case,
            agency=case.agency,
            from_state=case.stage,
            to_state=case.stage,
            reason=f"{cn_date(answered_on)}收到申请人说明的理由",
        )
    return reasons


def reasons_lapsed(*, case_id: int, today=None) -> ReasonsRequest | None:
    """The period ran out without an answer (timer); the handler decides next (Art. 35)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        case = _locked(case_id)
        reasons = ReasonsRequest.objects.select_for_update().filter(request=case).first()
        if (
            case.stage != R.Stage.REASONS
            or reasons is None
            or reasons.status != ReasonsRequest.Status.PENDING
            or today <= reasons.reply_by
        ):
            return None
        reasons.status = ReasonsRequest.Status.LAPSED
        reasons.save(update_fields=["status"])
        audit(
            actor=None,
            action="reasons_lapsed",
            obj=case,
            agency=case.agency,
            from_state=case.stage,
            to_state=case.stage,
            reason=f"说明期限于{cn_date(reasons.reply_by)}届满，申请人未说明理由",
        )
    return reasons


def reasons_decide(
    *,
    actor,
    case_id: int,
    finding: str,
    note: str = "",
    later_date: date | None = None,
    today=None,
) -> ReasonsRequest:
    """The handler's finding on the applicant's reasons (Art. 35), one of three:

    - ``unreasonable`` (or no answer): the proposal "not processed" (``unreasonable_volume``)
      goes for approval, and the approved decision issues the not-processed notice;
    - ``reasonable``: handling continues;
    - ``deferred``: reasonable, but the reply cannot be made within the Art. 33 period: a later
      reply date is proposed for the office head's approval (``deferral_approve``).
    """
    today = today or timezone.localdate()
    F = ReasonsRequest.Finding
    note = note.strip()
    if finding not in F.values:
        raise ValidationError({"finding": "请选择审查结论。"})
    with transaction.atomic():
        case = _locked(case_id)
        _require(actor, case, "handler")
        _require_stage(case, (R.Stage.REASONS,), "审查申请人说明的理由")
        reasons = ReasonsRequest.objects.select_for_update().get(request=case)
        lapsed = reasons.status == ReasonsRequest.Status.LAPSED
        if reasons.status == ReasonsRequest.Status.PENDING:
            raise ValidationError(
                f"申请人尚未说明理由，说明期限至{cn_date(reasons.reply_by)}；"
                "收到说明或期限届满后再作审查。"
            )
        if lapsed and finding != F.UNREASONABLE:
            raise ValidationError(
                {
                    "finding": (
                        "申请人逾期未说明理由，只能按不予处理提出办理意见（《条例》第三十五条）。"
                    )
                }
            )
        if finding == F.UNREASONABLE and not lapsed and not note:
            raise ValidationError({"note": "请写明申请人说明的理由为什么不合理。"})
        if finding == F.DEFERRED:
            errors = {}
            if not note:
                errors["note"] = "请写明无法在答复期限内答复的理由（将写入延迟答复告知书）。"
            if later_date is None:
                errors["later_date"] = "请填写延迟答复期限。"
            if errors:
                raise ValidationError(errors)
            preview = [*events_of(case), ClockEvent(kind="defer", on=today, until=later_date)]
            try:
                evaluate_case(case, today=today, events=preview)
            except ValueError as error:
                raise ValidationError({"later_date": str(error)}) from None
        reasons.finding = finding
        reasons.finding_note = note
        reasons.decided_by = actor
        reasons.decided_on = today
        reasons.save(update_fields=["finding", "finding_note", "decided_by", "decided_on"])
        if finding == F.UNREASONABLE:
            _propose_not_processed(case, reasons, actor=actor, today=today)
        elif finding == F.REASONABLE:
            _move(
                case,
                R.Stage.PROPOSE,
                actor=actor,
                action="reasons_reasonable",
                reason=note or "申请人说明的理由合理，继续办理",
                today=today,
            )
        else:
            Deferral.objects.create(
                request=case,
                until=later_date,
                reason=note,
                asked_by=actor,
                asked_at=timezone.now(),
            )
            _move(
                case,
                R.Stage.PROPOSE,
                actor=actor,
                action="deferral_proposed",
                reason=f"理由合理，但无法按期答复，拟延迟至{cn_date(later_date)}：{note}",
                today=today,
            )
    return reasons


def _propose_not_processed(case, reasons: ReasonsRequest, *, actor, today: date) -> Decision:
    """Art. 35, unreasonable or unanswered: the proposal "not processed" goes for approval."""
    you = applicant(case).you
    if reasons.status == ReasonsRequest.Status.LAPSED:
        why = f"{you}未在{cn_date(reasons.reply_by)}前说明理由"
    else:
        why = (
            f"{you}于{cn_date(reasons.answered_on)}说明了理由，经审查，理由不合理："
            + reasons.finding_note.rstrip("。；，,;. ")
        )
    decision, _ = Decision.objects.update_or_create(
        request=case,
        defaults={
            "outcome": "unreasonable_volume",
            "articles": [f"{REG}第三十五条"],
            "reason": why,
            "withheld_parts": [],
            "details": {"notice_date": reasons.asked_on.isoformat()},
            "provide_form": "",
            "needs_legal_review": False,
            "proposed_by": actor,
            "proposed_at": timezone.now(),
            "legal_reviewed_by": None,
            "legal_reviewed_at": None,
            "approved_by": None,
            "approved_at": None,
            "public_interest_reasons": "",
            "overridden_objections": [],
            "disclose_from": None,
        },
    )
    missing = reply_context(case, decision, actor=actor, issue_date=today).missing()
    if missing:
        raise ValidationError("不予处理告知书缺少必需内容：" + "、".join(missing))
    _move(
        case,
        R.Stage.APPROVE,
        actor=actor,
        action="reasons_unreasonable",
        reason=f"拟不予处理（《条例》第三十五条）：{why}",
        today=today,
    )
    return decision


def deferral_approve(*, actor, case_id: int, today=None) -> Deferral:
    """The head of the disclosure office approves the later reply date (Art. 35); the applicant
    is told by the 延迟答复告知书 and the clock's due date becomes that date."""
    today = today or timezone.localdate()
    with transaction.atomic():
        case = _locked(case_id)
        _require(actor, case, "office_head")
        _require_stage(case, OPEN_STAGES, "批准延迟答复")
        deferral = _pending_deferral(case)
        before = evaluate_case(case, today=today)
        original_due = before.due_date or before.projected_due_date
        try:
            _add_clock(
                case, "defer", today, actor, today=today, until=deferral.until, note="延迟答复"
            )
        except ValidationError as error:
            raise ValidationError(
                f"{' '.join(error.messages)}请选择“不批准”，由承办人另行处理。"
            ) from None
        deferral.status = Deferral.Status.APPROVED
        deferral.decided_by = actor
        deferral.decided_on = today
        deferral.save(update_fields=["status", "decided_by", "decided_on"])
        state = sync_clock(case, today=today)
        reasons = ReasonsRequest.objects.filter(request=case).first()
        issue_letter(
            case,
            "deferral_notice",
            DeferralContext(
                **{**common(case, actor, issue_date=today), "case": _facts_due(case, original_due)},
                reasons_received_on=reasons.answered_on if reasons else None,
                reason=deferral.reason,
                new_due_date=state.due_date,
            ),
            actor=actor,
        )
        audit(
            actor=actor,
            action="deferral_approved",
            obj=case,
            agency=case.agency,
            from_state=f"答复期限{cn_date(original_due)}" if original_due else "",
            to_state=f"答复期限{cn_date(state.due_date)}",
            reason=deferral.reason,
        )
    return deferral


def deferral_refuse(*, actor, case_id: int, comment: str, today=None) -> Deferral:
    """The head does not approve the later date: the Art. 33 period stands."""
    today = today or timezone.localdate()
    if not comment.strip():
        raise ValidationError({"comment": "请写明不批准的理由，供承办人参考。"})
    with transaction.atomic():
        case = _locked(case_id)
        _require(actor, case, "office_head")
        _require_stage(case, OPEN_STAGES, "审批延迟答复")
        deferral = _pending_deferral(case)
        deferral.status = Deferral.Status.REFUSED
        deferral.decided_by = actor
        deferral.decided_on = today
        deferral.comment = comment.strip()
        deferral.save(update_fields=["status", "decided_by", "decided_on", "comment"])
        audit(
            actor=actor,
            action="deferral_refused",
            obj=case,
            agency=case.agency,
            from_state=case.stage,
            to_state=case.stage,
            reason=comment.strip(),
        )
    return deferral


def _pending_deferral(case) -> Deferral:
    deferral = Deferral.objects.select_for_update().filter(request=case).first()
    if deferral is None:
        raise StaleCase("这件申请没有待批准的延迟答复。")
    if deferral.status != Deferral.Status.PENDING:
        raise StaleCase(
            f"延迟答复已于{cn_date(deferral.decided_on)}审批（{deferral.get_status_display()}）。"
        )
    return deferral


# -- consultation (Art. 32, 34; Art. 33 ¶3) ----------------------------------------------------

CONSULTATION_DAYS = 15


def consultation_send(
    *,
    actor,
    case_id: int,
    party: str,
    party_name: str,
    matter: str,
    party_address: str = "",
    sent_on: date | None = None,
    today=None,
) -> Consultation:
    """Consult a third party (Art. 32) or another agency (Art. 34); the clock pauses."""
    today = today or timezone.localdate()
    sent_on = sent_on or today
    _not_in_future(sent_on, today, "发函日期")
    if party not in Consultation.Party.values:
        raise ValidationError({"party": "请选择征求意见的对象：第三方或其他机关。"})
    if not party_name.strip():
        raise ValidationError({"party_name": "请填写被征求意见的第三方或机关的名称。"})
    if not matter.strip():
        raise ValidationError({"matter": "请写明征求意见涉及的政府信息。"})
    with transaction.atomic():
        case = _locked(case_id)
        _require(actor, case, "handler")
        _require_stage(case, (R.Stage.PROPOSE, R.Stage.CONSULT), "征求意见")
        first = not case.consultations.filter(reply=Consultation.Reply.PENDING).exists()
        consultation = Consultation.objects.create(
            request=case,
            party=party,
            party_name=party_name.strip(),
            party_address=party_address.strip(),
            matter=matter.strip(),
            sent_on=sent_on,
            # 15 working days from the letter's receipt (Art. 32, 34): set when served.
            limit_date=None,
            created_by=actor,
            created_at=timezone.now(),
        )
        reason = "third_party" if party == Consultation.Party.THIRD_PARTY else "agency"
        if first:
            _add_clock(case, "pause", sent_on, actor, today=today, reason=reason)
        letter_common = common(case, actor, issue_date=sent_on)
        if party == Consultation.Party.THIRD_PARTY:
            context = ThirdPartyConsultationContext(
                **letter_common,
                third_party=Party(name=consultation.party_name, address=party_address),
                information=consultation.matter,
            )
            letter = issue_letter(case, "third_party_consultation", context, actor=actor)
        else:
            context = AgencyConsultationContext(
                **letter_common,
                consulted_agency=consultation.party_name,
                information=consultation.matter,
            )
            letter = issue_letter(case, "agency_consultation", context, actor=actor)
        _await_service(
            case,
            party,
            letter,
            addressee=consultation.party_name,
            issued_on=sent_on,
            period_days=CONSULTATION_DAYS,
            consultation=consultation,
        )
        if first:
            issue_letter(
                case,
                "consultation_notice",
                ConsultationNoticeContext(
                    **letter_common,
                    consulted=[_consulted_for_applicant(consultation)],
                    sent_on=sent_on,
                ),
                actor=actor,
            )
        _move(
            case,
            R.Stage.CONSULT,
            actor=actor,
            action="consultation_sent",
            reason=f"{consultation}，答复期限为自收到征求意见函之日起{CONSULTATION_DAYS}个工作日，待送达",
            today=today,
        )
    return consultation


def _consulted_for_applicant(consultation: Consultation) -> str:
    """Whom the applicant's notice says was consulted: a co-producing agency by its name (Art.
    34), a third party never (Art. 15 protects exactly its trade secrets and privacy)."""
    if consultation.party == Consultation.Party.AGENCY:
        return consultation.party_name
    return "相关第三方"


def consultation_record_reply(
    *, actor, consultation_id: int, reply: str, replied_on: date, reasons: str = "", today=None
) -> Consultation:
    """Record an answer; when the last open one closes, the clock resumes on that day."""
    today = today or timezone.localdate()
    _not_in_future(replied_on, today, "答复日期")
    if reply not in (Consultation.Reply.AGREE, Consultation.Reply.OBJECT):
        raise ValidationError({"reply": "请选择同意公开或不同意公开。"})
    if reply == Consultation.Reply.OBJECT and not reasons.strip():
        raise ValidationError(
            {"reasons": "第三方不同意公开的，请记录其理由（《条例》第三十二条）。"}
        )
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
        case = _locked(consultation.request_id)
        _require(actor, case, "handler", "registrar")
        if not consultation.is_open:
            raise StaleCase(
                f"对{consultation.party_name}的征求意见已经记录为“{consultation.get_reply_display()}”。"
            )
        if replied_on < consultation.sent_on:
            raise ValidationError({"replied_on": "答复日期不能早于发函日期。"})
        _close_consultation(
            consultation, case, reply, replied_on, reasons, actor=actor, today=today
        )
    return consultation


def consultation_lapse(*, consultation_id: int, today=None) -> Consultation | None:
    """The 15 working days ran out (timer): a third party's silence leaves the decision to the
    agency (Art. 32); another agency's silence counts as consent (Art. 34)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=consultation_id)
        limit = consultation.limit_date
        # Not before the letter is served and its 15 working days have run (Art. 32, 34).
        if not consultation.is_open or limit is None or today <= limit:
            return None
        case = _locked(consultation.request_id)
        _close_consultation(
            consultation,
            case,
            Consultation.Reply.NO_REPLY,
            consultation.limit_date,
            "逾期未答复，视为同意（《条例》第三十四条）"
            if consultation.party == Consultation.Party.AGENCY
            else "逾期未答复，由本机关依照《条例》规定决定（《条例》第三十二条）",
            actor=None,
            today=today,
        )
    return consultation


def _close_consultation(consultation, case, reply, replied_on, reasons, *, actor, today):
    consultation.reply = reply
    consultation.replied_on = replied_on
    consultation.reasons = reasons.strip()
    consultation.save(update_fields=["reply", "replied_on", "reasons"])
    still_open = case.consultations.filter(reply=Consultation.Reply.PENDING)
    if not still_open.exists():
        # Paused from the first letter to the last reply or limit (DOMAIN §3.5).
        last = max(c.replied_on for c in case.consultations.all())
        _add_clock(case, "resume", last, actor, today=today, note="征求意见结束")
        _move(
            case,
            R.Stage.PROPOSE,
            actor=actor,
            action="consultation_closed",
            reason=f"{consultation}：{consultation.get_reply_display()}",
            today=today,
        )
    else:
        audit(
            actor=actor,
            action="consultation_replied",
            obj=case,
            agency=case.agency,
            from_state=case.stage,
            to_state=case.stage,
            reason=f"{consultation}：{consultation.get_reply_display()}",
        )


# -- extension (Art. 33 ¶2) --------------------------------------------------------------------


def extension_ask(*, actor, case_id: int, days: int, reason: str, today=None) -> Extension:
    """The handler asks for more time; the office head approves (Art. 33 ¶2)."""
    today = today or timezone.localdate()
    if not 1 <= days <= 20:
        raise ValidationError(
            {"days": "延长的期限最长不得超过20个工作日（《条例》第三十三条第二款）。"}
        )
    if not reason.strip():
        raise ValidationError({"reason": "请写明需要延期的理由。"})
    with transaction.atomic():
        case = _locked(case_id)
        _require(actor, case, "handler")
        _require_stage(case, OPEN_STAGES, "申请延期")
        if hasattr(case, "extension"):
            raise ValidationError("答复期限只能延长一次（《条例》第三十三条第二款）。")
        _refuse_extension_after_deferral(case)
        if case.due_date and today > case.due_date:
            raise ValidationError(f"答复期限已于{cn_date(case.due_date)}届满，不能再申请延期。")
        extension = Extension.objects.create(
            request=case, days=days, reason=reason.strip(), asked_by=actor, asked_at=timezone.now()
        )
        audit(
            actor=actor,
            action="extension_asked",
            obj=case,
            agency=case.agency,
            from_state=case.stage,
            to_state=case.stage,
            reason=f"申请延长{days}个工作日：{reason.strip()}",
        )
    return extension


def extension_approve(*, actor, case_id: int, today=None) -> Extension:
    """The head of the disclosure office approves; the applicant is told before the deadline."""
    today = today or timezone.localdate()
    with transaction.atomic():
        case = _locked(case_id)
        _require(actor, case, "office_head")
        _require_stage(case, OPEN_STAGES, "批准延期")
        extension = Extension.objects.select_for_update().filter(request=case).first()
        if extension is None:
            raise StaleCase("这件申请没有待批准的延期申请。")
        if extension.approved_on:
            raise StaleCase(f"延期已于{cn_date(extension.approved_on)}批准。")
        original_due = case.due_date
        _add_clock(case, "extend", today, actor, today=today, days=extension.days)
        extension.approved_by = actor
        extension.approved_on = today
        extension.save(update_fields=["approved_by", "approved_on"])
        state = sync_clock(case, today=today)
        issue_letter(
            case,
            "extension_notice",
            ExtensionContext(
                **{**common(case, actor, issue_date=today), "case": _facts_due(case, original_due)},
                reason=extension.reason,
                extension_days=extension.days,
                new_due_date=state.due_date,
            ),
            actor=actor,
        )
        audit(
            actor=actor,
            action="extension_approved",
            obj=case,
            agency=case.agency,
            from_state=f"答复期限{cn_date(original_due)}" if original_due else "",
            to_state=f"答复期限{cn_date(state.due_date)}" if state.due_date else "",
            reason=extension.reason,
        )
    return extension


def _refuse_extension_after_deferral(case) -> None:
    """Art. 33 ¶2 after Art. 35: the deferral already set the date; both at once would give the
    applicant two answers to "when", so an extension is refused once a deferral is proposed."""
    deferral = Deferral.objects.filter(request=case).first()
    if deferral is None or deferral.status == Deferral.Status.REFUSED:
        return
    if deferral.status == Deferral.Status.APPROVED:
        raise ValidationError(
            f"本申请已依照《条例》第三十五条确定延迟答复期限为{cn_date(deferral.until)}，"
            "答复期限以该日期为准，不能再依照第三十三条第二款延期。"
        )
    raise ValidationError(
        f"延迟答复期限（拟至{cn_date(deferral.until)}，《条例》第三十五条）正在等待审批，"
        "不能同时申请延期；如未获批准，可再申请延期。"
    )


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


# -- decision (Art. 36-39), approval, service, archive ----------------------------------------

AUTOMATIC_OUTCOMES = {"abandoned_no_correction", "abandoned_no_payment"}


@dataclass(kw_only=True)
class Proposal:
    """The handler's proposed decision (DOMAIN §3.6)."""

    outcome: str
    articles: list[str]
    reason: str = ""
    withheld_parts: list[dict] = field(default_factory=list)  # description, reason, basis
    provided: list[str] = field(default_factory=list)
    provide_form: str = ""
    where_published: str = ""
    search_description: str = ""
    competent_agency: str = ""
    competent_agency_contact: str = ""
    special_law: str = ""
    earlier_reply: str = ""
    proper_channel: str = ""
    needs_legal_review: bool = False
    # Art. 32: disclosure over a third party's objection.
    public_interest_reasons: str = ""
    objections_withheld: list[int] = field(default_factory=list)  # consultations respected
    # Art. 15, 32: a refusal to protect a third party that was not consulted says why not.
    no_consultation_reason: str = ""

    DETAIL_FIELDS = (
        "provided",
        "where_published",
        "search_description",
        "competent_agency",
        "competent_agency_contact",
        "special_law",
        "earlier_reply",
        "proper_channel",
    )


def reply_context(case, decision: Decision, *, actor, issue_date: date) -> ReplyContext:
    """The reply letter's context for a case and its decision."""
    from requests_app.documents import archived_for_letter

    details = decision.details or {}
    notice = details.get("notice_date")
    lapsed = details.get("lapsed")
    return ReplyContext(
        **common(case, actor, issue_date=issue_date),
        outcome=decision.outcome,
        articles=list(decision.articles),
        reason=decision.reason,
        form=decision.get_provide_form_display() if decision.provide_form else "",
        withheld_parts=[WithheldPart(**part) for part in decision.withheld_parts],
        notice_date=date.fromisoformat(notice) if notice else None,
        lapsed_deadline=date.fromisoformat(lapsed) if lapsed else None,
        archived=archived_for_letter(case),
        **{
            key: details.get(key, [] if key == "provided" else "") for key in Proposal.DETAIL_FIELDS
        },
    )


#: Outcomes whose letter names a law or administrative regulation with its article (the field
#: ``special_law``): the one that prohibits disclosure (Art. 14) or that governs the query
#: (Art. 36(7)).
LAW_NAMING_OUTCOMES = ("withheld_prohibited_by_law", "withheld_query_matter")


def validate_proposal(case, proposal: Proposal) -> dict[str, str]:
    """Problems with a proposal, by field: the reply letter's own requirements included."""
    from attributes_app import rules
    from workflow.letters.outcomes import OUTCOMES

    errors: dict[str, str] = {}
    if proposal.outcome not in OUTCOMES or proposal.outcome in AUTOMATIC_OUTCOMES:
        return {"outcome": "请选择办理结果（逾期不补正、逾期未缴费由系统按期限处理）。"}
    if not [a for a in proposal.articles if a.strip()]:
        errors["articles"] = (
            "请写明所依据的条款（如《中华人民共和国政府信息公开条例》第三十六条第（二）项）。"
        )
    for index, part in enumerate(proposal.withheld_parts, 1):
        lacking = [
            label
            for key, label in (("description", "内容"), ("reason", "理由"), ("basis", "依据"))
            if not str(part.get(key, "")).strip()
        ]
        if lacking:
            errors["withheld_parts"] = f"第{index}项不予公开的部分缺少{'、'.join(lacking)}。"
            break
    if proposal.outcome == "partly_disclosed" and not proposal.withheld_parts:
        errors["withheld_parts"] = (
            "部分公开的，请逐项列明不予公开的部分及其理由和依据（《条例》第三十七条）。"
        )
    if proposal.outcome == "not_our_agency" and not proposal.competent_agency.strip():
        errors["competent_agency"] = "请写明负责公开该信息的行政机关；确实无法确定的，请写明理由。"
    if proposal.outcome in LAW_NAMING_OUTCOMES:
        what = (
            "禁止公开该信息的法律、行政法规"
            if proposal.outcome == "withheld_prohibited_by_law"
            else "对该信息的获取有特别规定的法律、行政法规"
        )
        problem = rules.law_rank_problem(proposal.special_law)
        if problem:  # Art. 14 and Art. 36(7) rely only on laws and administrative regulations
            errors["special_law"] = f"请写明{what}的名称和条款。{problem}"
    errors.update(_objection_errors(case, proposal))
    if needs_consultation_reason(case, proposal.outcome) and not (
        proposal.no_consultation_reason.strip()
    ):
        errors["no_consultation_reason"] = (
            "以涉及第三方合法权益为由不予公开（《条例》第十五条），应当先书面征求第三方的意见"
            "（《条例》第三十二条）。本申请未征求第三方意见，请写明不需要征求的理由"
            "（如第三方已明确表示不同意公开的书面意见在案）。"
        )
    if errors:
        return errors
    draft = Decision(
        request=case,
        outcome=proposal.outcome,
        articles=proposal.articles,
        reason=proposal.reason,
        withheld_parts=proposal.withheld_parts,
        provide_form=proposal.provide_form,
        details={key: getattr(proposal, key) for key in Proposal.DETAIL_FIELDS},
    )
    missing = reply_context(case, draft, actor=None, issue_date=date.today()).missing()
    if missing:
        errors["__all__"] = "答复文书缺少必需内容：" + "、".join(missing)
    return errors


DISCLOSING_OUTCOMES = ("disclosed", "partly_disclosed")


def needs_consultation_reason(case, outcome: str) -> bool:
    """A refusal to protect a third party (Art. 15) on a case where no third party was consulted
    (Art. 32 normally requires it): the handler records why none was needed."""
    if outcome != "withheld_third_party":
        return False
    if case.pk is None:
        return True
    return not case.consultations.filter(party=Consultation.Party.THIRD_PARTY).exists()


def third_party_objections(case) -> list[Consultation]:
    """The third parties consulted on ``case`` who answered that they object (Art. 32)."""
    if case.pk is None:
        return []
    return list(
        case.consultations.filter(
            party=Consultation.Party.THIRD_PARTY, reply=Consultation.Reply.OBJECT
        ).order_by("sent_on", "id")
    )


def overridden_objections(case, proposal: Proposal) -> list[Consultation]:
    """The objections that a disclosing proposal overrides (Art. 32).

    Full disclosure overrides every objection; partial disclosure overrides those the handler
    has not marked as covered by the withheld parts. Any other outcome discloses nothing."""
    if proposal.outcome not in DISCLOSING_OUTCOMES:
        return []
    objections = third_party_objections(case)
    if proposal.outcome == "partly_disclosed":
        respected = set(proposal.objections_withheld)
        objections = [c for c in objections if c.pk not in respected]
    return objections


def _objection_errors(case, proposal: Proposal) -> dict[str, str]:
    if proposal.outcome not in DISCLOSING_OUTCOMES:
        return {}
    known = {c.pk for c in third_party_objections(case)}
    if set(proposal.objections_withheld) - known:
        return {"objections_withheld": "所选的征求意见不是本申请中第三方不同意公开的意见。"}
    if proposal.outcome == "disclosed" and proposal.objections_withheld:
        return {
            "objections_withheld": (
                "予以公开时没有不予公开的部分，不能标注第三方的意见已由不予公开的部分采纳；"
                "请改为部分公开，或写明公共利益的理由。"
            )
        }
    overridden = overridden_objections(case, proposal)
    if overridden and not proposal.public_interest_reasons.strip():
        names = "、".join(c.party_name for c in overridden)
        return {
            "public_interest_reasons": (
                f"第三方（{names}）不同意公开。不顾其反对决定公开的，须写明不公开可能对公共利益"
                "造成重大影响的理由，批准后本机关将书面告知第三方（《条例》第三十二条）；"
                "否则应不予公开，或在部分公开时将其不同意公开的内容列入不予公开的部分。"
            )
        }
    return {}


def decision_propose(*, actor, case_id: int, proposal: Proposal, today=None) -> Decision:
    """The handler proposes the outcome with its grounds; it goes for approval.

    Not while a document the request names waits for its determination (DOMAIN §4.4).
    """
    from requests_app.documents import require_determinations_answered
    from workflow.letters.outcomes import with_required_articles

    today = today or timezone.localdate()
    with transaction.atomic():
        case = _locked(case_id)
        _require(actor, case, "handler")
        _require_stage(case, (R.Stage.PROPOSE, R.Stage.ACCEPT), "提出办理意见")
        require_determinations_answered(case)
        errors = validate_proposal(case, proposal)
        if errors:
            raise ValidationError(errors)
        no_consultation_reason = (
            proposal.no_consultation_reason.strip()
            if needs_consultation_reason(case, proposal.outcome)
            else ""
        )
        decision, _ = Decision.objects.update_or_create(
            request=case,
            defaults={
                "outcome": proposal.outcome,
                # Art. 36(3): a refusal also cites the duty to tell the applicant why
                "articles": with_required_articles(
                    proposal.outcome, [a.strip() for a in proposal.articles if a.strip()]
                ),
                "reason": proposal.reason.strip(),
                "withheld_parts": proposal.withheld_parts,
                "details": {key: getattr(proposal, key) for key in Proposal.DETAIL_FIELDS},
                "provide_form": proposal.provide_form,
                "needs_legal_review": proposal.needs_legal_review,
                "proposed_by": actor,
                "proposed_at": timezone.now(),
                "legal_reviewed_by": None,
                "legal_reviewed_at": None,
                "approved_by": None,
                "approved_at": None,
                "public_interest_reasons": proposal.public_interest_reasons.strip(),
                "overridden_objections": [c.pk for c in overridden_objections(case, proposal)],
                "disclose_from": None,
                "no_consultation_reason": no_consultation_reason,
            },
        )
        if case.handler_id is None:
            case.handler = actor
            case.save(update_fields=["handler"])
        proposed = f"拟{decision.get_outcome_display()}"
        if no_consultation_reason:  # Art. 32: on the handling sheet
            proposed += f"；未征求第三方意见的理由：{no_consultation_reason}"
        _move(
            case,
            R.Stage.APPROVE,
            actor=actor,
            action="decision_proposed",
            reason=proposed,
            today=today,
            data={"articles": decision.articles, "legal_review": decision.needs_legal_review},
        )
    return decision


def decision_approve(*, actor, case_id: int, comment: str = "", today=None) -> Decision:
    """Legal review when flagged, then the office head's approval; the reply is issued."""
    today = today or timezone.localdate()
    with transaction.atomic():
        case = _locked(case_id)
        _require_stage(case, (R.Stage.APPROVE,), "审批")
        decision = Decision.objects.select_for_update().get(request=case)
        if decision.needs_legal_review and decision.legal_reviewed_by_id is None:
            _require(actor, case, "legal_reviewer")
            decision.legal_reviewed_by = actor
            decision.legal_reviewed_at = timezone.now()
            decision.save(update_fields=["legal_reviewed_by", "legal_reviewed_at"])
            audit(
                actor=actor,
                action="decision_legal_reviewed",
                obj=case,
                agency=case.agency,
                from_state=case.stage,
                to_state=case.stage,
                reason=comment or "法制审核通过",
            )
            return decision
        _require(actor, case, "office_head")
        _require_secrecy_cleared(case, decision)
        overridden = list(
            case.consultations.filter(pk__in=decision.overridden_objections).order_by("id")
        )
        if overridden and case.agency.third_party_wait_days:
            decision.disclose_from = _disclose_from(case, today)
        decision.approved_by = actor
        decision.approved_at = timezone.now()
        decision.decided_on = today
        decision.save(update_fields=["approved_by", "approved_at", "decided_on", "disclose_from"])
        case.outcome = decision.outcome
        case.save(update_fields=["outcome"])
        _issue_reply(case, decision, actor=actor, issue_date=today)
        for consultation in overridden:
            _notify_third_party(case, decision, consultation, actor=actor, issue_date=today)
        _move(
            case,
            R.Stage.SERVE,
            actor=actor,
            action="decision_approved",
            reason=comment or f"同意{decision.get_outcome_display()}",
            today=today,
        )
    return decision


# -- secrecy review of what is disclosed (Art. 17 ¶2; Licheng 三(一)) -------------------------


def secrecy_review_of(decision: Decision) -> SecrecyReview | None:
    """The secrecy review of the decision's current proposal (None: not reviewed yet). A
    proposal made again after a return needs a review of its own."""
    return decision.secrecy_review


def has_secrecy_reviewer(agency: Agency) -> bool:
    """Whether someone active in ``agency`` holds the secrecy reviewer's role (DOMAIN §1)."""
    return agency.staff.filter(is_active=True, groups__name="secrecy_reviewer").exists()


def secrecy_review_refusal(actor, agency: Agency) -> str:
    """Why ``actor`` may not record secrecy reviews of ``agency``'s replies ('' if they may).

    The agency's secrecy reviewer records them; an agency without one leaves it to the office
    head (政务公开工作机构负责人), and the review says so."""
    if has_role(actor, "secrecy_reviewer"):
        return ""
    if has_role(actor, "office_head"):
        if not has_secrecy_reviewer(agency):
            return ""
        return "本机关设有保密审查人员，拟公开信息的保密审查由保密审查人员记录。"
    return (
        "拟公开信息的保密审查由保密审查人员记录；"
        "本机关未设保密审查人员的，由政务公开工作机构负责人记录。"
    )


def _require_secrecy_cleared(case, decision: Decision) -> None:
    """Art. 17 ¶2: information is disclosed only after a secrecy review that cleared it."""
    if decision.outcome not in DISCLOSING_OUTCOMES:
        return
    review = secrecy_review_of(decision)
    if review is not None and review.cleared:
        return
    who = (
        "请本机关保密审查人员"
        if has_secrecy_reviewer(case.agency)
        else "本机关未设保密审查人员，请您"
    )
    raise ValidationError(
        f"拟{decision.get_outcome_display()}的政府信息尚未通过保密审查，不能批准"
        f"（《条例》第十七条第二款）。{who}在“待保密审查的申请答复”中记录保密审查意见后再批准。"
    )


def decision_record_secrecy_review(
    *, actor, case_id: int, passed: bool, opinion: str, today=None
) -> SecrecyReview:
    """Record the secrecy review (保密审查) of the information a proposal would disclose.

    Passed: the office head may approve. Not passed: the proposal goes back to the handler with
    the opinion, like a return, to be changed (e.g. the part found secret withheld)."""
    today = today or timezone.localdate()
    opinion = opinion.strip()
    if not opinion:
        raise ValidationError({"opinion": "请写明保密审查意见（《条例》第十七条第二款）。"})
    with process_lock(case_id), transaction.atomic():
        case = _locked(case_id)
        _require(actor, case)
        refusal = secrecy_review_refusal(actor, case.agency)
        if refusal:
            raise PermissionError(refusal)
        _require_stage(case, (R.Stage.APPROVE,), "记录保密审查意见")
        decision = Decision.objects.select_for_update().get(request=case)
        if decision.outcome not in DISCLOSING_OUTCOMES:
            raise StaleCase(
                f"{case.case_number}拟{decision.get_outcome_display()}，不公开政府信息，"
                "不需要保密审查；请刷新页面查看。"
            )
        earlier = secrecy_review_of(decision)
        if earlier is not None:
            raise StaleCase(
                f"{case.case_number}的办理意见已于{cn_date(earlier.reviewed_on)}经保密审查"
                f"（{earlier.get_conclusion_display()}），请刷新页面查看。"
            )
        by_office_head = not has_role(actor, "secrecy_reviewer")
        review = SecrecyReview.objects.create(
            request=case,
            proposal_at=decision.proposed_at,
            reviewer=actor,
            reviewed_on=today,
            conclusion=SecrecyReview.Conclusion.CLEARED
            if passed
            else SecrecyReview.Conclusion.NOT_CLEARED,
            opinion=opinion,
            by_office_head=by_office_head,
            recorded_at=timezone.now(),
        )
        reason = f"{review.get_conclusion_display()}：{opinion}"
        if by_office_head:
            reason += "（本机关未设保密审查人员，由政务公开工作机构负责人审查）"
        if passed:
            audit(
                actor=actor,
                action="decision_secrecy_reviewed",
                obj=case,
                agency=case.agency,
                from_state=case.stage,
                to_state=case.stage,
                reason=reason,
            )
        else:
            _move(
                case,
                R.Stage.PROPOSE,
                actor=actor,
                action="decision_secrecy_refused",
                reason=reason,
                today=today,
            )
            sync_process(case)  # recorded from the secrecy page, outside any task
    return review


def _disclose_from(case, today: date) -> date:
    """The first day the information may go to the applicant after the third party is told
    (agency Policy, Art. 32 sets no wait); refused when it would make the reply late."""
    wait = case.agency.third_party_wait_days
    first = get_calendar(case.agency_id).add_working_days(today, wait)
    if case.due_date and first > case.due_date:
        raise ValidationError(
            f"按本机关设置，书面告知第三方后须等待{wait}个工作日（至{cn_date(first)}）才能向申请人"
            f"提供信息，将晚于答复期限{cn_date(case.due_date)}。请先依照《条例》第三十三条第二款"
            "申请延期，或由管理员调整等待期。"
        )
    return first


def _notify_third_party(case, decision: Decision, consultation: Consultation, *, actor, issue_date):
    """Art. 32: tell the objecting third party in writing what is disclosed and why."""
    document = issue_letter(
        case,
        "third_party_disclosure_notice",
        ThirdPartyDisclosureContext(
            **common(case, actor, issue_date=issue_date),
            third_party=Party(name=consultation.party_name, address=consultation.party_address),
            objection_date=consultation.replied_on,
            information=consultation.matter,
            reasons=decision.public_interest_reasons,
            articles=[f"{REG}第十五条", f"{REG}第三十二条"],
            disclosure_date=decision.disclose_from,
        ),
        actor=actor,
        title=f"决定公开告知书（致{consultation.party_name}）",
    )
    consultation.disclosure_notice = document
    consultation.save(update_fields=["disclosure_notice"])
    return document


def decision_return(*, actor, case_id: int, comment: str, today=None) -> Decision:
    """Send the proposal back to the handler with comments."""
    today = today or timezone.localdate()
    if not comment.strip():
        raise ValidationError({"comment": "退回时请写明意见，供承办人修改。"})
    with transaction.atomic():
        case = _locked(case_id)
        _require(actor, case, "office_head", "legal_reviewer")
        _require_stage(case, (R.Stage.APPROVE,), "退回")
        _move(
            case,
            R.Stage.PROPOSE,
            actor=actor,
            action="decision_returned",
            reason=comment.strip(),
            today=today,
        )
    return case.decision


def _issue_reply(case, decision: Decision, *, actor, issue_date: date):
    from workflow.letters.outcomes import reply_kind

    kind = reply_kind(decision.outcome, case.agency.reply_layout)
    context = reply_context(case, decision, actor=actor, issue_date=issue_date)
    return issue_letter(case, kind, context, actor=actor)


class ServiceMethod:
    DIRECT = "direct"
    POST = "post"
    ELECTRONIC = "electronic"
    LABELS = {
        "direct": "直接送达（以受送达人签收之日为送达日期）",
        "post": "邮寄送达（以交邮之日为送达日期）",
        "electronic": "电子送达（以通过申请人选择的渠道发出之日为送达日期）",
    }


def request_serve(
    *, actor, case_id: int, method: str, served_on: date, tracking_number: str = "", today=None
):
    """Record the service of the reply (DOMAIN §3.8); late service is allowed but recorded."""
    today = today or timezone.localdate()
    _not_in_future(served_on, today, "送达日期")
    if method not in ServiceMethod.LABELS:
        raise ValidationError({"method": "请选择送达方式。"})
    if method == ServiceMethod.POST and not tracking_number.strip():
        raise ValidationError({"tracking_number": "邮寄送达请填写邮件号码（须通过邮政企业寄送）。"})
    with transaction.atomic():
        case = _locked(case_id)
        _require(actor, case, "registrar")
        _require_stage(case, (R.Stage.SERVE,), "送达")
        decided = case.decision.decided_on
        if decided and served_on < decided:
            raise ValidationError({"served_on": "送达日期不能早于作出决定的日期。"})
        wait_until = case.decision.disclose_from
        if wait_until and served_on < wait_until:
            raise ValidationError(
                {
                    "served_on": (
                        "本申请不顾第三方反对决定公开，按本机关设置，告知第三方后须等待至"
                        f"{cn_date(wait_until)}才能向申请人提供信息（《条例》第三十二条）。"
                    )
                }
            )
        _add_clock(case, "stop", served_on, actor, today=today, note="送达")
        case.service_method = method
        case.served_on = served_on
        case.tracking_number = tracking_number.strip()
        state = evaluate_case(case, today=today)
        case.served_late = state.on_time is False
        case.save(update_fields=["service_method", "served_on", "tracking_number", "served_late"])
        _move(
            case,
            R.Stage.ARCHIVE,
            actor=actor,
            action="request_served",
            reason=f"{ServiceMethod.LABELS[method]}，{cn_date(served_on)}"
            + ("，逾期送达" if case.served_late else ""),
            today=today,
        )
    return case


def request_withdraw(*, actor, case_id: int, on: date, reason: str, today=None):
    """The applicant withdraws (outcome ``other``): processing ends with a notice."""
    today = today or timezone.localdate()
    _not_in_future(on, today, "撤回日期")
    if not reason.strip():
        raise ValidationError({"reason": "请记录申请人撤回的方式和时间（如书面撤回申请）。"})
    with process_lock(case_id), transaction.atomic():
        case = _locked(case_id)
        _require(actor, case, "registrar", "handler")
        _require_stage(case, OPEN_STAGES, "登记撤回")
        decision, _ = Decision.objects.update_or_create(
            request=case,
            defaults={
                "outcome": "other",
                "articles": [],
                "reason": f"申请人于{cn_date(on)}撤回申请（{reason.strip()}）。",
                "proposed_by": actor,
                "proposed_at": timezone.now(),
                "approved_by": actor,
                "approved_at": timezone.now(),
                "decided_on": today,
            },
        )
        case.outcome = "other"
        case.save(update_fields=["outcome"])
        _issue_reply(case, decision, actor=actor, issue_date=today)
        _move(
            case, R.Stage.SERVE, actor=actor, action="request_withdrawn", reason=reason, today=today
        )
        sync_process(case)  # withdrawal comes from the case page, outside any task
    return case


# -- processing fee (Fee Rules, DOMAIN §3.7) ----------------------------------------------------

PAYMENT_DAYS = 20


def applications_earlier_this_month(case: InformationRequest) -> int:
    """The same applicant's earlier applications to this agency in the case's calendar month."""
    same = InformationRequest.objects.filter(
        agency=case.agency,
        receipt_date__year=case.receipt_date.year,
        receipt_date__month=case.receipt_date.month,
        pk__lt=case.pk,
    )
    if case.credit_code:
        same = same.filter(credit_code=case.credit_code)
    elif case.id_number:
        same = same.filter(id_number=case.id_number)
    else:
        same = same.filter(applicant_name=case.applicant_name)
    return same.count()


def fee_notice(
    *,
    actor,
    case_id: int,
    method: str,
    quantity: int,
    payment_method: str,
    reduction: int = 0,
    reduction_reason: str = "",
    today=None,
) -> Fee:
    """Charge a fee for volume or frequency beyond reason; the clock pauses until payment."""
    today = today or timezone.localdate()
    if method not in Fee.Method.values:
        raise ValidationError({"method": "请选择按件计收或按量计收（两者不得同时适用）。"})
    if quantity < 1:
        raise ValidationError({"quantity": "件数或页数至少为1。"})
    if not payment_method.strip():
        raise ValidationError({"payment_method": "请写明缴费方式（如缴款账户、缴费地点）。"})
    if reduction and not reduction_reason.strip():
        raise ValidationError(
            {"reduction_reason": "减免收费的，请写明理由（如申请人为低保对象）。"}
        )
    with transaction.atomic():
        case = _locked(case_id)
        _require(actor, case, "handler")
        _require_stage(case, (R.Stage.PROPOSE,), "发出收费通知")
        if hasattr(case, "fee"):
            raise ValidationError("这件申请已经发出过收费通知。")
        earlier = applications_earlier_this_month(case) if method == Fee.Method.PER_PIECE else 0
        context = FeeContext(
            **common(case, actor, issue_date=today),
            method=method,
            quantity=quantity,
            earlier_this_month=earlier,
            reduction=reduction,
            reduction_reason=reduction_reason.strip(),
            payment_method=payment_method.strip(),
            pay_within_days=PAYMENT_DAYS,
        )
        calculation = context.calculation()
        if calculation.due == 0:
            raise ValidationError(
                {"quantity": "按此数量不收费（本月前10件、前30页免费）；无需发出收费通知。"}
            )
        fee = Fee.objects.create(
            request=case,
            method=method,
            quantity=quantity,
            earlier_this_month=earlier,
            reduction=reduction,
            reduction_reason=reduction_reason.strip(),
            amount=calculation.due,
            calculation=calculation.describe(),
            payment_method=payment_method.strip(),
            notice_on=today,
            pay_by=None,  # 收到收费通知次日起20个工作日 (Fee Rules): set when the notice is served
            created_by=actor,
            created_at=timezone.now(),
        )
        _add_clock(case, "pause", today, actor, today=today, reason="fee", note="收费通知")
        letter = issue_letter(case, "fee_notice", context, actor=actor)
        _await_service(
            case,
            NoticeService.Notice.FEE,
            letter,
            addressee=case.applicant_name,
            issued_on=today,
            period_days=PAYMENT_DAYS,
        )
        _move(
            case,
            R.Stage.FEE,
            actor=actor,
            action="fee_notice_issued",
            reason=f"应缴{fee.amount}元，缴费期限为收到通知次日起{PAYMENT_DAYS}个工作日，待送达",
            today=today,
        )
    return fee


def _settle_fee(case, fee: Fee, status: str, on: date, *, actor, today, reason: str):
    fee.status = status
    fee.settled_on = on
    fee.save(update_fields=["status", "settled_on", "waiver_reason"])
    _add_clock(case, "resume", on, actor, today=today, note=fee.get_status_display())
    _move(case, R.Stage.PROPOSE, actor=actor, action=f"fee_{status}", reason=reason, today=today)


def fee_paid(*, actor, case_id: int, paid_on: date, today=None) -> Fee:
    """The payment arrived: the clock resumes from the next working day."""
    today = today or timezone.localdate()
    _not_in_future(paid_on, today, "缴费日期")
    with transaction.atomic():
        case = _locked(case_id)
        _require(actor, case, "registrar", "handler")
        _require_stage(case, (R.Stage.FEE,), "登记缴费")
        fee = Fee.objects.select_for_update().get(request=case)
        if paid_on < fee.notice_on:
            raise ValidationError({"paid_on": "缴费日期不能早于收费通知日期。"})
        _settle_fee(
            case,
            fee,
            Fee.Status.PAID,
            paid_on,
            actor=actor,
            today=today,
            reason=f"已缴{fee.amount}元",
        )
    return fee


def fee_waive(*, actor, case_id: int, reason: str, today=None) -> Fee:
    """Waive the fee (e.g. an applicant on subsistence allowance); the reason is kept."""
    today = today or timezone.localdate()
    if not reason.strip():
        raise ValidationError({"reason": "请写明免收理由。"})
    with process_lock(case_id), transaction.atomic():
        case = _locked(case_id)
        _require(actor, case, "office_head")
        _require_stage(case, (R.Stage.FEE,), "免收信息处理费")
        fee = Fee.objects.select_for_update().get(request=case)
        fee.waiver_reason = reason.strip()
        _settle_fee(case, fee, Fee.Status.WAIVED, today, actor=actor, today=today, reason=reason)
        sync_process(case)  # the waiver comes from the case page, outside the fee task
    return fee


def fee_lapsed(*, case_id: int, today=None) -> InformationRequest | None:
    """No payment within 20 working days: deemed abandoned (Fee Rules). Run by the timer."""
    today = today or timezone.localdate()
    with transaction.atomic():
        case = _locked(case_id)
        fee = Fee.objects.select_for_update().filter(request=case).first()
        # Not before the notice is served and its 20 working days have run (Fee Rules).
        if case.stage != R.Stage.FEE or fee is None or fee.pay_by is None or today <= fee.pay_by:
            return None
        fee.status = Fee.Status.LAPSED
        fee.save(update_fields=["status"])
        _decide_abandoned(
            case,
            outcome="abandoned_no_payment",
            notice_date=fee.notice_on,
            lapsed=fee.pay_by,
            today=today,
        )
    return case


# -- service of notices whose period runs from receipt (DOMAIN §3.8) -------------------------------


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


def notice_is_open(service: NoticeService) -> bool:
    """Whether the notice's period still matters: its wait is not over (its service may still be
    recorded or corrected)."""
    case = service.request
    if service.notice == NoticeService.Notice.CORRECTION:
        return case.stage == R.Stage.CORRECT
    if service.notice == NoticeService.Notice.FEE:
        fee = Fee.objects.filter(request=case).first()
        return case.stage == R.Stage.FEE and fee is not None and fee.status == Fee.Status.PENDING
    return (
        case.stage == R.Stage.CONSULT
        and service.consultation is not None
        and service.consultation.is_open
    )


def pending_notices(user):
    """Notices of the user's agencies still waiting for their service to be recorded (待送达),
    oldest letter first; only open ones (a notice whose wait ended has nothing left to count)."""
    from workflow.selectors import agencies_of

    consult_open = Q(notice__in=[NoticeService.Notice.THIRD_PARTY, NoticeService.Notice.AGENCY])
    consult_open &= Q(
        consultation__reply=Consultation.Reply.PENDING, request__stage=R.Stage.CONSULT
    )
    correction_open = Q(notice=NoticeService.Notice.CORRECTION, request__stage=R.Stage.CORRECT)
    fee_open = Q(
        notice=NoticeService.Notice.FEE,
        request__stage=R.Stage.FEE,
        request__fee__status=Fee.Status.PENDING,
    )
    return (
        NoticeService.objects.filter(
            request__agency__in=agencies_of(user).values("pk"), served_on__isnull=True
        )
        .filter(consult_open | correction_open | fee_open)
        .select_related("request", "letter")
        .order_by("issued_on", "id")
    )


def _set_period_end(case, service: NoticeService, end: date | None) -> None:
    if service.notice == NoticeService.Notice.CORRECTION:
        case.correction_deadline = end
        case.save(update_fields=["correction_deadline"])
    elif service.notice == NoticeService.Notice.FEE:
        Fee.objects.filter(request=case).update(pay_by=end)
    else:
        Consultation.objects.filter(pk=service.consultation_id).update(limit_date=end)


def notice_record_service(
    *,
    actor,
    service_id: int,
    method: str,
    served_on: date,
    tracking_number: str = "",
    proof_id: int | None = None,
    today=None,
) -> NoticeService:
    """Record (or correct) the service of a notice; its period's end is computed from it and the
    timer waiting on it is moved (Arts. 30, 32, 34; Fee Rules; DOMAIN §3.8)."""
    today = today or timezone.localdate()
    if method not in NoticeService.Method.values:
        raise ValidationError({"method": "请选择送达方式：直接送达、邮寄送达或电子送达。"})
    if method == NoticeService.Method.POST and not tracking_number.strip():
        raise ValidationError(
            {
                "tracking_number": (
                    "邮寄送达请填写邮件号码（须通过邮政企业寄送，以交邮之日为送达日期）。"
                )
            }
        )
    if served_on > today:
        raise ValidationError({"served_on": f"送达日期（{cn_date(served_on)}）晚于今天，请核对。"})
    case_id = (
        NoticeService.objects.filter(pk=service_id).values_list("request_id", flat=True).first()
    )
    if case_id is None:
        raise StaleCase("没有找到这份文书的送达记录，请刷新页面。")
    with process_lock(case_id), transaction.atomic():
        case = _locked(case_id)
        _require(actor, case, "registrar")
        service = (
            NoticeService.objects.select_for_update(of=("self",))
            .select_related("consultation")
            .get(pk=service_id)
        )
        service.request = case
        if not notice_is_open(service):
            raise StaleCase(f"{service}的期限已经结束或不再需要计算，不能再登记或更改送达。")
        if served_on < service.issued_on:
            raise ValidationError(
                {
                    "served_on": (
                        f"送达日期不能早于{service.get_notice_display()}的日期"
                        f"（{cn_date(service.issued_on)}）。"
                    )
                }
            )
        proof = None
        if proof_id:
            proof = case.documents.filter(pk=proof_id, kind=CaseDocument.Kind.SERVICE_PROOF).first()
            if proof is None:
                raise ValidationError({"proof": "请选择本申请已上传的送达凭证。"})
        received, end = notice_period_end(
            get_calendar(case.agency_id),
            served_on=served_on,
            days=service.period_days,
            by_post=method == NoticeService.Method.POST,
            postal_receipt_days=case.agency.postal_receipt_days,
        )
        earlier = service.period_end
        corrected = service.served_on is not None
        service.method = method
        service.served_on = served_on
        service.received_on = received
        service.period_end = end
        service.tracking_number = tracking_number.strip()
        service.proof = proof
        service.presumed = False
        service.recorded_by = actor
        service.recorded_at = timezone.now()
        service.save()
        _set_period_end(case, service, end)
        sync_clock(case, today=today)
        audit(
            actor=actor,
            action="notice_service_corrected" if corrected else "notice_served",
            obj=case,
            agency=case.agency,
            from_state=case.stage,
            to_state=case.stage,
            reason=service.explanation,
            data={
                "notice": service.notice,
                "method": method,
                "served_on": served_on.isoformat(),
                "received_on": received.isoformat(),
                "period_end": end.isoformat(),
                "earlier_period_end": earlier.isoformat() if earlier else None,
                "tracking_number": service.tracking_number,
            },
        )
        rearm_timers(case)
    return service


# -- archive -------------------------------------------------------------------------------------


@dataclass
class _ArchiveAhead:
    """The handling sheet and the case file made before the case is locked."""

    context: HandlingSheetContext
    version: str  # of the agency's templates
    sheet: tuple[bytes, bytes]  # PDF, DOCX
    inputs: list[tuple]  # case_file.case_file_inputs
    pdf: bytes


def _archive_ahead(case, actor, today: date, prepared) -> _ArchiveAhead | None:
    """The handling sheet and the case file as they will be if nothing changes before the lock
    (None when the sheet cannot be made: the lock says why)."""
    from requests_app.case_file import build_case_file, case_file_inputs, steps_once_archived

    now = timezone.now()
    context = HandlingSheetContext(
        **common(case, actor, issue_date=today),
        steps=steps_once_archived(case, actor, now),
        outcome=case.outcome,
        letters=issued_letters(case),
    )
    version = template_version(case.agency)
    try:
        sheet_files = render_letter_files(case, "handling_sheet", context)
    except ValidationError:
        return None
    # The sheet as issue_letter will keep it; unsaved, so its pages are found under pk None.
    sheet = CaseDocument(
        request=case,
        kind=CaseDocument.Kind.LETTER,
        title=KINDS["handling_sheet"].label,
        number=context.number_text(),
        created_at=now,
    )
    sheet.file.name = "handling-sheet.pdf"
    documents = [*case.documents.exclude(kind=CaseDocument.Kind.CASE_FILE), sheet]
    pages = {**prepared, None: (sheet.file.name, sheet_files[0])}
    return _ArchiveAhead(
        context=context,
        version=version,
        sheet=sheet_files,
        inputs=case_file_inputs(documents, sheet_id=None),
        pdf=build_case_file(case, documents, on=today, prepared=pages),
    )


def request_archive(*, actor, case_id: int, today=None) -> CaseDocument:
    """Close the case file: the handling sheet, then one PDF of everything; read-only after.

    On SQLite the lock is the whole database's, so the slow part is done before the case is
    locked: every document made PDF pages (scans placed on A4 pages), the handling sheet and the
    case file as they will be. Under the lock they are kept only if nothing changed meanwhile
    (the same steps, documents and templates); otherwise they are made again there. Files
    written by a transaction that does not commit are removed; those of a process that died
    before its commit are swept later (``case_file.sweep_orphan_files``)."""
    from django.core.files.base import ContentFile

    from requests_app.case_file import (
        build_case_file,
        case_file_inputs,
        document_pages,
        handling_steps,
    )

    today = today or timezone.localdate()
    case = InformationRequest.objects.select_related("agency").get(pk=case_id)
    _require(actor, case, "registrar")
    _require_stage(case, (R.Stage.ARCHIVE,), "归档")
    prepared = document_pages(case.documents.exclude(kind=CaseDocument.Kind.CASE_FILE))
    ahead = _archive_ahead(case, actor, today, prepared)
    stored: list[str] = []
    try:
        with transaction.atomic():
            case = _locked(case_id)
            _require(actor, case, "registrar")
            _require_stage(case, (R.Stage.ARCHIVE,), "归档")
            case.closed_on = today
            case.save(update_fields=["closed_on"])
            _move(case, R.Stage.CLOSED, actor=actor, action="request_archived", today=today)
            context = HandlingSheetContext(
                **common(case, actor, issue_date=today),
                steps=handling_steps(case),
                outcome=case.outcome,
                letters=issued_letters(case),
            )
            same = (
                ahead is not None
                and ahead.context == context
                and ahead.version == template_version(case.agency)
            )
            sheet = issue_letter(
                case,
                "handling_sheet",
                context,
                actor=actor,
                stored=stored,
                rendered=ahead.sheet if same else None,
            )
            documents = list(case.documents.exclude(kind=CaseDocument.Kind.CASE_FILE))
            if same and ahead.inputs == case_file_inputs(documents, sheet_id=sheet.pk):
                pdf = ahead.pdf
            else:
                pdf = build_case_file(case, documents, on=today, prepared=prepared)
            case_file = CaseDocument(
                request=case,
                kind=CaseDocument.Kind.CASE_FILE,
                title=f"{case.case_number}案卷",
                number=case.case_number,
                size=len(pdf),
                created_by=actor,
                created_at=timezone.now(),
            )
            case_file.file.save(
                f"{case.year}-{case.sequence}-case-file.pdf", ContentFile(pdf), save=False
            )
            stored.append(case_file.file.name)
            case_file.save()
    except BaseException:
        _discard(stored)
        raise
    return case_file
