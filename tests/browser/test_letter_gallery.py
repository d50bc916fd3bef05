"""Staff review the wording of every letter in the gallery (文书样式)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from workflow.letters.kinds import KINDS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_handler_opens_the_gallery_and_every_letter_is_a_real_file(
    page, live_server, handler, shot
):
    login(page, live_server, "handler")
    page.goto(f"{live_server.url}/tools/letters/")
    expect(page.locator("h1", has_text="文书样式")).to_be_visible()
    sections = page.locator("section.gk-letter")
    assert sections.count() == len(KINDS)
    shot("gallery")
    pdf = page.request.get(f"{live_server.url}/tools/letters/reply.pdf?outcome=not_held")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:5] == b"%PDF-"
    # The gallery embeds the PDFs, so they may be framed by the site's own pages (only).
    assert pdf.headers["x-frame-options"] == "SAMEORIGIN"
    docx = page.request.get(f"{live_server.url}/tools/letters/receipt.docx")
    assert docx.body()[:2] == b"PK"
    assert "attachment" in docx.headers["content-disposition"]
    # The outcome picker turns the reply into another outcome's letter.
    with page.expect_navigation():
        page.select_option("#kind-reply select[name=outcome]", "withheld_state_secret")
    assert "outcome=withheld_state_secret" in page.url
