"""How a case ends outside a decision (withdrawal) and how every case is archived."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from requests_app import permissions
from requests_app.audit_actions import RequestAction
from requests_app.letter_contexts import HandlingSheetContext
from requests_app.letters import common, issue_letter, issued_letters, render_letter_files
from requests_app.models import CaseDocument, Decision, InformationRequest
from requests_app.process import process_lock, sync_process
from requests_app.services._common import (
    OPEN_STAGES,
    R,
    _conclude,
    _locked,
    _move,
    _not_in_future,
    _require_stage,
)
from requests_app.services.decision import _issue_reply
from requests_app.services.registration import _discard
from workflow.actors import Actor
from workflow.cn import cn_date
from workflow.letters.kinds import KINDS
from workflow.letters.models import template_version


def request_withdraw(
    *, actor: Actor, case_id: int, on: date, reason: str, today: date | None = None
):
    """The applicant withdraws (outcome ``other``): processing ends with a notice."""
    today = today or timezone.localdate()
    _not_in_future(on, today, "撤回日期")
    if not reason.strip():
        raise ValidationError({"reason": "请记录申请人撤回的方式和时间（如书面撤回申请）。"})
    with process_lock(case_id), transaction.atomic():
        case = _locked(case_id)
        permissions.require(actor, case, "withdraw")
        _require_stage(case, OPEN_STAGES, "登记撤回")
        now = timezone.now()
        decision, _ = Decision.objects.update_or_create(
            request=case,
            defaults={
                "outcome": "other",
                "articles": [],
                "reason": f"申请人于{cn_date(on)}撤回申请（{reason.strip()}）。",
                "proposed_by": actor,
                "proposed_at": now,
                "approved_by": actor,
                "approved_at": now,
                "decided_on": today,
            },
        )
        case.outcome = "other"
        case.save(update_fields=["outcome"])
        concluded = _conclude(case, on)
        _issue_reply(case, decision, actor=actor, issue_date=today)
        _move(
            case,
            R.Stage.SERVE,
            actor=actor,
            action=RequestAction.REQUEST_WITHDRAWN,
            reason=reason,
            today=today,
            data=concluded or None,
        )
        sync_process(case)  # withdrawal comes from the case page, outside any task
    return case


# -- archive -------------------------------------------------------------------------------------


@dataclass
class _ArchiveAhead:
    """The handling sheet and the case file made before the case is locked."""

    context: HandlingSheetContext
    version: str  # of the agency's templates
    sheet: tuple[bytes, bytes]  # PDF, DOCX
    inputs: list[tuple]  # case_file.case_file_inputs
    pdf: bytes


def _archive_ahead(case, actor: Actor, today: date, prepared) -> _ArchiveAhead | None:
    """The handling sheet and the case file as they will be if nothing changes before the lock
    (None when the sheet cannot be made: the lock says why)."""
    from requests_app.case_file import build_case_file, case_file_inputs, steps_once_archived

    now = timezone.now()
    context = HandlingSheetContext(
        **common(case, actor, issue_date=today),
        steps=steps_once_archived(case, actor, now),
        outcome=case.outcome,
        letters=issued_letters(case),
    )
    version = template_version(case.agency)
    try:
        sheet_files = render_letter_files(case, "handling_sheet", context)
    except ValidationError:
        return None
    # The sheet as issue_letter will keep it; unsaved, so its pages are found under pk None.
    sheet = CaseDocument(
        request=case,
        kind=CaseDocument.Kind.LETTER,
        title=KINDS["handling_sheet"].label,
        number=context.number_text(),
        created_at=now,
    )
    sheet.file.name = "handling-sheet.pdf"
    documents = [*case.documents.exclude(kind=CaseDocument.Kind.CASE_FILE), sheet]
    pages = {**prepared, None: (sheet.file.name, sheet_files[0])}
    return _ArchiveAhead(
        context=context,
        version=version,
        sheet=sheet_files,
        inputs=case_file_inputs(documents, sheet_id=None),
        pdf=build_case_file(case, documents, on=today, prepared=pages),
    )


def request_archive(*, actor: Actor, case_id: int, today: date | None = None) -> CaseDocument:
    """Close the case file: the handling sheet, then one PDF of everything; read-only after.

    On SQLite the lock is the whole database's, so the slow part is done before the case is
    locked: every document made PDF pages (scans placed on A4 pages), the handling sheet and the
    case file as they will be. Under the lock they are kept only if nothing changed meanwhile
    (the same steps, documents and templates); otherwise they are made again there. Files
    written by a transaction that does not commit are removed; those of a process that died
    before its commit are swept later (``case_file.sweep_orphan_files``)."""
    from django.core.files.base import ContentFile

    from requests_app.case_file import (
        build_case_file,
        case_file_inputs,
        document_pages,
        handling_steps,
    )

    today = today or timezone.localdate()
    case = InformationRequest.objects.select_related("agency").get(pk=case_id)
    permissions.require(actor, case, "archive")
    _require_stage(case, (R.Stage.ARCHIVE,), "归档")
    prepared = document_pages(case.documents.exclude(kind=CaseDocument.Kind.CASE_FILE))
    ahead = _archive_ahead(case, actor, today, prepared)
    stored: list[str] = []
    try:
        with transaction.atomic():
            case = _locked(case_id)
            permissions.require(actor, case, "archive")
            _require_stage(case, (R.Stage.ARCHIVE,), "归档")
            case.closed_on = today
            case.save(update_fields=["closed_on"])
            _move(
                case,
                R.Stage.CLOSED,
                actor=actor,
                action=RequestAction.REQUEST_ARCHIVED,
                today=today,
            )
            context = HandlingSheetContext(
                **common(case, actor, issue_date=today),
                steps=handling_steps(case),
                outcome=case.outcome,
                letters=issued_letters(case),
            )
            same = (
                ahead is not None
                and ahead.context == context
                and ahead.version == template_version(case.agency)
            )
            sheet = issue_letter(
                case,
                "handling_sheet",
                context,
                actor=actor,
                stored=stored,
                rendered=ahead.sheet if same else None,
            )
            documents = list(case.documents.exclude(kind=CaseDocument.Kind.CASE_FILE))
            if same and ahead.inputs == case_file_inputs(documents, sheet_id=sheet.pk):
                pdf = ahead.pdf
            else:
                pdf = build_case_file(case, documents, on=today, prepared=prepared)
            case_file = CaseDocument(
                request=case,
                kind=CaseDocument.Kind.CASE_FILE,
                title=f"{case.case_number}案卷",
                number=case.case_number,
                size=len(pdf),
                created_by=actor,
                created_at=timezone.now(),
            )
            case_file.file.save(
                f"{case.year}-{case.sequence}-case-file.pdf", ContentFile(pdf), save=False
            )
            stored.append(case_file.file.name)
            case_file.save()
    except BaseException:
        _discard(stored)
        raise
    return case_file
