"""A legal reviewer records a reconsideration on a served case from the case page (issue #13 §1)."""

import pytest

from requests_app.models import Challenge
from tests.browser.conftest import login
from tests.requests_app import files as f
from tests.requests_app.flow_helpers import advance

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.case(process=True),
]


def test_a_legal_reviewer_records_a_reconsideration_from_the_case_page(
    page, live_server, case, handler, registrar, office_head, legal_reviewer, shot, tmp_path
):
    staff = {"handler": handler, "registrar": registrar, "office_head": office_head}
    served = advance(case, "archive", staff)
    scan = tmp_path / "复议申请书.pdf"
    scan.write_bytes(f.pdf())

    login(page, live_server, legal_reviewer.username)
    page.goto(f"{live_server.url}/requests/cases/{served.pk}/")
    section = page.locator("#challenges")
    section.get_by_text("没有登记行政复议或行政诉讼").wait_for()
    page.click("#add-challenge")
    page.wait_for_selector("#challenge-form")
    assert page.input_value("input[name=body]") == "孝义市人民政府"
    page.select_option("select[name=kind]", "reconsideration")
    page.fill("input[name=number]", "孝政复〔2026〕3号")
    page.fill("input[name=filed_on]", "2026-04-01")
    page.fill("textarea[name=claim]", "撤销答复，责令重新答复")
    page.set_input_files("input[name=application_files]", str(scan))
    shot("form")
    page.click("#save-challenge")
    page.wait_for_selector("#challenge-list")
    row = page.locator("#challenge-list tbody tr").first
    assert "孝政复〔2026〕3号" in row.inner_text()
    assert "尚未审结" in row.inner_text()
    assert "复议申请书.pdf" in row.inner_text()
    shot("case-page")
    challenge = Challenge.objects.get()
    assert challenge.created_by == legal_reviewer
    assert challenge.documents.count() == 1
