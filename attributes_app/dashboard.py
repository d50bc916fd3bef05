"""The document panels of the dashboard (``workflow.dashboard``), registered by
``AttributesAppConfig.ready()``: the attributes by formation year (the share proactive), the
publications and policy interpretations overdue or at risk, and the yearly review's progress.

Each panel counts only the agencies it is given, with one or two aggregate queries over the
register's (agency, …) indexes. The rows link to the register, the 主动公开期限 list and the
review's page only for the user's own agencies and roles that open those pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone

from attributes_app import rules
from attributes_app.models import AttributeReview, Document, Publication, ReviewItem
from workflow import dashboard as d
from workflow.models import Agency

#: The formation years the attribute panel covers, the current one included.
YEARS = 5
REGISTER = "attributes:documents:index"
PUBLICATIONS = "attributes:publications:index"
REVIEW = "attributes:reviews:detail"
ATTRIBUTE_COLOURS = {
    rules.PROACTIVE: d.GOOD_COLOUR,
    rules.ON_REQUEST: d.CALM_COLOUR,
    rules.WITHHELD: "#6d4c41",
}


def _roles():
    """The roles of the register's pages (imported when a panel is built, not at start-up)."""
    from attributes_app.views.base import OFFICE_ROLES, REGISTER_ROLES, may_see
    from attributes_app.views.review import REVIEW_ROLES

    return may_see, REGISTER_ROLES, OFFICE_ROLES, REVIEW_ROLES


def _ids(agencies: Sequence[Agency]) -> list[int]:
    return [a.pk for a in agencies]


def _links(user, agencies: Sequence[Agency], roles) -> bool:
    may_see = _roles()[0]
    return may_see(user, roles) and d.links_allowed(user, agencies)


def _applies(user) -> bool:
    may_see, register_roles, _, _ = _roles()
    return may_see(user, register_roles)


NO_LINKS = "所属机关的文件只由该机关的工作人员查看：表中不提供链接。"


def attribute_share(user, agencies: Sequence[Agency], today: date) -> d.Panel | None:
    if not _applies(user):
        return None
    linked = _links(user, agencies, _roles()[1])
    years = list(range(today.year - YEARS + 1, today.year + 1))
    counts: dict[tuple[int, str], int] = {
        (row["year"], row["attribute"]): row["n"]
        for row in Document.objects.filter(
            agency_id__in=_ids(agencies),
            attribute_state__in=sorted(rules.CONFIRMED_STATES),
            formed_on__gte=date(years[0], 1, 1),
            formed_on__lte=date(years[-1], 12, 31),
        )
        .annotate(year=ExtractYear("formed_on"))
        .values("year", "attribute")
        .annotate(n=Count("pk"))
        .order_by()
    }
    attributes = list(rules.ATTRIBUTE_LABELS)
    rows = []
    totals = dict.fromkeys(attributes, 0)
    for year in years:
        figures = [counts.get((year, code), 0) for code in attributes]
        for code, n in zip(attributes, figures, strict=True):
            totals[code] += n
        share = d.percent(counts.get((year, rules.PROACTIVE), 0), sum(figures))
        rows.append(
            d.Row(
                (f"{year}年", *figures, d.percent_text(share)),
                d.list_url(REGISTER, {"year": year}) if linked and sum(figures) else "",
            )
        )
    all_documents = sum(totals.values())
    return d.Panel(
        title="公开属性（按成文年度）",
        explanation=(
            f"{years[0]}年至{years[-1]}年成文、公开属性已确定的文件（待公开、已公开和依申请"
            "公开或不予公开已确定的），按成文日期所在年度统计；主动公开占比越高越好。"
        ),
        columns=("成文年度", *(rules.ATTRIBUTE_LABELS[c] for c in attributes), "主动公开占比"),
        rows=tuple(rows),
        total=d.Row(
            (
                "合计",
                *(totals[c] for c in attributes),
                d.percent_text(d.percent(totals[rules.PROACTIVE], all_documents)),
            )
        ),
        chart=d.bar_chart(
            [f"{year}年" for year in years],
            [
                (
                    rules.ATTRIBUTE_LABELS[code],
                    [counts.get((year, code), 0) for year in years],
                    ATTRIBUTE_COLOURS.get(code),
                )
                for code in attributes
            ],
            stacked=True,
        ),
        note="" if linked else NO_LINKS,
    )


def _deadline_counts(agencies: Sequence[Agency], now: datetime, today: date) -> dict[str, int]:
    """Publications waiting, overdue and at risk, and interpretations alike: one query (the
    flags of ``attributes_app.selectors.publication_tasks`` and ``interpretation_tasks``)."""
    waiting = Q(published_on__isnull=True, withdrawn_on__isnull=True)
    interpreting = Q(
        interpretation_required=True,
        published_on__isnull=False,
        interpretation_published_on__isnull=True,
    )
    return Publication.objects.filter(agency_id__in=_ids(agencies)).aggregate(
        waiting=Count("pk", filter=waiting),
        overdue=Count("pk", filter=waiting & Q(due_at__lte=now)),
        at_risk=Count("pk", filter=waiting & Q(due_at__gt=now, at_risk_from__lte=today)),
        interpretations=Count("pk", filter=interpreting),
        interpretations_overdue=Count(
            "pk", filter=interpreting & Q(interpretation_due_at__lte=now)
        ),
        interpretations_at_risk=Count(
            "pk",
            filter=interpreting
            & Q(interpretation_due_at__gt=now, interpretation_at_risk_from__lte=today),
        ),
    )


def overdue_publications(user, agencies: Sequence[Agency], today: date) -> d.Panel | None:
    if not _applies(user):
        return None
    linked = _links(user, agencies, _roles()[2])
    now = timezone.now()
    counts = _deadline_counts(agencies, now, today)

    def link(show: str) -> str:
        return d.list_url(PUBLICATIONS, {"show": show}) if linked else ""

    rows = (
        d.Row(("主动公开文件：已逾期", counts["overdue"]), link("overdue")),
        d.Row(("主动公开文件：临期", counts["at_risk"]), link("at_risk")),
        d.Row(("主动公开文件：待公开合计", counts["waiting"]), link("all")),
        d.Row(("政策解读：已逾期", counts["interpretations_overdue"]), link("interpretation")),
        d.Row(("政策解读：临期", counts["interpretations_at_risk"]), link("interpretation")),
        d.Row(("政策解读：待发布合计", counts["interpretations"]), link("interpretation")),
    )

    def calm(total: str, overdue: str, at_risk: str) -> int:
        return counts[total] - counts[overdue] - counts[at_risk]

    return d.Panel(
        title="逾期未公开的文件和政策解读",
        explanation=(
            f"截至{d.cn_day(today)}：应主动公开而尚未公开的文件、尚未发布的政策解读；已过公开期限"
            "的为已逾期，期限将到的为临期（期限按本机关设定的主动公开期限计算）。"
        ),
        columns=("事项", "件数"),
        rows=rows,
        chart=d.bar_chart(
            ["主动公开文件", "政策解读"],
            [
                (
                    "已逾期",
                    [counts["overdue"], counts["interpretations_overdue"]],
                    d.OVERDUE_COLOUR,
                ),
                (
                    "临期",
                    [counts["at_risk"], counts["interpretations_at_risk"]],
                    d.AT_RISK_COLOUR,
                ),
                (
                    "期限内或期限未定",
                    [
                        calm("waiting", "overdue", "at_risk"),
                        calm(
                            "interpretations", "interpretations_overdue", "interpretations_at_risk"
                        ),
                    ],
                    d.CALM_COLOUR,
                ),
            ],
            stacked=True,
            horizontal=True,
        ),
        note="" if linked else NO_LINKS,
    )


S = ReviewItem.Status
#: The review's item states, in the order of the work.
REVIEW_STATES = (S.WITH_UNIT, S.PROPOSED, S.DECIDED, S.WITHDRAWN)


def review_progress(user, agencies: Sequence[Agency], today: date) -> d.Panel | None:
    if not _applies(user):
        return None
    linked = _links(user, agencies, _roles()[3])
    # Each agency's latest review (one a year: a handful of rows), then its items by state.
    latest: dict[int, AttributeReview] = {}
    for review in AttributeReview.objects.filter(agency_id__in=_ids(agencies)).order_by(
        "agency_id", "-year"
    ):
        latest.setdefault(review.agency_id, review)
    counts = {
        (row["review_id"], row["status"]): row["n"]
        for row in ReviewItem.objects.filter(review_id__in=[r.pk for r in latest.values()])
        .values("review_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    }
    rows = []
    chart_rows = []
    for agency in agencies:
        review = latest.get(agency.pk)
        if review is None:
            rows.append(d.Row((agency.name, "尚未启动", "—", 0, 0, 0, 0, "—")))
            continue
        figures = [counts.get((review.pk, state), 0) for state in REVIEW_STATES]
        total = sum(figures)
        done = figures[2] + figures[3]
        rows.append(
            d.Row(
                (
                    agency.name,
                    f"{review.year}年度，{review.get_status_display()}",
                    total,
                    *figures,
                    d.percent_text(d.percent(done, total)),
                ),
                d.list_url(REVIEW, pk=review.pk) if linked else "",
            )
        )
        chart_rows.append((agency.short_name or agency.name, figures))
    labels = [str(S(state).label) for state in REVIEW_STATES]
    return d.Panel(
        title="年度复核进度",
        explanation=(
            "各机关最近一次依申请公开和不予公开文件年度复核（《条例》第十八条）的进度：复核事项"
            "按所处环节统计；已决定和已移出复核的计为完成。"
        ),
        columns=("机关", "复核", "事项", *labels, "完成"),
        rows=tuple(rows),
        chart=d.bar_chart(
            [name for name, _ in chart_rows[:15]],
            [
                (label, [figures[i] for _, figures in chart_rows[:15]], colour)
                for i, (label, colour) in enumerate(
                    zip(
                        labels,
                        (d.AT_RISK_COLOUR, d.CALM_COLOUR, d.GOOD_COLOUR, "#9e9e9e"),
                        strict=True,
                    )
                )
            ],
            stacked=True,
            horizontal=True,
        )
        if chart_rows
        else None,
        note="" if linked else NO_LINKS,
    )


def register() -> None:
    d.register_dashboard_panel("attributes-share", 30, attribute_share)
    d.register_dashboard_panel("attributes-deadlines", 31, overdue_publications)
    d.register_dashboard_panel("attributes-review", 32, review_progress)
