"""The report's text parts 一、五、六: sentences pre-filled from the same numbers as the tables,
and the rule that checks every number a text quotes before it is published.

The rule (docs/annual-report.md, "Numbers in the texts"): every number written in Arabic digits
(half- or full-width; 1,234 read as 1234) must be one of the report's figures — a cell of table
二, 三 or 四, the processing fees (count, amount in yuan), the Art. 41 correction requests
(received, concluded), or a subtotal listed below — except

- a part of a date: a number directly followed by 年, 月 or 日 (2026年1月31日);
- a document number: a number inside 〔〕 or [] or directly followed by 号
  (国办公开办函〔2021〕30号);
- an ordinal: a number directly after 第 (第3次);
- a number directly followed by 个工作日 or 工作日 (a statutory period, 20个工作日).

- and the subtotals the format has no row for (``derived_figures``): each group （三）–（六） of
  table 三 in each column, and the lawsuits of table 四 (直接起诉 + 复议后起诉) in each column.

Where a text names one of the report's figures by its words (``PHRASES``: "新收政府信息公开申请
N件", "上年结转N件", "予以公开N件", "部分公开N件", "结转下年度继续办理N件", "收取信息处理费N件",
"行政复议N件"), N must be that very figure (the totals of the 总计 column).

Anything else (a percentage, a count that is in no table) blocks publication with the number
and its place in the text. Numbers written in Chinese characters are not read: write counts in
Arabic digits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from requests_app.annual_report.structure import ReportData

PARTS = {"一": "一、总体情况", "五": "五、存在的主要问题及改进情况", "六": "六、其他需要报告的事项"}

_NUMBER = re.compile(r"(?<![\d.])\d+(?:,\d{3})*(?:\.\d+)?")
_AFTER_EXEMPT = ("年", "月", "日", "号", "个工作日", "工作日", "〕", "]", "］")
_BEFORE_EXEMPT = ("第", "〔", "[", "［")


@dataclass(frozen=True)
class TextNumber:
    part: str  # 一, 五 or 六
    text: str  # as written
    value: Decimal
    context: str  # a few characters around it


def allowed_numbers(data: ReportData) -> set[Decimal]:
    """Every figure of the report a text may quote."""
    values: set[Decimal] = set()
    for table in (data.table2, data.table3):
        for cells in table.values():
            values.update(_decimal(cell.value) for cell in cells)
    values.update(_decimal(cell.value) for cell in data.table4)
    values.update(_decimal(v) for v in data.fees.values())
    values.update(_decimal(v) for v in data.corrections.values())
    values.update(Decimal(v) for v in derived_figures(data))
    values.discard(None)
    return values  # type: ignore[return-value]


#: The groups of table 三 without a subtotal row in the format, which a text may still quote.
GROUPS = {"三（三）": 8, "三（四）": 3, "三（五）": 5, "三（六）": 3}
#: What a text may not keep: the pre-filled texts' places to fill in.
PLACEHOLDER = "（请填写"


def derived_figures(data: ReportData) -> list[int]:
    """The figures a text may quote that are not cells: the subtotals of the groups （三）–（六）
    of table 三 (each column), and the lawsuits of table 四 (直接起诉 + 复议后起诉, each column)."""
    found = []
    for group, size in GROUPS.items():
        for column in range(7):
            found.append(
                sum(int(data.table3[f"{group}{i}"][column].value) for i in range(1, size + 1))
            )
    for column in range(5):
        found.append(int(data.table4[5 + column].value) + int(data.table4[10 + column].value))
    return found


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value)).normalize()
    except (InvalidOperation, ValueError):
        return None


def numbers_in(part: str, text: str) -> list[TextNumber]:
    """The numbers of ``text`` the rule checks (dates, document numbers, ordinals and periods
    left out)."""
    text = unicodedata.normalize("NFKC", text or "")
    found = []
    for match in _NUMBER.finditer(text):
        before = text[: match.start()].rstrip()
        after = text[match.end() :].lstrip()
        if before.endswith(_BEFORE_EXEMPT) or after.startswith(_AFTER_EXEMPT):
            continue
        written = match.group()
        value = Decimal(written.replace(",", "")).normalize()
        context = text[max(0, match.start() - 8) : match.end() + 8].replace("\n", " ")
        found.append(TextNumber(part, written, value, context))
    return found


#: Words that name one figure of the report, and that figure.
PHRASES: tuple[tuple[str, str, object], ...] = (
    ("新收政府信息公开申请", "表三第一项总计", lambda data: data.table3["一"][6].value),
    ("上年结转", "表三第二项总计", lambda data: data.table3["二"][6].value),
    ("予以公开", "表三（一）予以公开总计", lambda data: data.table3["三（一）"][6].value),
    ("部分公开", "表三（二）部分公开总计", lambda data: data.table3["三（二）"][6].value),
    ("结转下年度继续办理", "表三第四项总计", lambda data: data.table3["四"][6].value),
    ("收取信息处理费", "收取信息处理费件数", lambda data: data.fees.get("count", 0)),
    ("行政复议", "表四行政复议总计", lambda data: data.table4[4].value),
)


def phrase_problems(part: str, text: str, data: ReportData) -> list[str]:
    """The figures named by their words (``PHRASES``) with another number."""
    text = unicodedata.normalize("NFKC", text or "")
    problems = []
    for words, where, figure in PHRASES:
        pattern = re.compile(re.escape(words) + r"(?:共|合计)?\s*(\d+(?:,\d{3})*)\s*件")
        expected = int(figure(data))  # type: ignore[operator]
        for match in pattern.finditer(text):
            written = int(match.group(1).replace(",", ""))
            if written != expected:
                problems.append(
                    f"“{PARTS[part]}”写的“{match.group()}”与{where}（{expected}）不一致。"
                )
    return problems


def text_problems(texts: dict[str, str], data: ReportData) -> list[str]:
    """The numbers of the texts that are no figure of the report, or that name a figure by its
    words with another number: one Chinese message each."""
    allowed = allowed_numbers(data)
    problems = []
    for part, text in texts.items():
        if not (text or "").strip():
            problems.append(f"“{PARTS[part]}”没有内容。")
        if PLACEHOLDER in (text or ""):
            problems.append(f"“{PARTS[part]}”还有“{PLACEHOLDER}……）”的内容没有填写。")
        problems += phrase_problems(part, text, data)
        for number in numbers_in(part, text):
            if number.value not in allowed:
                problems.append(
                    f"“{PARTS[part]}”中的数字“{number.text}”（…{number.context}…）"
                    "不是本报告表格或收费情况中的任何数字，请核对"
                    "（日期、文号、序数和工作日期限除外）。"
                )
    return problems


def default_texts(data: ReportData, agency_name: str) -> dict[str, str]:
    """The pre-filled texts: every number from ``data``, the same as the tables print."""
    t3 = {key: [int(c.value) for c in cells] for key, cells in data.table3.items()}
    t4 = [int(c.value) for c in data.table4]
    t2 = {name: [c.value for c in cells] for name, cells in data.table2.items()}
    disclosed = t3["三（一）"][6]
    partly = t3["三（二）"][6]
    refused = sum(t3[f"三（三）{i}"][6] for i in range(1, 9))
    unable = sum(t3[f"三（四）{i}"][6] for i in range(1, 4))
    not_processed = sum(t3[f"三（五）{i}"][6] for i in range(1, 6))
    other = sum(t3[f"三（六）{i}"][6] for i in range(1, 4))
    overview = (
        f"{data.year}年，{agency_name}依照《中华人民共和国政府信息公开条例》开展政府信息公开工作。"
        f"（一）主动公开。本年制发规章{t2['规章'][0]}件、行政规范性文件{t2['行政规范性文件'][0]}件，"
        f"现行有效规章{t2['规章'][2]}件、行政规范性文件{t2['行政规范性文件'][2]}件。"
        f"（二）依申请公开。本年新收政府信息公开申请{t3['一'][6]}件，上年结转{t3['二'][6]}件；"
        f"办结{t3['三（七）'][6]}件，其中予以公开{disclosed}件、部分公开{partly}件、"
        f"不予公开{refused}件、无法提供{unable}件、不予处理{not_processed}件、"
        f"其他处理{other}件；结转下年度继续办理{t3['四'][6]}件。"
        f"（三）政府信息公开行政复议、行政诉讼。本年发生行政复议{t4[4]}件、"
        f"行政诉讼{t4[9] + t4[14]}件。"
        "（四）政府信息管理、平台建设和监督保障：（请填写）"
    )
    problems = "（请填写本年度政府信息公开工作存在的主要问题及改进情况。）"
    other_matters = (
        f"本年度收取信息处理费{data.fees.get('count', 0)}件，"
        f"共计{data.fees.get('amount', 0)}元。"
        f"本年收到要求更正本人相关政府信息的申请（《中华人民共和国政府信息公开条例》第四十一条）"
        f"{data.corrections.get('received', 0)}件，办结{data.corrections.get('concluded', 0)}件，"
        "不计入表三。"
    )
    return {"一": overview, "五": problems, "六": other_matters}
