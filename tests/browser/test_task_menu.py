"""An office head finds the approvals waiting to be taken and does one from the list (issue #10,
points 11 and 12): 办理任务 shows 待领取 with its count; 领取并办理 takes it and opens it."""

import pytest
from django.utils import timezone

from requests_app.models import InformationRequest
from requests_app.services import request_register
from tests.browser.conftest import login
from tests.browser.test_request_journey import submit
from tests.conftest import _persona
from tests.requests_app.flow_helpers import advance, task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_office_head_takes_and_approves_from_the_queue(
    page, live_server, registrar, handler, office_head, django_user_model, agency, walk_in, shot
):
    _persona(django_user_model, "office_head_2", agency, "office_head")
    staff = {"registrar": registrar, "handler": handler, "office_head": office_head}
    today = timezone.localdate()
    cases = [
        advance(
            request_register(
                actor=registrar,
                agency=agency,
                data=walk_in(arrival_date=today, receipt_date=today, applicant_name=name),
            ),
            "approve",
            staff,
            today=today,
        )
        for name in ("张明华", "李建国", "王秀英")
    ]
    login(page, live_server, office_head.username)
    page.goto(f"{live_server.url}/requests/cases/")
    queue_link = page.locator("#menu-tasks-queue")
    assert queue_link.locator(".gk-count").inner_text() == "3"
    assert page.locator("#menu-tasks-inbox .gk-count").inner_text() == "0"
    shot("menu")
    queue_link.click()
    page.wait_for_url("**/tasks/queue/**")
    page.wait_for_load_state("networkidle")
    rows = page.locator("form.gk-take button")
    assert rows.count() == 3
    shot("queue")

    first = cases[0]
    approve = task(first, "approve")
    form = page.locator(f"tr:has-text('{first.case_number}') form.gk-take")
    submit(page, form.locator("button"))
    page.wait_for_url(f"**/{approve.pk}/execute/**")
    assert first.case_number in page.locator("h1").first.inner_text()
    shot("approve-page")
    submit(page, page.locator("#action-approve button[type=submit]"))
    page.wait_for_load_state("networkidle")
    assert InformationRequest.objects.get(pk=first.pk).stage == "serve"
    page.goto(f"{live_server.url}/requests/cases/")
    assert page.locator("#menu-tasks-queue .gk-count").inner_text() == "2"
    assert page.locator("#menu-tasks-archive .gk-count").inner_text() == "1"
    shot("after")
