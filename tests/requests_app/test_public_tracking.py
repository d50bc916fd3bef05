"""Tracking an application on the public side, and service on the tracking page (issue #16 §2–3).

The applicant sees where the application stands in plain words, the due date and why, the letters
served to them on the page and the remedy, and nothing else: no staff, no third party, no other
agency. Any mismatch gives one answer; guessing is throttled; every look is audited, the query
code never.
"""

from __future__ import annotations

import pytest
import time_machine
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from requests_app.models import CaseDocument, OnlineLetter, OnlineSubmission
from requests_app.public.tracking import MISMATCH, TOKEN_SALT, mask_name, track_token
from requests_app.services import (
    OnlineApplication,
    consultation_send,
    decision_approve,
    decision_propose,
    extension_approve,
    extension_ask,
    request_accept,
    request_ask_correction,
    request_serve,
    submission_confirm,
    submission_create,
    submission_return,
)
from requests_app.services.online_service import replies_make_available
from tests.conftest import _persona, d
from tests.requests_app.flow_helpers import not_held, serve_notice
from workflow.cn import cn_date
from workflow.models import AuditEvent
from workflow.public.codes import hash_query_code

pytestmark = pytest.mark.django_db

CODE = "K7PQ-3MXA-9RTE"
TAIL = "002X"
CONFIRMED = d("2026-03-03")
THIRD_PARTY = "某某建设有限公司"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff(django_user_model, agency):
    people = {}
    for role, full in [
        ("registrar", ("登记", "赵")),
        ("handler", ("承办", "李")),
        ("office_head", ("主任", "钱")),
    ]:
        user = _persona(django_user_model, f"{role}_user", agency, role)
        user.first_name, user.last_name = full
        user.save()
        people[role] = user
    return people


def application(**changes) -> OnlineApplication:
    values = {
        "applicant_kind": "person",
        "applicant_name": "张明华",
        "id_type": "resident_id",
        "id_number": "11010519491231002x",
        "phone": "13800000000",
        "description": "2025年孝义市城区老旧小区改造项目的资金拨付明细<script>x</script>",
        "form_wanted": "electronic",
        "delivery": "online",
    }
    values.update(changes)
    return OnlineApplication(**values)


def submit(agency, code: str = CODE, **changes) -> OnlineSubmission:
    with time_machine.travel("2026-03-02 21:30 +0800", tick=False):
        return submission_create(
            actor=None,
            agency=agency,
            data=application(**changes),
            query_code_hash=hash_query_code(code),
        )


def confirmed(agency, staff, **changes):
    submission = submit(agency, **changes)
    case = submission_confirm(
        actor=staff["registrar"], submission_id=submission.pk, today=CONFIRMED
    )
    return submission, case


def accepted(agency, staff, **changes):
    submission, case = confirmed(agency, staff, **changes)
    request_accept(actor=staff["handler"], case_id=case.pk, today=CONFIRMED)
    case.refresh_from_db()
    return submission, case


def replied(agency, staff, *, served_on=CONFIRMED, **changes):
    submission, case = accepted(agency, staff, **changes)
    decision_propose(actor=staff["handler"], case_id=case.pk, proposal=not_held(), today=served_on)
    decision_approve(actor=staff["office_head"], case_id=case.pk, today=served_on)
    request_serve(
        actor=staff["registrar"],
        case_id=case.pk,
        method="electronic",
        served_on=served_on,
        today=served_on,
    )
    case.refresh_from_db()
    return submission, case


def look(client, agency, number, code=CODE, tail=TAIL, **extra):
    return client.post(
        reverse("public:track", args=[agency.code]),
        {"number": number, "code": code, "id_tail": tail},
        **extra,
    )


def page(client, agency, number, code=CODE, tail=TAIL):
    response = look(client, agency, number, code, tail)
    assert response.status_code == 302, response.content.decode()[:2000]
    shown = client.get(response["Location"])
    assert shown.status_code == 200
    return shown, response["Location"]


# -- plain words for each stage -------------------------------------------------------------------


def test_a_pending_submission_waits_for_confirmation(client, agency):
    submission = submit(agency)
    response, url = page(client, agency, submission.number)
    html = response.content.decode()
    assert "待确认" in html
    assert "张**" in html and "张明华" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x" not in html
    assert CODE not in url and CODE not in html
    assert "no-store" in response["Cache-Control"]


def test_a_returned_submission_says_why_and_where_to_go(client, agency, registrar):
    submission = submit(agency)
    submission_return(
        actor=registrar,
        submission_id=submission.pk,
        reason="本申请属于信访事项，请向孝义市信访局提出。",
    )
    html = page(client, agency, submission.number)[0].content.decode()
    assert "已退回" in html and "请向孝义市信访局提出" in html


def test_a_registered_case_shows_its_receipt_and_due_date(client, agency, staff):
    submission, case = accepted(agency, staff)
    html = page(client, agency, submission.number)[0].content.decode()
    assert "已受理" in html and case.case_number in html
    assert f"本机关已于{cn_date(CONFIRMED)}收到您的申请，登记编号为{case.case_number}。" in html
    assert f"答复期限：{case.due_date.year}年{case.due_date.month}月{case.due_date.day}日" in html
    assert "收到申请当日不计算在内" in html  # the explanation of the clock, Art. 33 ¶2
    receipt = case.documents.get(letter_kind="receipt")
    assert receipt.title in html  # issued to the platform the applicant chose
    assert OnlineLetter.objects.get(letter=receipt).available_at is not None


def test_an_applicant_served_by_email_gets_a_copy_of_the_reply_only(client, agency, staff):
    submission, case = replied(agency, staff, delivery="email", email="zhang@example.com")
    html = page(client, agency, submission.number)[0].content.decode()
    assert case.documents.get(letter_kind="reply").title in html
    assert case.documents.get(letter_kind="receipt").title not in html
    assert "答复已在本页面送达" not in html  # served by e-mail: that date counts


def test_the_case_number_also_finds_it(client, agency, staff):
    submission, case = accepted(agency, staff)
    html = page(client, agency, case.case_number)[0].content.decode()
    assert submission.number in html and "已受理" in html


def test_a_correction_lists_what_to_correct_and_by_when(client, agency, staff):
    submission, case = confirmed(agency, staff)
    request_ask_correction(
        actor=staff["handler"],
        case_id=case.pk,
        items=["请写明所需信息的文件名称或文号"],
        today=CONFIRMED,
    )
    served = serve_notice(
        case, "correction", staff["registrar"], CONFIRMED, method="electronic", today=CONFIRMED
    )
    html = page(client, agency, submission.number)[0].content.decode()
    assert "需要补正" in html and "请写明所需信息的文件名称或文号" in html
    assert f"请于{cn_date(served.period_end)}前" in html
    assert "补正告知书" in html  # served on the page: listed for download


def test_a_consultation_pauses_without_naming_the_third_party(client, agency, staff):
    submission, case = accepted(agency, staff)
    consultation_send(
        actor=staff["handler"],
        case_id=case.pk,
        party="third_party",
        party_name=THIRD_PARTY,
        matter="项目合同金额",
        sent_on=CONFIRMED,
        today=CONFIRMED,
    )
    html = page(client, agency, submission.number)[0].content.decode()
    assert "征求意见中" in html and "计时暂停" in html
    assert THIRD_PARTY not in html and "项目合同金额" not in html
    assert "征询函" not in html  # the letter to the third party is never offered


def test_an_extension_shows_the_new_due_date_and_why(client, agency, staff):
    submission, case = accepted(agency, staff)
    extension_ask(
        actor=staff["handler"],
        case_id=case.pk,
        days=10,
        reason="需要调取的档案数量较多",
        today=CONFIRMED,
    )
    extension_approve(actor=staff["office_head"], case_id=case.pk, today=CONFIRMED)
    case.refresh_from_db()
    html = page(client, agency, submission.number)[0].content.decode()
    assert "已延长答复期限" in html and "需要调取的档案数量较多" in html
    assert f"延长后的答复期限为{cn_date(case.due_date)}" in html
    assert "延期答复告知书" in html  # issued to the platform the applicant chose


def test_a_reply_shows_its_date_the_letter_and_the_remedy(client, agency, staff):
    submission, case = replied(agency, staff)
    html = page(client, agency, submission.number)[0].content.decode()
    assert "已答复" in html and f"本机关已于{cn_date(CONFIRMED)}作出答复并送达" in html
    # not_held is not a refusal under Arts. 14–16: reconsideration or suit, from receipt.
    assert "自收到答复之日起60日内向孝义市人民政府申请行政复议" in html
    assert "6个月内向孝义市人民法院提起行政诉讼" in html
    assert "行政复议前置" not in html
    reply = case.documents.get(letter_kind="reply")
    assert reply.title in html


def test_a_refusal_under_art_14_to_16_must_go_to_reconsideration_first(agency, staff):
    from requests_app.public.tracking import remedy_lines

    _, case = replied(agency, staff)
    case.outcome = "withheld_state_secret"
    assert "行政复议前置" in remedy_lines(case)[0]
    case.outcome = "partly_disclosed"
    lines = remedy_lines(case)
    assert "不予公开的部分" in lines[0] and "行政复议前置" in lines[0]
    assert "6个月内" in lines[1]


def test_a_closed_case_is_concluded(client, agency, staff):
    from requests_app.services import request_archive

    submission, case = replied(agency, staff)
    request_archive(actor=staff["registrar"], case_id=case.pk, today=CONFIRMED)
    html = page(client, agency, submission.number)[0].content.decode()
    assert "已办结" in html


# -- one answer for every mismatch ----------------------------------------------------------------


def test_wrong_number_code_or_tail_all_get_the_same_answer(client, agency, staff):
    submission, _ = accepted(agency, staff)
    answers = [
        look(client, agency, "网申2026-999999"),
        look(client, agency, submission.number, code="AAAA-BBBB-CCCC"),
        look(client, agency, submission.number, tail="1234"),
        look(client, agency, submission.number, tail=""),
    ]
    assert {r.status_code for r in answers} == {400}
    bodies = [r.content.decode() for r in answers]
    assert all(MISMATCH in body for body in bodies)
    assert len({body.count(MISMATCH) for body in bodies}) == 1
    failures = AuditEvent.objects.filter(action="tracking_failed")
    assert failures.count() == 4
    assert all(event.actor_id is None and event.data["ip"] for event in failures)
    assert failures.filter(object_id=str(submission.pk)).count() == 3


def test_the_code_never_reaches_the_audit_log(client, agency, staff):
    submission, _ = accepted(agency, staff)
    look(client, agency, submission.number, code="ZZZZ-YYYY-XXXX")
    page(client, agency, submission.number)
    for event in AuditEvent.objects.filter(action__startswith="tracking"):
        text = f"{event.reason}{event.data}{event.object_repr}{event.from_state}{event.to_state}"
        assert "ZZZZ" not in text and "K7PQ" not in text


def test_an_api_submission_without_a_code_cannot_be_tracked(client, agency):
    submission = submit(agency)
    OnlineSubmission.objects.filter(pk=submission.pk).update(query_code_hash="")
    response = look(client, agency, submission.number)
    assert response.status_code == 400 and MISMATCH in response.content.decode()


def test_another_agencys_number_is_unknown_here(client, agency, other_agency):
    submission = submit(agency)
    response = look(client, other_agency, submission.number)
    assert response.status_code == 400 and MISMATCH in response.content.decode()


def test_an_organisation_gives_the_last_four_of_its_credit_code(client, agency):
    submission = submit(
        agency,
        applicant_kind="organization",
        organization_kind="business",
        applicant_name="孝义市某某科技有限公司",
        id_type="",
        id_number="",
        credit_code="91140000MA0GRXXH89",
        legal_representative="王某",
    )
    assert look(client, agency, submission.number, tail="002X").status_code == 400
    response, _ = page(client, agency, submission.number, tail="xh89")
    assert "孝义********" in response.content.decode()


@pytest.mark.parametrize(
    "number",
    ["网申\x002026", "<b>网申</b>", "9" * 5000, "' OR 1=1 --"],
)
def test_hostile_numbers_are_answered_not_crashed(client, agency, number):
    response = look(client, agency, number)
    assert response.status_code == 400
    assert "<b>网申</b>" not in response.content.decode()


# -- throttling -----------------------------------------------------------------------------------


def test_guessing_the_code_of_one_number_is_throttled(client, agency):
    submission = submit(agency)
    for i in range(10):
        assert (
            look(client, agency, submission.number, code=f"AAAA-BBBB-CC{i:02d}").status_code == 400
        )
    refused = look(client, agency, submission.number)  # even the right code, now
    assert refused.status_code == 429 and refused["Retry-After"]


def test_enumerating_numbers_from_one_address_is_throttled(client, agency):
    statuses = [look(client, agency, f"网申2026-{n:06d}").status_code for n in range(1, 22)]
    assert statuses[:20] == [400] * 20 and statuses[20] == 429


# -- nothing but the applicant's own ------------------------------------------------------------


def test_the_page_never_shows_staff_third_parties_or_internal_opinions(client, agency, staff):
    submission, case = accepted(agency, staff)
    consultation_send(
        actor=staff["handler"],
        case_id=case.pk,
        party="third_party",
        party_name=THIRD_PARTY,
        matter="项目合同金额",
        sent_on=CONFIRMED,
        today=CONFIRMED,
    )
    html = page(client, agency, submission.number)[0].content.decode()
    for user in staff.values():
        assert user.username not in html
        assert user.get_full_name() not in html and user.last_name + user.first_name not in html
    assert THIRD_PARTY not in html


def test_downloads_only_the_applicants_served_letters(client, agency, staff, other_agency):
    submission, case = replied(agency, staff)
    response, url = page(client, agency, submission.number)
    token = url.rstrip("/").rsplit("/", 1)[1]
    reply = case.documents.get(letter_kind="reply")
    link = reverse("public:track_letter", args=[agency.code, token, reply.pk])
    assert link in response.content.decode()
    download = client.get(link)
    assert download.status_code == 200
    assert download["Content-Security-Policy"] == "sandbox"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    online = OnlineLetter.objects.get(letter=reply)
    first = online.first_opened_at
    assert first is not None
    client.get(link)
    online.refresh_from_db()
    assert online.first_opened_at == first  # kept the first time only
    downloads = AuditEvent.objects.filter(action="letter_downloaded")
    assert downloads.count() == 2
    assert {e.object_id for e in downloads} == {str(submission.pk)}
    assert [e.data["first"] for e in downloads.order_by("id")] == [True, False]

    # Another letter of the case not made available (the handling sheet, an upload), another
    # case's letter, a forged token, another agency's address: all 404.
    other_submission, other_case = replied(
        agency, staff, applicant_name="李红", id_number="141181198001011230"
    )
    theirs = other_case.documents.get(letter_kind="reply")
    forged = signing.dumps({"s": other_submission.pk, "a": agency.pk}, salt="another-salt")
    not_offered = CaseDocument.objects.filter(request=case).exclude(online__isnull=False).first()
    candidates = [
        reverse("public:track_letter", args=[agency.code, token, theirs.pk]),
        reverse("public:track_letter", args=[agency.code, forged, theirs.pk]),
        reverse("public:track_letter", args=[agency.code, token, 10**30]),
        reverse("public:track_letter", args=[other_agency.code, token, reply.pk]),
        reverse("public:track_case", args=[agency.code, token[:-2] + "xx"]),
    ]
    if not_offered is not None:
        candidates.append(reverse("public:track_letter", args=[agency.code, token, not_offered.pk]))
    for candidate in candidates:
        assert client.get(candidate).status_code == 404, candidate


def test_a_letter_not_addressed_to_the_applicant_is_never_offered(agency, staff):
    _, case = accepted(agency, staff)
    consultation = consultation_send(
        actor=staff["handler"],
        case_id=case.pk,
        party="third_party",
        party_name=THIRD_PARTY,
        matter="项目合同金额",
        sent_on=CONFIRMED,
        today=CONFIRMED,
    )
    serve_notice(case, "third_party", staff["registrar"], CONFIRMED, method="electronic")
    assert not OnlineLetter.objects.filter(
        letter__request=case, letter__letter_kind__contains="consult"
    )
    assert consultation.pk


def test_an_expired_token_asks_to_look_again(client, agency):
    submission = submit(agency)
    with time_machine.travel("2026-03-04 10:00 +0800", tick=False):
        token = track_token(submission)
    with time_machine.travel("2026-03-04 10:31 +0800", tick=False):
        response = client.get(reverse("public:track_case", args=[agency.code, token]))
    assert response.status_code == 410 and "30分钟" in response.content.decode()


def test_every_view_is_audited(client, agency, staff):
    submission, case = accepted(agency, staff)
    _, url = page(client, agency, submission.number)
    client.get(url)
    views = AuditEvent.objects.filter(action="tracking_viewed")
    assert views.count() == 2
    event = views.first()
    assert event.actor_id is None and event.object_id == str(submission.pk)
    assert event.data["case_id"] == case.pk and event.data["ip"]
    assert event.reason.startswith("申请人查询")


# -- service on the tracking page -----------------------------------------------------------------


def test_service_on_the_page_is_dated_the_day_it_is_made_available(agency, staff):
    _, case = accepted(agency, staff)
    day = d("2026-03-10")
    decision_propose(actor=staff["handler"], case_id=case.pk, proposal=not_held(), today=day)
    decision_approve(actor=staff["office_head"], case_id=case.pk, today=day)
    with pytest.raises(ValidationError) as refused:
        request_serve(
            actor=staff["registrar"],
            case_id=case.pk,
            method="electronic",
            served_on=d("2026-03-09"),
            today=day,
        )
    assert "查询页面提供给申请人之日为送达日期" in refused.value.message_dict["served_on"][0]
    request_serve(
        actor=staff["registrar"], case_id=case.pk, method="electronic", served_on=day, today=day
    )
    case.refresh_from_db()
    assert case.served_on == day
    online = OnlineLetter.objects.get(letter__letter_kind="reply", request=case)
    available = online.available_at
    assert (
        AuditEvent.objects.filter(action="letter_made_available", object_id=str(case.pk)).count()
        >= 2
    )
    # Recorded once: making it available again moves nothing.
    replies_make_available(case=case, actor=staff["registrar"], now=available.replace(year=2027))
    online.refresh_from_db()
    assert online.available_at == available


def test_a_walk_in_case_is_served_as_before(agency, staff, walk_in):
    # No tracking page (no query code): the electronic service date is the officer's, as always.
    from requests_app.services import request_register

    case = request_register(
        actor=staff["registrar"], agency=agency, data=walk_in(delivery="online"), today=CONFIRMED
    )
    request_accept(actor=staff["handler"], case_id=case.pk, today=CONFIRMED)
    decided, day = d("2026-03-05"), d("2026-03-10")
    decision_propose(actor=staff["handler"], case_id=case.pk, proposal=not_held(), today=decided)
    decision_approve(actor=staff["office_head"], case_id=case.pk, today=decided)
    request_serve(
        actor=staff["registrar"],
        case_id=case.pk,
        method="electronic",
        served_on=d("2026-03-09"),
        today=day,
    )
    assert not OnlineLetter.objects.filter(request=case).exists()


def test_names_are_masked():
    assert mask_name("张明华") == "张**"
    assert mask_name("欧阳") == "欧*"
    assert mask_name("孝义市某某科技有限公司") == "孝义********"
    assert TOKEN_SALT  # the token's salt is its own


def test_asking_for_reasons_lists_what_to_explain(client, agency, staff):
    from requests_app.services import request_ask_reasons

    submission, case = confirmed(agency, staff)
    request_ask_reasons(
        actor=staff["handler"],
        case_id=case.pk,
        grounds="本月内申请数量明显超过合理范围",
        items=["本月提交30件申请的理由"],
        how_to_answer="书面说明寄至本机关",
        today=CONFIRMED,
    )
    html = page(client, agency, submission.number)[0].content.decode()
    assert "需要说明理由" in html and "需要说明的事项" in html and "本月提交30件申请的理由" in html
    assert "书面说明寄至本机关" in html


def test_a_malformed_try_is_audited_without_what_was_typed(client, agency):
    response = look(client, agency, "网申\x002026", code="")
    assert response.status_code == 400
    event = AuditEvent.objects.get(action="tracking_failed")
    assert event.data == {"ip": event.data["ip"], "number": ""}


def test_a_reply_served_on_the_page_says_the_remedy_runs_from_that_day(client, agency, staff):
    submission, _ = replied(agency, staff)
    html = page(client, agency, submission.number)[0].content.decode()
    assert f"答复已在本页面送达，{cn_date(CONFIRMED)}即为您收到答复之日" in html


def test_the_serve_form_tells_the_officer_which_date_counts(agency, staff):
    from requests_app.task_forms import ServeForm

    _, online = accepted(agency, staff)
    _, by_email = accepted(
        agency,
        staff,
        applicant_name="李红",
        id_number="141181198001011230",
        delivery="email",
        email="li@example.com",
    )
    assert "以该日（今天）为送达日期" in ServeForm(case=online).fields["served_on"].help_text
    assert ServeForm(case=online).fields["method"].initial == "electronic"
    assert "申请查询页面" not in ServeForm(case=by_email).fields["served_on"].help_text


# -- the information provided with a disclosing reply ---------------------------------------------


def disclosed(agency, staff, *, serve=True, **changes):
    """A case answered 公开 (Art. 36(2)) in electronic form, with the file of the information
    provided uploaded at the proposal, an application scan and an internal file beside it."""
    from requests_app.services import Proposal, request_upload
    from tests.requests_app import files as f
    from tests.requests_app.flow_helpers import secrecy_cleared

    submission, case = accepted(agency, staff, **changes)
    decision_propose(
        actor=staff["handler"],
        case_id=case.pk,
        proposal=Proposal(
            outcome="disclosed",
            articles=["《中华人民共和国政府信息公开条例》第三十六条第（二）项"],
            provided=["资金拨付明细表"],
            provide_form="electronic",
        ),
        today=CONFIRMED,
    )
    [provided] = request_upload(
        actor=staff["handler"],
        case_id=case.pk,
        kind="provided",
        files=[f.upload("拨付明细<b>.pdf", f.pdf(1, text="provided"))],
    )
    [scan] = request_upload(
        actor=staff["registrar"],
        case_id=case.pk,
        kind="application",
        files=[f.upload("申请表.pdf", f.pdf(1))],
    )
    [internal] = request_upload(
        actor=staff["handler"],
        case_id=case.pk,
        kind="other",
        files=[f.upload("内部说明.pdf", f.pdf(1))],
    )
    secrecy_cleared(case, staff["office_head"], today=CONFIRMED)
    decision_approve(actor=staff["office_head"], case_id=case.pk, today=CONFIRMED)
    if serve:
        request_serve(
            actor=staff["registrar"],
            case_id=case.pk,
            method="electronic",
            served_on=CONFIRMED,
            today=CONFIRMED,
        )
    case.refresh_from_db()
    return submission, case, provided, {"scan": scan, "internal": internal}


def provided_link(agency, url, document):
    token = url.rstrip("/").rsplit("/", 1)[1]
    return reverse("public:track_provided", args=[agency.code, token, document.pk])


def test_the_information_provided_is_offered_only_once_the_reply_is_served(client, agency, staff):
    submission, case, provided, _others = disclosed(agency, staff, serve=False)
    response, url = page(client, agency, submission.number)
    link = provided_link(agency, url, provided)
    assert (
        link not in response.content.decode() and 'id="provided"' not in response.content.decode()
    )
    assert client.get(link).status_code == 404
    request_serve(
        actor=staff["registrar"],
        case_id=case.pk,
        method="electronic",
        served_on=CONFIRMED,
        today=CONFIRMED,
    )
    html = client.get(url).content.decode()
    assert 'id="provided"' in html and link in html
    assert f">{provided.original_name}</a>" in html and "<b>" not in provided.original_name
    # The service date stays the day the reply was made available.
    case.refresh_from_db()
    assert case.served_on == CONFIRMED
    download = client.get(link)
    assert download.status_code == 200
    assert download["Content-Security-Policy"] == "sandbox"
    assert download["Content-Disposition"].startswith("attachment")
    assert "no-store" in download["Cache-Control"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # Audited on the submission, like a letter's download, with the visitor's address.
    [event] = AuditEvent.objects.filter(action="provided_downloaded")
    assert event.actor_id is None and event.object_id == str(submission.pk)
    assert event.data["document_id"] == provided.pk and event.data["case_id"] == case.pk
    assert event.data["ip"] and "拨付明细" in event.reason


def test_only_the_files_marked_as_provided_are_offered(client, agency, staff, other_agency):
    submission, case, provided, others = disclosed(agency, staff)
    response, url = page(client, agency, submission.number)
    html = response.content.decode()
    assert "申请表.pdf" not in html and "内部说明.pdf" not in html
    _, _, theirs, _ = disclosed(
        agency, staff, applicant_name="李红", id_number="141181198001011230"
    )
    reply = case.documents.get(letter_kind="reply")
    token = url.rstrip("/").rsplit("/", 1)[1]
    forged = signing.dumps({"s": submission.pk, "a": agency.pk}, salt="another-salt")
    for candidate in [
        provided_link(agency, url, others["scan"]),
        provided_link(agency, url, others["internal"]),
        provided_link(agency, url, theirs),  # another case's file
        provided_link(agency, url, reply),  # a letter is not a file of this list
        reverse("public:track_provided", args=[agency.code, token, 10**30]),
        reverse("public:track_provided", args=[agency.code, forged, provided.pk]),
        reverse("public:track_provided", args=[other_agency.code, token, provided.pk]),
    ]:
        assert client.get(candidate).status_code == 404, candidate
    assert not AuditEvent.objects.filter(action="provided_downloaded")
    assert client.get(provided_link(agency, url, provided)).status_code == 200


def test_files_are_not_offered_for_a_reply_that_discloses_nothing_or_on_paper(agency, staff):
    from requests_app.services.online_service import provided_files

    _, case, provided, _ = disclosed(agency, staff)
    assert list(provided_files(case)) == [provided]
    case.outcome = "not_held"
    assert not provided_files(case).exists()
    case.outcome = "disclosed"
    case.decision.provide_form = "paper"
    case.decision.save()
    assert not provided_files(case).exists()
    case.decision.provide_form = "electronic"
    case.decision.save()
    case.delivery = "email"  # served by e-mail: the files went with it
    assert not provided_files(case).exists()
