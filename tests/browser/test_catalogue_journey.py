"""The catalogue of disclosure items in the browser (DOMAIN §5): the disclosure office fills in
the template, uploads it with a mistake, reads the problem by row and column, corrects it,
confirms, publishes version 1, and a citizen finds the item on the public page."""

import io

import pytest
from openpyxl import load_workbook

from attributes_app.models import CatalogueItem, CataloguePublication
from tests.attributes_app.catalogue_helpers import GOOD_ROW
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def filled(template: bytes, audience: str) -> bytes:
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook["公开事项目录"]
    sheet.append([*GOOD_ROW[:8], audience, *GOOD_ROW[9:]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_template_import_publication_and_public_page(
    page, live_server, agency, office_head, shot, tmp_path
):
    login(page, live_server, "office_head")
    page.goto(f"{live_server.url}/attributes/catalogue/")
    page.click("#import")
    page.wait_for_selector("#import-form")
    with page.expect_download() as download:
        page.click("#template-xlsx")
    template = download.value.path().read_bytes()

    wrong = tmp_path / "目录.xlsx"
    wrong.write_bytes(filled(template, "所有人"))
    page.set_input_files("#id_file", str(wrong))
    page.click("#check-file")
    page.wait_for_selector("#problems")
    shot("1-problems")
    problems = page.inner_text("#problems")
    assert "第2行" in problems and "公开对象（I列）" in problems and "全社会或特定群体" in problems
    assert page.locator("#confirm-import").count() == 0
    assert not CatalogueItem.objects.exists()

    right = tmp_path / "目录2.xlsx"
    right.write_bytes(filled(template, "特定群体"))
    page.goto(f"{live_server.url}/attributes/catalogue/import/")
    page.set_input_files("#id_file", str(right))
    page.click("#check-file")
    page.wait_for_selector("#confirm-import")
    page.click("#confirm-import")
    page.wait_for_selector("#items")
    assert "城乡低保对象认定" in page.inner_text("#items")
    assert "未发布的修改" in page.inner_text("#status")

    page.click("#publish")
    page.fill("#id_note", "首次发布")
    page.click("#publish-catalogue")
    page.wait_for_selector("#versions")
    assert "第1版" in page.inner_text("#versions")
    assert CataloguePublication.objects.get(agency=agency).item_count == 1

    page.goto(f"{live_server.url}/public/{agency.code}/catalogue/")
    page.fill("#catalogue-q", "低保")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_selector("#found")
    shot("2-public")
    assert "找到1个事项" in page.inner_text("#found")
    assert "城乡低保对象认定" in page.inner_text("main")
    assert "第1版" in page.inner_text("#version")
