"""The one CSV/XLSX writer: what a person typed never reaches a spreadsheet as a formula."""

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from workflow.spreadsheets import FORMULA_STARTS, append_row, csv_bytes, inert, set_cell

HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read Chinese text
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_gets_an_apostrophe_in_csv(text):
    (header, row) = read_csv(csv_bytes([text], [[text, "关于=的通知"]]))
    assert header == ["'" + text]
    assert row == ["'" + text, "关于=的通知"]


def test_numbers_stay_numbers_and_typed_text_stays_text():
    # A negative amount the application writes is a number; "-2" a person typed is text.
    (row,) = read_csv(csv_bytes(None, [[-2, Decimal("-1.5"), 0, "-2", None]]))
    assert row == ["-2", "-1.5", "0", "'-2", ""]


@given(st.lists(st.text(), min_size=1, max_size=5))
def test_no_csv_cell_can_start_a_formula_and_the_text_is_kept(cells):
    (row,) = read_csv(csv_bytes(None, [cells]))
    for written, typed in zip(row, cells, strict=True):
        assert not written.startswith(FORMULA_STARTS)
        # The text comes back as typed, behind an apostrophe when it looked like a formula.
        assert written == inert(typed)
        assert written.removeprefix("'") == typed or written == typed


def xlsx_round_trip(values) -> tuple[list, list]:
    workbook = Workbook()
    sheet = workbook.active
    append_row(sheet, values)
    append_row(sheet, [])
    append_row(sheet, ["下一行"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    read = load_workbook(io.BytesIO(buffer.getvalue())).active
    first = read[1]
    assert read.cell(row=3, column=1).value == "下一行"  # the empty row is kept
    return [cell.value for cell in first], [cell.data_type for cell in first]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_is_a_string_cell_in_xlsx(text):
    # openpyxl stores a string starting with "=" as a formula unless told otherwise.
    values, types = xlsx_round_trip([text, -2, 3.5])
    assert values == [text, -2, 3.5]
    assert types == ["s", "n", "n"]


def test_openpyxl_alone_would_write_a_formula():
    # Why set_cell exists: the plain assignment turns the title into a formula.
    sheet = Workbook().active
    sheet["A1"] = HOSTILE[0]
    assert sheet["A1"].data_type == "f"
    assert set_cell(sheet["A1"], HOSTILE[0]).data_type == "s"
    assert sheet["A1"].quotePrefix


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("=+-@")))
def test_no_xlsx_cell_is_a_formula(text):
    values, types = xlsx_round_trip([text])
    assert types[0] != "f"
    assert values[0] == (text or None)
