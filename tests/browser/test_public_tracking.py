"""An applicant follows an online application on the public side: wrong code first, then the
right one; the reply served on the tracking page is downloaded (issue #16 §2)."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from tests.requests_app.test_public_tracking import CODE, TAIL, replied

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff(django_user_model, agency):
    from tests.conftest import _persona

    return {
        role: _persona(django_user_model, f"{role}_user", agency, role)
        for role in ("registrar", "handler", "office_head")
    }


def test_applicant_tracks_the_application_and_downloads_the_reply(
    page, live_server, agency, staff, shot
):
    cache.clear()
    submission, case = replied(agency, staff)
    page.goto(f"{live_server.url}/public/{agency.code}/")
    page.get_by_role("link", name="申请查询").first.click()
    page.get_by_label("网上申请编号或登记编号").fill(submission.number)
    page.get_by_label("查询码").fill("AAAA-BBBB-CCCC")
    page.get_by_label("证件号码后四位").fill(TAIL)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("alert")).to_have_text("编号、查询码或证件号码后四位不正确。")
    expect(page.get_by_label("查询码")).to_have_value("")  # the code is never echoed

    page.get_by_label("查询码").fill(CODE.lower())
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("heading", name="办理状态：已答复")).to_be_visible()
    expect(page.get_by_text(case.case_number).first).to_be_visible()
    expect(page.get_by_role("heading", name="救济途径")).to_be_visible()
    assert CODE not in page.url and CODE.lower() not in page.url
    shot("replied")

    reply = case.documents.get(letter_kind="reply")
    with page.expect_download() as download:
        page.get_by_role("link", name=reply.title, exact=False).click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert case.online_letters.get(letter=reply).first_opened_at is not None
