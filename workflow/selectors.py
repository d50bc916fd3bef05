"""Reads that decide who may see what."""

from django.db.models import QuerySet

from workflow.models import Agency
from workflow.roles import has_role


def agencies_of(user) -> QuerySet[Agency]:
    """The agencies whose data ``user`` may see: the ones they work for (DOMAIN §1)."""
    if not user.is_authenticated:
        return Agency.objects.none()
    return Agency.objects.filter(staff=user).order_by("name")


def agency_ids_of(user) -> list[int]:
    """The ids of ``agencies_of(user)``, read once per user object (one request's user): the
    lists, their counts and the menu all scope by them, and each would otherwise ask again."""
    cached = getattr(user, "_gongkai_agency_ids", None)
    if cached is None:
        cached = list(agencies_of(user).values_list("pk", flat=True))
        if getattr(user, "is_authenticated", False):
            user._gongkai_agency_ids = cached
    return list(cached)


#: How many levels of governments below an agency a supervisor sees (province → city → county →
#: township and their departments).
SUPERVISION_DEPTH = 5
#: The role that sees the reports and dashboards of the agencies below its own.
SUPERVISOR_ROLE = "office_head"


def supervised_agencies(user) -> QuerySet[Agency]:
    """The agencies below those ``user`` works for (``Agency.parent``, any level up to
    ``SUPERVISION_DEPTH``), for a disclosure office head of a supervising government: they see
    those agencies' annual reports and dashboards (figures and the lists behind them), not
    their cases' personal data."""
    if not user.is_authenticated or not has_role(user, SUPERVISOR_ROLE):
        return Agency.objects.none()
    level = set(agencies_of(user).values_list("pk", flat=True))
    found: set[int] = set()
    for _ in range(SUPERVISION_DEPTH):
        level = set(Agency.objects.filter(parent_id__in=level).values_list("pk", flat=True))
        level -= found
        if not level:
            break
        found |= level
    return Agency.objects.filter(pk__in=found).order_by("name")
