"""The officers' pages: who may open them, registration in one form, the case list and page."""

import uuid
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from requests_app.models import InformationRequest
from requests_app.services import request_register
from tests.requests_app.test_selectors import bulk_cases
from workflow.audit import audit
from workflow.errors import NotAllowed

TODAY = date(2026, 3, 5)
pytestmark = [pytest.mark.django_db, pytest.mark.case(received=TODAY)]
R = InformationRequest
LIST = reverse("requests:cases:index")
REGISTER = reverse("requests:register:index")


@pytest.fixture(autouse=True)
def _thursday_5_march_2026():
    with time_machine.travel("2026-03-05 10:00 +0800", tick=False):
        yield


def field_block(body: str, name: str) -> str:
    """The HTML of one field's block: its label, input, help and messages."""
    start = body.index(f'id="field-{name}"')
    end = body.find('<div class="gk-field', start)
    return body[start : end if end != -1 else None]


def detail(case) -> str:
    return reverse("requests:cases:detail", kwargs={"pk": case.pk})


def form_data(agency, **changes) -> dict:
    """What the registrar submits for the walk-in of ``walk_in()``, defaults included."""
    data = {
        "agency": str(agency.pk),
        "kind": "disclosure",
        "channel": "in_person",
        "arrival_date": "2026-03-05",
        "receipt_date": "2026-03-05",
        "applicant_kind": "person",
        "applicant_name": "张明华",
        "id_type": "resident_id",
        "id_number": "11010519491231002X",
        "phone": "13800000000",
        "email": "zhang@example.com",
        "description": "2025年孝义市城区老旧小区改造项目的资金拨付明细",
        "form_wanted": "electronic",
        "delivery": "email",
        "token": uuid.uuid4().hex,  # the form's one-time submission token
    }
    data.update(changes)
    return data


# The permission matrix: every page x registrar, handler, outsider (other agency), anonymous.


@pytest.mark.parametrize(
    ("persona", "list_status", "detail_status", "register_status"),
    [
        ("registrar", 200, 200, 200),
        ("handler", 200, 200, 403),  # no registrar role
        ("outsider", 200, 404, 403),  # another agency: the case's existence does not leak
        ("anonymous", 302, 302, 302),  # to the login page
    ],
)
def test_permission_matrix(
    request, client, case, persona, list_status, detail_status, register_status
):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    for url, status in ((LIST, list_status), (detail(case), detail_status)):
        response = client.get(url)
        assert response.status_code == status, url
        if status == 302:
            assert response["Location"].startswith(reverse("login"))
    assert client.get(REGISTER).status_code == register_status
    response = client.post(REGISTER, form_data(case.agency, receipt_date="2026-03-05"))
    assert response.status_code == register_status
    assert R.objects.count() == 1


def test_the_list_shows_only_the_users_agencys_cases(client, case, outsider, other_agency):
    theirs = bulk_cases(other_agency, 1, creator=outsider)[0]
    client.force_login(outsider)
    body = client.get(LIST).content.decode()
    assert theirs.case_number in body
    assert case.case_number not in body


def test_a_registrar_of_another_agency_cannot_register_for_ours(
    client, django_user_model, agency, other_agency
):
    from tests.conftest import _persona

    stranger = _persona(django_user_model, "stranger", other_agency, "registrar")
    client.force_login(stranger)
    response = client.post(REGISTER, form_data(agency))
    assert response.status_code == 200
    assert "请选择您所在的机关" in response.content.decode()
    assert not R.objects.exists()


def test_a_registrar_without_an_agency_is_refused(client, django_user_model):
    from tests.conftest import _persona

    client.force_login(_persona(django_user_model, "loner", None, "registrar"))
    assert client.get(REGISTER).status_code == 403


def test_only_registrars_see_the_registration_menu_entry(client, registrar, handler):
    client.force_login(registrar)
    assert REGISTER in client.get(LIST).content.decode()
    client.force_login(handler)
    assert REGISTER not in client.get(LIST).content.decode()


# Registration


def test_the_form_opens_with_walk_in_defaults_and_a_hidden_agency(client, registrar, agency):
    client.force_login(registrar)
    form = client.get(REGISTER).context["form"]
    assert form["channel"].value() == "in_person"
    assert form["arrival_date"].value() == form["receipt_date"].value() == TODAY
    assert form["applicant_kind"].value() == "person"
    assert form["id_type"].value() == "resident_id"
    # A walk-in applicant collects the reply at the counter (issue #10 point 16): no address forced.
    assert (form["form_wanted"].value(), form["delivery"].value()) == ("electronic", "collect")
    assert form["agency"].is_hidden
    assert form["agency"].value() == agency.pk


def test_staff_of_two_agencies_choose_among_theirs_only(
    client, registrar, agency, other_agency, django_user_model
):
    from workflow.models import Agency

    Agency.objects.create(name="介休市人民政府办公室", code="jiexiu")
    other_agency.staff.add(registrar)
    client.force_login(registrar)
    field = client.get(REGISTER).context["form"]["agency"]
    assert not field.is_hidden
    assert {label for _, label in field.field.choices} == {agency.name, other_agency.name}


def test_a_walk_in_is_registered_and_the_case_page_shows_it(client, registrar, agency):
    client.force_login(registrar)
    response = client.post(REGISTER, form_data(agency), follow=True)
    case = R.objects.get()
    assert response.redirect_chain == [(detail(case) + "?notice=registered", 302)]
    body = response.content.decode()
    assert f"已登记，登记编号：{case.case_number}。" in body
    assert case.case_number == "孝政信申〔2026〕1号"
    # Art. 33: 20 working days after Thursday 2026-03-05.
    assert case.due_date == date(2026, 4, 2)
    assert "2026年4月2日" in body
    assert case.created_by == registrar


def test_a_character_the_letter_fonts_lack_is_named_and_the_form_kept(client, registrar, agency):
    # Issue #10 point 9: the receipt could not print it; the registrar is told which and where,
    # and nothing typed is lost.
    client.force_login(registrar)
    description = "关于\U00021484字村拆迁补偿的文件"
    response = client.post(REGISTER, form_data(agency, description=description))
    assert response.status_code == 200 and not R.objects.exists()
    errors = " ".join(response.context["form"].non_field_errors())
    assert "登记回执不能出具" in errors and "U+21484" in errors
    assert response.context["form"]["description"].value() == description


def test_an_organisation_is_registered_and_person_fields_left_behind_are_ignored(
    client, registrar, agency
):
    client.force_login(registrar)
    data = form_data(
        agency,
        applicant_kind="organization",
        applicant_name="山西华远商贸有限公司",
        organization_kind="business",
        credit_code="91140000MA0GRXXH89",
        legal_representative="李强",
        id_number="not an id",  # typed before switching the applicant kind
    )
    response = client.post(REGISTER, data)
    assert response.status_code == 302, response.context["form"].errors
    case = R.objects.get()
    assert (case.applicant_kind, case.id_type, case.id_number) == ("organization", "", "")
    assert case.credit_code == "91140000MA0GRXXH89"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"id_number": "110105194912310021"}, "id_number", "校验码"),
        ({"receipt_date": "2026-03-06", "arrival_date": "2026-03-06"}, "receipt_date", "晚于今天"),
        ({"receipt_date": "2026-3-32"}, "receipt_date", "请输入有效的日期"),
        ({"receipt_date": ""}, "receipt_date", "请填写这个日期"),
        ({"applicant_name": "  "}, "applicant_name", "请填写申请人"),
        ({"description": ""}, "description", "特征性描述"),
        ({"phone": "", "email": "", "delivery": "collect"}, "phone", "至少填写一种联系方式"),
        ({"email": "", "delivery": "email"}, "email", "选择电子邮件送达的，请填写电子邮箱"),
        ({"email": "zhang@"}, "email", "有效的电子邮箱"),
        ({"postcode": "03200"}, "postcode", "6位数字"),
        ({"channel": "pigeon"}, "channel", "请从列表中选择"),
        (
            {"applicant_kind": "organization", "organization_kind": "business", "credit_code": ""},
            "credit_code",
            "统一社会信用代码",
        ),
        ({"agent_name": "王律师"}, "power_of_attorney", "授权委托书"),
        ({"applicant_name": "张" * 101}, "applicant_name", "不能超过100个字（现有101个）"),
    ],
)
def test_each_problem_is_shown_under_its_field_and_nothing_typed_is_lost(
    client, registrar, agency, changes, field, message
):
    client.force_login(registrar)
    data = form_data(agency, document_names="孝政办发〔2025〕12号", **changes)
    response = client.post(REGISTER, data)
    assert response.status_code == 200
    assert not R.objects.exists()
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    body = response.content.decode()
    assert message in field_block(body, field)
    assert "孝政办发〔2025〕12号" in body
    assert "2025年孝义市城区老旧小区改造项目" in body or field == "description"


def test_the_services_messages_land_under_their_fields(client, registrar, agency, monkeypatch):
    from django.core.exceptions import ValidationError

    def refuse(**kwargs):
        raise ValidationError({"receipt_date": "收到申请之日有误（测试）。"})

    monkeypatch.setattr("requests_app.views.registration.request_register", refuse)
    client.force_login(registrar)
    response = client.post(REGISTER, form_data(agency))
    assert response.context["form"].errors["receipt_date"] == ["收到申请之日有误（测试）。"]


def test_a_permission_error_of_the_service_is_shown_above_the_form(
    client, registrar, agency, monkeypatch
):
    def refuse(**kwargs):
        raise NotAllowed("您不是孝义市人民政府办公室的工作人员，不能为其登记申请。")

    monkeypatch.setattr("requests_app.views.registration.request_register", refuse)
    client.force_login(registrar)
    response = client.post(REGISTER, form_data(agency))
    assert response.status_code == 200
    assert "不能为其登记申请" in response.context["form"].non_field_errors()[0]


def test_earlier_applications_are_shown_before_registering_again(client, registrar, case):
    # Art. 36(6): the registrar sees the same applicant's cases and confirms.
    client.force_login(registrar)
    response = client.post(REGISTER, form_data(case.agency, applicant_name="张 明华"))
    assert response.status_code == 200
    assert response.context["duplicates"] == [case]
    body = response.content.decode()
    assert case.case_number in body
    assert "已核对，仍然登记" in body
    assert R.objects.count() == 1
    response = client.post(
        REGISTER,
        form_data(
            case.agency,
            applicant_name="张 明华",
            confirm_duplicates="on",
            seen_duplicates=[str(case.pk)],
        ),
    )
    assert response.status_code == 302
    assert R.objects.count() == 2


def test_submitting_the_same_form_twice_registers_once(client, registrar, agency):
    client.force_login(registrar)
    data = form_data(agency, confirm_duplicates="on")
    first = client.post(REGISTER, data)
    second = client.post(REGISTER, data, follow=True)
    case = R.objects.get()
    assert first["Location"] == detail(case) + "?notice=registered"
    assert second.redirect_chain == [(detail(case) + "?notice=resubmitted", 302)]
    assert "没有重复登记" in second.content.decode()


# The case list


def test_the_list_has_its_columns_in_chinese(client, registrar, handler, agency, case):
    R.objects.filter(pk=case.pk).update(handler=handler, provisional=True)
    client.force_login(registrar)
    body = client.get(LIST).content.decode()
    for heading in ("登记编号", "申请人", "申请内容摘要", "办理阶段", "收到申请之日", "答复期限"):
        assert heading in body
    assert "2025年孝义市城区老旧小区改造项目的资金拨付明细" in body  # 24 characters: whole
    assert "2026年3月30日（暂定）" in body
    assert "受理审查" in body


def test_days_left_are_coloured_by_state(client, registrar, agency):
    overdue, at_risk, paused = bulk_cases(agency, 3, creator=registrar)
    R.objects.filter(pk=overdue.pk).update(overdue=True, days_left=-3)
    R.objects.filter(pk=at_risk.pk).update(at_risk=True, days_left=2)
    R.objects.filter(pk=paused.pk).update(paused=True, due_date=None, days_left=12)
    client.force_login(registrar)
    body = client.get(LIST).content.decode()
    assert '<span class="gk-overdue">超期3日</span>' in body
    assert '<span class="gk-at-risk">2（临期）</span>' in body
    assert '<span class="gk-paused">暂停</span>' in body


def test_the_summary_is_cut_at_30_characters(client, registrar, agency):
    bulk_cases(agency, 1, creator=registrar, description="一二三四五六七八九十" * 4)
    client.force_login(registrar)
    body = client.get(LIST).content.decode()
    assert "一二三四五六七八九十" * 3 + "…" in body
    assert "一二三四五六七八九十" * 3 + "一" not in body


def test_filters_and_search_narrow_the_list(client, registrar, agency):
    _first, second = bulk_cases(agency, 2, creator=registrar)
    R.objects.filter(pk=second.pk).update(stage="consult", description="拆迁补偿标准")
    client.force_login(registrar)
    page = client.get(LIST, {"stage": "consult"}).context["page"]
    assert list(page) == [second]
    page = client.get(LIST, {"q": "拆迁"}).context["page"]
    assert list(page) == [second]
    page = client.get(LIST, {"flags": ["overdue"]}).context["page"]
    assert list(page) == []


def test_a_bad_filter_date_is_explained_and_the_other_filters_still_apply(
    client, registrar, agency
):
    _first, second = bulk_cases(agency, 2, creator=registrar)
    R.objects.filter(pk=second.pk).update(stage="consult")
    client.force_login(registrar)
    response = client.get(LIST, {"received_from": "2026-02-30", "stage": "consult"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "收到申请之日（起）：请输入有效的日期" in body
    assert list(response.context["page"]) == [second]
    response = client.get(LIST, {"received_from": "2026-03-05", "received_to": "2026-03-01"})
    assert "“止”日期不能早于“起”日期" in response.content.decode()
    response = client.get(LIST, {"stage": "nonsense", "page": "abc"})
    assert response.status_code == 200
    assert "办理阶段：请从列表中选择" in response.content.decode()


def test_twenty_rows_a_page_sorted_by_due_date(client, registrar, agency):
    cases = bulk_cases(agency, 45, creator=registrar)
    client.force_login(registrar)
    first = client.get(LIST).context["page"]
    assert len(first) == 20
    assert first.paginator.num_pages == 3
    due = [case.due_date for case in first]
    assert due == sorted(due)
    last = client.get(LIST, {"page": 3, "q": "申请"}).context["page"]
    assert len(last) == 5
    shown = {c.pk for p in (1, 2, 3) for c in client.get(LIST, {"page": p}).context["page"]}
    assert shown == {case.pk for case in cases}
    assert "page=2" in client.get(LIST, {"q": "申请"}).content.decode()


def _list_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST, params).status_code == 200
    return len(queries)


LIST_VIEWS = [{}, {"q": "申请"}, {"q": "件申请的"}, {"page": "2"}, {"q": "申请", "stage": "accept"}]


def test_the_list_takes_the_same_number_of_queries_for_25_and_45_cases(
    client, registrar, handler, agency, django_assert_max_num_queries
):
    bulk_cases(agency, 25, creator=registrar, handler=handler)
    client.force_login(registrar)
    # session, user, the user's request roles (need to know), agencies, rows, the 承办人 filter's
    # choices (3, from the staff down), the menu's bounded task counts (4) and the idle timeout's
    # session save (3, in a savepoint)
    with django_assert_max_num_queries(20):
        client.get(LIST)
    # No query, short or long search, another page: the same few queries, whatever the rows.
    with_25 = [_list_queries(client, **params) for params in LIST_VIEWS]
    # A search on SQLite first asks the index how many hits there are (requests_app/search.py).
    assert max(with_25) <= 21
    bulk_cases(agency, 20, creator=registrar, handler=handler, first=26)
    assert [_list_queries(client, **params) for params in LIST_VIEWS] == with_25


def test_a_long_list_counts_up_to_a_bound_and_says_so(client, registrar, agency, monkeypatch):
    monkeypatch.setattr("workflow.pagination.COUNT_LIMIT", 40)
    cases = bulk_cases(agency, 45, creator=registrar)
    client.force_login(registrar)

    first = client.get(LIST)
    body = first.content.decode()
    assert "申请超过 <strong>40</strong> 件，第 1 页。" in body
    assert "超过 40 件的部分不逐件计数" in body
    assert "下一页" in body and "末页" not in body  # the last page is not known yet
    filtered = client.get(LIST, {"q": "申请"}).content.decode()
    assert "符合条件的申请超过 <strong>40</strong> 件" in filtered

    # Paging on counts further; past the bound the count is exact again.
    second = client.get(LIST, {"page": 2}).content.decode()
    assert "申请超过 <strong>40</strong> 件，第 2 页。" in second
    third = client.get(LIST, {"page": 3})
    assert "共 <strong>45</strong> 件申请，第 3 / 3 页。" in third.content.decode()
    assert len(third.context["page"]) == 5
    shown = {c.pk for p in (1, 2, 3) for c in client.get(LIST, {"page": p}).context["page"]}
    assert shown == {case.pk for case in cases}

    # Not a page number: the first page (the last one is not known).
    for bad in ("-3", "0", "abc"):
        assert client.get(LIST, {"page": bad}).context["page"].number == 1
    # Past the end: the last page, now that counting that far found it.
    assert client.get(LIST, {"page": "9" * 40}).context["page"].number == 3


# The case page


def test_the_case_page_shows_facts_clock_and_history(client, registrar, case):
    audit(
        actor=registrar,
        action="something_new",
        obj=case,
        agency=case.agency,
        from_state="accept",
        to_state="propose",
        reason="测试理由",
    )
    client.force_login(registrar)
    response = client.get(detail(case))
    body = response.content.decode()
    assert case.case_number in body
    assert "收到申请之日" in body and "2026年3月2日" in body
    assert "2026年3月30日" in body  # due date
    assert "尚余 <strong" in body
    assert case.clock_explanation[0] in body
    assert "开始计算" in body  # the clock entry
    timeline = response.context["timeline"]
    assert [item.label for item in timeline] == ["登记申请", "something_new"]
    assert (timeline[1].from_label, timeline[1].to_label) == ("受理审查", "提出办理意见")
    assert "测试理由" in body
    assert "registrar" in body


def test_the_case_page_lists_the_same_applicants_other_cases(
    client, registrar, agency, case, walk_in
):
    later = request_register(actor=registrar, agency=agency, data=walk_in(), today=TODAY)
    client.force_login(registrar)
    assert client.get(detail(later)).context["same_applicant"] == [case]


def test_the_case_page_takes_the_same_queries_however_long_its_history(
    client, registrar, handler, case, django_assert_max_num_queries
):
    client.force_login(registrar)
    # … the menu's bounded task counts (5), the idle timeout's session save (3, in a savepoint) and
    # the notices' service (DOMAIN §3.8) and the reconsiderations and lawsuits (1)
    with django_assert_max_num_queries(26):
        client.get(detail(case))
    with CaptureQueriesContext(connection) as short:
        client.get(detail(case))
    for actor in (registrar, handler, None) * 3:
        audit(actor=actor, action="request_accepted", obj=case, agency=case.agency)
    with CaptureQueriesContext(connection) as long:
        assert len(client.get(detail(case)).context["timeline"]) == 10
    assert len(long) == len(short)


def test_case_page_lists_the_letters_and_serves_them_only_to_the_agency(
    client, registrar, outsider, agency, walk_in
):
    from requests_app.models import CaseDocument
    from requests_app.services import request_register

    case = request_register(actor=registrar, agency=agency, data=walk_in(), today=date(2026, 3, 5))
    receipt = CaseDocument.objects.get(request=case, letter_kind="receipt")
    client.force_login(registrar)
    page = client.get(f"/requests/cases/{case.pk}/").content.decode()
    assert "政府信息公开申请登记回执" in page or "登记回执" in page
    pdf = client.get(f"/requests/cases/{case.pk}/documents/{receipt.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content)[:5] == b"%PDF-"
    docx = client.get(f"/requests/cases/{case.pk}/documents/{receipt.pk}.docx")
    assert "attachment" in docx["Content-Disposition"]
    client.force_login(outsider)
    assert client.get(f"/requests/cases/{case.pk}/documents/{receipt.pk}.pdf").status_code == 404


@pytest.mark.django_db
@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_extension_is_asked_and_approved_from_the_case_page(
    client, registrar, handler, office_head, agency, walk_in
):
    # Art. 33 ¶2: the handler asks, the head of the disclosure office approves.
    from requests_app.services import request_register

    case = request_register(actor=registrar, agency=agency, data=walk_in())
    url = f"/requests/cases/{case.pk}/actions/"
    client.force_login(handler)
    page = client.get(f"/requests/cases/{case.pk}/").content.decode()
    assert "申请延长答复期限" in page and "批准延期" not in page
    refused = client.post(url + "extension_ask/", {"days": "25", "reason": "调档"})
    assert "延长的期限最长不得超过20个工作日" in refused.content.decode()
    assert 'value="调档"' in refused.content.decode() or "调档" in refused.content.decode()
    client.post(url + "extension_ask/", {"days": "20", "reason": "需要调取档案"})
    client.force_login(office_head)
    assert "批准延期" in client.get(f"/requests/cases/{case.pk}/").content.decode()
    done = client.post(url + "extension_approve/", {})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.extension.approved_on == date(2026, 3, 10)
    assert case.documents.filter(letter_kind="extension_notice").exists()
    # Nobody can approve twice: the action is gone and a replayed POST is told so.
    again = client.post(url + "extension_approve/", {}, follow=True)
    assert "这项操作现在不能办理" in again.content.decode()


@pytest.mark.django_db
@time_machine.travel("2026-03-10 10:00 +0800", tick=False)
def test_withdrawal_from_the_case_page_moves_the_process_to_service(
    client, registrar, agency, walk_in
):
    from requests_app.flows import case_tasks
    from requests_app.services import request_register

    case = request_register(actor=registrar, agency=agency, data=walk_in())
    client.force_login(registrar)
    response = client.post(
        f"/requests/cases/{case.pk}/actions/withdraw/",
        {"on": "2026-03-10", "reason": "申请人书面撤回"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.stage, case.outcome) == ("serve", "other")
    assert [t["title"] for t in case_tasks(case, registrar)] == ["送达"]


@pytest.mark.django_db
def test_outsiders_cannot_act_on_a_case(client, registrar, outsider, agency, walk_in):
    from requests_app.services import request_register

    case = request_register(actor=registrar, agency=agency, data=walk_in(), today=date(2026, 3, 5))
    client.force_login(outsider)
    response = client.post(
        f"/requests/cases/{case.pk}/actions/withdraw/", {"on": "2026-03-05", "reason": "x"}
    )
    assert response.status_code == 404


# -- Chinese everywhere, and the 承办人 filter (issue #10 point 15) ------------------------------


def test_the_clock_events_name_their_pause_reasons_in_chinese(
    client, registrar, handler, agency, walk_in
):
    from requests_app import services

    corrected = request_register(actor=registrar, agency=agency, data=walk_in(), today=TODAY)
    services.request_ask_correction(
        actor=handler, case_id=corrected.pk, items=["请写明所需信息的文件名称或文号"], today=TODAY
    )
    consulted = request_register(actor=registrar, agency=agency, data=walk_in(), today=TODAY)
    services.request_accept(actor=handler, case_id=consulted.pk, today=TODAY)
    services.consultation_send(
        actor=handler,
        case_id=consulted.pk,
        party="third_party",
        party_name="某某建设有限公司",
        matter="项目合同金额",
        sent_on=TODAY,
        today=TODAY,
    )
    client.force_login(registrar)
    for case, words, code in (
        (corrected, "补正告知（等待申请人补正）", "correction"),
        (consulted, "征求第三方意见", "third_party"),
    ):
        body = client.get(detail(case)).content.decode()
        events = body.split('id="clock-entries"', 1)[1].split("</table>", 1)[0]
        assert words in events
        assert code not in events


def test_the_handler_filter_offers_only_the_agencys_handlers(
    client, registrar, handler, office_head, outsider, agency, case, django_user_model
):
    from tests.conftest import _persona

    # A former handler (role withdrawn) who still handles a case stays findable.
    former = _persona(django_user_model, "former_handler", agency)
    R.objects.filter(pk=case.pk).update(handler=former)
    client.force_login(registrar)
    choices = dict(client.get(LIST).context["form"].fields["handler"].choices)
    assert set(choices) == {"", "none", str(handler.pk), str(former.pk)}


def test_the_task_lists_filter_in_chinese(client, handler, case):
    client.force_login(handler)
    for name in ("inbox", "queue", "archive"):
        response = client.get(reverse(f"requests:tasks:{name}"))
        body = response.content.decode()
        # The frame writes the choices as JSON (Chinese escaped): English shows as it is.
        assert "Yesterday" not in body and "Past 7 days" not in body, name
        assert "Request/" not in body, name
        fields = response.context["view"].filterset.form.fields
        ranges = ("created", "finished") if name == "archive" else ("created",)
        for field in ranges:
            assert [str(label) for _, label in fields[field].choices] == [
                "---------",
                "今天",
                "昨天",
                "最近7天",
                "本月",
                "今年",
            ], (name, field)
        assert "受理审查" in dict(fields["flow_task"].choices).values(), name


def test_a_description_of_150000_characters_is_refused_under_its_field(client, registrar, agency):
    # Issue #10 point 5: such a text used to take half a minute to register and lock the database.
    client.force_login(registrar)
    response = client.post(REGISTER, form_data(agency, description="申" * 150_000))
    assert response.status_code == 200
    assert not R.objects.exists()
    assert response.context["form"].errors["description"] == [
        "所需政府信息的描述不能超过5000个字（现有150000个）。"
    ]
    assert "不能超过5000个字（现有150000个）" in field_block(
        response.content.decode(), "description"
    )


def test_a_nul_typed_into_the_form_is_refused_naming_the_field(client, registrar, agency):
    # Issue #10 point 7: PostgreSQL cannot store U+0000; the form says so under the field.
    client.force_login(registrar)
    response = client.post(REGISTER, form_data(agency, applicant_name="张明\x00华"))
    assert response.status_code == 200
    assert not R.objects.exists()
    (message,) = response.context["form"].errors["applicant_name"]
    assert message.startswith("申请人姓名或名称中有看不见的空字符（U+0000）")


def test_invisible_controls_are_taken_out_of_names_and_kept_out_of_the_description(
    client, registrar, agency
):
    # Issue #10 point 9: U+202E would show "张明华" reversed; U+200B would make another name.
    client.force_login(registrar)
    response = client.post(
        REGISTER,
        form_data(
            agency,
            applicant_name="\u202e张\u200b明华\u202c",
            address="孝义市\u2066胜溪路\u2069 1号",
            description="老旧小区\u202e改造\u200d资金",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    case = R.objects.get()
    assert case.applicant_name == "张明华"
    assert case.address == "孝义市胜溪路 1号"
    # Longer text keeps a zero-width joiner (emoji), loses the bidirectional controls.
    assert case.description == "老旧小区改造\u200d资金"


def test_a_nul_in_a_search_is_dropped_not_a_server_error(client, registrar, agency, case):
    client.force_login(registrar)
    assert client.get(detail(case) + "?doc_q=%00").status_code == 200
    assert client.get(detail(case) + "?doc_q=%E8%80%81%00%E6%97%A7").status_code == 200
    response = client.get(LIST + "?q=%00张&stage=%00")
    assert response.status_code == 200
    assert response.context["form"]["q"].value() == "张"


def test_an_ordinary_letter_received_later_than_it_arrived_needs_a_reason(
    client, registrar, agency
):
    # Art. 31(2): an ordinary letter is confirmed with the applicant on the day it arrives; a
    # later receipt date is refused without a reason, named under its field, the form kept.
    client.force_login(registrar)
    data = form_data(
        agency, channel="ordinary_letter", arrival_date="2026-03-03", receipt_date="2026-03-05"
    )
    response = client.post(REGISTER, data)
    assert response.status_code == 200 and not R.objects.exists()
    block = field_block(response.content.decode(), "late_receipt_reason")
    assert "收到申请之日晚于到达日期的理由" in block and "第三十一条第（二）项" in block
    assert response.context["form"]["receipt_date"].value() == "2026-03-05"
    reason = "到达当日申请人电话无人接听，次日起多次联系，3月5日确认"
    response = client.post(REGISTER, {**data, "late_receipt_reason": reason}, follow=True)
    case = R.objects.get()
    assert case.late_receipt_reason == reason
    assert reason in response.content.decode()  # the case page
    from tests.letters.helpers import docx_text, squash

    receipt = case.documents.get(letter_kind="receipt")
    text = squash(docx_text(receipt.docx.read()))
    assert f"延后确认的理由{squash(reason)}" in text


def test_an_ordinary_letter_confirmed_on_the_day_it_arrived_needs_no_reason(
    client, registrar, agency
):
    client.force_login(registrar)
    data = form_data(agency, channel="ordinary_letter")
    assert client.post(REGISTER, data).status_code == 302
