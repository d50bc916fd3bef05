"""The rule for numbers in the texts, and the format's arithmetic checks on any numbers
(docs/annual-report.md, "Numbers in the texts" and "Checks")."""

from requests_app.annual_report.checks import (
    BALANCE,
    SUM_OF_COLUMNS,
    SUM_OF_RESULTS,
    TABLE4_TOTALS,
    arithmetic_checks,
)
from requests_app.annual_report.counting import Tally
from requests_app.annual_report.structure import Cell, ReportData
from requests_app.annual_report.texts import default_texts, numbers_in, text_problems


def report(**rows) -> ReportData:
    """A report with ``rows`` (key → 7 values) over zeros, and consistent tables 二 and 四."""
    tally = Tally()
    data = ReportData(agency_id=1, year=2025)
    data.table3 = {
        key: [Cell(v) for v in rows.get(key, values)] for key, values in tally.table3.items()
    }
    data.table4 = [Cell(v) for v in (3, 1, 0, 1, 5, 0, 0, 0, 2, 2, 0, 0, 0, 0, 0)]
    data.table2 = {
        "规章": [Cell(0), Cell(0), Cell(4)],
        "行政规范性文件": [Cell(6), Cell(2), Cell(31)],
        "行政许可": [Cell(1520)],
        "行政处罚": [Cell(87)],
        "行政强制": [Cell(0)],
        "行政事业性收费": [Cell("12.5")],
    }
    data.fees = {"count": 2, "amount": 1300}
    data.corrections = {"received": 0, "concluded": 0}
    return data


# The example of docs (a large city's table, consistent): 14069 + 560 = 13810 + 819.
CITY = {
    "一": [13612, 252, 0, 45, 128, 32, 14069],
    "二": [535, 6, 0, 1, 18, 0, 560],
    "三（一）": [13364, 252, 0, 44, 121, 29, 13810],
    "三（七）": [13364, 252, 0, 44, 121, 29, 13810],
    "四": [783, 6, 0, 2, 25, 3, 819],
}


def failing(data) -> set[str]:
    return {check.name for check in arithmetic_checks(data) if not check.ok}


def test_a_consistent_table_passes_every_check():
    assert failing(report(**CITY)) == set()


def test_each_row_six_columns_must_sum_to_the_total():
    """Report Format, table 三: each row's six applicant columns sum to 总计."""
    rows = dict(CITY, 一=[13612, 252, 0, 45, 128, 32, 14070])
    assert SUM_OF_COLUMNS in failing(report(**rows))


def test_seven_must_be_the_sum_of_its_parts():
    """Report Format, table 三, row （七）总计 = （一）+（二）+ every numbered sub-item."""
    rows = dict(CITY, **{"三（四）1": [1, 0, 0, 0, 0, 0, 1]})
    found = failing(report(**rows))
    assert SUM_OF_RESULTS in found


def test_one_plus_two_must_equal_seven_plus_four_in_every_column():
    """Report Format, table 三, corner cell: 第一项加第二项之和，等于第三项加第四项之和."""
    rows = dict(CITY, 四=[784, 6, 0, 2, 25, 3, 820])
    checks = {c.name: c for c in arithmetic_checks(report(**rows))}
    assert not checks[BALANCE].ok
    assert "自然人列" in checks[BALANCE].detail and "总计列" in checks[BALANCE].detail


def test_table_four_group_totals():
    """Report Format, table 四: each group's 总计 = its four columns."""
    data = report(**CITY)
    data.table4[4] = Cell(6)
    assert failing(data) == {TABLE4_TOTALS}


def test_numbers_of_dates_document_numbers_ordinals_and_periods_are_not_checked():
    text = "依据国办公开办函〔2021〕30号，于2026年1月31日前发布；第3次培训；20个工作日内答复。"
    assert numbers_in("一", text) == []
    assert [n.text for n in numbers_in("一", "共收到申请１４,０６９件，占95%")] == ["14,069", "95"]


def test_every_number_of_a_text_must_be_a_figure_of_the_report():
    data = report(**CITY)
    texts = {
        "一": "本年新收政府信息公开申请14069件，上年结转560件，其中不予公开0件。行政许可1520件。",
        "五": "无。",
        "六": "本年度收取信息处理费2件，共计1300元。行政事业性收费12.5万元。",
    }
    assert text_problems(texts, data) == []
    texts["五"] = "答复及时率达到95%，办理申请14070件。"
    problems = text_problems(texts, data)
    assert len(problems) == 2
    assert "“95”" in problems[0] and "五、存在的主要问题及改进情况" in problems[0]
    assert "“14070”" in problems[1]


def test_subtotals_the_format_has_no_row_for_may_be_quoted():
    rows = dict(CITY)
    rows["三（一）"] = [13360, 252, 0, 44, 121, 29, 13806]
    rows["三（三）4"] = [3, 0, 0, 0, 0, 0, 3]
    rows["三（三）6"] = [1, 0, 0, 0, 0, 0, 1]
    data = report(**rows)
    # 不予公开 4 = （三）1–8 in the 总计 column: no cell, a subtotal.
    assert text_problems({"一": "不予公开4件。", "五": "无", "六": "无"}, data) == []


def test_the_prefilled_texts_pass_the_rule_once_the_blanks_are_filled():
    data = report(**CITY)
    texts = default_texts(data, "某市人民政府办公室")
    problems = text_problems(texts, data)
    assert problems and all("（请填写" in p for p in problems)
    texts = {
        part: text.replace("（请填写）", "").replace("（请填写", "（")
        for part, text in texts.items()
    }
    assert text_problems(texts, data) == []
