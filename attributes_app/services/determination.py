"""A drafting unit's answer to the determination requests wait for (DOMAIN §4.4).

A request that names an issued document without attribute waits until the document's drafting
unit sets one. The unit answers through ``determination_answer``: the attribute service
(``attribute_determine``, the state machine's ``determine`` transition) changes the document, the
letter (公函) to the disclosure office is numbered and kept, and a copy goes into every open case
that named the document (through the request side's services); its files are rendered once the
answer commits.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from attributes_app import rules
from attributes_app.letters import determination_letter_context
from attributes_app.models import Determination, DeterminationLetter, Document
from attributes_app.selectors import waiting_requests
from attributes_app.services.attribute import attribute_determine
from requests_app.models import CaseDocument
from requests_app.services.links import add_case_letter, lock_cases
from workflow.actors import Actor
from workflow.letters.contexts import MissingLetterElements
from workflow.letters.issuing import decide_names, pending_fields, write_after_commit
from workflow.letters.models import IssuedLetter, agency_overrides, template_version
from workflow.letters.render import UnprintableCharacters, build_letter
from workflow.letters.structure import Letter, MarkupError
from workflow.models import Agency

LETTER_KIND = "attribute_letter"


def _next_sequence(agency: Agency, year: int) -> int:
    """The next letter number of ``agency`` in ``year``, without gaps: the agency's row is locked
    while it is taken, so two units answering at once get consecutive numbers."""
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    last = DeterminationLetter.objects.filter(agency=agency, year=year).aggregate(n=Max("sequence"))
    return (last["n"] or 0) + 1


def _issue(
    determination: Determination, *, actor: Actor, now: datetime
) -> tuple[DeterminationLetter, Letter]:
    document = determination.document
    agency = document.agency
    year = determination.decided_on.year
    sequence = _next_sequence(agency, year)
    context = determination_letter_context(determination, year=year, sequence=sequence, actor=actor)
    try:
        letter = build_letter(LETTER_KIND, context, overrides=agency_overrides(agency))
    except MissingLetterElements as error:
        hint = ""
        if not agency.office_name:
            hint = "请系统管理员在机关设置中填写“政府信息公开工作机构”。"
        raise ValidationError(f"公开属性认定函不能出具：{error}。{hint}") from None
    except UnprintableCharacters as error:
        raise ValidationError(f"公开属性认定函不能出具：{error}") from None
    except MarkupError as error:  # an override that no longer fits; never a 500
        raise ValidationError(
            f"公开属性认定函不能出具：本机关修改的文书模板有误（{error}），"
            "请系统管理员在“文书模板（本机关修改）”中改正。"
        ) from None
    record = DeterminationLetter(
        determination=determination,
        agency=agency,
        year=year,
        sequence=sequence,
        number=context.number_text(),
        issued_by=actor,
        issued_at=now,
    )
    decide_names(record, f"{year}-{sequence}-{LETTER_KIND}")
    record.save()
    return record, letter


def _keep_with_case(case_id: int, record: DeterminationLetter, *, actor: Actor) -> CaseDocument:
    """A copy of the letter in the case's documents, and the answer in its history."""
    document = record.determination.document
    label = rules.ATTRIBUTE_LABELS[record.determination.attribute]
    return add_case_letter(
        actor=actor,
        case_id=case_id,
        letter_kind=LETTER_KIND,
        title=f"公开属性认定函（《{document.title}》）",
        number=record.number,
        name=f"{LETTER_KIND}-{record.sequence}",
        at=record.issued_at,
        action="determination_answered",
        reason=f"{document.drafting_unit.name}认定《{document.title}》为{label}（{record.number}）",
        data={"document_id": document.pk, "determination_id": record.determination_id},
    )


def _record_issue(record: DeterminationLetter, letter: Letter, copies: list[CaseDocument]) -> None:
    """The issue recorded; the letter's files (the unit's and each case's copy) are written once
    the answer commits (``workflow.letters.issuing``)."""
    issued = IssuedLetter.objects.create(
        agency=record.agency,
        kind=LETTER_KIND,
        number=record.number,
        template_version=template_version(record.agency),
        object_type=Determination._meta.label_lower,
        object_id=str(record.determination_id),
        issued_at=record.issued_at,
        issued_by=record.issued_by,
        **pending_fields(letter, [record, *copies]),
    )
    write_after_commit(issued)


def determination_answer(
    *,
    actor: Actor,
    document_id: int,
    attribute: str,
    reasons: str,
    ground: str = "",
    law: str = "",
    today: date | None = None,
) -> Determination:
    """The drafting unit answers a determination: the attribute with its reasons, by letter.

    One transaction: the attribute service changes the document (its checks: the unit's head,
    an issued document without attribute, reasons and ground), the letter is numbered and kept,
    and every open request naming the document keeps a copy. A letter that cannot be produced
    (no disclosure office configured) refuses the whole answer, so no determination stands
    without its letter. Two heads answering at once: the second gets ``StaleDocument``.
    """
    now = timezone.now()
    today = today or timezone.localdate(now)
    with transaction.atomic():
        document = Document.objects.filter(pk=document_id).first()
        if document is None:
            raise ValidationError("没有找到这份文件，可能已被删除。")
        # Cases before the document: the order the request side locks them in.
        order = list(waiting_requests(document).values_list("pk", flat=True))
        cases = [case.pk for case in lock_cases(order)]
        determination = attribute_determine(
            actor=actor,
            document_id=document_id,
            attribute=attribute,
            reasons=reasons,
            ground=ground,
            law=law,
            request_id=cases[0] if cases else None,
            today=today,
        )
        determination = Determination.objects.select_related(
            "document__agency", "document__drafting_unit", "request"
        ).get(pk=determination.pk)
        record, letter = _issue(determination, actor=actor, now=now)
        copies = [_keep_with_case(case_id, record, actor=actor) for case_id in cases]
        _record_issue(record, letter, copies)
    return determination
