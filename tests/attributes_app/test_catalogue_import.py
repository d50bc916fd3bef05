"""The catalogue as a spreadsheet: the template, the export, and the import whose check names
every problem by row and column and saves nothing until confirmed."""

import io

import pytest
from openpyxl import load_workbook

from attributes_app.catalogue_sheet import HEADERS, check_file, check_rows, workbook_bytes
from attributes_app.models import CatalogueItem
from attributes_app.older_sheet import SheetRefused
from attributes_app.services import catalogue_import, catalogue_item_save
from attributes_app.services.catalogue import working_copy
from tests.attributes_app.catalogue_helpers import GOOD_ROW, item_data, sheet_rows, workbook
from workflow.models import AuditEvent


def _with(**cells):
    row = list(GOOD_ROW)
    for header, value in cells.items():
        row[HEADERS.index(header)] = value
    return row


def test_the_template_has_exactly_the_standard_columns_and_lists():
    book = load_workbook(io.BytesIO(workbook_bytes([])))
    sheet = book["公开事项目录"]
    assert [c.value for c in sheet[1]] == [
        "领域",
        "一级事项",
        "二级事项",
        "公开内容（要素）",
        "公开依据",
        "公开时限",
        "公开主体",
        "公开渠道和载体",
        "公开对象",
        "公开方式",
        "公开层级",
        "公开时限（工作日）",
    ]
    validated = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert set(validated) == {"A2:A3001", "H2:H3001", "I2:I3001", "J2:J3001", "K2:K3001"}
    lists = book["可选项"]
    assert [lists.cell(row=r, column=9).value for r in (1, 2)] == ["全社会", "特定群体"]
    assert [lists.cell(row=r, column=1).value for r in range(1, 27)][-1] == "市政服务"


def test_a_good_row_becomes_an_item():
    check = check_file(workbook([GOOD_ROW]), "目录.xlsx")
    assert check.clean, check.problems
    (item,) = check.items
    assert item.channels == ["website", "notice_board"]
    assert (item.audience, item.default_attribute) == ("specific", "proactive")
    assert item.level_county and item.level_township and item.publication_days == 10


def test_every_problem_is_named_by_row_and_column():
    check = check_file(
        workbook(
            [
                _with(**{"领域": "外星领域"}),
                _with(**{"公开渠道和载体": "政府网站、飞鸽传书"}),
                _with(**{"公开对象": "所有人"}),
                _with(**{"公开方式": "不公开"}),
                _with(**{"公开层级": "省级"}),
                _with(**{"二级事项": None}),
                _with(**{"公开时限（工作日）": "五天"}),
                [],
                _with(**{"公开主体": "孝义市民政局"}),
                _with(**{"公开内容（要素）": "长" * 2001}),
            ]
        ),
        "目录.xlsx",
    )
    assert not check.clean and check.items == []
    found = {(p.row, p.column, p.letter) for p in check.problems}
    assert found == {
        (2, "领域", "A"),
        (3, "公开渠道和载体", "H"),
        (4, "公开对象", "I"),
        (5, "公开方式", "J"),
        (6, "公开层级", "K"),
        (7, "二级事项", "C"),
        (8, "公开时限（工作日）", "L"),
        (11, "公开内容（要素）", "D"),
    }
    messages = {p.row: p.message for p in check.problems}
    assert "飞鸽传书" in messages[3] and "政府网站" in messages[3]  # says what is expected
    assert "全社会或特定群体" in messages[4]
    assert "主动或依申请" in messages[5]
    assert "不能超过2000个字（现有2001个）" in messages[11]
    assert check.skipped == 1


def test_a_nul_is_named_by_row_and_column():
    # openpyxl cannot write U+0000 into a workbook; another program's file may still hold one.
    check = check_rows([(1, list(HEADERS)), (2, _with(**{"公开主体": "民政\x00局"}))])
    assert [(p.row, p.column, p.letter) for p in check.problems] == [(2, "公开主体", "G")]
    assert "空字符" in check.problems[0].message


def test_a_huge_cell_is_a_problem_not_a_crash():
    check = check_file(workbook([_with(**{"公开依据": "依" * 30_000})]), "目录.xlsx")
    assert [(p.row, p.column) for p in check.problems] == [(2, "公开依据")]
    assert "现有30000个" in check.problems[0].message


def test_missing_required_columns_are_named():
    headers = [h for h in HEADERS if h not in ("公开主体", "公开层级")] + ["备注"]
    check = check_file(workbook([], headers=headers), "目录.xlsx")
    messages = " ".join(p.message for p in check.problems)
    assert "缺少“公开主体”列" in messages and "缺少“公开层级”列" in messages
    assert "不认识列名“备注”" in messages


def test_the_same_item_twice_in_the_file_is_a_problem():
    check = check_file(workbook([GOOD_ROW, GOOD_ROW]), "目录.xlsx")
    assert [(p.row, p.column) for p in check.problems] == [(3, "二级事项")]
    assert "第2行" in check.problems[0].message


def test_a_file_that_is_not_a_workbook_is_refused():
    text = io.BytesIO("领域,一级事项\n".encode())
    with pytest.raises(SheetRefused):
        check_file(text, "目录.csv")


def test_formula_looking_cells_are_text_and_exported_inert():
    hostile = '=HYPERLINK("http://evil.example","点击")'
    upload = workbook([_with(**{"公开内容（要素）": hostile, "公开主体": "@SUM(A1)"})])
    # The officer's Excel stores a typed formula as a formula cell: it is read as its text.
    book = load_workbook(upload)
    assert book.active["D2"].data_type == "f"
    upload.seek(0)
    check = check_file(upload, "目录.xlsx")
    assert check.clean, check.problems
    assert check.items[0].content == hostile
    rows = [
        {
            "id": 1,
            "area": "城乡规划",
            "first_level": "一",
            "name": "二",
            "content": hostile,
            "legal_basis": "-2+3",
            "time_limit": "t",
            "body": "@SUM(A1)",
            "channels": ["website"],
            "audience": "public",
            "method": "proactive",
            "levels": ["county"],
            "publication_days": None,
        }
    ]
    sheet = load_workbook(io.BytesIO(workbook_bytes(rows)))["公开事项目录"]
    for ref in ("D2", "E2", "G2"):
        assert sheet[ref].data_type == "s"
        assert sheet[ref].quotePrefix
    assert sheet["D2"].value == hostile


@pytest.mark.django_db
def test_export_then_import_changes_nothing(office_head, agency):
    catalogue_item_save(actor=office_head, agency=agency, data=item_data(publication_days=5))
    catalogue_item_save(
        actor=office_head,
        agency=agency,
        data=item_data(
            area="社会救助",
            name="低保对象认定",
            content="第一行\n第二行",
            channels=["press_hearing", "other"],
            audience="specific",
            default_attribute="on_request",
            level_county=False,
            level_township=True,
        ),
    )
    before = working_copy(agency)
    exported = workbook_bytes(before)
    check = check_file(io.BytesIO(exported), "导出.xlsx")
    assert check.clean, check.problems
    result = catalogue_import(actor=office_head, agency=agency, items=check.items)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert working_copy(agency) == before
    assert sheet_rows(exported)[1][7] == "政府网站、社区/企事业单位/村公示栏（电子屏）"


@pytest.mark.django_db
def test_import_adds_and_changes_by_area_and_names(office_head, agency):
    existing = catalogue_item_save(
        actor=office_head,
        agency=agency,
        data=item_data(area="社会救助", first_level="最低生活保障", name="城乡低保对象认定"),
    )
    other = catalogue_item_save(actor=office_head, agency=agency, data=item_data())
    check = check_file(workbook([GOOD_ROW, _with(**{"二级事项": "特困人员认定"})]), "目录.xlsx")
    result = catalogue_import(
        actor=office_head, agency=agency, items=check.items, file_name="目录.xlsx"
    )
    assert (result.created, result.updated) == (1, 1)
    existing.refresh_from_db()
    assert existing.body == "孝义市民政局" and existing.publication_days == 10
    assert CatalogueItem.objects.filter(pk=other.pk).exists()  # not in the file: left alone
    event = AuditEvent.objects.get(action="catalogue_imported")
    assert event.data["created"] == ["特困人员认定"] and event.reason == "目录.xlsx"
