"""Importing older documents from a spreadsheet in the browser (DOMAIN §4.4): the disclosure
office downloads the template, uploads a file with a mistake, reads the problem by row and
column, uploads the corrected file, confirms, waits for the background job and lands on its
result, which leads to the register's documents without an attribute."""

import io

import pytest
from openpyxl import load_workbook

from attributes_app.models import Document
from attributes_app.services import drafting_unit_save
from tests.browser.conftest import login
from workflow.models import Job

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def filled(template: bytes, issued: str) -> bytes:
    """The template with its example replaced by two documents; ``issued`` is the second's."""
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook["文件清单"]
    sheet.delete_rows(2)
    sheet.append(
        ["综合科", "关于加强政务公开工作的通知", "孝政办发〔2017〕8号", "其他公文",
         "2017-05-02", "2017-05-04", "非涉密"]
    )  # fmt: skip
    sheet.append(
        ["综合科", "孝义市行政规范性文件管理办法", "孝政发〔2016〕2号", "行政规范性文件",
         "2016-01-05", issued, "非涉密", "已废止", "2020-02-01"]
    )  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_template_problem_correction_confirmation_and_result(
    page, live_server, agency, admin_user, office_head, shot, tmp_path
):
    drafting_unit_save(actor=admin_user, agency=agency, name="综合科")
    login(page, live_server, "office_head")
    page.goto(f"{live_server.url}/attributes/documents/")
    page.click("#older-import")
    page.wait_for_selector("#import-form")
    shot("1-import-page")

    with page.expect_download() as download:
        page.click("#template-xlsx")
    template = download.value.path().read_bytes()

    # A file with a mistake: the second document issued before it was formed.
    wrong = tmp_path / "清单.xlsx"
    wrong.write_bytes(filled(template, "2015-12-30"))
    page.set_input_files("#id_file", str(wrong))
    page.click("#check-file")
    page.wait_for_selector("#problems")
    assert "文件中有 1 个问题，没有导入任何文件" in page.inner_text("#refused")
    assert "第3行 印发日期（F列）" in page.inner_text("#problems")
    assert "印发日期不能早于成文日期" in page.inner_text("#problems")
    assert page.locator("#confirm-import").count() == 0
    shot("2-problems")

    # Corrected and uploaded again: the summary, then the confirmation.
    page.goto(f"{live_server.url}/attributes/documents/older_import/")
    right = tmp_path / "清单（改）.xlsx"
    right.write_bytes(filled(template, "2016-01-08"))
    page.set_input_files("#id_file", str(right))
    page.click("#check-file")
    page.wait_for_selector("#summary")
    assert "2" in page.inner_text("#clean")
    shot("3-summary")
    page.click("#confirm-import")
    page.wait_for_selector("#done", timeout=60_000)  # the job page goes on by itself
    assert Job.objects.get().status == "done"
    assert "已从“清单（改）.xlsx”导入2份已印发的文件" in page.inner_text("#done")
    shot("4-done")

    page.click("#register-without-attribute")
    page.wait_for_selector("#documents")
    assert "孝义市行政规范性文件管理办法" in page.inner_text("#documents")
    assert Document.objects.filter(attribute="").count() == 2
    shot("5-register")
