"""Reads of the document register: the one place that decides who sees which document
(STYLE.md), the lists the pages need, and the yearly review's report data."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from attributes_app import permissions, rules
from attributes_app.audit_actions import AuditAction
from attributes_app.flows import TRANSITION_ACTIONS, AttributeFlow
from attributes_app.models import (
    ArchiveTransfer,
    AttributeChange,
    AttributeReview,
    AttributeState,
    Document,
    DocumentRequestLink,
    DraftingUnit,
    Publication,
    ReviewItem,
    SecrecyReview,
)
from requests_app import permissions as request_permissions
from requests_app.letter_contexts import ArchivedDocument
from requests_app.models import InformationRequest
from workflow.cn import cn_date
from workflow.models import Agency, AuditEvent
from workflow.roles import has_role
from workflow.selectors import agencies_of

S = AttributeState


def _agency_ids(user) -> list[int]:
    return list(agencies_of(user).values_list("pk", flat=True))


def visible_documents(user) -> QuerySet[Document]:
    """The documents ``user`` may see: those of the agencies they work for (DOMAIN §1)."""
    return Document.objects.filter(agency_id__in=_agency_ids(user))


def document_list(user, filters: dict[str, Any] | None = None) -> QuerySet[Document]:
    """The register for ``user``, newest formation first; ``filters`` holds cleaned values
    (agency, drafting_unit, kind, attribute, state, validity, q); empty values do not filter."""
    filters = filters or {}
    documents = visible_documents(user).select_related("agency", "drafting_unit")
    for key, lookup in (
        ("agency", "agency"),
        ("drafting_unit", "drafting_unit"),
        ("kind", "kind"),
        ("attribute", "attribute"),
        ("state", "attribute_state"),
        ("validity", "validity"),
    ):
        if value := filters.get(key):
            documents = documents.filter(**{lookup: value})
    if q := (filters.get("q") or "").strip():
        documents = documents.filter(
            Q(title__icontains=q) | Q(number__icontains=q) | Q(index_number__icontains=q)
        )
    return documents.order_by("-formed_on", "-id")


def _in_error() -> Q:
    """``rules.in_error`` as a filter, for the list."""
    return Q(
        issued_on__isnull=False,
        secrecy=rules.SECRECY_UNDETERMINED,
        attribute_state=rules.UNDETERMINED,
        archive_transfer__isnull=True,
    )


def is_in_error(document: Document) -> bool:
    """``document`` is in error (``rules.in_error``): its page says so."""
    return rules.in_error(
        issued=document.is_issued,
        secrecy=document.secrecy,
        state=document.attribute_state,
        archived=document.archived is not None,
    )


def documents_in_error(user) -> QuerySet[Document]:
    """The documents ``user`` sees that are in error (``rules.in_error``), oldest issued first."""
    return (
        visible_documents(user)
        .filter(_in_error())
        .select_related("agency", "drafting_unit")
        .order_by("issued_on", "id")
    )


def documents_without_attribute(user) -> QuerySet[Document]:
    """Issued documents without an attribute, waiting for a determination (DOMAIN §4.4)."""
    return (
        visible_documents(user)
        .filter(issued_on__isnull=False, attribute_state=S.UNDETERMINED)
        .select_related("agency", "drafting_unit")
        .order_by("issued_on", "id")
    )


def _flags(prefix: str, now: datetime, today: date) -> dict[str, Case]:
    due_at, risk = f"{prefix}due_at", f"{prefix}at_risk_from"
    return {
        "is_overdue": Case(
            When(Q(**{f"{due_at}__lte": now}), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        "is_at_risk": Case(
            When(Q(**{f"{due_at}__gt": now, f"{risk}__lte": today}), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    }


def publication_tasks(
    user, *, now: datetime | None = None, only: str | None = None
) -> QuerySet[Publication]:
    """Proactive documents not yet published, soonest deadline first, each annotated with
    ``is_overdue`` and ``is_at_risk`` against ``now`` (the office's dashboard, DOMAIN §4.2).

    ``only``: "overdue" or "at_risk" to keep those. A deadline still unknown (hours rule, not
    issued yet) comes last. ``withdrawal_reason``: the history row of the last takedown of a
    document published before and awaiting publication again ("" when none).
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    tasks = (
        Publication.objects.filter(
            agency_id__in=_agency_ids(user), published_on__isnull=True, withdrawn_on__isnull=True
        )
        .select_related("document", "document__drafting_unit", "agency")
        .annotate(**_flags("", now, today), withdrawal_reason=_last_withdrawal_reason())
    )
    if only == "overdue":
        tasks = tasks.filter(is_overdue=True)
    elif only == "at_risk":
        tasks = tasks.filter(is_at_risk=True)
    return tasks.order_by(F("due_at").asc(nulls_last=True), "id")


def publication_list(
    user,
    *,
    now: datetime | None = None,
    published: bool | None = None,
    overdue: bool | None = None,
    due_before: date | None = None,
) -> QuerySet[Publication]:
    """The publications of proactive documents of ``user``'s agencies, for the website's CMS.

    By default (``published`` not True) the work list of ``publication_tasks``: not published
    yet, soonest deadline first, with ``is_overdue``/``is_at_risk``; ``overdue`` keeps (or
    leaves out) the overdue ones. ``published=True``: the published ones, latest first, where
    ``overdue`` means published late. ``due_before``: a deadline on or before that day. Documents
    turned classified are in neither. Each row has ``withdrawal_reason``, the history row of its
    last takedown ("" when none).
    """
    now = now or timezone.now()
    if published:
        today = timezone.localtime(now).date()
        rows = (
            Publication.objects.filter(
                agency_id__in=_agency_ids(user),
                published_on__isnull=False,
                withdrawn_on__isnull=True,
            )
            .select_related("document", "document__drafting_unit", "agency")
            .annotate(**_flags("", now, today), withdrawal_reason=_last_withdrawal_reason())
            .order_by("-published_on", "-id")
        )
        if overdue is not None:
            rows = rows.filter(published_late=overdue)
    else:
        rows = publication_tasks(user, now=now)
        if overdue is not None:
            rows = rows.filter(is_overdue=overdue)
    if due_before is not None:
        rows = rows.filter(due_on__lte=due_before)
    return rows


def _last_withdrawal_reason() -> Subquery:
    withdrawals = AttributeChange.objects.filter(
        document_id=OuterRef("document_id"),
        from_state=S.PUBLISHED,
        to_state=S.AWAITING_PUBLICATION,
    ).order_by("-at", "-id")
    return Coalesce(Subquery(withdrawals.values("reason")[:1]), Value(""), output_field=TextField())


@dataclass(frozen=True)
class Withdrawal:
    """One takedown of a published document's page, with the publication it ended."""

    withdrawn_on: date
    reason: str
    recorded_at: datetime
    url: str
    channel: str
    published_on: date | None
    published_late: bool

    @property
    def channel_label(self) -> str:
        return Publication.Channel(self.channel).label if self.channel else ""


def publication_withdrawals(document: Document) -> list[Withdrawal]:
    """Every takedown of ``document``'s published page, oldest first (from the audit log, which
    keeps the earlier publication's address, channel and date)."""
    events = AuditEvent.objects.filter(
        object_type=Document._meta.label_lower,
        object_id=str(document.pk),
        action=AuditAction.ATTRIBUTE_WITHDRAW,
    ).order_by("at", "id")
    result = []
    for event in events:
        data = event.data or {}
        previous = data.get("previous") or {}
        published_on = previous.get("published_on")
        result.append(
            Withdrawal(
                withdrawn_on=date.fromisoformat(data["withdrawn_on"]),
                reason=data.get("withdrawal_reason", event.reason),
                recorded_at=event.at,
                url=previous.get("url", ""),
                channel=previous.get("channel", ""),
                published_on=date.fromisoformat(published_on) if published_on else None,
                published_late=bool(previous.get("published_late")),
            )
        )
    return result


def last_withdrawal(document: Document) -> Withdrawal | None:
    withdrawals = publication_withdrawals(document)
    return withdrawals[-1] if withdrawals else None


def republication_note(
    publication: Publication, withdrawal: Withdrawal | None, *, now: datetime | None = None
) -> str:
    """What the last takedown means for the deadline ("" when there is none to tell): it is not
    counted again; already passed, the document is overdue and its re-publication late."""
    if withdrawal is None or publication.withdrawn_on is not None:
        return ""
    now = now or timezone.now()
    if publication.published_on is not None:
        if publication.published_on < withdrawal.withdrawn_on:
            return ""
        overdue = publication.published_late
    else:
        overdue = publication.due_at is not None and now >= publication.due_at
    return rules.republication_note(
        withdrawn_on=withdrawal.withdrawn_on,
        due_on=publication.due_on,
        overdue=overdue,
        republished_on=publication.published_on,
        late=publication.published_late,
    )


def publication_explanation(
    publication: Publication, *, now: datetime | None = None, withdrawal: Withdrawal | None = None
) -> str:
    """The deadline's explanation, followed by what the last takedown means for it."""
    text = publication.explanation
    note = republication_note(publication, withdrawal, now=now)
    if not note:
        return text
    return f"{text}。{note}" if text else note


def interpretation_tasks(user, *, now: datetime | None = None) -> QuerySet[Publication]:
    """Published policy documents whose interpretation is not published yet, with flags."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    return (
        Publication.objects.filter(
            agency_id__in=_agency_ids(user),
            interpretation_required=True,
            published_on__isnull=False,
            interpretation_published_on__isnull=True,
        )
        .select_related("document", "document__drafting_unit", "agency")
        .annotate(**_flags("interpretation_", now, today))
        .order_by("interpretation_due_at", "id")
    )


def publication_flags(publication: Publication, *, now: datetime | None = None):
    """At risk / overdue of one publication, for a document page (``rules.DeadlineFlags``)."""
    now = now or timezone.now()
    if publication.published_on is not None or publication.withdrawn_on is not None:
        return rules.DeadlineFlags(at_risk=False, overdue=False)
    return rules.deadline_flags(
        due_at=publication.due_at,
        at_risk_from=publication.at_risk_from,
        now=now,
        today=timezone.localtime(now).date(),
    )


def awaiting_action(user) -> dict[str, QuerySet[Document]]:
    """What waits for ``user`` by role: drafts to propose (their units), proposals to confirm
    (units they head), policy documents for the disclosure office, confirmed documents awaiting
    a secrecy review before publication."""
    documents = visible_documents(user).select_related("drafting_unit")
    result: dict[str, QuerySet[Document]] = {}
    if has_role(user, "drafter"):
        result["to_propose"] = documents.filter(
            attribute_state=S.UNDETERMINED,
            issued_on__isnull=True,
            drafting_unit__in=DraftingUnit.objects.filter(Q(members=user) | Q(heads=user)),
        ).distinct()
    if has_role(user, "drafting_unit_head"):
        result["to_confirm"] = documents.filter(
            attribute_state=S.PROPOSED, drafting_unit__heads=user
        )
    if has_role(user, "office_head"):
        result["office_review"] = documents.filter(attribute_state=S.OFFICE_REVIEW)
    if has_role(user, "secrecy_reviewer"):
        cleared = SecrecyReview.objects.filter(conclusion=SecrecyReview.Conclusion.CLEARED)
        result["secrecy_review"] = documents.filter(attribute_state=S.AWAITING_PUBLICATION).exclude(
            pk__in=cleared.values("document_id")
        )
    return result


def available_transitions(user, document: Document) -> list[tuple[str, str]]:
    """The attribute transitions ``user`` may start on ``document`` now: (name, label) pairs,
    for the buttons of a document page. Conditions are not checked (the page shows why)."""
    flow = AttributeFlow(document)
    result = []
    for name in TRANSITION_ACTIONS:
        if name == "review_change":
            continue  # only through a yearly-review decision
        method = getattr(flow, name)
        if method.can_proceed(check_conditions=False) and method.has_perm(user):
            result.append((name, method.label))
    return result


def proposal_defaults(document: Document) -> dict[str, Any]:
    """The initial values of a proposal form: the catalogue item's default attribute (DOMAIN
    §5), then what a returned proposal had."""
    attribute = document.attribute
    if not attribute and document.catalogue_item_id:
        attribute = document.catalogue_item.default_attribute
    return {
        "attribute": attribute,
        "reasons": document.attribute_reasons,
        "ground": document.attribute_ground,
        "law": document.attribute_law,
    }


def latest_secrecy_review(document: Document) -> SecrecyReview | None:
    return document.secrecy_reviews.order_by("-reviewed_on", "-id").first()


def attribute_history(document: Document) -> QuerySet[AttributeChange]:
    """Every change of the document's attribute and state, oldest first."""
    return document.attribute_changes.select_related(
        "actor", "review_item__review", "determination__letter"
    ).order_by("at", "id")


def document_events(document: Document) -> QuerySet[AuditEvent]:
    """The audit events of ``document``, oldest first: its timeline."""
    return (
        AuditEvent.objects.filter(
            object_type=Document._meta.label_lower, object_id=str(document.pk)
        )
        .select_related("actor")
        .order_by("at", "id")
    )


def documents_of_request(request) -> QuerySet[Document]:
    """The documents an information request concerns."""
    return Document.objects.filter(request_links__request=request, agency_id=request.agency_id)


def can(user, action: str, document: Document) -> bool:
    """Whether ``user`` may do ``action`` (``permissions.ACTIONS``) on ``document``."""
    return permissions.can(user, action, agency=document.agency, unit=document.drafting_unit)


# -- the yearly review -------------------------------------------------------------------------


def visible_reviews(user) -> QuerySet[AttributeReview]:
    return AttributeReview.objects.filter(agency_id__in=_agency_ids(user)).select_related("agency")


def review_items(user, review: AttributeReview, filters: dict[str, Any] | None = None):
    """The items of ``review`` that ``user`` sees: all of them for the legal office and the
    disclosure office, those of their own units for a drafting unit's members.

    ``filters``: status, drafting_unit, flagged (bool), signal ("requests", "process_decided",
    "aged", "invalid")."""
    filters = filters or {}
    if review.agency_id not in _agency_ids(user):
        return ReviewItem.objects.none()
    items = review.items.select_related("document", "drafting_unit")
    if not (has_role(user, "legal_reviewer") or has_role(user, "office_head")):
        units = DraftingUnit.objects.filter(Q(members=user) | Q(heads=user), agency=review.agency)
        items = items.filter(drafting_unit__in=units.values("pk"))
    if status := filters.get("status"):
        items = items.filter(status=status)
    if unit := filters.get("drafting_unit"):
        items = items.filter(drafting_unit=unit)
    if filters.get("flagged"):
        items = items.filter(flagged=True)
    if signal := filters.get("signal"):
        items = items.filter(**{f"signal_{signal}": True})
    return items.order_by("drafting_unit__name", "document__formed_on", "pk")


@dataclass(frozen=True)
class ReasonRow:
    code: str
    label: str
    kept: int
    changed: int


@dataclass(frozen=True)
class UnitRow:
    unit: str
    reviewed: int
    kept: int
    changed: int
    withdrawn: int


@dataclass(frozen=True)
class ShareYear:
    year: int
    total: int
    non_proactive: int
    share: float | None

    @property
    def percent(self) -> float | None:
        """The share in per cent, to one decimal, as the page shows it."""
        return None if self.share is None else round(self.share * 100, 1)


@dataclass(frozen=True)
class ChangeRow:
    document_id: int
    title: str
    number: str
    unit: str
    from_attribute: str
    to_attribute: str
    reason_code: str
    reason: str
    decided_on: str


@dataclass(frozen=True)
class ReviewReport:
    """The report data of a yearly review (DOMAIN §4.3 step 4), plain values only; the letter and
    the pages are built on it."""

    agency: str
    year: int
    total: int
    reviewed: int
    kept: int
    changed: int
    withdrawn: int
    undecided: int
    flagged: int
    signals: dict[str, int]
    changed_to: dict[str, int]
    by_reason: list[ReasonRow] = field(default_factory=list)
    by_unit: list[UnitRow] = field(default_factory=list)
    share_by_year: list[ShareYear] = field(default_factory=list)
    changes: list[ChangeRow] = field(default_factory=list)

    def as_data(self) -> dict[str, Any]:
        """JSON-ready (stored on the review when it closes)."""
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> ReviewReport:
        """The report stored when the review closed (``as_data``), as it was then; a figure a
        report stored by an earlier version lacks reads as none."""
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {k: v for k, v in data.items() if k in known}
        for name in ("signals", "changed_to"):
            values[name] = values.get(name) or {}
        for name, row_type in _REPORT_ROWS.items():
            columns = {f.name for f in fields(row_type)}
            values[name] = [
                row_type(**{k: v for k, v in row.items() if k in columns})
                for row in values.get(name) or []
            ]
        for name, spec in known.items():
            if name not in values:
                values[name] = "" if spec.type == "str" else 0
        return cls(**values)


_REPORT_ROWS: dict[str, type] = {
    "by_reason": ReasonRow,
    "by_unit": UnitRow,
    "share_by_year": ShareYear,
    "changes": ChangeRow,
}


def report_of(review: AttributeReview) -> ReviewReport:
    """The report of ``review`` for the page, the letter and the list of changes: as stored when
    it closed, or, while it is open, as it stands now."""
    if review.status == AttributeReview.Status.CLOSED and review.report:
        return ReviewReport.from_data(review.report)
    return review_report(review)


def non_proactive_share(agency: Agency, *, up_to_year: int) -> list[ShareYear]:
    """By formation year: documents with a confirmed attribute, how many are on-request or
    withheld now, and their share (Xiaoyi task 3: shrink it year by year)."""
    rows = (
        Document.objects.filter(
            agency=agency,
            attribute_state__in=sorted(rules.CONFIRMED_STATES),
            formed_on__isnull=False,
            formed_on__year__lte=up_to_year,
        )
        .annotate(year=ExtractYear("formed_on"))
        .values("year")
        .annotate(
            total=Count("pk"),
            non_proactive=Count("pk", filter=Q(attribute__in=sorted(rules.NON_PROACTIVE))),
        )
        .values_list("year", "total", "non_proactive")
    )
    return [
        ShareYear(row.year, row.total, row.non_proactive, row.share)
        for row in rules.share_rows({year: (total, non) for year, total, non in rows})
    ]


def review_report(review: AttributeReview) -> ReviewReport:
    """The figures of ``review``: counts, by reason and unit, the share by year, the changes."""
    items = review.items.all()
    status = dict(items.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    decided = items.filter(status=ReviewItem.Status.DECIDED)
    verdicts = dict(decided.values("decision").annotate(n=Count("pk")).values_list("decision", "n"))
    reasons: dict[str, dict[str, int]] = {}
    for code, verdict, n in (
        decided.values("reason_code", "decision")
        .annotate(n=Count("pk"))
        .values_list("reason_code", "decision", "n")
    ):
        reasons.setdefault(code, {})[verdict] = n
    units: dict[str, dict[str, int]] = {}
    for unit, item_status, verdict, n in (
        items.values("drafting_unit__name", "status", "decision")
        .annotate(n=Count("pk"))
        .values_list("drafting_unit__name", "status", "decision", "n")
    ):
        row = units.setdefault(unit, {"reviewed": 0, "keep": 0, "change": 0, "withdrawn": 0})
        if item_status == ReviewItem.Status.DECIDED:
            row["reviewed"] += n
            row[verdict] += n
        elif item_status == ReviewItem.Status.WITHDRAWN:
            row["withdrawn"] += n
    signal_counts = items.aggregate(
        requests=Count("pk", filter=Q(signal_requests=True)),
        process_decided=Count("pk", filter=Q(signal_process_decided=True)),
        aged=Count("pk", filter=Q(signal_aged=True)),
        invalid=Count("pk", filter=Q(signal_invalid=True)),
        flagged=Count("pk", filter=Q(flagged=True)),
    )
    flagged = signal_counts.pop("flagged")
    changed = decided.filter(decision=rules.CHANGE)
    changed_to = dict(
        changed.values("decided_attribute")
        .annotate(n=Count("pk"))
        .values_list("decided_attribute", "n")
    )
    changes = [
        ChangeRow(
            document_id=doc_id,
            title=title,
            number=number,
            unit=unit,
            from_attribute=before,
            to_attribute=after,
            reason_code=code,
            reason=reason,
            decided_on=timezone.localtime(at).date().isoformat(),
        )
        for doc_id, title, number, unit, before, after, code, reason, at in changed.order_by(
            "drafting_unit__name", "document__formed_on", "pk"
        ).values_list(
            "document_id",
            "document__title",
            "document__number",
            "drafting_unit__name",
            "attribute",
            "decided_attribute",
            "reason_code",
            "decision_reason",
            "decided_at",
        )
    ]
    return ReviewReport(
        agency=review.agency.name,
        year=review.year,
        total=sum(status.values()),
        reviewed=status.get(ReviewItem.Status.DECIDED, 0),
        kept=verdicts.get(rules.KEEP, 0),
        changed=verdicts.get(rules.CHANGE, 0),
        withdrawn=status.get(ReviewItem.Status.WITHDRAWN, 0),
        undecided=status.get(ReviewItem.Status.WITH_UNIT, 0)
        + status.get(ReviewItem.Status.PROPOSED, 0),
        flagged=flagged,
        signals=signal_counts,
        changed_to=changed_to,
        by_reason=[
            ReasonRow(
                code,
                rules.REVIEW_REASONS[code],
                reasons[code].get(rules.KEEP, 0),
                reasons[code].get(rules.CHANGE, 0),
            )
            for code in rules.REVIEW_REASONS
            if code in reasons
        ],
        by_unit=[
            UnitRow(name, row["reviewed"], row["keep"], row["change"], row["withdrawn"])
            for name, row in sorted(units.items())
        ],
        share_by_year=non_proactive_share(review.agency, up_to_year=review.year),
        changes=changes,
    )


# -- determinations that requests wait for (DOMAIN §4.4) ----------------------------------------


def open_requests() -> QuerySet[InformationRequest]:
    """Requests still being handled: no outcome yet and not closed."""
    R = InformationRequest
    return R.objects.filter(outcome="").exclude(stage=R.Stage.CLOSED)


def _waiting_links():
    return DocumentRequestLink.objects.filter(
        document=OuterRef("pk"), request__in=open_requests().values("pk")
    )


def determinations_waiting(user) -> QuerySet[Document]:
    """Issued documents without attribute, not transferred to the archives, that an open request
    names: the drafting units' determinations to make, oldest request first.

    A unit head sees those of the units they head; the disclosure office (``office_head``) sees
    all of its agencies', to follow them up. Each row is annotated with ``waiting_since`` (when
    the first open request named it).
    """
    documents = visible_documents(user).filter(
        attribute_state=rules.UNDETERMINED,
        issued_on__isnull=False,
        archive_transfer__isnull=True,
    )
    if not has_role(user, "office_head"):
        if not has_role(user, "drafting_unit_head"):
            return documents.none()
        documents = documents.filter(
            drafting_unit__in=DraftingUnit.objects.filter(heads=user).values("pk")
        )
    first = _waiting_links().values("document").annotate(first=Min("created_at")).values("first")
    return (
        documents.filter(Exists(_waiting_links()))
        .annotate(waiting_since=Subquery(first))
        .select_related("drafting_unit", "agency")
        .order_by("waiting_since", "pk")
    )


def waiting_requests(document: Document) -> QuerySet[InformationRequest]:
    """The open requests that name ``document``, in the order they named it."""
    return (
        open_requests()
        .filter(document_links__document=document, agency_id=document.agency_id)
        .annotate(named_at=Min("document_links__created_at"))
        .order_by("named_at", "pk")
    )


# -- the documents of the register a request names (DOMAIN §4.3, §4.4) -------------------------
#
# Read by the case page, the accept and propose tasks, and the request services through the
# hooks of ``requests_app.extensions`` (the reply's Archives Law paragraph, the block on proposing
# while a determination is due: ``attributes_app.case_extension``). Naming and unnaming are
# ``attributes_app.services.naming``.

#: While the case is examined and before a decision is proposed, the handler may change the
#: documents it names (after a return from approval the case is at ``propose`` again).
_Stage = InformationRequest.Stage
NAMING_STAGES = (_Stage.ACCEPT, _Stage.CORRECT, _Stage.CONSULT, _Stage.PROPOSE, _Stage.FEE)
#: Who names them: the roles of the permission table's ``name_document`` step.
NAMING_ROLES = request_permissions.STEPS["name_document"].roles
PICKER_LIMIT = 20


@dataclass(frozen=True)
class NamedDocument:
    """One document a case names, as the case page shows it."""

    document: Document
    link: DocumentRequestLink
    archive: ArchiveTransfer | None

    @property
    def waiting(self) -> bool:
        """A determination by the drafting unit is still due (DOMAIN §4.4)."""
        return needs_determination(self.document, self.archive)

    @property
    def exportable(self) -> bool:
        """Its final text can be given out with its attribute mark (``exports.marked_text``)."""
        return bool(self.document.file) and self.document.attribute_state in rules.CONFIRMED_STATES

    @property
    def attribute_label(self) -> str:
        return rules.ATTRIBUTE_LABELS.get(self.document.attribute, "")

    @property
    def state_label(self) -> str:
        document = self.document
        if self.archive is not None:
            return f"已于{cn_date(self.archive.transferred_on)}移交{self.archive.archive_name}"
        if not document.is_issued and document.attribute_state != rules.CLASSIFIED:
            return "文稿，尚未印发"
        if self.waiting:
            return f"未确定公开属性，待{document.drafting_unit.name}认定"
        return document.get_attribute_state_display()


def needs_determination(document: Document, archive: ArchiveTransfer | None = None) -> bool:
    """An issued document without attribute, still held by the agency, needs a determination.

    Drafts get theirs when approved (签发); transferred documents are used under the Archives
    Law; classified ones left the system.
    """
    return document.attribute_state == rules.UNDETERMINED and document.is_issued and archive is None


def named_documents(case: InformationRequest) -> list[NamedDocument]:
    """The documents ``case`` names, in the order they were named."""
    links = (
        DocumentRequestLink.objects.filter(request=case, document__agency_id=case.agency_id)
        .select_related(
            "document", "document__drafting_unit", "document__archive_transfer", "created_by"
        )
        .order_by("created_at", "pk")
    )
    return [NamedDocument(link.document, link, link.document.archived) for link in links]


def pending_determinations(case: InformationRequest) -> list[Document]:
    """The named documents whose determination is still due."""
    return [named.document for named in named_documents(case) if named.waiting]


def determination_block(
    case: InformationRequest, named: list[NamedDocument] | None = None
) -> str | None:
    """Why ``case`` cannot be proposed yet (determinations due), or None. ``named``: the case's
    ``named_documents`` when the caller has read them already."""
    if named is None:
        pending = pending_determinations(case)
    else:
        pending = [n.document for n in named if n.waiting]
    if not pending:
        return None
    names = "、".join(f"《{d.title}》（{d.drafting_unit.name}）" for d in pending)
    return (
        f"申请涉及的{names}未确定公开属性，须由起草单位以公函认定公开属性后，才能提出办理意见。"
        "认定期间答复期限照常计算（《条例》未规定认定期间暂停计时），请督促起草单位及时认定。"
    )


def archived_for_letter(case: InformationRequest) -> list[ArchivedDocument]:
    """The named documents transferred to the archives, for the reply's Archives Law paragraph."""
    return [
        ArchivedDocument(
            title=named.document.title,
            number=named.document.number,
            transferred_on=named.archive.transferred_on,
            archive_name=named.archive.archive_name,
        )
        for named in named_documents(case)
        if named.archive is not None
    ]


def register_matches(case: InformationRequest, q: str) -> QuerySet[Document]:
    """Documents of the case's agency matching ``q`` (title or number) that the case does not
    name yet: issued ones, or classified ones (a request may concern a state secret)."""
    q = (q or "").strip()
    if not q:
        return Document.objects.none()
    return (
        Document.objects.filter(agency_id=case.agency_id)
        .filter(Q(issued_on__isnull=False) | Q(attribute_state=rules.CLASSIFIED))
        .filter(Q(title__icontains=q) | Q(number__icontains=q))
        .exclude(request_links__request=case)
        .select_related("drafting_unit")
        .order_by("-issued_on", "-id")[:PICKER_LIMIT]
    )


def may_name(user, case: InformationRequest) -> bool:
    """Whether the page offers ``user`` to change the documents ``case`` names (services
    re-check)."""
    return case.stage in NAMING_STAGES and any(has_role(user, role) for role in NAMING_ROLES)
