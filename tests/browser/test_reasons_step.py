"""Art. 35 in the browser: the handler asks for reasons, the registrar records the answer, the
handler finds them reasonable but not answerable in time, the office head approves the later
reply date on the case page."""

import pytest
from django.utils import timezone

from requests_app.models import CaseDocument, InformationRequest
from requests_app.services import request_register
from tests.browser.conftest import login
from tests.browser.test_request_journey import act, stage, submit
from workflow.calendar import get_calendar
from workflow.cn import cn_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_asking_for_reasons_recording_the_answer_and_deferring(
    page, live_server, registrar, handler, office_head, agency, walk_in, shot
):
    today = timezone.localdate()
    case = request_register(
        actor=registrar, agency=agency, data=walk_in(arrival_date=today, receipt_date=today)
    )
    day = today.isoformat()
    act(
        page,
        live_server,
        handler,
        case,
        "accept",
        "reasons",
        shot,
        grounds="近一个月内提交申请42件，其中35件内容相同",
        items="反复提交相同申请的原因\n能否合并申请或者缩小申请范围",
    )
    assert stage(case) == "reasons"
    assert CaseDocument.objects.filter(request=case, letter_kind="reasons_request").exists()

    act(
        page,
        live_server,
        registrar,
        case,
        "reasons",
        "record",
        shot,
        answered_on=day,
        answer="各件分别申请不同年度的资料，内容相近但不重复。",
    )
    due = InformationRequest.objects.get(pk=case.pk).due_date
    later = get_calendar(agency.pk).add_working_days(due, 15)
    act(
        page,
        live_server,
        handler,
        case,
        "reasons_decide",
        "deferred",
        shot,
        later_date=later.isoformat(),
        note="所涉档案约3000页，需逐页审查",
    )
    assert stage(case) == "propose"

    # The office head approves the later date on the case page.
    login(page, live_server, office_head.username)
    page.goto(f"{live_server.url}/requests/cases/{case.pk}/")
    assert "理由合理，但无法按期答复" in page.locator("#reasons").inner_text()
    approve = page.locator("#action-deferral_approve")
    shot("case-page-deferral")
    submit(page, approve.locator("button[type=submit]"))
    assert cn_date(later) in page.locator("#due-date").inner_text()
    assert "已批准" in page.locator("#deferral").inner_text()
    assert page.locator("#action-deferral_approve").count() == 0
    shot("case-page-deferred")
    link = page.locator("#documents tr", has_text="延迟答复告知书").locator("a", has_text="PDF")
    response = page.request.get(f"{live_server.url}{link.get_attribute('href')}")
    assert response.body()[:5] == b"%PDF-"
