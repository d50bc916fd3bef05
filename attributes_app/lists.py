"""Reads behind the register's pages, on top of ``attributes_app.selectors`` (which decides who
sees what): the filters the pages offer, the units and catalogue a form may choose from, the
drafting units' review inboxes. Every list is a queryset for a paginator: constant queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet

from attributes_app import selectors
from attributes_app.models import (
    AttributeReview,
    CatalogueItem,
    Document,
    DraftingUnit,
    ReviewItem,
)
from workflow.roles import has_role
from workflow.selectors import agencies_of


def own_units(user) -> QuerySet[DraftingUnit]:
    """The drafting units ``user`` is a member or head of, in the agencies they work for."""
    return (
        DraftingUnit.objects.filter(Q(members=user) | Q(heads=user), agency__in=agencies_of(user))
        .select_related("agency")
        .distinct()
        .order_by("agency__name", "name")
    )


def agency_units(user) -> QuerySet[DraftingUnit]:
    return (
        DraftingUnit.objects.filter(agency__in=agencies_of(user))
        .select_related("agency")
        .order_by("agency__name", "name")
    )


def draftable_units(user) -> QuerySet[DraftingUnit]:
    """The units a new draft may belong to: the user's own, active ones."""
    return own_units(user).filter(active=True)


def catalogue_of(user) -> QuerySet[CatalogueItem]:
    return CatalogueItem.objects.filter(agency__in=agencies_of(user)).order_by("agency", "name")


def register_years(user) -> list[int]:
    """The formation years the register's year filter offers, newest first."""
    bounds = selectors.visible_documents(user).aggregate(
        first=Min("formed_on"), last=Max("formed_on")
    )
    if bounds["first"] is None:
        return []
    return list(range(bounds["last"].year, bounds["first"].year - 1, -1))


def register(user, filters: dict[str, Any]) -> QuerySet[Document]:
    """The register with the page's filters: those of ``selectors.document_list`` plus the
    formation year and "no attribute yet"."""
    filters = dict(filters)
    attribute = filters.pop("attribute", "")
    year = filters.pop("year", None)
    documents = selectors.document_list(user, filters)
    if attribute == "none":
        documents = documents.filter(attribute="")
    elif attribute:
        documents = documents.filter(attribute=attribute)
    if year:
        documents = documents.filter(formed_on__year=year)
    return documents


def office_review_queue(user) -> QuerySet[Document]:
    """Policy documents proposed non-proactive, waiting for the disclosure office, oldest
    proposal first (DOMAIN §4.1)."""
    return (
        selectors.visible_documents(user)
        .filter(attribute_state=selectors.S.OFFICE_REVIEW)
        .select_related("agency", "drafting_unit", "proposed_by")
        .order_by("proposed_at", "pk")
    )


# -- the yearly review ----------------------------------------------------------------------------


def reviews_with_counts(user) -> QuerySet[AttributeReview]:
    return (
        selectors.visible_reviews(user)
        .annotate(
            n_items=Count("items"),
            n_with_unit=Count("items", filter=Q(items__status=ReviewItem.Status.WITH_UNIT)),
            n_proposed=Count("items", filter=Q(items__status=ReviewItem.Status.PROPOSED)),
            n_decided=Count("items", filter=Q(items__status=ReviewItem.Status.DECIDED)),
        )
        .order_by("-year", "agency__name")
    )


def review_status_counts(review: AttributeReview) -> dict[str, int]:
    counts = dict(review.items.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {status: counts.get(status, 0) for status in ReviewItem.Status.values}


def _item_filters(items: QuerySet[ReviewItem], filters: dict[str, Any]) -> QuerySet[ReviewItem]:
    if q := (filters.get("q") or "").strip():
        items = items.filter(Q(document__title__icontains=q) | Q(document__number__icontains=q))
    signal = filters.get("signal")
    if signal == "any":
        items = items.filter(flagged=True)
    elif signal == "none":
        items = items.filter(flagged=False)
    for key in ("proposal", "decision"):
        value = filters.get(key)
        if value == "none":
            items = items.filter(**{key: ""})
        elif value:
            items = items.filter(**{key: value})
    if attribute := filters.get("attribute"):
        items = items.filter(attribute=attribute)
    return items


def review_item_list(user, review: AttributeReview, filters: dict[str, Any]):
    """A review's items as ``user`` may see them, with every filter of the items page."""
    base = {k: filters.get(k) for k in ("status", "drafting_unit")}
    if filters.get("signal") not in (None, "", "any", "none"):
        base["signal"] = filters["signal"]
    items = selectors.review_items(user, review, base)
    return _item_filters(items, filters)


def unit_inbox(user, filters: dict[str, Any] | None = None) -> QuerySet[ReviewItem]:
    """The items of open reviews that belong to the units ``user`` is a member or head of."""
    filters = filters or {}
    items = (
        ReviewItem.objects.filter(
            review__status=AttributeReview.Status.OPEN,
            review__agency__in=agencies_of(user),
            drafting_unit__in=own_units(user).values("pk"),
        )
        .select_related("review", "document", "drafting_unit")
        .order_by("status", "drafting_unit__name", "document__formed_on", "pk")
    )
    if status := filters.get("status"):
        items = items.filter(status=status)
    if unit := filters.get("drafting_unit"):
        items = items.filter(drafting_unit=unit)
    signal = filters.get("signal")
    if signal and signal not in ("any", "none"):
        items = items.filter(**{f"signal_{signal}": True})
    return _item_filters(items, {k: v for k, v in filters.items() if k != "drafting_unit"})


def is_legal_office(user) -> bool:
    return has_role(user, "legal_reviewer")
