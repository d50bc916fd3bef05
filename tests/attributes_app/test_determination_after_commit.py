"""The determination letter's files are written after the answer commits (issue #12 §3): an
answer that fails leaves neither the unit's file nor the cases' copies. Committed for real."""

from pathlib import Path

import pytest
from django.conf import settings

from attributes_app.models import Determination, DeterminationLetter
from attributes_app.services import determination_answer, request_name_document
from requests_app.models import CaseDocument
from tests.attributes_app.test_determination_journey import (  # noqa: F401 (fixtures)
    REASONS,
    _march_2026,
    older,
)
from workflow.letters.models import IssuedLetter
from workflow.models import AuditEvent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.case(process=True, accepted=True),
]


def files_on_disk() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def answer(unit_head, document):
    return determination_answer(
        actor=unit_head,
        document_id=document.pk,
        attribute="on_request",
        reasons=REASONS,
        ground="limited_scope",
    )


def test_an_answer_whose_audit_fails_leaves_no_letter_file(
    case,
    older,  # noqa: F811
    handler,
    unit_head,
    monkeypatch,
):
    request_name_document(actor=handler, case_id=case.pk, document_id=older.pk)
    before = files_on_disk()
    real_save = AuditEvent.save
    issued = []

    def save(self, *args, **kwargs):
        if self.action == "determination_answered":
            issued.append(CaseDocument.objects.filter(letter_kind="attribute_letter").exists())
            raise RuntimeError("audit store unavailable")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(AuditEvent, "save", save)
    with pytest.raises(RuntimeError):
        answer(unit_head, older)
    assert issued == [True]
    assert files_on_disk() == before
    assert not Determination.objects.exists()
    assert not DeterminationLetter.objects.exists()
    assert not CaseDocument.objects.filter(letter_kind="attribute_letter").exists()
    assert not IssuedLetter.objects.filter(kind="attribute_letter").exists()
    monkeypatch.setattr(AuditEvent, "save", real_save)
    answer(unit_head, older)  # and again: the unit's letter and the case's copy, both formats
    letter = DeterminationLetter.objects.get()
    copy = CaseDocument.objects.get(letter_kind="attribute_letter")
    kept = {letter.file.name, letter.docx.name, copy.file.name, copy.docx.name}
    assert files_on_disk() - before == kept
    assert copy.size == Path(copy.file.path).stat().st_size
    assert letter.file.read() == copy.file.read()
