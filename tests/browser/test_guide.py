"""The guide in the browser (Art. 12): the office head opens 公开指南 from the menu, builds the
first draft from the agency's data, fills in the office hours, publishes it, and the public
page shows it."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from requests_app.models import Guide
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_start_fill_publish_and_read_it_on_the_public_side(
    page, live_server, agency, office_head, shot
):
    agency.office_phone = "0358-7654321"
    agency.office_address = "孝义市府前街1号"
    agency.save()
    login(page, live_server, "office_head")
    page.goto(f"{live_server.url}{reverse('requests:guide:index')}")
    page.click(f"#open-guide-{agency.pk}")
    page.wait_for_selector("#start-button")
    page.click("#start-button")
    page.wait_for_selector("#guide-form")
    assert page.input_value("#id_court") == "孝义市人民法院"
    assert page.locator("#publish-button").is_disabled()
    assert "办公时间" in page.inner_text("#publish-blocked")
    page.fill("#id_office_hours", "工作日上午8:30—12:00，下午14:30—17:30")
    page.click("#save-guide")
    expect(page.locator("#preview")).to_contain_text("下午14:30—17:30")
    expect(page.locator("#publish-blocked")).to_have_count(0)
    shot("1-draft")
    page.fill("#id_note", "首次发布")
    page.click("#publish-button")
    # The draft is a row of the versions table too: wait until that row says it is published.
    expect(page.locator("#version-1")).to_contain_text("已发布")
    assert Guide.objects.get(agency=agency).status == "published"

    page.goto(f"{live_server.url}{reverse('public:guide', kwargs={'agency_code': agency.code})}")
    page.wait_for_selector("#guide-body")
    body = page.inner_text("#guide-body")
    assert "孝义市人民政府办公室政府信息公开指南" in body and "第1版" in body
    assert "下午14:30—17:30" in body and "应当先申请行政复议" in body
    shot("2-public")
