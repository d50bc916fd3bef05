"""Letters of a case: contexts built from the case, rendered, kept with the case (DOMAIN §3.8).

A letter is built and recorded inside the step's transaction: a letter that cannot be produced
(the agency has no reconsideration organ configured, a withheld part has no reason …) refuses the
step itself, so no step is recorded whose letter could not go out. Its files are rendered once
the step has committed (``workflow.letters.issuing``).
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from requests_app.letter_contexts import CaseFacts, LetterRow, Party, RequestLetter
from requests_app.models import CaseDocument, InformationRequest
from requests_app.webhooks import letter_issued
from workflow.letters.contexts import AgencyInfo, CaseNumber, LetterContext, MissingLetterElements
from workflow.letters.issuing import decide_names, pending_fields, write_after_commit
from workflow.letters.kinds import KIND_FAMILIES, KINDS
from workflow.letters.models import (
    IssuedLetter,
    agency_overrides,
    family_prefix,
    next_letter_sequence,
    template_version,
)
from workflow.letters.render import UnprintableCharacters, build_letter, render_structure
from workflow.letters.structure import Letter, MarkupError


def agency_info(case: InformationRequest, actor=None) -> AgencyInfo:
    contact = ""
    if actor is not None:
        contact = actor.get_full_name() or actor.get_username()
    return AgencyInfo.from_agency(case.agency, contact_person=contact)


def case_facts(case: InformationRequest) -> CaseFacts:
    prefix = case.agency.case_number_prefix or case.agency.short_name or case.agency.name
    return CaseFacts(
        number=CaseNumber(prefix=prefix, year=case.year, sequence=case.sequence),
        receipt_date=case.receipt_date,
        channel=case.get_channel_display(),
        request=case.description,
        due_date=case.due_date,
        query_code=case.case_number,
    )


def applicant(case: InformationRequest) -> Party:
    return Party(
        name=case.applicant_name,
        kind=case.applicant_kind,
        address=case.address,
        postcode=case.postcode,
        phone=case.phone,
    )


def common(case: InformationRequest, actor, *, issue_date: date) -> dict:
    """The fields every request letter context takes."""
    return {
        "agency": agency_info(case, actor),
        "issue_date": issue_date,
        "case": case_facts(case),
        "applicant": applicant(case),
    }


def issued_letters(case: InformationRequest) -> list[LetterRow]:
    """Every letter issued in ``case`` so far, with its 文号, for the handling sheet."""
    documents = case.documents.filter(kind=CaseDocument.Kind.LETTER).order_by("created_at", "id")
    return [
        LetterRow(
            title=document.title,
            number=document.number,
            issued_on=timezone.localtime(document.created_at).date(),
        )
        for document in documents
    ]


def build_request_letter(case: InformationRequest, kind: str, context: LetterContext) -> Letter:
    """``kind`` built for ``case``'s agency, or the ``ValidationError`` that refuses the step."""
    overrides = agency_overrides(case.agency)
    try:
        return build_letter(kind, context, overrides=overrides)
    except (MissingLetterElements, UnprintableCharacters) as error:
        raise ValidationError(f"{KINDS[kind].label}不能出具：{error}") from None
    except MarkupError as error:  # an override that no longer fits; never a 500 for the step
        raise ValidationError(
            f"{KINDS[kind].label}不能出具：本机关修改的文书模板有误（{error}），"
            "请系统管理员在“文书模板（本机关修改）”中改正。"
        ) from None


def render_letter_files(
    case: InformationRequest, kind: str, context: LetterContext
) -> tuple[bytes, bytes]:
    """``kind`` rendered for ``case``'s agency: its PDF and its DOCX."""
    letter = build_request_letter(case, kind, context)
    return render_structure(letter, "pdf"), render_structure(letter, "docx")


def issue_letter(
    case: InformationRequest,
    kind: str,
    context: LetterContext,
    *,
    actor,
    title: str = "",
    stored: list[str] | None = None,
    rendered: tuple[bytes, bytes] | None = None,
) -> CaseDocument:
    """Issue ``kind`` in ``case``: build it (a letter that cannot be produced refuses the step),
    record the issue and keep it with the case as a PDF and a DOCX.

    The files are rendered and written once the step's transaction commits
    (``workflow.letters.issuing``): the lock is not held while WeasyPrint and python-docx run,
    and a step rolled back leaves no file. The rows are saved here with the files' names. A
    caller that reads the files in its own transaction passes ``stored``: then they are written
    at once and their names added to ``stored``, for the caller to remove if its transaction
    does not commit. ``rendered``: the PDF and DOCX already made from this very ``context``
    (``render_letter_files``), e.g. before the case was locked; they are kept as they are.

    A reply, notice or consultation letter takes its own 文号 here, the next of the agency's
    sequence for its family and year (``KIND_FAMILIES``), allocated in this transaction so that a
    letter that is not issued uses no number; the receipt and the forms carry the 登记编号. The
    number is kept with the letter (``IssuedLetter``, ``CaseDocument``) and printed in its files,
    so every later copy (downloads, the case file) shows the same number."""
    with transaction.atomic():
        family = KIND_FAMILIES.get(kind)
        if family and isinstance(context, RequestLetter) and context.letter_number is None:
            context = numbered(case, context, family)
            rendered = None  # made before it had its number
        if stored is not None:
            document = _issue_now(
                case, kind, context, actor=actor, title=title, stored=stored, rendered=rendered
            )
        else:
            document = _issue(case, kind, context, actor=actor, title=title, rendered=rendered)
        letter_issued(case, document)
        return document


def numbered(case: InformationRequest, context: RequestLetter, family: str) -> RequestLetter:
    """``context`` with the next 文号 of ``case``'s agency for ``family`` in its issue year."""
    agency, year = case.agency, context.issue_date.year
    number = CaseNumber(
        prefix=family_prefix(agency, family),
        year=year,
        sequence=next_letter_sequence(agency, year, family),
    )
    return dataclasses.replace(context, letter_number=number)


def _document(case, kind, context, *, actor, title, now, version) -> CaseDocument:
    return CaseDocument(
        request=case,
        kind=CaseDocument.Kind.LETTER,
        title=title or KINDS[kind].label,
        letter_kind=kind,
        number=context.number_text(),
        template_version=version,
        created_by=actor,
        created_at=now,
    )


def _record(case, kind, context, *, actor, now, version, **fields) -> IssuedLetter:
    return IssuedLetter.objects.create(
        agency=case.agency,
        kind=kind,
        number=context.number_text(),
        template_version=version,
        object_type="requests_app.informationrequest",
        object_id=str(case.pk),
        issued_at=now,
        issued_by=actor,
        **fields,
    )


def _issue(case, kind, context, *, actor, title, rendered) -> CaseDocument:
    """The rows now, the files after the commit."""
    letter = build_request_letter(case, kind, context)
    now = timezone.now()
    version = template_version(case.agency)
    document = _document(case, kind, context, actor=actor, title=title, now=now, version=version)
    decide_names(document, f"{case.year}-{case.sequence}-{kind}")
    issued = _record(
        case,
        kind,
        context,
        actor=actor,
        now=now,
        version=version,
        **pending_fields(letter, [document]),
    )
    document.save()
    write_after_commit(issued, rendered=rendered)
    return document


def _issue_now(case, kind, context, *, actor, title, stored, rendered) -> CaseDocument:
    """The rows and the files now, for a caller that reads them in its transaction."""
    pdf, docx = rendered or render_letter_files(case, kind, context)
    now = timezone.now()
    version = template_version(case.agency)
    _record(
        case,
        kind,
        context,
        actor=actor,
        now=now,
        version=version,
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    document = _document(case, kind, context, actor=actor, title=title, now=now, version=version)
    document.size = len(pdf)
    name = f"{case.year}-{case.sequence}-{kind}"
    document.file.save(f"{name}.pdf", ContentFile(pdf), save=False)
    stored.append(document.file.name)
    document.docx.save(f"{name}.docx", ContentFile(docx), save=False)
    stored.append(document.docx.name)
    document.save()
    return document
