"""The annual report's files: DOCX, PDF and XLSX laid out like the format
(国办公开办函〔2021〕30号). Each test opens the file as its reader would (python-docx,
pdfplumber, openpyxl) and checks the cells, the merged header cells and the words."""

from decimal import Decimal
from io import BytesIO

import openpyxl
import pdfplumber
import pytest
from docx import Document

from requests_app.annual_report.output import (
    PART_HEADINGS,
    Ref,
    cell_name,
    parse_ref,
    render,
    tables,
)
from requests_app.annual_report.structure import (
    TABLE3_COLUMNS,
    TABLE3_CORNER,
    TABLE3_ROWS,
    TABLE4_COLUMNS,
    Cell,
    Check,
    ReportData,
)

AGENCY = "孝义市人民政府办公室"
# The consistent example of table 三 in the research notes (a large city's scale).
ROW_ONE = [13612, 252, 0, 45, 128, 32, 14069]
ROW_SEVEN = [13364, 252, 0, 44, 121, 29, 13810]


def sample(**changes) -> ReportData:
    """Every table 三 cell distinct (row index × 10 + column), the research example in 一 and
    （七）, a table 四 of 0…14 and table 二 with one row left out (it must print 0)."""
    table3 = {
        spec.key: [Cell(100 * i + j, (i, j)) for j in range(7)]
        for i, spec in enumerate(TABLE3_ROWS)
    }
    table3["一"] = [Cell(v, (1, 2)) for v in ROW_ONE]
    table3["三（七）"] = [Cell(v) for v in ROW_SEVEN]
    values = {
        "agency_id": 1,
        "year": 2025,
        "table2": {
            "规章": [Cell(2), Cell(1), Cell(30)],
            "行政规范性文件": [Cell(5), Cell(0), Cell(41)],
            "行政许可": [Cell(1200)],
            "行政处罚": [Cell(87)],
            # 行政强制 missing: printed as 0, never blank
            "行政事业性收费": [Cell("12.35")],
        },
        "table3": table3,
        "table4": [
            Cell(v) for v in (376, 97, 196, 121, 790, 16, 1, 12, 27, 56, 74, 1, 30, 51, 156)
        ],
        "fees": {"count": 2, "amount": 350},
        "checks": [Check("一＋二＝三（七）＋四", True)],
    }
    values.update(changes)
    return ReportData(**values)


TEXTS = {
    "一": "本机关坚持以公开为常态、不公开为例外。\n全年主动公开政府信息1200条。",
    "五": "依申请公开答复的规范性有待提高。",
    "六": "无其他需要报告的事项。",
}


@pytest.fixture(scope="module")
def docx_file():
    return Document(BytesIO(render(sample(), "docx", agency=AGENCY, texts=TEXTS)))


@pytest.fixture(scope="module")
def pdf_file():
    with pdfplumber.open(BytesIO(render(sample(), "pdf", agency=AGENCY, texts=TEXTS))) as pdf:
        yield pdf


@pytest.fixture(scope="module")
def xlsx_file():
    return openpyxl.load_workbook(BytesIO(render(sample(), "xlsx", agency=AGENCY, texts=TEXTS)))


# -- the layout every output shares -------------------------------------------------------------


def test_every_number_of_the_data_has_one_cell_and_a_missing_one_prints_0():
    grids = {grid.key: grid for grid in tables(sample())}
    assert len(grids["三"].numbers) == 25 * 7
    assert len(grids["四"].numbers) == 15
    assert len(grids["二"].numbers) == 3 + 3 + 1 + 1 + 1 + 1
    coercion = grids["二"].at(10, 2)  # 行政强制's number
    assert coercion.ref == Ref("二", "行政强制", 0) and coercion.text == "0"
    assert all(cell.text != "" for grid in grids.values() for cell in grid.cells)


def test_a_references_slug_reads_back_and_names_its_place():
    ref = Ref("三", "三（三）1", 0)
    assert parse_ref(ref.slug) == ref
    assert cell_name(ref) == "表三“1.属于国家秘密”行“自然人”列"
    assert cell_name(Ref("四", "", 6)) == "表四“未经复议直接起诉”的“结果纠正”"
    assert parse_ref("9-一-0") is None and parse_ref("3-一-x") is None


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="不支持的格式"):
        render(sample(), "odt", agency=AGENCY)


# -- DOCX -------------------------------------------------------------------------------------


def _paragraphs(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.text.strip()]


def test_docx_is_a4_with_the_title_and_the_six_parts_in_order(docx_file):
    section = docx_file.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    text = _paragraphs(docx_file)
    assert text[:2] == [AGENCY, "2025年度政府信息公开工作年度报告"]
    headings = [line for line in text if line in PART_HEADINGS.values()]
    assert headings == list(PART_HEADINGS.values())
    assert "全年主动公开政府信息1200条。" in text
    assert "本年度共对2件政府信息公开申请收取信息处理费，合计350元。" in text
    assert "统计期限为2025年1月1日至2025年12月31日" in "".join(text)
    assert not any("草稿" in line for line in text)


def test_docx_table_three_has_the_formats_merged_header(docx_file):
    table = docx_file.tables[1]
    assert (len(table.rows), len(table.columns)) == (3 + 25, 10)
    corner = table.cell(0, 0)
    assert corner.text == TABLE3_CORNER
    assert corner._tc is table.cell(2, 2)._tc  # over three rows and three columns
    assert table.cell(0, 3).text == "申请人情况" and table.cell(0, 3)._tc is table.cell(0, 9)._tc
    bodies = table.cell(1, 4)
    assert bodies.text == "法人或其他组织" and bodies._tc is table.cell(1, 8)._tc
    assert bodies._tc is not table.cell(1, 3)._tc and bodies._tc is not table.cell(1, 9)._tc
    assert table.cell(1, 3)._tc is table.cell(2, 3)._tc  # 自然人 down two rows
    assert [table.cell(2, c).text for c in range(3, 10)] == list(TABLE3_COLUMNS)
    assert [table.cell(3, c).text for c in range(3, 10)] == [str(v) for v in ROW_ONE]
    assert table.cell(3, 0).text == "一、本年新收政府信息公开申请数量"
    # 三、本年度办理结果 runs down beside its 23 rows; （三）不予公开 beside its eight.
    results = table.cell(5, 0)
    assert results.text == "三、本年度办理结果" and results._tc is table.cell(26, 0)._tc
    assert results._tc is not table.cell(27, 0)._tc
    assert table.cell(7, 1).text == "（三）不予公开"
    assert table.cell(7, 1)._tc is table.cell(14, 1)._tc
    assert table.cell(7, 2).text == "1.属于国家秘密"
    seventh = [spec.key for spec in TABLE3_ROWS].index("三（七）") + 3
    assert table.cell(seventh, 1).text == "（七）总计"
    assert [table.cell(seventh, c).text for c in range(3, 10)] == [str(v) for v in ROW_SEVEN]
    assert table.cell(27, 0).text == "四、结转下年度继续办理"


def test_docx_table_four_has_three_header_lines(docx_file):
    table = docx_file.tables[2]
    assert (len(table.rows), len(table.columns)) == (4, 15)
    assert table.cell(0, 0).text == "行政复议" and table.cell(0, 0)._tc is table.cell(0, 4)._tc
    assert table.cell(0, 5).text == "行政诉讼" and table.cell(0, 5)._tc is table.cell(0, 14)._tc
    assert table.cell(1, 0)._tc is table.cell(2, 0)._tc  # 结果维持 of 复议, down two lines
    assert table.cell(1, 5).text == "未经复议直接起诉"
    assert table.cell(1, 5)._tc is table.cell(1, 9)._tc
    assert table.cell(1, 10).text == "复议后起诉" and table.cell(1, 10)._tc is table.cell(1, 14)._tc
    assert [table.cell(2, c).text for c in range(5, 15)] == list(TABLE4_COLUMNS) * 2
    assert [table.cell(3, c).text for c in range(15)][:5] == ["376", "97", "196", "121", "790"]


def test_docx_table_two_prints_every_item_and_0_for_a_missing_figure(docx_file):
    table = docx_file.tables[0]
    items = [table.cell(r, 0).text for r in range(len(table.rows))]
    assert items[0] == "第二十条第（一）项" and table.cell(0, 0)._tc is table.cell(0, 3)._tc
    assert [table.cell(1, c).text for c in range(4)] == [
        "信息内容",
        "本年制发件数",
        "本年废止件数",
        "现行有效件数",
    ]
    row = items.index("行政强制")
    assert table.cell(row, 1).text == "0" and table.cell(row, 1)._tc is table.cell(row, 3)._tc
    fee = items.index("行政事业性收费")
    assert table.cell(fee, 1).text == "12.35"
    assert table.cell(fee - 1, 1).text == "本年收费金额（单位：万元）"


def test_a_draft_says_so_and_a_part_without_text_is_marked(docx_file):
    document = Document(BytesIO(render(sample(), "docx", agency=AGENCY, draft=True)))
    text = _paragraphs(document)
    assert "（草稿，尚未发布）" in text
    assert text.count("（本部分尚未填写。）") == 2  # 一 and 五; 六 still has the fees
    assert "本年度共对2件政府信息公开申请收取信息处理费，合计350元。" in text


def test_no_fees_says_none_were_charged():
    document = Document(BytesIO(render(sample(fees={}), "docx", agency=AGENCY)))
    assert "本年度未收取信息处理费。" in _paragraphs(document)


@pytest.mark.django_db
def test_render_needs_only_the_data_and_the_format(agency):
    """As ``manage.py annual_report`` calls it: the agency read from the data, the texts the
    data carries."""
    data = sample(agency_id=agency.pk, texts={"五": "问题和改进。"})
    text = _paragraphs(Document(BytesIO(render(data, "docx"))))
    assert text[:2] == [agency.name, "2025年度政府信息公开工作年度报告"]
    assert "问题和改进。" in text
    unknown = _paragraphs(Document(BytesIO(render(sample(agency_id=0), "docx"))))
    assert unknown[0] == "2025年度政府信息公开工作年度报告"


def test_part_six_speaking_of_fees_gets_no_second_sentence():
    texts = {"六": "本年度收取信息处理费2件，共计350元。"}
    text = _paragraphs(Document(BytesIO(render(sample(), "docx", agency=AGENCY, texts=texts))))
    assert "本年度收取信息处理费2件，共计350元。" in text
    assert not any(line.startswith("本年度共对") for line in text)


def test_markup_in_texts_is_printed_as_typed():
    text = {"一": "<b>加粗</b> & 〈script〉"}
    document = Document(BytesIO(render(sample(), "docx", agency="A&B<机关>", texts=text)))
    assert "<b>加粗</b> & 〈script〉" in _paragraphs(document)
    with pdfplumber.open(BytesIO(render(sample(), "pdf", agency="A&B<机关>", texts=text))) as pdf:
        words = pdf.pages[0].extract_text()
    assert "A&B<机关>" in words and "<b>加粗</b>" in words


# -- PDF --------------------------------------------------------------------------------------


def test_pdf_is_a4_with_the_title_and_parts(pdf_file):
    first = pdf_file.pages[0]
    assert (round(first.width), round(first.height)) == (595, 842)
    text = "".join(page.extract_text() for page in pdf_file.pages).replace("\n", "")
    assert "2025年度政府信息公开工作年度报告" in text and AGENCY in text
    positions = [text.index(heading) for heading in PART_HEADINGS.values()]
    assert positions == sorted(positions)
    assert "本年度共对2件政府信息公开申请收取信息处理费，合计350元。" in text


def _pdf_tables(pdf) -> list[list[list]]:
    return [table for page in pdf.pages for table in page.extract_tables()]


def _flat(text):
    return None if text is None else text.replace("\n", "")


def test_pdf_tables_have_the_merged_headers_and_every_number(pdf_file):
    found = _pdf_tables(pdf_file)
    three = next(t for t in found if _flat(t[0][0]) == TABLE3_CORNER)
    assert three[0][1:3] == [None, None] and three[1][0] is None and three[2][0] is None
    assert _flat(three[0][3]) == "申请人情况" and three[0][4:] == [None] * 6
    assert three[1][3:] == ["自然人", "法人或其他组织", None, None, None, None, "总计"]
    assert [_flat(c) for c in three[2][4:9]] == list(TABLE3_COLUMNS[1:6])
    assert three[3][3:] == [str(v) for v in ROW_ONE]
    seventh = next(row for row in three if row[1] == "（七）总计")
    assert seventh[3:] == [str(v) for v in ROW_SEVEN]
    assert len(three) == 28
    four = next(t for t in found if t[0][0] == "行政复议")
    assert four[0][5] == "行政诉讼" and four[0][6:] == [None] * 9
    assert four[1][5] == "未经复议直接起诉" and four[1][10] == "复议后起诉"
    expected = (376, 97, 196, 121, 790, 16, 1, 12, 27, 56, 74, 1, 30, 51, 156)
    assert four[3] == [str(v) for v in expected]
    two = next(t for t in found if t[0][0] == "第二十条第（一）项")
    coercion = next(row for row in two if row[0] == "行政强制")
    assert coercion[1] == "0"


def test_pdf_embeds_the_letters_fonts(pdf_file):
    fonts = {char["fontname"] for char in pdf_file.pages[0].chars}
    assert fonts and all("+" in name for name in fonts)  # subsetted, embedded


# -- XLSX -------------------------------------------------------------------------------------


def _merged(sheet) -> set[str]:
    return {str(r) for r in sheet.merged_cells.ranges}


def test_xlsx_has_one_sheet_per_table_with_merged_headers(xlsx_file):
    assert xlsx_file.sheetnames == [
        "表二 主动公开政府信息情况",
        "表三 收到和处理申请情况",
        "表四 行政复议、行政诉讼情况",
    ]
    three = xlsx_file["表三 收到和处理申请情况"]
    assert "孝义市人民政府办公室2025年度政府信息公开工作年度报告" in three["A1"].value
    assert three["A3"].value == TABLE3_CORNER
    assert {"A3:C5", "D3:J3", "D4:D5", "E4:I4", "J4:J5", "A8:A29"} <= _merged(three)
    assert three["E4"].value == "法人或其他组织"
    assert [three.cell(row=6, column=c).value for c in range(4, 11)] == ROW_ONE
    assert all(isinstance(three.cell(row=r, column=c).value, int)
               for r in range(6, 31) for c in range(4, 11))  # fmt: skip
    four = xlsx_file["表四 行政复议、行政诉讼情况"]
    assert {"A3:E3", "F3:O3", "A4:A5", "F4:J4", "K4:O4"} <= _merged(four)
    assert [four.cell(row=6, column=c).value for c in range(1, 6)] == [376, 97, 196, 121, 790]


def test_xlsx_table_two_numbers_are_numbers_and_the_amount_a_decimal(xlsx_file):
    two = xlsx_file["表二 主动公开政府信息情况"]
    rows = {row[0].value: row for row in two.iter_rows(min_row=3)}
    assert [c.value for c in rows["规章"][1:4]] == [2, 1, 30]
    assert rows["行政强制"][1].value == 0
    assert Decimal(str(rows["行政事业性收费"][1].value)) == Decimal("12.35")
    assert rows["行政事业性收费"][1].data_type == "n"


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["docx", "pdf", "xlsx"])
def test_the_command_writes_each_format_through_render(agency, tmp_path, fmt):
    from django.core.management import call_command

    target = tmp_path / f"report.{fmt}"
    call_command(
        "annual_report", "--agency", agency.code, "--year", "2025", "--format", fmt,
        "--out", str(target),
    )  # fmt: skip
    content = target.read_bytes()
    if fmt == "docx":
        lines = _paragraphs(Document(BytesIO(content)))
        assert lines[:2] == [agency.name, "2025年度政府信息公开工作年度报告"]
    elif fmt == "pdf":
        with pdfplumber.open(BytesIO(content)) as pdf:
            assert agency.name in pdf.pages[0].extract_text()
    else:
        book = openpyxl.load_workbook(BytesIO(content))
        assert book["表三 收到和处理申请情况"]["A3"].value == TABLE3_CORNER
