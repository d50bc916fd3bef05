"""What the apps above the requests app may do to a case, through the request side.

The document register (``attributes_app``) names documents on a case and keeps a drafting unit's
determination letter (公函, DOMAIN §4.4) in every open case that named the document. The request
side owns its rows: the other app locks a case, checks its step and stage, and adds a letter
through these services, and never writes a ``CaseDocument`` itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from requests_app import permissions
from requests_app.models import CaseDocument, InformationRequest
from requests_app.services._common import _locked, _require_stage
from workflow.actors import Actor
from workflow.audit import audit
from workflow.letters.issuing import decide_names


def lock_cases(case_ids: Sequence[int]) -> list[InformationRequest]:
    """Lock the cases ``case_ids`` in the order the request side locks them (by id) and return
    them in the order given, without those that no longer exist.

    Called inside the caller's transaction before it locks its own rows, so that the two apps
    take their locks in one order and never wait for each other crosswise.
    """
    locked = (
        InformationRequest.objects.select_for_update(of=("self",))
        .select_related("agency")
        .filter(pk__in=case_ids)
        .order_by("pk")
    )
    by_pk = {case.pk: case for case in locked}
    return [by_pk[pk] for pk in case_ids if pk in by_pk]


def lock_case_for_step(
    *, actor: Actor, case_id: int, step: str, stages: Sequence[str], doing: str
) -> InformationRequest:
    """Lock the case ``case_id`` inside the caller's transaction, after checking that ``actor``
    may take ``step`` of the permission table on it and that it is at one of ``stages``
    (``doing`` names the action in the refusal)."""
    try:
        case = _locked(case_id)
    except InformationRequest.DoesNotExist:
        raise ValidationError("没有找到这件申请。") from None
    permissions.require(actor, case, step)
    _require_stage(case, tuple(stages), doing)
    return case


def add_case_letter(
    *,
    actor: Actor,
    case_id: int,
    letter_kind: str,
    title: str,
    number: str,
    name: str,
    at: datetime,
    action: str,
    reason: str,
    data: dict,
) -> CaseDocument:
    """Keep a copy of a letter issued outside the case among the case's documents (PDF and DOCX,
    their files named after the case's number and ``name``), and record ``action`` with
    ``reason`` in the case's history at ``at``, when the letter was issued.

    The files are not written here: the caller records the issue with this copy among the
    letter's holders, and the letter engine writes them once the transaction commits
    (``workflow.letters.issuing``)."""
    with transaction.atomic():
        case = (
            InformationRequest.objects.select_for_update(of=("self",))
            .select_related("agency")
            .get(pk=case_id)
        )
        kept = CaseDocument(
            request=case,
            kind=CaseDocument.Kind.LETTER,
            title=title[:200],
            letter_kind=letter_kind,
            number=number,
            created_by=actor,
            created_at=at,
        )
        decide_names(kept, f"{case.year}-{case.sequence}-{name}")
        kept.save()
        audit(
            actor=actor,
            action=action,
            obj=case,
            agency=case.agency,
            from_state=case.stage,
            to_state=case.stage,
            reason=reason,
            data=data,
            at=at,
        )
    return kept
