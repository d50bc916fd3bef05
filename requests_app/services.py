"""State changes of an information request: one service per change (STYLE.md).

Each service: one transaction, the case re-read under a row lock, its state checked, the change
made, an audit event written, the stored clock recomputed. Bad input raises ``ValidationError``
with Chinese messages keyed by field; a state that no longer allows the step raises
``StaleCase`` (someone else acted first).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from requests_app.clock_sync import sync_clock
from requests_app.identity import credit_code_problem, resident_id_problem
from requests_app.models import CaseCounter, ClockEntry, InformationRequest
from workflow.audit import audit
from workflow.cn import cn_date
from workflow.letters.contexts import CaseNumber
from workflow.models import Agency

R = InformationRequest


class StaleCase(Exception):
    """The case moved on before this action: someone else acted first. The message says how."""


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


# Art. 31: the receipt date by channel. In person and registered post: the day it is handed in
# or signed for, i.e. the arrival day itself; ordinary letters, online and fax: the day of the
# confirmation, which can be later than the arrival.
SAME_DAY_CHANNELS = {R.Channel.IN_PERSON, R.Channel.REGISTERED_POST}


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
    if data.arrival_date > today:
        errors["arrival_date"] = f"到达日期{cn_date(data.arrival_date)}晚于今天，请核对。"
    if not data.applicant_name.strip():
        errors["applicant_name"] = "请填写申请人的姓名或名称。"
    if not data.description.strip():
        errors["description"] = "请填写申请获取的政府信息的名称、文号或者便于查询的其他特征性描述。"
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
    *, actor, agency: Agency, data: Registration, today: date | None = None
) -> InformationRequest:
    """Register an application: number it, start its clock on the receipt date (Art. 31, 33)."""
    now = timezone.now()
    today = today or timezone.localdate()
    errors = validate_registration(data, today=today)
    if errors:
        raise ValidationError(errors)
    if not agency.staff.filter(pk=actor.pk).exists():
        raise PermissionError(f"您不是{agency.name}的工作人员，不能为其登记申请。")
    values = {f.name: getattr(data, f.name) for f in fields(Registration)}
    for key in ("id_number", "credit_code", "agent_id_number"):
        values[key] = values[key].strip().upper()
    with transaction.atomic():
        year = data.receipt_date.year
        sequence = next_case_number(agency, year)
        case = InformationRequest.objects.create(
            agency=agency,
            year=year,
            sequence=sequence,
            case_number=format_case_number(agency, year, sequence),
            stage=R.Stage.ACCEPT,
            created_by=actor,
            created_at=now,
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
    return case
