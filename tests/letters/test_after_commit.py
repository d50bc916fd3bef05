"""Letters' files are rendered and written after the step commits (issue #12 §3): a step that
fails leaves no file and no row, the database is not locked while WeasyPrint and python-docx run,
and a render that fails after the commit is made up from the letter as issued.

These tests commit for real (``transaction=True``): the path they check is the production one,
not the test transaction's stand-in (``workflow.after_commit.commit_at_block_end``)."""

import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from requests_app.models import CaseDocument, InformationRequest
from requests_app.services import consultation_send, request_accept, request_register
from tests.conftest import d
from tests.letters.helpers import pdf_text, squash
from workflow.letters import issuing
from workflow.letters.kinds import KINDS
from workflow.letters.models import IssuedLetter, LetterSequence
from workflow.letters.render import build_letter, sample_context
from workflow.models import Agency, AuditEvent

committing = pytest.mark.django_db(transaction=True)


def files_on_disk() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def register(registrar, agency, walk_in, **changes):
    return request_register(
        actor=registrar, agency=agency, data=walk_in(**changes), today=d("2026-03-02")
    )


def consult(handler, case):
    return consultation_send(
        actor=handler,
        case_id=case.pk,
        party="third_party",
        party_name="某建设公司",
        matter="合同金额",
        today=d("2026-03-04"),
    )


@pytest.fixture
def failing_audit(monkeypatch):
    """Make the audit write of one action fail; records whether its letter was issued by then."""
    seen: dict[str, bool] = {}
    real_save = AuditEvent.save

    def arm(action: str, letter_kind: str):
        def save(self, *args, **kwargs):
            if self.action == action:
                seen["issued"] = IssuedLetter.objects.filter(kind=letter_kind).exists()
                raise RuntimeError("audit store unavailable")
            return real_save(self, *args, **kwargs)

        monkeypatch.setattr(AuditEvent, "save", save)
        return seen

    return arm


@committing
def test_a_registration_whose_audit_fails_leaves_no_file_and_no_row(
    registrar, agency, walk_in, failing_audit
):
    seen = failing_audit("request_registered", "receipt")
    with pytest.raises(RuntimeError):
        register(registrar, agency, walk_in)
    assert seen == {"issued": True}  # the receipt was issued in the step, then it failed
    assert files_on_disk() == set()
    assert not InformationRequest.objects.exists()
    assert not CaseDocument.objects.exists()
    assert not IssuedLetter.objects.exists()


@committing
def test_a_consultation_whose_audit_fails_leaves_no_file_and_gives_its_number_back(
    registrar, handler, agency, walk_in, failing_audit
):
    case = register(registrar, agency, walk_in)
    request_accept(actor=handler, case_id=case.pk, today=d("2026-03-03"))
    before = files_on_disk()
    letters = set(CaseDocument.objects.values_list("pk", flat=True))
    seen = failing_audit("consultation_sent", "third_party_consultation")
    with pytest.raises(RuntimeError):
        consult(handler, case)
    assert seen == {"issued": True}
    assert files_on_disk() == before
    assert set(CaseDocument.objects.values_list("pk", flat=True)) == letters
    assert not IssuedLetter.objects.filter(kind="third_party_consultation").exists()
    assert not LetterSequence.objects.filter(last__gt=0).exists()


@committing
def test_letters_are_rendered_after_the_commit_while_others_can_write(
    registrar, agency, walk_in, monkeypatch
):
    # On SQLite the write lock is the whole database's: another officer's step must not wait
    # for WeasyPrint. While each file is rendered, no transaction is open here and a second
    # connection writes.
    real = issuing.render_structure
    calls: list[tuple[str, bool, bool]] = []

    def spying(letter, fmt):
        written = []

        def other_officer():
            try:
                Agency.objects.filter(pk=agency.pk).update(name=agency.name)
                written.append(True)
            finally:
                connection.close()

        thread = threading.Thread(target=other_officer)
        thread.start()
        thread.join()
        calls.append((fmt, connection.in_atomic_block, written == [True]))
        return real(letter, fmt)

    monkeypatch.setattr(issuing, "render_structure", spying)
    case = register(registrar, agency, walk_in)
    assert calls == [("pdf", False, True), ("docx", False, True)]
    receipt = CaseDocument.objects.get(request=case, letter_kind="receipt")
    assert {receipt.file.name, receipt.docx.name} == files_on_disk()
    assert receipt.size == Path(receipt.file.path).stat().st_size > 0
    issued = IssuedLetter.objects.get(kind="receipt")
    assert not issued.pending and len(issued.sha256) == 64
    assert "登记回执" in squash(pdf_text(receipt.file.read()))


@committing
def test_a_render_that_fails_after_the_commit_is_made_from_the_issued_letter_on_download(
    client, registrar, agency, walk_in, monkeypatch
):
    real = issuing.render_structure
    broken = [True]

    def render(letter, fmt):
        if broken[0]:
            raise OSError("font file unreadable")
        return real(letter, fmt)

    monkeypatch.setattr(issuing, "render_structure", render)
    case = register(registrar, agency, walk_in, applicant_name="张明华")
    # The step stands; its letter waits for its files.
    assert InformationRequest.objects.get(pk=case.pk).stage == InformationRequest.Stage.ACCEPT
    receipt = CaseDocument.objects.get(request=case, letter_kind="receipt")
    assert IssuedLetter.objects.get(kind="receipt").pending
    assert files_on_disk() == set()
    # Changed since: the letter that went out named the applicant as registered.
    InformationRequest.objects.filter(pk=case.pk).update(applicant_name="李四")
    broken[0] = False
    client.force_login(registrar)
    response = client.get(reverse("requests:cases:document", args=[case.pk, receipt.pk, "pdf"]))
    assert response.status_code == 200
    text = squash(pdf_text(b"".join(response.streaming_content)))
    assert "张明华" in text and "李四" not in text
    assert not IssuedLetter.objects.get(kind="receipt").pending
    assert files_on_disk() == {receipt.file.name, receipt.docx.name}
    receipt.refresh_from_db()
    assert receipt.size > 0
    docx = client.get(reverse("requests:cases:document", args=[case.pk, receipt.pk, "docx"]))
    assert docx.status_code == 200


@committing
def test_two_letters_of_one_kind_in_one_step_get_their_own_files(registrar, agency, walk_in):
    # The names are decided before anything is written: the second must not take the first's.
    from django.db import transaction

    from requests_app.letter_contexts import ReceiptContext
    from requests_app.letters import common, issue_letter

    case = register(registrar, agency, walk_in)
    with transaction.atomic():
        context = ReceiptContext(
            **common(case, registrar, issue_date=d("2026-03-02")),
            arrival_date=case.arrival_date,
            late_receipt_reason="",
            wanted_form="纸质",
        )
        again = [issue_letter(case, "receipt", context, actor=registrar) for _ in range(2)]
    names = [n for doc in again for n in (doc.file.name, doc.docx.name)]
    assert len(set(names)) == 4
    assert set(names) <= files_on_disk()


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_kept_letter_structure_makes_the_same_letter(kind):
    letter = build_letter(kind, sample_context(kind), check_fonts=False)
    assert issuing.letter_from_data(issuing.letter_data(letter)) == letter


@pytest.mark.django_db
def test_the_case_file_holds_a_letter_whose_render_failed_after_its_commit(
    registrar, handler, office_head, agency, walk_in, monkeypatch
):
    from requests_app.services import request_archive
    from tests.requests_app.test_archive import index_text, ready_to_archive

    real = issuing.render_structure
    monkeypatch.setattr(issuing, "render_structure", lambda letter, fmt: 1 / 0)
    case = register(registrar, agency, walk_in)
    assert IssuedLetter.objects.get(kind="receipt").pending
    monkeypatch.setattr(issuing, "render_structure", real)
    ready_to_archive(case, registrar, handler, office_head)
    case_file = request_archive(actor=registrar, case_id=case.pk, today=d("2026-03-09"))
    index = index_text(case_file)
    assert "登记回执" in index and "另附" not in index  # every document's pages are in it
    assert not IssuedLetter.objects.filter(structure__isnull=False).exists()
