"""Template filters of the document register's pages."""

from __future__ import annotations

from datetime import date, time, timedelta

from django import template
from django.utils import timezone

from attributes_app import rules
from attributes_app.labels import ACTION_LABELS
from attributes_app.models import AttributeChange, AttributeState
from workflow.cn import cn_date

register = template.Library()

STATE_LABELS = dict(AttributeState.choices)
SOURCE_LABELS = dict(AttributeChange.Source.choices)


@register.filter
def lookup(mapping, key):
    """``mapping[key]``, or "" when absent."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def person(user) -> str:
    """A user as the pages name people: full name, else the login name; None as "系统"."""
    if user is None:
        return "系统"
    return user.get_full_name() or user.get_username()


@register.filter
def attribute_label(code: str) -> str:
    return rules.ATTRIBUTE_LABELS.get(code) or code or "—"


@register.filter
def ground_label(code: str) -> str:
    """The ground's name without its article, which the legal basis already cites."""
    ground = rules.GROUNDS.get(code)
    return ground.label if ground else ""


@register.filter
def state_label(code: str) -> str:
    return STATE_LABELS.get(code, code)


@register.filter
def source_label(code: str) -> str:
    return SOURCE_LABELS.get(code, code)


@register.filter
def verdict_label(code: str) -> str:
    return rules.VERDICT_LABELS.get(code, "")


@register.filter
def ground_basis(ground: str, law: str = "") -> str:
    """The citation of a ground: the Regulation's article, or the named law."""
    return rules.legal_basis(ground, law)


@register.filter
def percent(share) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


@register.filter
def event_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


@register.filter
def basename(path: str) -> str:
    return (path or "").rsplit("/", 1)[-1]


SHORT_STATE_LABELS = {**STATE_LABELS, "restricted": "不主动公开"}


@register.filter
def state_short(code: str) -> str:
    """A state as a badge in a list shows it: short."""
    return SHORT_STATE_LABELS.get(code, code)


@register.filter
def due_text(due_at, due_on) -> str:
    """A deadline in words: its last day when it ends at midnight (working-day rules), else the
    day and the hour (an hours rule: "2026年3月3日 10:00")."""
    if due_at is None:
        return "—"
    local = timezone.localtime(due_at)
    if due_on is not None and local.time() == time(0) and local.date() == due_on + timedelta(1):
        return cn_date(due_on)
    return f"{cn_date(local.date())} {local:%H:%M}"


@register.filter
def iso_date(text: str) -> str:
    """An ISO date kept in report data ("2026-11-22") as letters write it."""
    try:
        return cn_date(date.fromisoformat(text))
    except (TypeError, ValueError):
        return text or "—"
