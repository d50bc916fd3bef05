"""A citizen applies online (issue #16 §2): a forgotten field is told in Chinese with everything
typed kept, a new CAPTCHA on request, the number and the query code shown once."""

import pytest
from captcha.models import CaptchaStore
from django.core.cache import cache
from playwright.sync_api import expect

from requests_app.models import OnlineSubmission
from workflow.public.codes import query_code_matches

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer(page) -> None:
    """Type the CAPTCHA as a person reading the image would."""
    key = page.locator('input[name="captcha_0"]').input_value()
    page.fill('input[name="captcha_1"]', CaptchaStore.objects.get(hashkey=key).response)


def test_a_citizen_applies_online_and_keeps_the_query_code(page, live_server, agency, shot):
    cache.clear()
    page.goto(f"{live_server.url}/public/{agency.code}/apply/")
    # Applying as a person: the organisation's fields are out of the way.
    expect(page.locator("#id_credit_code")).to_be_hidden()
    page.check('input[name="applicant_kind"][value="organization"]')
    expect(page.locator("#id_credit_code")).to_be_visible()
    page.check('input[name="applicant_kind"][value="person"]')
    expect(page.locator("#id_credit_code")).to_be_hidden()

    page.fill("#id_applicant_name", "张明华")
    page.select_option("#id_id_type", "resident_id")
    page.fill("#id_id_number", "11010519491231002X")
    page.fill("#id_phone", "13800000000")
    page.check('input[name="form_wanted"][value="electronic"]')
    page.check('input[name="delivery"][value="collect"]')
    page.check("#id_declaration")
    # A new image on request, and its answer is the one that counts.
    first = page.locator('input[name="captcha_0"]').input_value()
    page.click(".captcha-refresh")
    expect(page.locator('input[name="captcha_0"]')).not_to_have_value(first)
    answer(page)
    shot("1-form")
    page.click("#submit-button")  # the description forgotten

    page.wait_for_selector("#form-errors")
    expect(page.locator("#field-description .errorlist")).to_contain_text("请填写您需要的政府信息")
    expect(page.locator("#id_applicant_name")).to_have_value("张明华")
    expect(page.locator("#id_id_number")).to_have_value("11010519491231002X")
    shot("2-error")
    page.fill("#id_description", "2025年孝义市城区老旧小区改造项目的资金拨付明细")
    page.check("#id_declaration")
    answer(page)
    page.click("#submit-button")

    page.wait_for_selector("#query-code")
    submission = OnlineSubmission.objects.get()
    expect(page.locator("#submission-number")).to_have_text(submission.number)
    code = page.inner_text("#query-code")
    assert query_code_matches(submission.query_code_hash, code)
    expect(page.locator(".print-button")).to_be_visible()
    expect(page.locator("#next-steps")).to_contain_text("确认之日为收到申请之日")
    shot("3-done")
    page.reload()
    page.wait_for_selector("#code-shown")
    assert code not in page.content()
