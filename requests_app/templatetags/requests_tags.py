"""Template filters of the request pages: dates as official letters write them."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone

from workflow.cn import cn_date as _cn_date

register = template.Library()


@register.filter
def cn_date(value: date | datetime | None) -> str:
    """2026年3月5日; a datetime is shown in local time with hours and minutes; None as "—"."""
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{_cn_date(local.date())} {local:%H:%M}"
    return _cn_date(value)


@register.filter
def summary(text: str, length: int = 30) -> str:
    """The first ``length`` characters of ``text`` on one line, with an ellipsis when cut."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= length else flat[:length] + "…"


@register.filter
def overdue_days(days_left: int | None) -> int:
    """Working days past the due date, from the stored (negative) days left."""
    return -days_left if days_left is not None and days_left < 0 else 0


@register.filter
def file_size(size: int | None) -> str:
    """Bytes as officers read them: 356.2 KB, 1.5 MB."""
    from requests_app.uploads import human_size

    return human_size(size or 0)


#: The task lists in the menu: (URL name, label, icon).
TASK_LISTS = (
    ("inbox", "待办", "inbox"),
    ("queue", "待领取", "move_to_inbox"),
    ("archive", "已办", "task_alt"),
)


@register.simple_tag(takes_context=True)
def task_counts(context) -> dict:
    """The numbers of the menu's task lists for the signed-in user (once a page; "99+" past 99)."""
    from requests_app.flows import TASK_COUNT_LIMIT as limit
    from requests_app.flows import task_counts as count

    request = context.get("request")
    user = getattr(request, "user", None)
    if request is not None and not hasattr(request, "_gk_task_counts"):
        request._gk_task_counts = count(user)
    counts = request._gk_task_counts if request is not None else count(user)
    return {
        "links": [
            (name, label, icon, f"{limit}+" if counts[name] > limit else counts[name])
            for name, label, icon in TASK_LISTS
        ]
    }


@register.simple_tag(takes_context=True)
def pending_submission_count(context) -> int | str:
    """How many online applications wait for the signed-in registrar's confirmation (Art. 31(3));
    "99+" past 99."""
    from requests_app.flows import TASK_COUNT_LIMIT as limit
    from requests_app.selectors import pending_submissions

    request = context.get("request")
    count = pending_submissions(getattr(request, "user", None))[: limit + 1].count()
    return f"{limit}+" if count > limit else count
