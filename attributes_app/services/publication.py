"""From issuance to publication (DOMAIN §4.1, §4.2): issuing (or refusing to), the secrecy
review, publication and the policy interpretation; a document turning classified, its validity,
and the decision a process-information document prepared."""

from __future__ import annotations

from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from attributes_app import permissions, rules
from attributes_app.audit_actions import AuditAction
from attributes_app.deadline_sync import (
    apply_due,
    apply_interpretation,
    interpretation_due,
    publication_due,
)
from attributes_app.models import (
    HAS_NUMBER,
    Document,
    Publication,
    ReviewItem,
    SecrecyReview,
)
from attributes_app.selectors import last_withdrawal
from attributes_app.services._common import (
    IssueRefused,
    S,
    StaleDocument,
    _audit,
    _locked,
    _not_in_future,
    _title,
    _transition,
)
from attributes_app.services.index_numbers import assign_index_number
from attributes_app.services.register import _validity_problems, interpretation_missing
from workflow import text_input as limits
from workflow.actors import Actor
from workflow.audit import audit
from workflow.cn import cn_date


def issue_refusal_of(document: Document) -> str | None:
    """Why ``document`` may not be issued now (不予发文), or None: its attribute first, then its
    final text and its secrecy status. The page asks the same, so it offers no form to refuse."""
    return rules.document_issue_refusal(
        document, interpretation_missing=interpretation_missing(document)
    ) or rules.issue_prerequisites_refusal(has_text=bool(document.file), secrecy=document.secrecy)


def document_issue(
    *,
    actor: Actor,
    document_id: int,
    issued_on: date | None = None,
    number: str | None = None,
    today: date | None = None,
) -> Document:
    """Record that the document was issued (印发), or refuse (不予发文, DOMAIN §4.1).

    Refused when the attribute is not proposed, not confirmed, still with the disclosure office,
    or non-proactive without reasons and legal ground; and when the final text is not uploaded
    or the secrecy status not decided. A refusal is itself recorded in the audit
    log (Xiaoyi: every case of a document without secrecy status or attribute is reported).
    An hours-rule publication deadline starts now (or, recorded for an earlier day, at the start
    of that day, which never gives more time).
    """
    now = timezone.now()
    today = today or timezone.localdate(now)
    issued_on = issued_on or today
    _not_in_future(issued_on, today, "issued_on", "印发日期")
    refusal = None
    with transaction.atomic():
        document = _locked(document_id)
        permissions.require(actor, "issue", agency=document.agency, unit=document.drafting_unit)
        if document.is_issued:
            raise StaleDocument(f"{_title(document)}已于{cn_date(document.issued_on)}登记印发。")
        refusal = issue_refusal_of(document)
        if refusal is None:
            if document.formed_on and issued_on < document.formed_on:
                raise ValidationError(
                    {"issued_on": f"印发日期不能早于成文日期（{cn_date(document.formed_on)}）。"}
                )
            if number is not None and number.strip():
                number = number.strip()
                taken = Document.objects.filter(
                    HAS_NUMBER, agency=document.agency, number=number
                ).exclude(pk=document.pk)
                if taken.exists():
                    raise ValidationError({"number": f"本机关已有文号为“{number}”的文件。"})
                document.number = number
            document.issued_on = issued_on
            document.issued_at = (
                now
                if issued_on == today
                else timezone.make_aware(datetime.combine(issued_on, time(0)))
            )
            document.issued_by = actor
            document.save()
            publication = Publication.objects.select_for_update().filter(document=document).first()
            if publication is not None and publication.published_on is None:
                publication.start_at = document.issued_at
                apply_due(
                    publication,
                    publication_due(publication, document=document, agency=document.agency),
                )
                publication.save()
            _audit(
                actor,
                AuditAction.DOCUMENT_ISSUED,
                document,
                reason=f"{cn_date(issued_on)}印发，{document.mark}",
                data={"number": document.number},
            )
            return document
    # After the transaction: the refusal is recorded although nothing changed.
    audit(
        actor=actor,
        action=AuditAction.DOCUMENT_ISSUE_REFUSED,
        obj=document,
        agency=document.agency,
        from_state=document.attribute_state,
        to_state=document.attribute_state,
        reason=refusal,
    )
    raise IssueRefused(refusal)


# -- secrecy review and publication (DOMAIN §4.1, §4.2) ----------------------------------------


def secrecy_review_record(
    *,
    actor: Actor,
    document_id: int,
    conclusion: str,
    opinion: str,
    reviewed_on: date | None = None,
    today: date | None = None,
) -> SecrecyReview:
    """Record a secrecy review (保密审查) with its opinion; required before publication."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    reviewed_on = reviewed_on or today
    _not_in_future(reviewed_on, today, "reviewed_on", "审查日期")
    if conclusion not in SecrecyReview.Conclusion.values:
        raise ValidationError({"conclusion": "请选择审查结论。"})
    if not opinion.strip():
        raise ValidationError({"opinion": "请写明保密审查意见。"})
    with transaction.atomic():
        document = _locked(document_id)
        permissions.require(actor, "secrecy_review", agency=document.agency)
        if document.attribute_state in (S.CLASSIFIED, S.PUBLISHED):
            raise StaleDocument(
                f"{_title(document)}{document.get_attribute_state_display()}，不需要保密审查。"
            )
        review = SecrecyReview.objects.create(
            document=document,
            reviewer=actor,
            reviewed_on=reviewed_on,
            conclusion=conclusion,
            opinion=opinion.strip(),
            recorded_at=now,
        )
        if (
            conclusion == SecrecyReview.Conclusion.CLEARED
            and document.secrecy == Document.Secrecy.UNDETERMINED
        ):
            document.secrecy = Document.Secrecy.NON_SECRET
            document.save(update_fields=["secrecy", "updated_at"])
        _audit(
            actor,
            AuditAction.SECRECY_REVIEWED,
            document,
            reason=f"{review.get_conclusion_display()}：{review.opinion}",
        )
    return review


#: Characters a URL never holds unencoded (RFC 3986): markup or quotes in an address are an
#: attack on the pages that link to it, not a web page's address.
_NOT_IN_URL = set("<>\"'`{}|\\^") | {chr(c) for c in range(0x20)} | {"\x7f"}


def _url_problem(url: str, what: str = "公开页面") -> str | None:
    url = url.strip()
    if len(url) > limits.URL:
        return limits.too_long(f"{what}的网址", limits.URL, len(url))
    if _NOT_IN_URL & set(url) or any(ch.isspace() for ch in url):
        return f"{what}的网址中有不允许的字符（空格、引号、尖括号或控制字符），请核对。"
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return f"请填写{what}的完整网址，以 http:// 或 https:// 开头。"
    return None


def _validate_publication(url: str, channel: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    problem = _url_problem(url)
    if problem:
        errors["url"] = problem
    if channel not in Publication.Channel.values:
        errors["channel"] = "请选择公开渠道。"
    return errors


def document_publish(
    *,
    actor: Actor,
    document_id: int,
    url: str,
    channel: str = Publication.Channel.PORTAL,
    published_on: date | None = None,
    today: date | None = None,
) -> Publication:
    """Record that a proactive document was published: where (URL, channel) and when.

    Requires issuance and a secrecy review that cleared the document. A policy document's
    interpretation deadline then starts (DOMAIN §4.2).
    """
    now = timezone.now()
    today = today or timezone.localdate(now)
    published_on = published_on or today
    _not_in_future(published_on, today, "published_on", "公开日期")
    errors = _validate_publication(url, channel)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        document = _locked(document_id)
        if document.issued_on and published_on < document.issued_on:
            raise ValidationError({"published_on": "公开日期不能早于印发日期。"})
        taken_down = last_withdrawal(document)
        if taken_down is not None and published_on < taken_down.withdrawn_on:
            raise ValidationError(
                {
                    "published_on": "重新公开的日期不能早于公开页面撤下的日期"
                    f"（{cn_date(taken_down.withdrawn_on)}）。"
                }
            )
        # The 索引号 is given at the first publication and kept through a takedown and a
        # re-publication; it is given first so that the publication's audit event names it (a
        # refused transition rolls it back with the counter).
        index_number = document.index_number
        if document.attribute_state == S.AWAITING_PUBLICATION:
            index_number = assign_index_number(document, published_on=published_on)
        _transition(
            document,
            "publish",
            actor=actor,
            doing="登记主动公开",
            now=now,
            where=f"{Publication.Channel(channel).label} {url.strip()}",
            audit_data={"index_number": index_number},
        )
        publication = Publication.objects.select_for_update().get(document=document)
        publication.published_on = published_on
        publication.url = url.strip()
        publication.channel = channel
        publication.published_by = actor
        publication.published_late = publication.due_on is not None and (
            published_on > publication.due_on
        )
        apply_interpretation(publication, interpretation_due(publication, agency=document.agency))
        publication.save()
    return publication


def publication_withdraw(
    *,
    actor: Actor,
    document_id: int,
    reason: str,
    on: date | None = None,
    today: date | None = None,
) -> Publication:
    """Record that a published document's page was taken down (an error, a version replaced).

    A proactive document must stay public (Art. 26; DOMAIN §4.2), so a takedown is not the end
    of the duty: the document awaits publication again, against the deadline it always had (not
    counted again: already passed, it is overdue now and its re-publication late). Only a yearly
    review, a determination or its classification changes the attribute, never a takedown. The
    earlier publication (address, channel, date, lateness) is kept in the attribute history and
    the audit event, so the record of it is never lost. ``withdrawn_on`` (``on``) is the day the
    page came down; ``reason`` is required.
    """
    now = timezone.now()
    today = today or timezone.localdate(now)
    on = on or today
    reason = limits.strip_bidi(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请写明撤下公开页面的原因。"})
    if "\x00" in reason:
        raise ValidationError({"reason": limits.NUL_MESSAGE.format(label="撤下原因")})
    if len(reason) > limits.REASON:
        raise ValidationError({"reason": limits.too_long("撤下原因", limits.REASON, len(reason))})
    _not_in_future(on, today, "withdrawn_on", "撤下日期")
    with transaction.atomic():
        document = _locked(document_id)
        permissions.require(
            actor, "withdraw_publication", agency=document.agency, unit=document.drafting_unit
        )
        publication = Publication.objects.select_for_update().filter(document=document).first()
        if publication is not None and publication.published_on and on < publication.published_on:
            published_on = cn_date(publication.published_on)
            raise ValidationError({"withdrawn_on": f"撤下日期不能早于公开日期（{published_on}）。"})
        before = publication.published_on if publication is not None else None
        previous = {
            "url": publication.url if publication else "",
            "channel": publication.channel if publication else "",
            "published_on": before.isoformat() if before else None,
            "published_late": bool(publication and publication.published_late),
        }
        where = (
            f"{Publication.Channel(publication.channel).label} {publication.url}，"
            f"{cn_date(before)}公开{'（逾期公开）' if publication.published_late else ''}"
            if publication is not None and before is not None
            else ""
        )
        _transition(
            document,
            "withdraw",
            actor=actor,
            doing="撤下公开页面",
            now=now,
            reason=f"{cn_date(on)}撤下公开页面：{reason}。原公开记录：{where}。"
            "须重新公开，公开期限不重新计算。",
            audit_data={
                "withdrawn_on": on.isoformat(),
                "withdrawal_reason": reason,
                "previous": previous,
            },
        )
        # The transition ran, so the document was published and has its publication row.
        assert publication is not None
        publication.published_on = None
        publication.url = ""
        publication.channel = ""
        publication.published_by = None
        publication.published_late = False
        if publication.interpretation_published_on is None:
            # The interpretation's period runs from the document's publication: it starts again
            # when the document is published again.
            apply_interpretation(publication, None)
        publication.save()
    return publication


def interpretation_record(
    *,
    actor: Actor,
    document_id: int,
    title: str,
    url: str,
    published_on: date | None = None,
    today: date | None = None,
) -> Publication:
    """Record the publication of a policy document's interpretation (政策解读), linked to it."""
    today = today or timezone.localdate()
    published_on = published_on or today
    _not_in_future(published_on, today, "published_on", "解读公开日期")
    errors = {}
    problem = _url_problem(url, "解读材料")
    if problem:
        errors["url"] = problem
    if not title.strip():
        errors["title"] = "请填写解读材料的标题。"
    elif "\x00" in title:
        errors["title"] = limits.NUL_MESSAGE.format(label="解读材料的标题")
    elif len(title.strip()) > limits.TITLE:
        errors["title"] = limits.too_long("解读材料的标题", limits.TITLE, len(title.strip()))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        document = _locked(document_id)
        permissions.require(
            actor, "interpretation", agency=document.agency, unit=document.drafting_unit
        )
        publication = Publication.objects.select_for_update().filter(document=document).first()
        if publication is None or not publication.interpretation_required:
            raise StaleDocument(f"{_title(document)}不是需要解读的政策性文件。")
        if publication.published_on is None:
            raise StaleDocument(f"{_title(document)}尚未公开；请先登记文件的公开，再登记解读。")
        if publication.interpretation_published_on is not None:
            raise StaleDocument(
                f"{_title(document)}的解读已于{cn_date(publication.interpretation_published_on)}"
                "登记公开。"
            )
        if published_on < publication.published_on:
            raise ValidationError({"published_on": "解读的公开日期不能早于文件的公开日期。"})
        publication.interpretation_title = title.strip()
        publication.interpretation_url = url.strip()
        publication.interpretation_published_on = published_on
        publication.interpretation_late = publication.interpretation_due_on is not None and (
            published_on > publication.interpretation_due_on
        )
        publication.save()
        _audit(
            actor, AuditAction.INTERPRETATION_PUBLISHED, document, reason=f"{title.strip()} {url}"
        )
    return publication


def document_mark_classified(
    *,
    actor: Actor,
    document_id: int,
    reason: str,
    on: date | None = None,
    today: date | None = None,
) -> Document:
    """The document is classified (涉密): it leaves the system, with a record that it did.

    Its final text is deleted from the system once the change commits; a pending publication is
    withdrawn and open yearly-review items are withdrawn. Title and number stay in the register.
    """
    now = timezone.now()
    today = today or timezone.localdate(now)
    on = on or today
    _not_in_future(on, today, "on", "转为涉密日期")
    with transaction.atomic():
        document = _locked(document_id)
        _transition(document, "classify", actor=actor, doing="转为涉密文件", now=now, reason=reason)
        document.classified_on = on
        document.classified_by = actor
        document.classified_reason = reason.strip()
        old_file = document.file.name if document.file else ""
        document.file = ""
        document.save()
        if old_file:
            storage = Document._meta.get_field("file").storage
            transaction.on_commit(lambda: storage.delete(old_file))
        Publication.objects.filter(document=document, published_on__isnull=True).update(
            withdrawn_on=on
        )
        ReviewItem.objects.filter(
            document=document,
            status__in=[ReviewItem.Status.WITH_UNIT, ReviewItem.Status.PROPOSED],
        ).update(status=ReviewItem.Status.WITHDRAWN)
    return document


def document_set_validity(
    *,
    actor: Actor,
    document_id: int,
    validity: str,
    changed_on: date | None = None,
    note: str = "",
    today: date | None = None,
) -> Document:
    """Record that an issued document was amended, expired or repealed (or is in force again)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        document = _locked(document_id)
        permissions.require(actor, "validity", agency=document.agency, unit=document.drafting_unit)
        if not document.is_issued:
            raise StaleDocument(f"{_title(document)}尚未印发，没有效力状态可言。")
        problems = _validity_problems(validity, changed_on, document.issued_on, today)
        if problems:
            raise ValidationError(problems)
        before = document.get_validity_display()
        document.validity = validity
        document.validity_changed_on = (
            None if validity == Document.Validity.IN_FORCE else changed_on
        )
        document.validity_note = note.strip()
        document.save()
        audit(
            actor=actor,
            action=AuditAction.DOCUMENT_VALIDITY_CHANGED,
            obj=document,
            agency=document.agency,
            from_state=before,
            to_state=document.get_validity_display(),
            reason=note.strip(),
        )
    return document


def document_record_process_decision(
    *, actor: Actor, document_id: int, decided_on: date, note: str = "", today: date | None = None
) -> Document:
    """Record that the decision a process-information document prepared has been made (the
    yearly review's signal: the reason for not publishing it may have lapsed, Art. 16 ¶2)."""
    today = today or timezone.localdate()
    _not_in_future(decided_on, today, "decided_on", "决定作出日期")
    with transaction.atomic():
        document = _locked(document_id)
        permissions.require(
            actor, "process_decision", agency=document.agency, unit=document.drafting_unit
        )
        if document.attribute_ground != rules.PROCESS_INFO:
            raise ValidationError(
                {"decided_on": f"{_title(document)}不是以过程性信息为由不主动公开的文件。"}
            )
        document.process_decided_on = decided_on
        document.save(update_fields=["process_decided_on", "updated_at"])
        _audit(
            actor,
            AuditAction.PROCESS_DECISION_RECORDED,
            document,
            reason=f"所涉决定已于{cn_date(decided_on)}作出。{note.strip()}",
        )
    return document
