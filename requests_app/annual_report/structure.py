"""The shape of the annual report (国办公开办函〔2021〕30号): its tables' rows and columns,
verbatim, and the values a report holds. No counting here (``counting``), no layout (``output``).

Every number of a report is a ``Cell``: the value and the ids of the rows behind it (cases for
table 三, challenges for table 四, documents for table 二), so that each cell links to its list
and a published report keeps what it counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Table 三's columns, in the format's order (no 法人或其他组织 subtotal column).
TABLE3_COLUMNS: tuple[str, ...] = (
    "自然人",
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "其他",
    "总计",
)
#: The top-left merged cell of table 三, verbatim.
TABLE3_CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


@dataclass(frozen=True)
class RowSpec:
    """One row of table 三: ``key`` is the outcome's ``report_row`` for the outcome rows
    (``三（三）1``), ``一``, ``二``, ``三（七）`` or ``四`` otherwise. ``group``: the group heading
    printed above it when it is the first of its group (no numbers on that heading)."""

    key: str
    label: str
    group: str = ""


_REFUSED = "（三）不予公开"
_UNABLE = "（四）无法提供"
_NOT_PROCESSED = "（五）不予处理"
_OTHER = "（六）其他处理"

#: The 25 rows with numbers, verbatim and in the format's order from 一 to 四. The group
#: headings 三、本年度办理结果 and （三）–（六） carry no numbers.
TABLE3_ROWS: tuple[RowSpec, ...] = (
    RowSpec("一", "一、本年新收政府信息公开申请数量"),
    RowSpec("二", "二、上年结转政府信息公开申请数量"),
    RowSpec("三（一）", "（一）予以公开", "三、本年度办理结果"),
    RowSpec("三（二）", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    RowSpec("三（三）1", "1.属于国家秘密", _REFUSED),
    RowSpec("三（三）2", "2.其他法律行政法规禁止公开"),
    RowSpec("三（三）3", "3.危及“三安全一稳定”"),
    RowSpec("三（三）4", "4.保护第三方合法权益"),
    RowSpec("三（三）5", "5.属于三类内部事务信息"),
    RowSpec("三（三）6", "6.属于四类过程性信息"),
    RowSpec("三（三）7", "7.属于行政执法案卷"),
    RowSpec("三（三）8", "8.属于行政查询事项"),
    RowSpec("三（四）1", "1.本机关不掌握相关政府信息", _UNABLE),
    RowSpec("三（四）2", "2.没有现成信息需要另行制作"),
    RowSpec("三（四）3", "3.补正后申请内容仍不明确"),
    RowSpec("三（五）1", "1.信访举报投诉类申请", _NOT_PROCESSED),
    RowSpec("三（五）2", "2.重复申请"),
    RowSpec("三（五）3", "3.要求提供公开出版物"),
    RowSpec("三（五）4", "4.无正当理由大量反复申请"),
    RowSpec("三（五）5", "5.要求行政机关确认或重新出具已获取信息"),
    RowSpec(
        "三（六）1",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        _OTHER,
    ),
    RowSpec(
        "三（六）2",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    ),
    RowSpec("三（六）3", "3.其他"),
    RowSpec("三（七）", "（七）总计"),
    RowSpec("四", "四、结转下年度继续办理"),
)

#: Table 四: three groups of five columns, in the format's order.
TABLE4_GROUPS: tuple[str, ...] = ("行政复议", "未经复议直接起诉", "复议后起诉")
TABLE4_COLUMNS: tuple[str, ...] = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")

#: Table 二: the four small tables, each headed by an item of Art. 20, with their rows and
#: columns verbatim. Keys: ``(item, row)``.
TABLE2_ITEMS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "第二十条第（一）项",
        ("本年制发件数", "本年废止件数", "现行有效件数"),
        ("规章", "行政规范性文件"),
    ),
    ("第二十条第（五）项", ("本年处理决定数量",), ("行政许可",)),
    ("第二十条第（六）项", ("本年处理决定数量",), ("行政处罚", "行政强制")),
    ("第二十条第（八）项", ("本年收费金额（单位：万元）",), ("行政事业性收费",)),
)


@dataclass(frozen=True)
class Cell:
    """One number of the report and what it counted (ids of cases, challenges or documents;
    empty for figures the office entered)."""

    value: int | str  # str only for the fee amount in 万元 (a decimal, printed as entered)
    ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Check:
    """One arithmetic check of the format: ``ok`` and, when not, what differs (in Chinese)."""

    name: str
    ok: bool
    detail: str = ""


@dataclass
class ReportData:
    """A report's numbers: what ``counting.build_report`` returns, what a published report
    freezes, and what every output (page, DOCX, PDF, XLSX, JSON) prints.

    - ``table2``: ``{"规章": [制发, 废止, 现行有效], "行政规范性文件": [...], "行政许可": [n],
      "行政处罚": [n], "行政强制": [n], "行政事业性收费": [万元]}`` of ``Cell``;
    - ``table3``: ``{row key: [7 Cell]}`` for the keys of ``TABLE3_ROWS``;
    - ``table4``: 15 ``Cell`` in the format's order;
    - ``fees``: the processing fees charged in the year (part 六): count and amount in yuan.
    """

    agency_id: int
    year: int
    table2: dict[str, list[Cell]] = field(default_factory=dict)
    table3: dict[str, list[Cell]] = field(default_factory=dict)
    table4: list[Cell] = field(default_factory=list)
    fees: dict[str, int] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    #: Art. 41 requests to correct one's own records are not in table 三: part 六 reports them
    #: (``received`` in the year, ``concluded`` in the year).
    corrections: dict[str, int] = field(default_factory=dict)
    #: The cases whose processing fee was paid in the year (part 六), when ids were counted.
    fee_ids: tuple[int, ...] = ()
    #: Whether the cells carry their ids (``build_report(with_ids=True)``).
    with_ids: bool = False
    #: The text parts 一、五、六 (keys "一", "五", "六") when the data comes with a report's
    #: draft or published version; empty for bare numbers.
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def to_json(self) -> dict:
        """The JSON of ``manage.py annual_report --format json`` (the issue's shape)."""
        return {
            "agency": self.agency_id,
            "year": self.year,
            "table2": {name: [c.value for c in cells] for name, cells in self.table2.items()},
            "table3": {
                "columns": list(TABLE3_COLUMNS),
                "rows": [
                    {"label": spec.label, "values": [c.value for c in self.table3[spec.key]]}
                    for spec in TABLE3_ROWS
                ],
            },
            "table4": [c.value for c in self.table4],
            "fees": dict(self.fees),
            "corrections": dict(self.corrections),
            "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in self.checks],
            "texts": dict(self.texts),
        }

    def cell(self, table: str, key: str, column: int) -> Cell:
        """One cell: ``table`` 二 (key a row name), 三 (key a row key) or 四 (key ignored,
        column 0–14)."""
        if table == "四":
            return self.table4[column]
        source = self.table2 if table == "二" else self.table3
        return source[key][column]

    def to_snapshot(self) -> dict:
        """Everything, the ids behind every cell included: what publishing freezes."""

        def cells(values: list[Cell]) -> list[list]:
            return [[c.value, list(c.ids)] for c in values]

        return {
            "agency": self.agency_id,
            "year": self.year,
            "table2": {name: cells(values) for name, values in self.table2.items()},
            "table3": {key: cells(values) for key, values in self.table3.items()},
            "table4": cells(self.table4),
            "fees": dict(self.fees),
            "fee_ids": list(self.fee_ids),
            "corrections": dict(self.corrections),
            "checks": [[c.name, c.ok, c.detail] for c in self.checks],
            "with_ids": self.with_ids,
            "texts": dict(self.texts),
        }

    @classmethod
    def from_snapshot(cls, data: dict) -> ReportData:
        def cells(values: list) -> list[Cell]:
            return [Cell(value, tuple(ids)) for value, ids in values]

        return cls(
            agency_id=data["agency"],
            year=data["year"],
            table2={name: cells(values) for name, values in data["table2"].items()},
            table3={key: cells(values) for key, values in data["table3"].items()},
            table4=cells(data["table4"]),
            fees=dict(data.get("fees", {})),
            checks=[Check(name, ok, detail) for name, ok, detail in data.get("checks", [])],
            corrections=dict(data.get("corrections", {})),
            fee_ids=tuple(data.get("fee_ids", ())),
            with_ids=bool(data.get("with_ids", False)),
            texts=dict(data.get("texts", {})),
        )
