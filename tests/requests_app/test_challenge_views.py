"""The pages of reconsiderations and lawsuits (issue #13 §1): the case page's section, the add and
edit page with its uploads, and the case list's filter 有复议/诉讼."""

from __future__ import annotations

import pytest
from django.urls import reverse

from requests_app.models import Challenge, InformationRequest
from tests.conftest import d
from tests.requests_app import files as f
from tests.requests_app.flow_helpers import advance, open_tasks, refreshed
from tests.requests_app.test_challenges import reconsideration, record

pytestmark = [pytest.mark.django_db, pytest.mark.case(process=True)]
S = InformationRequest.Stage


@pytest.fixture
def staff(handler, registrar, office_head, legal_reviewer):
    return {
        "handler": handler,
        "registrar": registrar,
        "office_head": office_head,
        "legal_reviewer": legal_reviewer,
    }


@pytest.fixture
def served(case, staff):
    return advance(case, "archive", staff)


def add_url(case) -> str:
    return reverse("requests:cases:challenge_add", args=[case.pk])


def edit_url(case, challenge) -> str:
    return reverse("requests:cases:challenge_edit", args=[case.pk, challenge.pk])


def detail(case) -> str:
    return reverse("requests:cases:detail", args=[case.pk])


def form(**changes) -> dict:
    data = {
        "kind": "reconsideration",
        "body": "孝义市人民政府",
        "number": "孝政复〔2026〕3号",
        "filed_on": "2026-04-01",
        "claim": "撤销答复",
        "result": "pending",
        "detail": "",
        "concluded_on": "",
        "decision_received_on": "",
        "new_reply_days": "",
    }
    data.update(changes)
    return data


def test_a_legal_reviewer_adds_a_record_with_its_application_from_the_case_page(
    client, served, legal_reviewer
):
    client.force_login(legal_reviewer)
    page = client.get(detail(served))
    assert 'id="add-challenge"' in page.content.decode()
    assert "没有登记行政复议或行政诉讼" in page.content.decode()
    opened = client.get(add_url(served))
    assert opened.status_code == 200
    assert opened.context["form"]["body"].value() == "孝义市人民政府"  # the agency's organ
    data = form(application_files=[f.upload("复议申请书.pdf", f.pdf())])
    response = client.post(add_url(served), data, follow=True)
    assert response.redirect_chain == [(detail(served) + "#challenges", 302)]
    challenge = Challenge.objects.get()
    assert challenge.documents.get().original_name == "复议申请书.pdf"
    html = response.content.decode()
    assert "孝政复〔2026〕3号" in html and "尚未审结" in html and "复议申请书.pdf" in html
    assert "已保存：行政复议（孝义市人民政府），尚未审结。" in html


@pytest.mark.parametrize("role", ["handler", "registrar"])
def test_the_handler_and_the_registrar_see_the_records_but_cannot_add(
    client, served, legal_reviewer, staff, role
):
    challenge = record(legal_reviewer, served)
    client.force_login(staff[role])
    html = client.get(detail(served)).content.decode()
    assert "孝政复决〔2026〕3号" in html
    assert 'id="add-challenge"' not in html
    assert client.get(add_url(served)).status_code == 403
    assert client.post(add_url(served), form()).status_code == 403
    assert client.post(edit_url(served, challenge), form(number="x")).status_code == 403
    assert Challenge.objects.count() == 1


def test_another_agency_gets_404(client, served, legal_reviewer, outsider):
    challenge = record(legal_reviewer, served)
    outsider.groups.clear()
    from django.contrib.auth.models import Group

    outsider.groups.add(Group.objects.get_or_create(name="legal_reviewer")[0])
    client.force_login(outsider)
    assert client.get(add_url(served)).status_code == 404
    assert client.post(edit_url(served, challenge), form()).status_code == 404


def test_a_record_of_another_case_is_404_under_this_one(
    client, served, legal_reviewer, staff, registrar, agency, walk_in
):
    from requests_app.services import request_register

    other = request_register(
        actor=registrar, agency=agency, data=walk_in(applicant_name="李四"), today=d("2026-03-02")
    )
    advance(other, "archive", staff)
    challenge = record(legal_reviewer, other)
    client.force_login(legal_reviewer)
    assert client.get(edit_url(served, challenge)).status_code == 404


def test_the_anonymous_go_to_the_login_page(client, served):
    response = client.get(add_url(served))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_case_still_handled_offers_no_record(client, case, staff, legal_reviewer):
    advance(case, "propose", staff)
    client.force_login(legal_reviewer)
    assert 'id="add-challenge"' not in client.get(detail(case)).content.decode()
    response = client.get(add_url(case), follow=True)
    assert "尚未办结" in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"filed_on": "明天"}, "filed_on", "请输入有效的日期"),
        ({"kind": "<script>"}, "kind", "不是可选项"),
        ({"body": "\x00"}, "body", "U+0000"),
        ({"body": "法" * 101}, "body", "不能超过100个字"),
        ({"new_reply_days": "99999999999999999999"}, "new_reply_days", "最多填写60个工作日"),
        ({"follows": "abc"}, "follows", "不是可选项"),
        ({"result": "corrected", "concluded_on": "2026-05-01"}, "detail", "请选择结果内容"),
    ],
)
def test_hostile_input_gets_a_chinese_message_under_its_field(
    client, served, legal_reviewer, changes, field, words
):
    client.force_login(legal_reviewer)
    response = client.post(add_url(served), form(**changes))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert words in errors, response.context["form"].errors
    assert not Challenge.objects.exists()


def test_markup_in_the_claim_is_shown_as_text(client, served, legal_reviewer):
    client.force_login(legal_reviewer)
    client.post(add_url(served), form(claim="<b>粗体</b><script>x()</script>"))
    html = client.get(detail(served)).content.decode()
    assert "&lt;script&gt;x()&lt;/script&gt;" in html
    assert "<script>x()" not in html


def test_a_fake_decision_file_is_refused_under_its_field(client, served, legal_reviewer):
    client.force_login(legal_reviewer)
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff"
    data = form(decision_files=[f.upload("决定书.pdf", program)])
    response = client.post(add_url(served), data)
    assert "内容不是PDF文件" in " ".join(response.context["form"].errors["decision_files"])
    assert not Challenge.objects.exists()


def test_an_edit_from_a_stale_page_is_refused_on_the_form(
    client, served, legal_reviewer, office_head
):
    challenge = record(legal_reviewer, served)
    client.force_login(office_head)
    stale = form(number="甲", version="1")
    client.post(edit_url(served, challenge), form(number="乙", version="1"))
    response = client.post(edit_url(served, challenge), stale)
    assert response.status_code == 200
    assert "已由他人修改" in " ".join(response.context["form"].non_field_errors())
    challenge.refresh_from_db()
    assert (challenge.number, challenge.version) == ("乙", 2)


def test_recording_an_order_to_reply_anew_sends_the_case_back_to_the_handler(
    client, served, legal_reviewer, handler
):
    challenge = record(legal_reviewer, served)
    client.force_login(legal_reviewer)
    page = client.get(edit_url(served, challenge))
    assert page.context["form"]["version"].value() == 1
    data = form(
        number="孝政复决〔2026〕3号",
        result="corrected",
        detail="ordered_new_reply",
        concluded_on="2026-06-10",
        decision_received_on="2026-06-15",
        version="1",
    )
    response = client.post(edit_url(served, challenge), data, follow=True)
    html = response.content.decode()
    assert "本案已按责令重新答复回到“提出办理意见”" in html
    assert "2026年7月14日" in html
    assert "此前的办理结果：本机关不掌握相关政府信息，2026年3月3日送达" in html
    case = refreshed(served)
    assert case.stage == S.PROPOSE
    assert open_tasks(case) == ["propose"]
    client.force_login(handler)
    inbox = client.get(reverse("requests:tasks:inbox"))
    assert case.case_number in inbox.content.decode()


def test_the_case_list_filters_the_cases_with_a_record(
    client, served, legal_reviewer, staff, registrar, agency, walk_in
):
    from requests_app.services import request_register

    plain = request_register(
        actor=registrar, agency=agency, data=walk_in(applicant_name="李四"), today=d("2026-03-02")
    )
    advance(plain, "closed", staff)
    closed = request_register(
        actor=registrar, agency=agency, data=walk_in(applicant_name="王五"), today=d("2026-03-02")
    )
    advance(closed, "closed", staff)
    record(legal_reviewer, served)
    record(legal_reviewer, closed, reconsideration(result="upheld", concluded_on=d("2026-06-01")))
    client.force_login(registrar)
    listed = client.get(reverse("requests:cases:index"), {"challenged": "on"})
    numbers = [c.case_number for c in listed.context["page"].object_list]
    assert sorted(numbers) == sorted([served.case_number, closed.case_number])
    open_only = client.get(reverse("requests:cases:index"), {"challenged": "on", "show": "open"})
    assert [c.case_number for c in open_only.context["page"].object_list] == [served.case_number]
    everything = client.get(reverse("requests:cases:index"), {"show": "all"})
    assert len(everything.context["page"].object_list) == 3


def test_a_huge_or_unknown_record_id_is_404(client, served, legal_reviewer):
    client.force_login(legal_reviewer)
    base = reverse("requests:cases:detail", args=[served.pk])
    assert client.get(f"{base}challenges/99999999999999999999999/").status_code == 404
    assert client.get(f"{base}challenges/123456/").status_code == 404
