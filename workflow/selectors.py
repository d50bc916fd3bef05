"""Reads that decide who may see what."""

from django.db.models import QuerySet

from workflow.models import Agency


def agencies_of(user) -> QuerySet[Agency]:
    """The agencies whose data ``user`` may see: the ones they work for (DOMAIN §1)."""
    if not user.is_authenticated:
        return Agency.objects.none()
    return Agency.objects.filter(staff=user).order_by("name")
