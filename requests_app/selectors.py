"""Reads of information requests: the one place that decides who sees which case (STYLE.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connections
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from requests_app import search
from requests_app.models import (
    AnnualReport,
    Challenge,
    Consultation,
    Fee,
    Guide,
    InformationRequest,
    NoticeService,
    OnlineSubmission,
)
from workflow.models import Agency, AuditEvent
from workflow.roles import has_request_role, has_role
from workflow.selectors import agencies_of, agency_ids_of

R = InformationRequest

#: How many earlier cases of the same applicant the registrar is shown.
DUPLICATES_SHOWN = 10

#: The flag filters of the case list: code -> (label, lookup on the stored clock).
FLAGS: dict[str, tuple[str, Q]] = {
    "at_risk": ("临期", Q(at_risk=True)),
    "overdue": ("超期", Q(overdue=True)),
    "paused": ("暂停", Q(paused=True)),
    "provisional": ("暂定", Q(provisional=True)),
}


#: The columns the case list shows (requests_app/case_list.html and _days_left.html); the
#: others, among them the clock's JSON explanation, stay in the database.
LIST_FIELDS = (
    "case_number",
    "applicant_name",
    "description",
    "stage",
    "outcome",
    "receipt_date",
    "due_date",
    "provisional",
    "days_left",
    "served_on",
    "served_late",
    "paused",
    "overdue",
    "at_risk",
    "agency",
    "handler__username",
    "handler__first_name",
    "handler__last_name",
)


#: Why a page of a case is refused to a user without a request role.
NOT_FOR_YOUR_ROLE = (
    "依申请公开的申请只由登记人员、承办人、政务公开工作机构负责人、法制审核人员和系统管理员查看："
    "申请中有申请人的个人信息。需要认定文件公开属性的，请在“公开属性 › 待认定公开属性”中办理。"
)


def require_request_role(user) -> None:
    """Refuse (403) a signed-in user without a request role every page, list, task, upload and
    letter of the cases (PIPL Art. 6, minimum necessary); the anonymous go to the login page."""
    if user.is_authenticated and not has_request_role(user):
        raise PermissionDenied(NOT_FOR_YOUR_ROLE)


def visible_requests(user) -> QuerySet[InformationRequest]:
    """The cases ``user`` may see: those of the agencies they work for (DOMAIN §1), and only
    for the request roles (``REQUEST_ROLES``): a case holds the applicant's personal data."""
    if not has_request_role(user):
        return R.objects.none()
    # The user's few agency ids first: an equality (or short IN list) lets the database walk
    # the (agency, due_sort, id) index instead of sorting every case.
    return R.objects.filter(agency_id__in=agency_ids_of(user))


def client_requests(client) -> QuerySet[InformationRequest]:
    """The cases an API client (``workflow.models.ApiClient``) may read: its own agency's, and
    only with the ``requests:read`` scope, which the API view checks before it asks."""
    return R.objects.filter(agency_id=client.agency_id)


def case_list(user, filters: dict[str, Any] | None = None) -> QuerySet[InformationRequest]:
    """The case list of ``user``: visible cases, filtered, soonest due date first (none last).

    ``filters`` holds cleaned values (a filter form's ``cleaned_data``): see ``filter_cases``.
    """
    # The agency's name comes with the page (one query for its few agencies), not joined: with
    # the agency table in the join, SQLite walks it first and then sorts every case of the
    # agency instead of reading them in due-date order from the index.
    agencies = Prefetch("agency", queryset=Agency.objects.only("name", "short_name"))
    cases = (
        visible_requests(user)
        .select_related("handler")
        .prefetch_related(agencies)
        .only(*LIST_FIELDS)
    )
    return filter_cases(cases, filters)


def filter_cases(
    cases: QuerySet[InformationRequest], filters: dict[str, Any] | None = None
) -> QuerySet[InformationRequest]:
    """``cases`` filtered as the case list filters them (the page's and the API's one filter
    set), soonest due date first (none last).

    ``filters`` holds cleaned values; missing or empty values do not filter. ``show`` is "open"
    (not yet archived), "closed" or anything else for all. Flags combine with OR: "临期 or 超期"
    is the question officers ask. ``year`` (登记年度) and ``updated_since`` (an aware datetime:
    changed at or after it) serve the API's clients, which poll for changes.
    """
    filters = filters or {}
    show = filters.get("show")
    if show == "open":
        cases = cases.exclude(stage=R.Stage.CLOSED)
    elif show == "closed":
        cases = cases.filter(stage=R.Stage.CLOSED)
    if agency := filters.get("agency"):
        cases = cases.filter(agency=agency)
    if stage := filters.get("stage"):
        cases = cases.filter(stage=stage)
    if flags := filters.get("flags"):
        condition = Q()
        for flag in flags:
            condition |= FLAGS[flag][1]
        cases = cases.filter(condition)
    handler = filters.get("handler")
    if handler == "none":
        cases = cases.filter(handler__isnull=True)
    elif handler:
        cases = cases.filter(handler_id=handler)
    if channel := filters.get("channel"):
        cases = cases.filter(channel=channel)
    outcome = filters.get("outcome")
    if outcome == "open":
        cases = cases.filter(outcome="")
    elif outcome:
        cases = cases.filter(outcome=outcome)
    if applicant_kind := filters.get("applicant_kind"):
        cases = cases.filter(applicant_kind=applicant_kind)
    received_from: date | None = filters.get("received_from")
    if received_from:
        cases = cases.filter(receipt_date__gte=received_from)
    received_to: date | None = filters.get("received_to")
    if received_to:
        cases = cases.filter(receipt_date__lte=received_to)
    if year := filters.get("year"):
        cases = cases.filter(year=year)
    if updated_since := filters.get("updated_since"):
        cases = cases.filter(updated_at__gte=updated_since)
    if filters.get("challenged"):  # 有复议/诉讼 (services.challenges)
        cases = cases.filter(Exists(Challenge.objects.filter(request=OuterRef("pk"))))
    if q := (filters.get("q") or "").strip():
        # Case number, applicant or request text contains q, found through the search index.
        cases = cases.filter(search.matches(q, connections[cases.db]))
    return cases.order_by("due_sort", "id")


def case_handlers(user) -> QuerySet:
    """The 承办人 the case list filters by: officers of ``user``'s agencies who hold the handler
    role, and whoever still handles one of their cases (a handler whose role was withdrawn)."""
    agency_ids = agency_ids_of(user)
    # From the agencies' staff (a few dozen people) down, so that no query passes over every
    # case: the role holders, then which of the others still handle a case (an index probe).
    users = get_user_model().objects
    staff = set(users.filter(agencies__in=agency_ids).values_list("pk", flat=True))
    holders = set(users.filter(pk__in=staff, groups__name="handler").values_list("pk", flat=True))
    others = staff - holders
    handles = R.objects.filter(handler_id=OuterRef("pk"), agency_id__in=agency_ids)
    former = (
        set(users.filter(Exists(handles), pk__in=others).values_list("pk", flat=True))
        if others
        else set()
    )
    return users.filter(pk__in=holders | former).order_by("username")


def possible_duplicates(
    agency: Agency,
    *,
    id_number: str = "",
    credit_code: str = "",
    applicant_name: str = "",
    exclude_pk: int | None = None,
) -> list[InformationRequest]:
    """Earlier cases of the same applicant in ``agency``, newest first (at most 10).

    Shown to the registrar before registering, so that a repeat application (Art. 36(6)) or a
    double entry is noticed. The applicant is the same when the ID number or the unified social
    credit code matches; only when neither number is given, when the name matches.
    """
    id_number = id_number.strip().upper()
    credit_code = credit_code.strip().upper()
    applicant_name = applicant_name.strip()
    if id_number or credit_code:
        same = Q()
        if id_number:
            same |= Q(id_number=id_number)
        if credit_code:
            same |= Q(credit_code=credit_code)
    elif applicant_name:
        same = Q(applicant_name=applicant_name)
    else:
        return []
    cases = R.objects.filter(same, agency=agency)
    if exclude_pk is not None:
        cases = cases.exclude(pk=exclude_pk)
    return list(
        cases.only(
            "pk",
            "case_number",
            "applicant_name",
            "receipt_date",
            "description",
            "stage",
            "outcome",
        ).order_by("-receipt_date", "-id")[:DUPLICATES_SHOWN]
    )


def case_events(case: InformationRequest) -> QuerySet[AuditEvent]:
    """The audit events of ``case``, oldest first: its timeline."""
    return (
        AuditEvent.objects.filter(object_type=R._meta.label_lower, object_id=str(case.pk))
        .select_related("actor")
        .order_by("at", "id")
    )


def secrecy_review_cases(user) -> QuerySet[InformationRequest]:
    """The proposals to disclose that wait for ``user``'s secrecy review (Art. 17 ¶2): cases of
    their agencies awaiting approval, proposed as disclosed or partly disclosed, whose current
    proposal has no review yet. The secrecy reviewer reviews for their agencies; the office head
    only for an agency that has no secrecy reviewer (``services.secrecy_review_refusal``).

    The queryset is for the secrecy page only, which shows no applicant's data."""
    from requests_app.models import DISCLOSING_OUTCOMES, SecrecyReview

    agencies = agencies_of(user)
    if has_role(user, "secrecy_reviewer"):
        pass
    elif has_role(user, "office_head"):
        with_reviewer = get_user_model().objects.filter(
            agencies=OuterRef("pk"), is_active=True, groups__name="secrecy_reviewer"
        )
        agencies = agencies.exclude(Exists(with_reviewer))
    else:
        return R.objects.none()
    reviewed = SecrecyReview.objects.filter(
        request=OuterRef("pk"), proposal_at=OuterRef("decision__proposed_at")
    )
    return (
        R.objects.filter(
            agency__in=agencies.values("pk"),
            stage=R.Stage.APPROVE,
            decision__outcome__in=DISCLOSING_OUTCOMES,
        )
        .exclude(Exists(reviewed))
        .select_related("agency", "decision")
        .order_by("due_date", "pk")
    )


def pending_notices(user):
    """Notices of the user's agencies still waiting for their service to be recorded (待送达),
    oldest letter first; only open ones (a notice whose wait ended has nothing left to count)."""
    consult_open = Q(notice__in=[NoticeService.Notice.THIRD_PARTY, NoticeService.Notice.AGENCY])
    consult_open &= Q(
        consultation__reply=Consultation.Reply.PENDING,
        request__stage=R.Stage.CONSULT,
    )
    correction_open = Q(notice=NoticeService.Notice.CORRECTION, request__stage=R.Stage.CORRECT)
    fee_open = Q(
        notice=NoticeService.Notice.FEE,
        request__stage=R.Stage.FEE,
        request__fee__status=Fee.Status.PENDING,
    )
    return (
        NoticeService.objects.filter(
            request__agency__in=agencies_of(user).values("pk"), served_on__isnull=True
        )
        .filter(consult_open | correction_open | fee_open)
        .select_related("request", "letter")
        .order_by("issued_on", "id")
    )


def pending_submissions(user) -> QuerySet[OnlineSubmission]:
    """The online applications waiting for ``user``'s confirmation (Art. 31(3)): their agencies'
    pending ones, oldest first; only for registrars, who confirm them."""
    if not has_role(user, "registrar"):
        return OnlineSubmission.objects.none()
    return (
        OnlineSubmission.objects.filter(
            agency_id__in=agency_ids_of(user), status=OnlineSubmission.Status.PENDING
        )
        .select_related("source")
        .order_by("submitted_at", "id")
    )


def visible_submissions(user) -> QuerySet[OnlineSubmission]:
    """The online applications ``user`` may open: their agencies', for registrars only."""
    if not has_role(user, "registrar"):
        return OnlineSubmission.objects.none()
    return OnlineSubmission.objects.filter(agency_id__in=agency_ids_of(user))


# -- what the public side shows: published versions only -----------------------------------------


def published_guide(agency_id: int) -> Guide | None:
    """The agency's guide as last published (never a draft)."""
    return (
        Guide.objects.filter(agency_id=agency_id, status=Guide.Status.PUBLISHED)
        .order_by("-version")
        .first()
    )


def published_reports(agency_id: int) -> QuerySet[AnnualReport]:
    """The agency's published annual reports, newest year first, each year's latest version
    first; without their frozen data (a list reads no snapshot)."""
    return (
        AnnualReport.objects.filter(agency_id=agency_id, status=AnnualReport.Status.PUBLISHED)
        .only("id", "agency_id", "year", "version", "status", "published_at")
        .order_by("-year", "-version")
    )


def published_report(agency_id: int, year: int, version: int) -> AnnualReport | None:
    """One published version of the agency's report for ``year`` (never a draft)."""
    return AnnualReport.objects.filter(
        agency_id=agency_id, year=year, version=version, status=AnnualReport.Status.PUBLISHED
    ).first()
