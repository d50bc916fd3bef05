"""A handler works out a deadline in the browser (期限计算器)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_handler_computes_a_deadline_with_a_consultation_and_an_extension(
    page, live_server, handler, shot
):
    login(page, live_server, "handler")
    page.goto(f"{live_server.url}/tools/deadline/")
    expect(page.locator("h1", has_text="期限计算器")).to_be_visible()
    page.fill("input[name=receipt_date]", "2026-03-02")
    page.select_option("select[name=pause-0-reason]", "third_party")
    page.fill("input[name=pause-0-start]", "2026-03-10")
    page.fill("input[name=pause-0-end]", "2026-03-24")
    page.fill("input[name=extension_date]", "2026-03-25")
    page.fill("input[name=extension_days]", "20")
    page.fill("input[name=today]", "2026-03-30")
    shot("1-form")
    page.click("#calculate")
    page.wait_for_selector("#result")
    result = page.locator("#result")
    assert "答复期限：2026年5月14日" in result.inner_text()
    assert "尚余 30 个工作日" in result.inner_text()
    explanation = page.locator("#explanation li").all_inner_texts()
    assert any("征求第三方意见，期间不计入答复期限" in line for line in explanation)
    shot("2-result")


def test_a_bad_date_is_explained_and_the_form_keeps_what_was_typed(
    page, live_server, handler, shot
):
    login(page, live_server, "handler")
    page.goto(f"{live_server.url}/tools/deadline/")
    page.fill("input[name=receipt_date]", "2026-03-02")
    page.fill("input[name=extension_date]", "2026-03-25")
    page.fill("input[name=today]", "2026-03-30")
    page.click("#calculate")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("延期需要同时填写告知日期和延长的工作日数").first).to_be_visible()
    assert page.input_value("input[name=receipt_date]") == "2026-03-02"
    assert page.input_value("input[name=extension_date]") == "2026-03-25"
    assert page.locator("#result").count() == 0
    shot("error")


def test_a_provisional_deadline_is_marked(page, live_server, handler):
    login(page, live_server, "handler")
    page.goto(f"{live_server.url}/tools/deadline/")
    page.fill("input[name=receipt_date]", "2026-12-14")
    page.fill("input[name=today]", "2026-12-14")
    page.click("#calculate")
    page.wait_for_selector("#result")
    text = page.locator("#result").inner_text()
    assert "暂定期限" in text
    assert "2027年1月12日（暂定）" in text
