"""Tracking an application on the public side (issue #16 §2–3): the applicant gives the number
(the online submission's, or the case number once registered), the query code and the last four
characters of the ID number (a person) or of the unified social credit code (an organisation),
and sees where the application stands, its due date and why, the letters served to them on this
page, and once replied, the remedy.

- One answer for any mismatch, after the same work: both numbers are looked up, the code is
  checked (``query_code_matches`` also when nothing was found), the last four compared in
  constant time, and the attempt audited.
- Tries are limited per visitor address and per number, so codes cannot be guessed.
- No session: a success redirects to a signed token URL that expires after ``TOKEN_AGE``; the
  code never appears in a URL or in the audit log. Pages are ``no-store``.
- The page shows the applicant's own particulars only: never staff, third parties, other
  agencies, internal opinions or drafts (``tracking_facts``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django import forms
from django.core import signing
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_http_methods

from requests_app.audit_actions import SubmissionAction
from requests_app.clock_sync import evaluate_case
from requests_app.models import (
    CaseDocument,
    Extension,
    InformationRequest,
    NoticeService,
    OnlineLetter,
    OnlineSubmission,
    ReasonsRequest,
)
from requests_app.rules.outcomes import OUTCOMES
from requests_app.services.online_service import (
    APPLICANT_LETTER_KINDS,
    letter_record_download,
    provided_files,
    provided_record_download,
)
from requests_app.uploads import FILE_TYPES
from workflow.audit import audit
from workflow.cn import cn_date
from workflow.downloads import protect, stored_file_response
from workflow.letters.contexts import Remedy
from workflow.letters.issuing import render_if_pending
from workflow.models import Agency
from workflow.public.codes import query_code_matches
from workflow.public.throttle import client_address, throttle
from workflow.public.views import public_agency

R = InformationRequest
S = OnlineSubmission

MISMATCH = "编号、查询码或证件号码后四位不正确。"
EXPIRED = "查询结果的有效时间（30分钟）已过，请重新输入编号和查询码。"
TOKEN_SALT = "gongkai.public.track"
TOKEN_AGE = 30 * 60
#: Tries per visitor address and per number in an hour.
TRIES_PER_ADDRESS = 20
TRIES_PER_NUMBER = 10
#: Views of a tracking page or its downloads per address in an hour (bounds the audit log).
VIEWS_PER_ADDRESS = 120
WINDOW = 3600
MAX_ID = 2**63 - 1

# Brackets as typed on a phone or a PC keyboard, read as the ones of a case number.
_BRACKETS = str.maketrans({"[": "〔", "]": "〕", "【": "〔", "】": "〕", "［": "〔", "］": "〕"})


class TrackForm(forms.Form):
    number = forms.CharField(
        label="网上申请编号或登记编号",
        max_length=60,
        help_text="例如：网申2026-000017；申请登记后也可以填写登记编号。",
        error_messages={"required": "请填写网上申请编号或登记编号。"},
    )
    code = forms.CharField(
        label="查询码",
        max_length=40,
        help_text="提交申请时页面显示的12位查询码，例如 K7PQ-3MXA-9RTE。",
        error_messages={"required": "请填写查询码。"},
    )
    id_tail = forms.CharField(
        label="证件号码后四位",
        max_length=4,
        required=False,
        help_text="个人申请填写身份证件号码的后四位；法人或其他组织填写统一社会信用代码的后四位。",
    )

    def clean_number(self) -> str:
        number: str = self.cleaned_data["number"]
        return "".join(number.split()).translate(_BRACKETS)

    def clean_id_tail(self) -> str:
        tail: str = self.cleaned_data["id_tail"]
        return tail.strip().upper()


def _no_store(response: HttpResponseBase) -> HttpResponseBase:
    add_never_cache_headers(response)
    return response


def _found(agency: Agency, number: str) -> S | None:
    """The submission behind ``number`` (its own, or its case's): both looked up every time."""
    by_number = S.objects.filter(agency=agency, number=number).first()
    by_case = S.objects.filter(agency=agency, case__case_number=number).first()
    return by_number or by_case


def _expected_tail(submission: S | None) -> str:
    if submission is None:
        return "\x00" * 4  # matches nothing typed (the form refuses NUL)
    if submission.applicant_kind == R.ApplicantKind.PERSON:
        return submission.id_number[-4:].upper() or "\x00" * 4
    # An organisation without a recorded credit code (some 其他组织 have none) is not asked.
    return submission.credit_code[-4:].upper()


def _matches(submission: S | None, code: str, tail: str) -> bool:
    code_ok = query_code_matches(submission.query_code_hash if submission else "", code)
    expected = _expected_tail(submission)
    tail_ok = constant_time_compare(expected, tail) if expected else True
    return submission is not None and code_ok and tail_ok


def track_token(submission: S) -> str:
    return signing.dumps({"s": submission.pk, "a": submission.agency_id}, salt=TOKEN_SALT)


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest, agency_code: str) -> HttpResponseBase:
    """The form; a match redirects to the tracking page under a short-lived signed token."""
    agency = public_agency(agency_code)
    error = ""
    if request.method == "POST":
        form = TrackForm(request.POST)
        throttle(request, scope="track", limit=TRIES_PER_ADDRESS, window=WINDOW)
        if form.is_valid():
            number = form.cleaned_data["number"]
            throttle(
                request,
                scope="track-number",
                key=f"{agency.pk}:{number}",
                limit=TRIES_PER_NUMBER,
                window=WINDOW,
            )
            submission = _found(agency, number)
            if submission is not None and _matches(
                submission, form.cleaned_data["code"], form.cleaned_data["id_tail"]
            ):
                return redirect("public:track_case", agency.code, track_token(submission))
            _audit_failure(request, agency, submission, number)
            error = MISMATCH
        else:
            # Incomplete or malformed (NUL, too long): traced too, without what was typed.
            _audit_failure(request, agency, None, "")
    else:
        form = TrackForm()
    response = render(
        request,
        "public/requests_app/track.html",
        {"agency": agency, "form": form, "error": error},
        status=400 if error or form.errors else 200,
    )
    return _no_store(response)


def _audit_failure(request: HttpRequest, agency: Agency, submission: S | None, number: str) -> None:
    # The number typed is kept (a trace of what was tried); the code never.
    audit(
        actor=None,
        action=SubmissionAction.TRACKING_FAILED,
        obj=submission,
        object_type="" if submission else S._meta.label_lower,
        object_repr="" if submission else number[:60],
        agency=agency,
        reason=f"查询失败（来自{client_address(request)}）",
        data={"ip": client_address(request), "number": number[:60]},
    )


def _tracked(agency: Agency, token: str) -> S:
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_AGE)
    except signing.SignatureExpired:
        raise _Expired from None
    except (signing.BadSignature, ValueError, TypeError):
        raise Http404(MISMATCH) from None
    if not isinstance(data, dict) or data.get("a") != agency.pk:
        raise Http404(MISMATCH)
    submission_id = data.get("s")
    if not isinstance(submission_id, int):
        raise Http404(MISMATCH)
    submission = (
        S.objects.filter(pk=submission_id, agency=agency)
        .exclude(query_code_hash="")
        .select_related("case", "agency")
        .first()
    )
    if submission is None:
        raise Http404(MISMATCH)
    return submission


class _Expired(Exception):
    pass


@require_http_methods(["GET"])
def track_case(request: HttpRequest, agency_code: str, token: str) -> HttpResponseBase:
    """Where the application stands (audited on every view)."""
    agency = public_agency(agency_code)
    throttle(request, scope="track-view", limit=VIEWS_PER_ADDRESS, window=WINDOW)
    try:
        submission = _tracked(agency, token)
    except _Expired:
        response = render(
            request,
            "public/requests_app/track.html",
            {"agency": agency, "form": TrackForm(), "error": EXPIRED},
            status=410,
        )
        return _no_store(response)
    address = client_address(request)
    audit(
        actor=None,
        action=SubmissionAction.TRACKING_VIEWED,
        obj=submission,
        agency=agency,
        reason=f"申请人查询（来自{address}）",
        data={"ip": address, "case_id": submission.case_id},
    )
    facts = tracking_facts(submission, today=timezone.localdate())
    response = render(
        request,
        "public/requests_app/track_case.html",
        {"agency": agency, "facts": facts, "token": token},
    )
    return _no_store(response)


@require_http_methods(["GET"])
def track_letter(
    request: HttpRequest, agency_code: str, token: str, letter_id: int
) -> HttpResponseBase:
    """A letter served to the applicant on the tracking page; any other id is 404."""
    agency = public_agency(agency_code)
    throttle(request, scope="track-view", limit=VIEWS_PER_ADDRESS, window=WINDOW)
    try:
        submission = _tracked(agency, token)
    except _Expired:
        raise Http404(EXPIRED) from None
    if submission.case_id is None or letter_id > MAX_ID:
        raise Http404(MISMATCH)
    online = (
        OnlineLetter.objects.filter(
            letter_id=letter_id,
            request_id=submission.case_id,
            letter__letter_kind__in=APPLICANT_LETTER_KINDS,
        )
        .select_related("letter", "request")
        .first()
    )
    if online is None:
        raise Http404(MISMATCH)
    letter = online.letter
    render_if_pending(
        letter.file.name or ""
    )  # a letter whose render after its step's commit failed
    response = stored_file_response(
        letter.file,
        filename=f"{online.request.case_number}-{letter.title}.pdf",
        as_attachment=True,
    )
    letter_record_download(
        submission=submission, online=online, address=client_address(request), now=timezone.now()
    )
    return _no_store(protect(response))


@require_http_methods(["GET"])
def track_provided(
    request: HttpRequest, agency_code: str, token: str, document_id: int
) -> HttpResponseBase:
    """A file of the information provided with the served reply (``provided_files``); any
    other id — an application scan, an internal file, another case's file, a file of a reply
    not yet served — is 404."""
    agency = public_agency(agency_code)
    throttle(request, scope="track-view", limit=VIEWS_PER_ADDRESS, window=WINDOW)
    try:
        submission = _tracked(agency, token)
    except _Expired:
        raise Http404(EXPIRED) from None
    if submission.case is None or document_id > MAX_ID:
        raise Http404(MISMATCH)
    document = provided_files(submission.case).filter(pk=document_id).first()
    if document is None:
        raise Http404(MISMATCH)
    file_type = FILE_TYPES.get(document.file_type)
    response = stored_file_response(
        document.file,
        filename=document.original_name or document.title,
        as_attachment=True,
        content_type=file_type.mime if file_type else None,
    )
    provided_record_download(
        submission=submission,
        document=document,
        address=client_address(request),
        now=timezone.now(),
    )
    return _no_store(protect(response))


# -- what the page shows ---------------------------------------------------------------------


@dataclass
class TrackingFacts:
    """What the tracking page shows: only what the applicant may know."""

    number: str
    case_number: str
    applicant: str
    description: str
    submitted_on: date
    status: str
    lines: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    items_title: str = "需要补正的事项"
    due_date: date | None = None
    due_lines: list[str] = field(default_factory=list)
    letters: list[OnlineLetter] = field(default_factory=list)
    provided: list[CaseDocument] = field(default_factory=list)
    remedy: list[str] = field(default_factory=list)


def mask_name(name: str) -> str:
    """张明华 → 张**, 孝义市某某有限公司 → 孝义********: enough for the applicant to know it."""
    name = name.strip()
    if len(name) <= 1:
        return name
    keep = 1 if len(name) <= 4 else 2
    return name[:keep] + "*" * min(len(name) - keep, 8)


def tracking_facts(submission: S, *, today: date) -> TrackingFacts:
    facts = TrackingFacts(
        number=submission.number,
        case_number="",
        applicant=mask_name(submission.applicant_name),
        description=submission.description,
        submitted_on=submission.submitted_on,
        status="",
    )
    if submission.status == S.Status.PENDING:
        facts.status = "待确认"
        facts.lines = [
            f"本机关已于{cn_date(submission.submitted_on)}收到您在网上提交的申请，正在核对。",
            "经本机关确认后登记，确认之日为收到申请之日，答复期限自该日起计算"
            "（《中华人民共和国政府信息公开条例》第三十一条第（三）项）。",
        ]
        return facts
    if submission.status == S.Status.RETURNED:
        facts.status = "已退回"
        facts.lines = [
            f"本机关已退回这份网上申请，退回理由：{submission.return_reason}",
            "退回的申请不视为本机关已收到申请。您可以按照退回理由修改后重新提交，"
            "或者向退回理由中所说的机关或渠道提出。",
        ]
        return facts
    case = submission.case
    assert case is not None
    facts.case_number = case.case_number
    _case_status(case, facts, today=today)
    facts.letters = list(
        OnlineLetter.objects.filter(request=case, letter__letter_kind__in=APPLICANT_LETTER_KINDS)
        .select_related("letter")
        .order_by("available_at", "id")
    )
    facts.provided = list(provided_files(case))
    return facts


def _case_status(case: R, facts: TrackingFacts, *, today: date) -> None:
    received = f"本机关已于{cn_date(case.receipt_date)}收到您的申请，登记编号为{case.case_number}。"
    replied = case.served_on is not None and bool(case.outcome)
    if case.stage == R.Stage.CLOSED or (case.concluded_on and not replied):
        facts.status = "已办结"
        facts.lines = [received]
        if replied:
            facts.lines.append(f"本机关已于{cn_date(case.served_on)}作出答复并送达。")
    elif replied:
        facts.status = "已答复"
        facts.lines = [received, f"本机关已于{cn_date(case.served_on)}作出答复并送达。"]
    elif case.stage == R.Stage.CORRECT:
        facts.status = "需要补正"
        facts.items = [str(item) for item in case.correction_items]
        facts.lines = [received, _correction_deadline(case)]
    elif case.stage == R.Stage.REASONS:
        facts.status = "需要说明理由"
        asked = ReasonsRequest.objects.filter(request=case).first()
        facts.lines = [received]
        if asked is not None:
            facts.items = [str(item) for item in asked.items]
            facts.items_title = "需要说明的事项"
            facts.lines.append(
                f"本机关已要求您说明理由（《条例》第三十五条），请于{cn_date(asked.reply_by)}前"
                f"（含当日）通过{asked.how_to_answer}说明；等待说明期间答复期限照常计算。"
            )
    elif case.stage == R.Stage.CONSULT:
        facts.status = "征求意见中（计时暂停）"
        facts.lines = [
            received,
            "本机关正在依法征求有关方面的意见（《条例》第三十二条、第三十四条），"
            "征求意见所需时间不计入答复期限（《条例》第三十三条第三款）。",
        ]
    elif case.stage == R.Stage.FEE:
        facts.status = "等待缴纳信息处理费（计时暂停）"
        facts.lines = [
            received,
            "本机关已向您发出信息处理费缴费通知书，请按通知书缴费；"
            "自发出通知至缴费的时间不计入答复期限。",
        ]
    else:
        extension = Extension.objects.filter(request=case, approved_on__isnull=False).first()
        if extension is not None:
            facts.status = "已延长答复期限"
            facts.lines = [
                received,
                f"经本机关政府信息公开工作机构负责人同意，答复期限延长{extension.days}个工作日"
                f"（《条例》第三十三条第二款），理由：{extension.reason}",
            ]
        else:
            facts.status = "已受理，正在办理"
            facts.lines = [received]
    if not replied and not case.concluded_on:
        # The clock's own lines, computed today: the stored explanation also has the notices'
        # lines, which name their addressees (a third party, another agency).
        state = evaluate_case(case, today=today)
        facts.due_date = None if state.paused else state.due_date
        facts.due_lines = list(state.explanation)
    if replied:
        facts.remedy = remedy_lines(case)
        if case.delivery == R.Delivery.ONLINE and case.service_method == "electronic":
            facts.lines.append(
                f"答复已在本页面送达，{cn_date(case.served_on)}即为您收到答复之日，"
                "下列救济期限自该日起计算。"
            )


def _correction_deadline(case: R) -> str:
    notice = (
        NoticeService.objects.filter(request=case, notice=NoticeService.Notice.CORRECTION)
        .order_by("-id")
        .first()
    )
    if notice is not None and notice.period_end is not None:
        return (
            f"请于{cn_date(notice.period_end)}前（含当日）按补正申请告知书补正；"
            "收到补正后的申请之日起，答复期限重新计算（《条例》第三十条）。"
        )
    return "本机关将向您送达补正申请告知书，补正期限自您收到告知书之日起计算（《条例》第三十条）。"


def remedy_lines(case: R) -> list[str]:
    """The remedy clause in plain words (DOMAIN §3.8): 复议前置 only for a refusal under
    Arts. 14–16 (法释〔2025〕8号); the periods run from receipt of the reply."""
    outcome = OUTCOMES.get(case.outcome)
    if outcome is None or outcome.remedy is None:
        return []
    agency = case.agency
    organ = agency.reconsideration_organ or "行政复议机关"
    court = agency.court or "有管辖权的人民法院"
    prior = (
        f"对不予公开的决定不服的，应当自收到答复之日起60日内先向{organ}申请行政复议"
        "（行政复议前置，《中华人民共和国行政复议法》第二十三条）；"
        "对行政复议决定不服的，可以自收到行政复议决定书之日起15日内向人民法院提起行政诉讼。"
    )
    choice = (
        f"认为本机关的答复侵犯您合法权益的，可以自收到答复之日起60日内向{organ}申请行政复议，"
        f"也可以自收到答复之日起6个月内向{court}提起行政诉讼"
        "（《中华人民共和国行政诉讼法》第四十六条）。"
    )
    if outcome.remedy == Remedy.PRIOR_RECONSIDERATION:
        return [prior]
    if outcome.remedy == Remedy.MIXED:
        return [
            "对答复中不予公开的部分：" + prior,
            "对答复的其他部分：" + choice,
        ]
    return [choice]
