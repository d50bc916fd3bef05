"""The request panels of the dashboard (``workflow.dashboard``), registered by
``RequestsAppConfig.ready()``: open requests by stage, overdue and at risk now, received per
month, outcomes by family, the on-time rate, the median working days to reply, the load per
handler; and the reminder of the annual report from 1 December to 31 January.

Each panel counts only the agencies it is given, with one or two aggregate queries over the
request table's (agency, …) indexes, whatever the number of cases. The rows link to the case
list with its filters (``requests_app.selectors.case_list``) only for the user's own agencies.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, QuerySet

from requests_app.models import AnnualReport, InformationRequest
from requests_app.rules.outcomes import OUTCOMES
from workflow import dashboard as d
from workflow.calendar import CalendarRangeError, get_calendar
from workflow.models import Agency
from workflow.roles import has_request_role, has_role

R = InformationRequest
CASE_LIST = "requests:cases:index"
#: The months the monthly panels cover, the current one included.
MONTHS = 12
#: Art. 33 ¶2: reply within 20 working days (the median's reference line).
STATUTORY_DAYS = 20

#: The outcome families of DOMAIN §3.6 (``Outcome.family``), in the annual report's order.
FAMILY_LABELS: dict[str, str] = {
    "disclosed": "予以公开",
    "partly": "部分公开",
    "withheld": "不予公开",
    "referral": "行政查询事项",
    "unable": "无法提供",
    "not_processed": "不予处理",
    "abandoned": "视为放弃申请",
    "other": "其他处理",
}

#: Where the reminder of the annual report links: the reports of the user's agencies.
ANNUAL_REPORT_URL = "requests:annual_report:index"


OPEN_STAGES = [code for code in R.Stage.values if code != R.Stage.CLOSED]
NO_LINKS = "所属机关的案件含申请人个人信息，只由该机关的工作人员查看：表中不提供链接。"


def _ids(agencies: Sequence[Agency]) -> list[int]:
    return [a.pk for a in agencies]


def _cases(agencies: Sequence[Agency]) -> QuerySet[InformationRequest]:
    return R.objects.filter(agency_id__in=_ids(agencies))


def _open(agencies: Sequence[Agency]) -> QuerySet[InformationRequest]:
    """Not yet archived: the case list's "未办结" (``show=open``). The open stages by name, so
    that the database walks the (agency, stage, …) index over the open cases only."""
    return _cases(agencies).filter(stage__in=OPEN_STAGES)


def window(today: date) -> tuple[date, date]:
    """The first and last day the monthly panels count: from the first day of the month eleven
    months back up to ``today``."""
    return d.months_back(today, MONTHS)[0], today


def _received(agencies: Sequence[Agency], today: date) -> QuerySet[InformationRequest]:
    first, last = window(today)
    return _cases(agencies).filter(receipt_date__gte=first, receipt_date__lte=last)


def _window_text(today: date) -> str:
    first, last = window(today)
    return f"收到申请之日在{d.cn_day(first)}至{d.cn_day(last)}之间的申请"


class _Links:
    """The case list's URLs for ``user``, or none when they may not open the list of these
    agencies."""

    def __init__(self, user, agencies: Sequence[Agency]):
        self.on = has_request_role(user) and d.links_allowed(user, agencies)
        self.many = self.on and len(d.own_agency_ids(user)) > 1

    def cases(self, agency: Agency | None = None, **query: Any) -> str:
        if not self.on:
            return ""
        if agency is not None and self.many:
            query["agency"] = agency.pk
        return d.list_url(CASE_LIST, query)

    def note(self) -> str:
        return "" if self.on else NO_LINKS


def _month_query(month: date, today: date) -> dict[str, str]:
    return {
        "show": "all",
        "received_from": month.isoformat(),
        "received_to": min(d.month_end(month), today).isoformat(),
    }


def _open_counts(agencies: Sequence[Agency], by: str) -> dict[Any, dict[str, int]]:
    """The open cases by ``by`` (a column): how many, how many overdue, how many at risk."""
    return {
        row[by]: row
        for row in _open(agencies)
        .values(by)
        .annotate(
            n=Count("pk"),
            overdue=Count("pk", filter=Q(overdue=True)),
            at_risk=Count("pk", filter=Q(at_risk=True)),
        )
        .order_by()
    }


# -- the panels ------------------------------------------------------------------------------------


def open_by_stage(user, agencies: Sequence[Agency], today: date) -> d.Panel | None:
    if not has_request_role(user):
        return None
    links = _Links(user, agencies)
    counts = _open_counts(agencies, "stage")
    stages = [(code, label) for code, label in R.Stage.choices if code != R.Stage.CLOSED]
    rows, totals = [], [0, 0, 0]
    for code, label in stages:
        row = counts.get(code, {"n": 0, "overdue": 0, "at_risk": 0})
        figures = (row["n"], row["overdue"], row["at_risk"])
        totals = [a + b for a, b in zip(totals, figures, strict=True)]
        rows.append(d.Row((label, *figures), links.cases(show="open", stage=code)))
    overdue = [counts.get(code, {}).get("overdue", 0) for code, _ in stages]
    at_risk = [counts.get(code, {}).get("at_risk", 0) for code, _ in stages]
    others = [
        counts.get(code, {}).get("n", 0) - late - close
        for (code, _), late, close in zip(stages, overdue, at_risk, strict=True)
    ]
    labels = [label for _, label in stages]
    return d.Panel(
        title="未办结的申请（按办理阶段）",
        explanation=(
            f"截至{d.cn_day(today)}尚未归档的申请，按所处的办理阶段统计；"
            "超期、临期按每日计算的答复期限标记。"
        ),
        columns=("办理阶段", "件数", "其中超期", "其中临期"),
        rows=tuple(rows),
        total=d.Row(("合计", *totals), links.cases(show="open")),
        chart=d.bar_chart(
            labels,
            [
                ("超期", overdue, d.OVERDUE_COLOUR),
                ("临期", at_risk, d.AT_RISK_COLOUR),
                ("期限内或暂停", others, d.CALM_COLOUR),
            ],
            stacked=True,
            horizontal=True,
        ),
        note=links.note(),
    )


def overdue_now(user, agencies: Sequence[Agency], today: date) -> d.Panel | None:
    if not has_request_role(user):
        return None
    links = _Links(user, agencies)
    counts = _open_counts(agencies, "agency_id")
    empty = {"n": 0, "overdue": 0, "at_risk": 0}
    ordered = sorted(
        agencies,
        key=lambda a: (-counts.get(a.pk, empty)["overdue"], -counts.get(a.pk, empty)["at_risk"]),
    )
    rows, totals = [], [0, 0, 0]
    for agency in ordered:
        row = counts.get(agency.pk, empty)
        figures = (row["n"], row["overdue"], row["at_risk"])
        totals = [a + b for a, b in zip(totals, figures, strict=True)]
        rows.append(
            d.Row(
                (agency.name, *figures, d.percent_text(d.percent(row["overdue"], row["n"]))),
                links.cases(agency, show="open", flags=["overdue", "at_risk"]),
            )
        )
    shown = ordered[:15]
    return d.Panel(
        title="超期与临期（当前）",
        explanation=(
            f"截至{d.cn_day(today)}：超期指已过答复期限仍未送达答复；临期指距答复期限"
            "不足本机关设定的提醒工作日数。"
        ),
        columns=("机关", "未办结", "超期", "临期", "超期占比"),
        rows=tuple(rows),
        total=d.Row(
            ("合计", *totals, d.percent_text(d.percent(totals[1], totals[0]))),
            links.cases(show="open", flags=["overdue", "at_risk"]),
        )
        if len(agencies) > 1
        else None,
        chart=d.bar_chart(
            [a.short_name or a.name for a in shown],
            [
                ("超期", [counts.get(a.pk, empty)["overdue"] for a in shown], d.OVERDUE_COLOUR),
                ("临期", [counts.get(a.pk, empty)["at_risk"] for a in shown], d.AT_RISK_COLOUR),
            ],
            stacked=True,
            horizontal=True,
        ),
        note=links.note(),
    )


def received_per_month(user, agencies: Sequence[Agency], today: date) -> d.Panel | None:
    if not has_request_role(user):
        return None
    links = _Links(user, agencies)
    # By day (at most 366 groups, from the (agency, receipt_date) index alone), summed by month
    # here: no date function per row in the database.
    counts: Counter[date] = Counter()
    for day, n in (
        _received(agencies, today)
        .values("receipt_date")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("receipt_date", "n")
    ):
        counts[day.replace(day=1)] += n
    months = d.months_back(today, MONTHS)
    values = [counts.get(month, 0) for month in months]
    first, _ = window(today)
    return d.Panel(
        title="每月收到的申请",
        explanation=f"按收到申请之日（第三十一条）所在月份统计，{d.cn_day(first)}至{d.cn_day(today)}。",
        columns=("月份", "件数"),
        rows=tuple(
            d.Row((d.month_label(month), n), links.cases(**_month_query(month, today)))
            for month, n in zip(months, values, strict=True)
        ),
        total=d.Row(
            ("合计", sum(values)),
            links.cases(show="all", received_from=first.isoformat(), received_to=today.isoformat()),
        ),
        chart=d.bar_chart(
            [f"{m.year % 100:02d}年{m.month}月" for m in months], [("收到", values, d.CALM_COLOUR)]
        ),
        note=links.note(),
    )


def outcomes_by_family(user, agencies: Sequence[Agency], today: date) -> d.Panel | None:
    if not has_request_role(user):
        return None
    links = _Links(user, agencies)
    counts = dict(
        _received(agencies, today)
        .exclude(outcome="")
        .values("outcome")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("outcome", "n")
    )
    total = sum(counts.values())
    families: Counter[str] = Counter()
    rows = []
    for family, family_label in FAMILY_LABELS.items():
        for code, outcome in OUTCOMES.items():
            if outcome.family != family or not counts.get(code):
                continue
            n = counts[code]
            families[family] += n
            rows.append(
                d.Row(
                    (f"{family_label}：{outcome.label}", n, d.percent_text(d.percent(n, total))),
                    links.cases(show="all", outcome=code, **_window_query(today)),
                )
            )
    return d.Panel(
        title="办理结果（按类别）",
        explanation=(
            f"{_window_text(today)}中已作出办理结果的，按结果类别统计（类别与年度报告第三部分一致）。"
        ),
        columns=("办理结果", "件数", "占比"),
        rows=tuple(rows),
        total=d.Row(("合计", total, "100%" if total else "—"), ""),
        chart=d.pie_chart(
            [(label, families[family]) for family, label in FAMILY_LABELS.items()], name="办理结果"
        ),
        note=links.note(),
    )


def _window_query(today: date) -> dict[str, str]:
    first, last = window(today)
    return {"received_from": first.isoformat(), "received_to": last.isoformat()}


def served_pairs(
    user, agencies: Sequence[Agency], today: date
) -> list[tuple[date, date, int, int]]:
    """The served replies of the window, grouped by (receipt date, service date): how many, and
    how many on or before the due date (a case without a due date was never late). One query;
    the groups are at most a few thousand however many cases there are. Read once per page:
    kept on ``user`` (the request's user object) for the two panels that need it."""
    key = (tuple(_ids(agencies)), today)
    kept = getattr(user, "_gongkai_served_pairs", None)
    if kept is not None and kept[0] == key:
        return kept[1]
    pairs = list(
        _received(agencies, today)
        .filter(served_on__isnull=False)
        .values("receipt_date", "served_on")
        .annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=Q(due_date__isnull=True) | Q(served_on__lte=F("due_date"))),
        )
        .order_by()
        .values_list("receipt_date", "served_on", "n", "on_time")
    )
    user._gongkai_served_pairs = (key, pairs)
    return pairs


def on_time_rate(user, agencies: Sequence[Agency], today: date) -> d.Panel | None:
    if not has_request_role(user):
        return None
    links = _Links(user, agencies)
    months = d.months_back(today, MONTHS)
    served: Counter[date] = Counter()
    on_time: Counter[date] = Counter()
    for received, _, n, in_time in served_pairs(user, agencies, today):
        month = received.replace(day=1)
        served[month] += n
        on_time[month] += in_time
    rates = [d.percent(on_time[m], served[m]) for m in months]
    rows = tuple(
        d.Row(
            (d.month_label(m), served[m], on_time[m], served[m] - on_time[m], d.percent_text(rate)),
            links.cases(**_month_query(m, today)),
        )
        for m, rate in zip(months, rates, strict=True)
    )
    all_served, all_on_time = sum(served.values()), sum(on_time.values())
    return d.Panel(
        title="按期答复率",
        explanation=(
            f"{_window_text(today)}中已送达答复的，送达日期不晚于答复期限（含依法延长的期限）"
            "即为按期；按收到申请的月份统计。"
        ),
        columns=("收到月份", "已送达", "按期", "逾期", "按期率"),
        rows=rows,
        total=d.Row(
            (
                "合计",
                all_served,
                all_on_time,
                all_served - all_on_time,
                d.percent_text(d.percent(all_on_time, all_served)),
            ),
            links.cases(show="all", **_window_query(today)),
        ),
        chart={
            **d.bar_chart(
                [f"{m.year % 100:02d}年{m.month}月" for m in months],
                [("按期率", rates, d.GOOD_COLOUR)],
                unit="%",
            ),
            "yAxis": {"type": "value", "name": "%", "min": 0, "max": 100},
        },
        note=links.note(),
    )


def weighted_median(counts: Counter[int]) -> float | None:
    """The median of values given as value → how many; ``None`` for none. With an even number
    of values, the mean of the two middle ones."""
    total = sum(counts.values())
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]
    found: list[int] = []
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        while len(found) < 2 and wanted[len(found)] < seen:
            found.append(value)
    return (found[0] + found[1]) / 2


def _days_text(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _with_max(option: dict[str, Any], top: float) -> dict[str, Any]:
    """``option`` whose value axis reaches ``top`` (so that the statutory line shows)."""
    option["yAxis"] = {**option["yAxis"], "max": int(top) + 1}
    return option


def median_working_days(user, agencies: Sequence[Agency], today: date) -> d.Panel | None:
    if not has_request_role(user):
        return None
    links = _Links(user, agencies)
    # One agency: its own calendar (with its local adjustments); several: the national one.
    calendar = get_calendar(agencies[0] if len(agencies) == 1 else None)
    months = d.months_back(today, MONTHS)
    by_month: dict[date, Counter[int]] = {m: Counter() for m in months}
    overall: Counter[int] = Counter()
    for received, served_on, n, _ in served_pairs(user, agencies, today):
        try:
            days = calendar.working_days_between(received, served_on)
        except CalendarRangeError:
            continue
        by_month[received.replace(day=1)][days] += n
        overall[days] += n
    medians = [weighted_median(by_month[m]) for m in months]
    return d.Panel(
        title="答复用时（工作日，中位数）",
        explanation=(
            f"{_window_text(today)}中已送达答复的，从收到申请之日的次日到送达之日的工作日数"
            f"的中位数（含征求意见、缴费等暂停计时的时间）；法定期限为{STATUTORY_DAYS}个工作日"
            "（第三十三条）。"
        ),
        columns=("收到月份", "已送达", "中位数（工作日）"),
        rows=tuple(
            d.Row(
                (d.month_label(m), sum(by_month[m].values()), _days_text(median)),
                links.cases(**_month_query(m, today)),
            )
            for m, median in zip(months, medians, strict=True)
        ),
        total=d.Row(
            ("全部", sum(overall.values()), _days_text(weighted_median(overall))),
            links.cases(show="all", **_window_query(today)),
        ),
        chart=_with_max(
            d.bar_chart(
                [f"{m.year % 100:02d}年{m.month}月" for m in months],
                [("中位数", medians, d.CALM_COLOUR)],
                unit="工作日",
                mark_line=(f"法定期限{STATUTORY_DAYS}个工作日", STATUTORY_DAYS),
            ),
            max([STATUTORY_DAYS + 5, *(m for m in medians if m is not None)]),
        ),
        note=links.note(),
    )


def handler_load(user, agencies: Sequence[Agency], today: date) -> d.Panel | None:
    if not has_request_role(user):
        return None
    links = _Links(user, agencies)
    counts = list(
        _open(agencies)
        .values("handler_id")
        .annotate(
            n=Count("pk"),
            overdue=Count("pk", filter=Q(overdue=True)),
            at_risk=Count("pk", filter=Q(at_risk=True)),
        )
        .order_by()
    )
    people = {
        person.pk: person.get_full_name() or person.get_username()
        for person in get_user_model().objects.filter(
            pk__in=[row["handler_id"] for row in counts if row["handler_id"]]
        )
    }
    counts.sort(key=lambda row: (-row["n"], people.get(row["handler_id"], "")))
    rows = []
    for row in counts:
        handler = row["handler_id"]
        name = people.get(handler, "") if handler else "未指定承办人"
        rows.append(
            d.Row(
                (name, row["n"], row["overdue"], row["at_risk"]),
                links.cases(show="open", handler=handler or "none"),
            )
        )
    shown = rows[:20]
    return d.Panel(
        title="承办人工作量",
        explanation=f"截至{d.cn_day(today)}尚未归档的申请，按承办人统计；超期、临期同上。",
        columns=("承办人", "未办结", "其中超期", "其中临期"),
        rows=tuple(rows),
        chart=d.bar_chart(
            [row.cells[0] for row in shown],
            [
                ("超期", [row.cells[2] for row in shown], d.OVERDUE_COLOUR),
                ("临期", [row.cells[3] for row in shown], d.AT_RISK_COLOUR),
                (
                    "其他",
                    [row.cells[1] - row.cells[2] - row.cells[3] for row in shown],
                    d.CALM_COLOUR,
                ),
            ],
            stacked=True,
            horizontal=True,
        ),
        note=links.note(),
    )


# -- the reminder ----------------------------------------------------------------------------------


def report_year(today: date) -> int | None:
    """The year whose annual report is being prepared: from 1 December to 31 January (in
    January, the year before); ``None`` otherwise."""
    if today.month == 12:
        return today.year
    if today.month == 1:
        return today.year - 1
    return None


def annual_report_reminder(user, agencies: Sequence[Agency], today: date) -> d.Reminder | None:
    """政府信息公开工作年度报告 (Art. 49): each agency submits and publishes last year's report by
    31 January. Shown to the disclosure office heads, who prepare it."""
    year = report_year(today)
    if year is None or not has_role(user, "office_head"):
        return None
    published = AnnualReport.objects.filter(
        agency_id__in=_ids(agencies), year=year, status=AnnualReport.Status.PUBLISHED
    ).values("agency_id")
    if len({row["agency_id"] for row in published}) == len(agencies):
        return None  # every agency shown has published it
    return d.Reminder(
        text=(
            f"提醒：{year}年政府信息公开工作年度报告应于{year + 1}年1月31日前"
            "向本级政府信息公开工作主管部门提交并向社会公布（《条例》第四十九条）。"
        ),
        url=d.list_url(ANNUAL_REPORT_URL),
        link_text="编制年度报告",
    )


def register() -> None:
    for name, order, build in (
        ("requests-stages", 10, open_by_stage),
        ("requests-overdue", 11, overdue_now),
        ("requests-monthly", 12, received_per_month),
        ("requests-outcomes", 13, outcomes_by_family),
        ("requests-on-time", 14, on_time_rate),
        ("requests-days", 15, median_working_days),
        ("requests-handlers", 16, handler_load),
    ):
        d.register_dashboard_panel(name, order, build)
    d.register_dashboard_reminder("annual-report", 10, annual_report_reminder)
