"""The yearly review of on-request and withheld documents (DOMAIN §4.3).

These services work on thousands of rows at once: set-based queries, bulk inserts and updates,
history and audit rows in bulk, and the same checks as the single-row path."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from attributes_app import permissions, rules
from attributes_app.audit_actions import AuditAction
from attributes_app.deadline_sync import policy_of
from attributes_app.flows import AttributeFlow
from attributes_app.models import (
    AttributeChange,
    AttributeReview,
    Document,
    DocumentRequestLink,
    DraftingUnit,
    Publication,
    ReviewItem,
)
from attributes_app.services._common import CHUNK, S, StaleReview, _chunks
from workflow.actors import Actor
from workflow.audit import audit, audit_bulk, audit_row
from workflow.bulk import insert_rows
from workflow.calendar import get_calendar
from workflow.errors import NotAllowed
from workflow.models import Agency

# -- the yearly review (DOMAIN §4.3) -----------------------------------------------------------


def _applicant_key():
    """One applicant: the ID number, else the credit code, else the name (as registered)."""
    return Coalesce(
        NullIf(F("request__id_number"), Value("")),
        NullIf(F("request__credit_code"), Value("")),
        F("request__applicant_name"),
    )


def review_open(
    *,
    actor: Actor,
    agency: Agency,
    year: int,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> AttributeReview:
    """Open the yearly review of ``agency`` for ``year``: collect every on-request and withheld
    document, flag the signals of DOMAIN §4.3, and send each item to its drafting unit.

    One open review per agency at a time, one per year (both enforced by the database, so two
    legal reviewers opening at once get one review and one clear refusal). ``progress``, when
    given, is called with the number of documents gathered so far, every ``CHUNK`` documents.
    """
    now = timezone.now()
    today = today or timezone.localdate(now)
    permissions.require(actor, "review_open", agency=agency)
    if not 2000 <= year <= today.year:
        raise ValidationError({"year": f"复核年度应在2000年至{today.year}年之间。"})
    if AttributeReview.objects.filter(agency=agency, status=AttributeReview.Status.OPEN).exists():
        raise StaleReview(f"{agency.name}还有尚未结束的年度复核，请先结束后再启动新的复核。")
    if AttributeReview.objects.filter(agency=agency, year=year).exists():
        raise StaleReview(f"{agency.name}{year}年度的复核已经启动过。")
    threshold = agency.review_applicant_threshold
    age_years = agency.review_age_years
    try:
        with transaction.atomic():
            review = AttributeReview.objects.create(
                agency=agency,
                year=year,
                applicant_threshold=threshold,
                age_years=age_years,
                opened_by=actor,
                opened_at=now,
            )
            # A document transferred to the archives is used under the Archives Law; the
            # agency no longer holds it, so its attribute is no longer the agency's to review.
            restricted = Document.objects.filter(
                agency=agency, attribute_state=S.RESTRICTED, archive_transfer__isnull=True
            )
            applicants = dict(
                DocumentRequestLink.objects.filter(
                    document__agency=agency,
                    document__attribute_state=S.RESTRICTED,
                    document__archive_transfer__isnull=True,
                    request__outcome__in=rules.DISCLOSING_OUTCOMES,
                )
                .values("document_id")
                .annotate(n=Count(_applicant_key(), distinct=True))
                .values_list("document_id", "n")
            )
            counts: Counter[str] = Counter()

            def items():
                for row in restricted.values_list(
                    "pk",
                    "drafting_unit_id",
                    "attribute",
                    "attribute_ground",
                    "process_decided_on",
                    "formed_on",
                    "issued_on",
                    "validity",
                ).iterator(chunk_size=CHUNK):
                    pk, unit_id, attribute, ground, decided_on, formed, issued, validity = row
                    counts["gathered"] += 1
                    if progress is not None and counts["gathered"] % CHUNK == 0:
                        progress(counts["gathered"])
                    signals = rules.review_signals(
                        year=year,
                        applicants=applicants.get(pk, 0),
                        applicant_threshold=threshold,
                        ground=ground,
                        process_decided_on=decided_on,
                        formed_on=formed or issued,
                        age_years=age_years,
                        validity=validity,
                    )
                    counts.update(signals.codes())
                    counts["flagged"] += signals.any
                    yield {
                        "review_id": review.pk,
                        "document_id": pk,
                        "drafting_unit_id": unit_id,
                        "attribute": attribute,
                        "applicants": applicants.get(pk, 0),
                        "signal_requests": signals.requests,
                        "signal_process_decided": signals.process_decided,
                        "signal_aged": signals.aged,
                        "signal_invalid": signals.invalid,
                        "flagged": signals.any,
                        "status": ReviewItem.Status.WITH_UNIT,
                    }

            counts["items"] = insert_rows(ReviewItem, items())
            audit(
                actor=actor,
                action=AuditAction.REVIEW_OPENED,
                obj=review,
                agency=agency,
                from_state="",
                to_state=review.status,
                reason=f"纳入复核{counts['items']}件，其中有提示的{counts['flagged']}件",
                data={
                    "items": counts["items"],
                    "signals": {k: n for k, n in counts.items() if k not in ("items", "gathered")},
                },
                at=now,
            )
    except IntegrityError:
        raise StaleReview(
            f"{agency.name}的年度复核刚刚由他人启动，或者还有尚未结束的复核，请刷新页面查看。"
        ) from None
    return review


@dataclass(kw_only=True)
class ReviewProposal:
    """A drafting unit's proposal on a reviewed document: keep, or change to ``attribute``."""

    verdict: str
    reasons: str
    attribute: str = ""
    ground: str = ""
    law: str = ""


@dataclass(kw_only=True)
class ReviewDecision:
    """The legal office's decision on one or many reviewed documents (one shared reason)."""

    verdict: str
    reason_code: str
    reasons: str
    attribute: str = ""
    ground: str = ""
    law: str = ""


@dataclass(frozen=True)
class BulkResult:
    """What a bulk action did: how many items, and how many documents changed attribute."""

    items: int
    changed: int = 0
    publications: int = 0


def _locked_review(review_id: int) -> AttributeReview:
    try:
        review = (
            AttributeReview.objects.select_for_update(of=("self",))
            .select_related("agency")
            .get(pk=review_id)
        )
    except AttributeReview.DoesNotExist:
        raise ValidationError("没有找到这次年度复核。") from None
    return review


def _require_open(review: AttributeReview) -> None:
    if review.status != AttributeReview.Status.OPEN:
        raise StaleReview(f"{review.year}年度复核已经结束，不能再修改。")


def _lock_items(review: AttributeReview, item_ids: Sequence[int]) -> list[dict]:
    """Lock and read the items ``item_ids`` of ``review``; all must exist in it."""
    ids = sorted(set(item_ids))
    if not ids:
        raise ValidationError({"items": "请至少选择一项。"})
    rows: list[dict] = []
    for chunk in _chunks(ids):
        rows.extend(
            ReviewItem.objects.select_for_update(of=("self",))
            .filter(review=review, pk__in=chunk)
            .values(
                "pk",
                "document_id",
                "drafting_unit_id",
                "status",
                "attribute",
                "document__kind",
                "document__title",
            )
        )
    if len(rows) != len(ids):
        raise ValidationError({"items": f"有{len(ids) - len(rows)}项不属于{review.year}年度复核。"})
    return rows


def _examples(rows: list[dict], limit: int = 3) -> str:
    titles = [f"《{row['document__title']}》" for row in rows[:limit]]
    more = f"等{len(rows)}件" if len(rows) > limit else ""
    return "、".join(titles) + more


def review_propose(*, actor: Actor, item_id: int, proposal: ReviewProposal) -> BulkResult:
    """A member of the document's drafting unit proposes keep or change, with reasons."""
    item = ReviewItem.objects.filter(pk=item_id).values("review_id").first()
    if item is None:
        raise ValidationError("没有找到这项复核。")
    return review_propose_bulk(
        actor=actor, review_id=item["review_id"], item_ids=[item_id], proposal=proposal
    )


def review_propose_bulk(
    *, actor: Actor, review_id: int, item_ids: Sequence[int], proposal: ReviewProposal
) -> BulkResult:
    """A drafting unit proposes the same keep/change, with one shared reason, for many items.

    The actor must be a member (or head) of every item's unit. An item may be proposed again
    until it is decided. All or nothing: any item that cannot take the proposal refuses all.
    """
    now = timezone.now()
    with transaction.atomic():
        review = _locked_review(review_id)
        agency = review.agency
        if not permissions.works_for(actor, agency):
            raise NotAllowed(f"您不是{agency.name}的工作人员，不能办理其复核。")
        _require_open(review)
        rows = _lock_items(review, item_ids)
        units = {row["drafting_unit_id"] for row in rows}
        for unit in DraftingUnit.objects.filter(pk__in=units):
            permissions.require(actor, "review_propose", agency=agency, unit=unit)
        done = [r for r in rows if r["status"] not in (ReviewItem.Status.WITH_UNIT, "proposed")]
        if done:
            raise StaleReview(f"{_examples(done)}已经作出决定或已移出复核，不能再提出意见。")
        problems: dict[str, str] = {}
        refused: list[dict] = []
        for row in rows:
            found = rules.review_verdict_problems(
                kind=row["document__kind"],
                current=row["attribute"],
                verdict=proposal.verdict,
                attribute=proposal.attribute,
                reasons=proposal.reasons,
                ground=proposal.ground,
                law=proposal.law,
            )
            if found:
                problems.update(found)
                refused.append(row)
        if problems:
            if len(rows) > 1:
                problems["items"] = f"{_examples(refused)}不能按这一意见处理。"
            raise ValidationError(problems)
        change = proposal.verdict == rules.CHANGE
        non_proactive = change and proposal.attribute in rules.NON_PROACTIVE
        values = {
            "status": ReviewItem.Status.PROPOSED,
            "proposal": proposal.verdict,
            "proposed_attribute": proposal.attribute if change else "",
            "proposal_reasons": proposal.reasons.strip(),
            "proposed_ground": proposal.ground if non_proactive else "",
            "proposed_law": proposal.law.strip() if non_proactive else "",
            "proposed_by": actor,
            "proposed_at": now,
        }
        ids = [row["pk"] for row in rows]
        for chunk in _chunks(ids):
            ReviewItem.objects.filter(pk__in=chunk).update(**values)
        audit_bulk(
            [
                audit_row(
                    actor=actor,
                    action=AuditAction.REVIEW_ITEM_PROPOSED,
                    object_type=ReviewItem._meta.label_lower,
                    object_id=str(row["pk"]),
                    object_repr=f"{review.year}年度复核：《{row['document__title']}》"[:200],
                    agency=agency,
                    from_state=row["status"],
                    to_state=ReviewItem.Status.PROPOSED,
                    reason=proposal.reasons.strip(),
                    data={"verdict": proposal.verdict, "attribute": proposal.attribute},
                    at=now,
                )
                for row in rows
            ]
        )
    return BulkResult(items=len(rows))


def review_decide(*, actor: Actor, item_id: int, decision: ReviewDecision) -> BulkResult:
    """The legal office decides one reviewed document (see ``review_decide_bulk``)."""
    item = ReviewItem.objects.filter(pk=item_id).values("review_id").first()
    if item is None:
        raise ValidationError("没有找到这项复核。")
    return review_decide_bulk(
        actor=actor, review_id=item["review_id"], item_ids=[item_id], decision=decision
    )


def review_decide_bulk(
    *, actor: Actor, review_id: int, item_ids: Sequence[int], decision: ReviewDecision
) -> BulkResult:
    """The legal office decides many reviewed documents at once, with one shared reason.

    Every item must have its unit's proposal and no decision yet; every document to change must
    still be restricted with the attribute it had when the review opened. All or nothing: two
    officers deciding overlapping items at once get one success and one clear refusal.

    A change goes through the state machine's ``review_change`` for each document (history row
    with the review item as its source); a change to proactive creates the publication
    obligation, counted from the decision (Art. 26: "from its change").
    """
    now = timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        review = _locked_review(review_id)
        agency = review.agency
        permissions.require(actor, "review_decide", agency=agency)
        _require_open(review)
        base = rules.review_verdict_problems(
            kind=rules.OTHER_KIND,
            current="",
            verdict=decision.verdict,
            attribute=decision.attribute,
            reason_code=decision.reason_code,
            reasons=decision.reasons,
            ground=decision.ground,
            law=decision.law,
        )
        if base:
            raise ValidationError(base)
        rows = _lock_items(review, item_ids)
        decided = [r for r in rows if r["status"] in ("decided", "withdrawn")]
        if decided:
            raise StaleReview(
                f"{_examples(decided)}已经作出决定或已移出复核（可能已有其他人办理），请刷新页面查看。"
            )
        waiting = [r for r in rows if r["status"] == ReviewItem.Status.WITH_UNIT]
        if waiting:
            raise ValidationError({"items": f"起草单位尚未对{_examples(waiting)}提出意见。"})
        change = decision.verdict == rules.CHANGE
        changed = publications = 0
        if change:
            changed, publications = _apply_review_change(review, rows, decision, actor, now, today)
        non_proactive = change and decision.attribute in rules.NON_PROACTIVE
        values = {
            "status": ReviewItem.Status.DECIDED,
            "decision": decision.verdict,
            "decided_attribute": decision.attribute if change else "",
            "reason_code": decision.reason_code,
            "decision_reason": decision.reasons.strip(),
            "decided_ground": decision.ground if non_proactive else "",
            "decided_law": decision.law.strip() if non_proactive else "",
            "decided_by": actor,
            "decided_at": now,
        }
        ids = [row["pk"] for row in rows]
        for chunk in _chunks(ids):
            ReviewItem.objects.filter(pk__in=chunk).update(**values)
        label = rules.VERDICT_LABELS[decision.verdict]
        audit_bulk(
            [
                audit_row(
                    actor=actor,
                    action=AuditAction.REVIEW_ITEM_DECIDED,
                    object_type=ReviewItem._meta.label_lower,
                    object_id=str(row["pk"]),
                    object_repr=f"{review.year}年度复核：《{row['document__title']}》"[:200],
                    agency=agency,
                    from_state=row["attribute"],
                    to_state=decision.attribute if change else row["attribute"],
                    reason=f"{label}：{decision.reasons.strip()}",
                    data={
                        "verdict": decision.verdict,
                        "reason_code": decision.reason_code,
                        "document_id": row["document_id"],
                    },
                    at=now,
                )
                for row in rows
            ]
        )
    return BulkResult(items=len(rows), changed=changed, publications=publications)


def _apply_review_change(
    review: AttributeReview,
    rows: list[dict],
    decision: ReviewDecision,
    actor: Actor,
    now: datetime,
    today: date,
) -> tuple[int, int]:
    """Change the documents of ``rows`` to ``decision.attribute`` through the state machine."""
    item_of = {row["document_id"]: row["pk"] for row in rows}
    attribute_at_open = {row["document_id"]: row["attribute"] for row in rows}
    documents: list[Document] = []
    for chunk in _chunks(sorted(item_of)):
        documents.extend(
            Document.objects.select_for_update(of=("self",))
            .filter(pk__in=chunk)
            .select_related("catalogue_item")
            .only(
                "pk",
                "agency_id",
                "title",
                "kind",
                "attribute",
                "attribute_state",
                "attribute_reasons",
                "attribute_ground",
                "attribute_law",
                "number",
                "catalogue_item__publication_days",
            )
        )
    moved = [
        d
        for d in documents
        if d.attribute_state != S.RESTRICTED or d.attribute != attribute_at_open[d.pk]
    ]
    if moved:
        raise StaleReview(
            f"{_examples([{'document__title': d.title} for d in moved])}的公开属性在复核期间已经"
            "变化（转为涉密或另行认定），请单独处理。"
        )
    changes: list[dict] = []
    refused: list[dict] = []
    problems: dict[str, str] = {}
    targets = set()
    for document in documents:
        flow = AttributeFlow(document)
        try:
            flow.review_change(
                actor=actor,
                at=now,
                attribute=decision.attribute,
                reasons=decision.reasons,
                ground=decision.ground,
                law=decision.law,
                review_item_id=item_of[document.pk],
            )
        except ValidationError as error:
            problems.update(error.message_dict)
            refused.append({"document__title": document.title})
            continue
        targets.add(document.attribute_state)
        changes.extend(flow.changes)
    if problems:
        if len(documents) > 1:
            problems["items"] = f"{_examples(refused)}不能按这一决定变更。"
        raise ValidationError(problems)
    # One decision gives every document the same attribute, reasons and state: one UPDATE.
    (target_state,) = targets
    first = documents[0]
    for chunk in _chunks([d.pk for d in documents]):
        Document.objects.filter(pk__in=chunk).update(
            attribute=first.attribute,
            attribute_reasons=first.attribute_reasons,
            attribute_ground=first.attribute_ground,
            attribute_law=first.attribute_law,
            attribute_state=target_state,
            updated_at=now,
        )
    insert_rows(AttributeChange, changes)
    by_pk = {d.pk: d for d in documents}
    audit_bulk(
        audit_row(
            actor=actor,
            action=AuditAction.ATTRIBUTE_REVIEW_CHANGE,
            object_type=Document._meta.label_lower,
            object_id=str(change["document_id"]),
            object_repr=str(by_pk[change["document_id"]]),
            agency=review.agency_id,
            from_state=change["from_state"],
            to_state=change["to_state"],
            reason=change["reason"],
            data={
                "from_attribute": change["from_attribute"],
                "to_attribute": change["to_attribute"],
                "source": change["source"],
                "review_item_id": change["review_item_id"],
            },
            at=now,
        )
        for change in changes
    )
    if target_state != S.AWAITING_PUBLICATION:
        return len(documents), 0
    # Art. 26: published within the period "from its change". Every document of the decision
    # starts together, so the deadline differs only by a catalogue item's own time limit.
    policy = policy_of(review.agency)
    calendar = get_calendar(review.agency_id)
    tz = timezone.get_default_timezone()
    deadlines: dict[int | None, rules.Deadline | None] = {}
    publications = []
    for document in documents:
        days = document.catalogue_item.publication_days if document.catalogue_item else None
        if days not in deadlines:
            deadlines[days] = rules.publication_deadline(
                policy,
                calendar=calendar,
                tz=tz,
                start_on=today,
                start_at=now,
                changed=True,
                item_days=days,
            )
        deadline = deadlines[days]
        publications.append(
            {
                "document_id": document.pk,
                "agency_id": review.agency_id,
                "source": Publication.Source.REVIEW,
                "review_item_id": item_of[document.pk],
                "start_on": today,
                "start_at": now,
                "changed": True,
                "due_on": deadline.due_on,
                "due_at": deadline.due_at,
                "at_risk_from": deadline.at_risk_from,
                "provisional": deadline.provisional,
                "explanation": deadline.explanation,
                "interpretation_required": rules.needs_interpretation(document.kind),
                "created_at": now,
            }
        )
    return len(documents), insert_rows(Publication, publications)


def review_close(*, actor: Actor, review_id: int):
    """Close the review once every item is decided; store and return its report data
    (DOMAIN §4.3 step 4: reviewed, kept, changed, by reason and unit; the non-proactive share
    by year; the list of changes)."""
    from attributes_app.selectors import review_report

    now = timezone.now()
    with transaction.atomic():
        review = _locked_review(review_id)
        permissions.require(actor, "review_close", agency=review.agency)
        _require_open(review)
        open_items = review.items.filter(
            status__in=[ReviewItem.Status.WITH_UNIT, ReviewItem.Status.PROPOSED]
        ).count()
        if open_items:
            raise ValidationError(f"还有{open_items}项尚未作出复核决定，不能结束复核。")
        report = review_report(review)
        review.status = AttributeReview.Status.CLOSED
        review.closed_by = actor
        review.closed_at = now
        review.report = report.as_data()
        review.save(update_fields=["status", "closed_by", "closed_at", "report"])
        audit(
            actor=actor,
            action=AuditAction.REVIEW_CLOSED,
            obj=review,
            agency=review.agency,
            from_state=AttributeReview.Status.OPEN,
            to_state=AttributeReview.Status.CLOSED,
            reason=f"复核{report.reviewed}件，维持{report.kept}件，变更{report.changed}件",
            at=now,
        )
    return report
