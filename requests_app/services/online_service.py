"""Service through the public tracking page (网上平台送达, issue #16; docs/public.md).

An applicant who applied online and chose the online platform (``Delivery.ONLINE``) is served
on the tracking page: the letter is served the day it is made available there — the day it
reaches the system the applicant designated (到达受送达人特定系统之日, as 《民事诉讼法》第九十条
reads electronic service) — not the day the applicant first opens it, which the applicant could
put off without end and with it the case's service date, the clock and the remedy period. So the
officer's service date of such a letter is the day it is recorded, and the moment it is first
made available is kept once (``OnlineLetter.available_at``); the first download is kept too, as
evidence, and moves nothing.

Only letters addressed to the applicant are ever made available: never a consultation letter,
a notice to a third party, a form or an upload — except, once a disclosing reply is served, the
files of the information provided with it (``provided_files``), which are what was asked for.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import QuerySet

from requests_app.audit_actions import RequestAction, SubmissionAction
from requests_app.models import (
    DISCLOSING_OUTCOMES,
    CaseDocument,
    Challenge,
    Decision,
    InformationRequest,
    OnlineLetter,
    OnlineSubmission,
)
from workflow.actors import Actor
from workflow.audit import audit
from workflow.cn import cn_date

REPLY_KINDS = ("reply", "reply_notice", "abandoned_notice", "not_processed_notice")
#: The letters addressed to the applicant that the tracking page may offer.
APPLICANT_LETTER_KINDS = frozenset(
    {"receipt", "correction_notice", "extension_notice", "fee_notice", *REPLY_KINDS}
)
#: Issued to the applicant without a service step of their own: on the platform from issue.
ISSUED_TO_PLATFORM = frozenset({"receipt", "extension_notice"})


def tracked_submission(case: InformationRequest) -> OnlineSubmission | None:
    """The online submission ``case`` was registered from, when its applicant has a query
    code (the public form); an API or paper application has no tracking page."""
    return OnlineSubmission.objects.filter(case=case).exclude(query_code_hash="").first()


def served_on_platform(case: InformationRequest) -> bool:
    """Whether the applicant is served on the tracking page (chose 网上平台 and can track)."""
    return case.delivery == InformationRequest.Delivery.ONLINE and (
        tracked_submission(case) is not None
    )


def platform_service_date_problem(
    case: InformationRequest, *, method: str, served_on: date, today: date
) -> str | None:
    """The refusal of an electronic service date other than today for a letter served on the
    tracking page: it is served the day it is made available there, which is now."""
    if method != "electronic" or served_on == today or not served_on_platform(case):
        return None
    return (
        "申请人选择在网上平台（申请查询页面）接收文书，以文书在查询页面提供给申请人之日为送达日期，"
        f"即今天（{cn_date(today)}）；如已通过其他方式送达，请选择相应的送达方式。"
    )


def letter_make_available(
    *, case: InformationRequest, letter: CaseDocument, actor: Actor | None, now: datetime
) -> OnlineLetter | None:
    """Offer ``letter`` on the tracking page of ``case`` (the first time only: the moment it was
    first made available is the service's evidence and never moves). Nothing for a letter not
    addressed to the applicant or a case without a tracking page."""
    if letter.kind != CaseDocument.Kind.LETTER or letter.letter_kind not in APPLICANT_LETTER_KINDS:
        return None
    if tracked_submission(case) is None:
        return None
    online, created = OnlineLetter.objects.get_or_create(
        letter=letter, defaults={"request": case, "available_at": now}
    )
    if created:
        audit(
            actor=actor,
            action=RequestAction.LETTER_MADE_AVAILABLE,
            obj=case,
            agency=case.agency_id,
            reason=f"{letter.title}已在申请查询页面提供给申请人下载",
            data={"letter_id": letter.pk, "letter_kind": letter.letter_kind},
            at=now,
        )
    return online


def issued_to_platform(
    *, case: InformationRequest, letter: CaseDocument, actor: Actor | None, now: datetime
) -> None:
    """A receipt or extension notice goes to the platform when issued, if the applicant chose
    it (these letters have no service step of their own)."""
    if letter.letter_kind in ISSUED_TO_PLATFORM and served_on_platform(case):
        letter_make_available(case=case, letter=letter, actor=actor, now=now)


def _reopened_at(case: InformationRequest) -> datetime | None:
    """When a reconsideration or court last ordered a new reply (None: never)."""
    return (
        Challenge.objects.filter(request=case, reopened_at__isnull=False)
        .order_by("-reopened_at")
        .values_list("reopened_at", flat=True)
        .first()
    )


def provided_files(case: InformationRequest) -> QuerySet[CaseDocument]:
    """The files of the information provided with the case's reply that the tracking page offers
    its applicant: only once the reply is served, only for a reply that discloses (Arts. 36(2),
    37) in electronic form to an applicant served on the platform, and only the case's uploads
    marked as the information provided, of the current reply (those of a reply made before a
    reconsideration or court ordered a new one went with that reply). Empty otherwise."""
    none = CaseDocument.objects.none()
    if case.served_on is None or case.outcome not in DISCLOSING_OUTCOMES:
        return none
    if case.delivery != InformationRequest.Delivery.ONLINE:
        return none
    provide_form = (
        Decision.objects.filter(request=case).values_list("provide_form", flat=True).first()
    )
    if (provide_form or case.form_wanted) != InformationRequest.Form.ELECTRONIC:
        return none
    files = CaseDocument.objects.filter(request=case, kind=CaseDocument.Kind.PROVIDED)
    reopened = _reopened_at(case)
    if reopened is not None:
        files = files.filter(created_at__gte=reopened)
    return files.order_by("created_at", "id")


def replies_make_available(
    *, case: InformationRequest, actor: Actor | None, now: datetime
) -> list[OnlineLetter]:
    """The reply letters of the current reply, served electronically: on the tracking page (a
    reply made before a reconsideration or court ordered a new one is not served again)."""
    replies = case.documents.filter(kind=CaseDocument.Kind.LETTER, letter_kind__in=REPLY_KINDS)
    reopened = _reopened_at(case)
    if reopened is not None:
        replies = replies.filter(created_at__gte=reopened)
    made = []
    for letter in replies.filter(online__isnull=True).order_by("created_at", "id"):
        online = letter_make_available(case=case, letter=letter, actor=actor, now=now)
        if online is not None:
            made.append(online)
    return made


def letter_record_download(
    *, submission: OnlineSubmission, online: OnlineLetter, address: str, now: datetime
) -> bool:
    """The applicant downloaded ``online`` from the tracking page: kept the first time, audited
    every time on the submission (with the visitor's address). Returns whether this was the
    first download."""
    first = bool(
        OnlineLetter.objects.filter(pk=online.pk, first_opened_at__isnull=True).update(
            first_opened_at=now
        )
    )
    audit(
        actor=None,
        action=SubmissionAction.LETTER_DOWNLOADED,
        obj=submission,
        agency=submission.agency_id,
        reason=f"申请人在查询页面下载{online.letter.title}" + ("（首次）" if first else ""),
        data={
            "letter_id": online.letter_id,
            "case_id": online.request_id,
            "first": first,
            "ip": address,
        },
        at=now,
    )
    return first


def provided_record_download(
    *, submission: OnlineSubmission, document: CaseDocument, address: str, now: datetime
) -> None:
    """The applicant downloaded a file of the information provided from the tracking page:
    audited every time on the submission, with the visitor's address (as a letter's download).
    The reply's service date does not depend on it."""
    audit(
        actor=None,
        action=SubmissionAction.PROVIDED_DOWNLOADED,
        obj=submission,
        agency=submission.agency_id,
        reason=f"申请人在查询页面下载提供的政府信息：{document.original_name or document.title}",
        data={
            "document_id": document.pk,
            "case_id": document.request_id,
            "ip": address,
        },
        at=now,
    )
