"""工作概况 (the dashboards): the engine's page and the registry of its panels.

The engine names no app. Each app registers its panels from its ``AppConfig.ready()`` with
``register_dashboard_panel(name, order, build)``; ``build(user, agencies, today)`` returns a
``Panel`` (or ``None`` where it does not apply to ``user``) counting only ``agencies``: a title,
an ECharts option (plain JSON, drawn by ``workflow/static/workflow/dashboard.js``), the same
numbers as a table whose rows link to the lists behind them, and one line in Chinese saying what
is counted and over which dates. Reminders (``register_dashboard_reminder``) are lines shown
above the panels when they apply.

The page shows the user's own agencies (本机关); an office head of a supervising government
(``workflow.selectors.supervised_agencies``) may choose instead the agencies below theirs, all
together (所属机关合计) or one of them. The lists behind the numbers are the user's own agencies'
pages, so a panel links its rows only when ``links_allowed``: a supervisor is not staff of the
agencies below and opens none of their cases.

Every panel reads with a constant number of aggregate queries, whatever the number of cases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from workflow.models import Agency
from workflow.selectors import agencies_of, supervised_agencies


@dataclass(frozen=True)
class Row:
    """One row of a panel's table: its cells and, where the list behind it may be opened, its
    link."""

    cells: tuple[Any, ...]
    url: str = ""


@dataclass(frozen=True)
class Panel:
    """One panel of the dashboard: a chart and its numbers as a table beside it.

    ``chart`` is an ECharts option (JSON values only, no functions); ``None`` for a panel that is
    a table only. ``total`` is the table's last row (合计), set apart."""

    title: str
    explanation: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    chart: dict[str, Any] | None = None
    total: Row | None = None
    #: A line under the table (for example why there are no links).
    note: str = ""


@dataclass(frozen=True)
class Reminder:
    text: str
    url: str = ""
    link_text: str = ""


Build = Callable[[Any, Sequence[Agency], date], "Panel | None"]
BuildReminder = Callable[[Any, Sequence[Agency], date], "Reminder | None"]


@dataclass(frozen=True)
class _Registered:
    name: str
    order: int
    build: Callable[[Any, Sequence[Agency], date], Any]


# Keyed by name, so that a second ``ready()`` replaces rather than repeats.
_PANELS: dict[str, _Registered] = {}
_REMINDERS: dict[str, _Registered] = {}


def register_dashboard_panel(name: str, order: int, build: Build) -> None:
    """Add the panel ``name`` (smaller ``order`` first), built by
    ``build(user, agencies, today)``."""
    _PANELS[name] = _Registered(name, order, build)


def register_dashboard_reminder(name: str, order: int, build: BuildReminder) -> None:
    """Add the reminder ``name``, shown when ``build(user, agencies, today)`` returns one."""
    _REMINDERS[name] = _Registered(name, order, build)


def registered_panels() -> list[str]:
    return [r.name for r in sorted(_PANELS.values(), key=lambda r: r.order)]


def build_panels(user, agencies: Sequence[Agency], today: date) -> list[tuple[str, Panel]]:
    """The panels that apply to ``user``, in order, each as (name, panel)."""
    built = []
    for registered in sorted(_PANELS.values(), key=lambda r: r.order):
        panel = registered.build(user, agencies, today)
        if panel is not None:
            built.append((registered.name, panel))
    return built


def build_reminders(user, agencies: Sequence[Agency], today: date) -> list[Reminder]:
    found = []
    for registered in sorted(_REMINDERS.values(), key=lambda r: r.order):
        reminder = registered.build(user, agencies, today)
        if reminder is not None:
            found.append(reminder)
    return found


# -- whose numbers ---------------------------------------------------------------------------------

OWN = "own"
SUPERVISED = "supervised"


@dataclass(frozen=True)
class Scope:
    """Whose numbers the page shows: ``code`` is "own", "supervised" or an agency's id."""

    code: str
    label: str
    agencies: tuple[Agency, ...] = field(default=())


def scopes(user) -> list[Scope]:
    """The choices of ``user``: their own agencies; for a supervisor also the agencies below,
    together and each alone (two queries beyond the supervision's walk)."""
    own = tuple(agencies_of(user))
    names = "、".join(a.short_name or a.name for a in own) if len(own) <= 3 else f"{len(own)}个机关"
    choices = [Scope(OWN, f"本机关（{names}）" if own else "本机关", own)]
    below = tuple(supervised_agencies(user))
    if below:
        choices.append(Scope(SUPERVISED, f"所属机关合计（{len(below)}个）", below))
        choices.extend(Scope(str(a.pk), a.name, (a,)) for a in below)
    return choices


def own_agency_ids(user) -> frozenset[int]:
    """The ids of the agencies ``user`` works for, read once per user object (every panel
    asks)."""
    cached = getattr(user, "_gongkai_dashboard_agencies", None)
    if cached is None:
        cached = frozenset(agencies_of(user).values_list("pk", flat=True))
        user._gongkai_dashboard_agencies = cached
    return cached


def links_allowed(user, agencies: Iterable[Agency]) -> bool:
    """The lists behind the numbers may be linked: every agency counted is one ``user`` works
    for (the lists are theirs; a supervisor opens no case of the agencies below)."""
    ids = {a.pk for a in agencies}
    return bool(ids) and ids <= own_agency_ids(user)


def list_url(url_name: str, query: dict[str, Any] | None = None, **kwargs) -> str:
    """The URL of a list page with its filters; "" when the page is not installed."""
    try:
        url = reverse(url_name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""
    if query:
        url = f"{url}?{urlencode(query, doseq=True)}"
    return url


def percent(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in per cent to one decimal; ``None`` when there is nothing."""
    return round(part * 100 / whole, 1) if whole else None


def percent_text(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


def month_label(month: date) -> str:
    return f"{month.year}年{month.month}月"


def months_back(today: date, count: int) -> list[date]:
    """The first days of the ``count`` months up to and including ``today``'s, oldest first."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def month_end(month: date) -> date:
    """The last day of ``month``'s month."""
    following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def cn_day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# -- ECharts options (plain JSON) -----------------------------------------------------------------

#: Colours that read on paper and for the colour-blind (ECharts' defaults, reordered: the overdue
#: red and the at-risk orange are kept for those meanings).
OVERDUE_COLOUR = "#c62828"
AT_RISK_COLOUR = "#ef6c00"
CALM_COLOUR = "#1565c0"
GOOD_COLOUR = "#2e7d32"


def bar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | int | None], str | None]],
    *,
    stacked: bool = False,
    horizontal: bool = False,
    unit: str = "件",
    mark_line: tuple[str, float] | None = None,
) -> dict[str, Any]:
    """A bar chart of ``series`` (name, values, colour or None) over ``categories``."""
    # Every category named (none hidden as overlapping): the bars are read by their names.
    category_axis: dict[str, Any] = {
        "type": "category",
        "data": list(categories),
        "axisLabel": {"interval": 0, "rotate": 0 if horizontal or len(categories) <= 6 else 30},
    }
    value_axis = {"type": "value", "name": unit, "minInterval": 1}
    if horizontal:
        category_axis["inverse"] = True
    option: dict[str, Any] = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"show": len(series) > 1, "top": 0},
        "grid": {"left": 8, "right": 24, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": value_axis if horizontal else category_axis,
        "yAxis": category_axis if horizontal else value_axis,
        "series": [],
    }
    for name, values, colour in series:
        item: dict[str, Any] = {
            "name": name,
            "type": "bar",
            "data": list(values),
            "barMaxWidth": 36,
            "label": {"show": True, "position": "inside" if stacked else "top"},
        }
        if horizontal and not stacked:
            item["label"]["position"] = "right"
        if stacked:
            item["stack"] = "total"
        if colour:
            item["itemStyle"] = {"color": colour}
        option["series"].append(item)
    if mark_line and option["series"]:
        label, value = mark_line
        option["series"][0]["markLine"] = {
            "symbol": "none",
            "data": [{"yAxis": value, "name": label}],
            "label": {"formatter": label},
            "lineStyle": {"color": OVERDUE_COLOUR, "type": "dashed"},
        }
    return option


def pie_chart(items: Sequence[tuple[str, int]], *, name: str = "") -> dict[str, Any]:
    """A ring chart of ``items`` (label, count); the zero items are left out of the ring."""
    return {
        "tooltip": {"trigger": "item"},
        "legend": {"type": "scroll", "bottom": 0},
        "series": [
            {
                "name": name,
                "type": "pie",
                "radius": ["40%", "68%"],
                "center": ["50%", "45%"],
                "label": {"formatter": "{b}：{c}（{d}%）"},
                "data": [{"name": label, "value": value} for label, value in items if value],
            }
        ],
    }
