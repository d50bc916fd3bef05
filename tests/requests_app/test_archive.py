"""Archiving under load (issue #10, points 5 and 9): the case file's slow part is made before the
case is locked, exactly one case file is kept, and no file is left behind by a failed archive or
by a process that died before its commit."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from pypdf import PdfReader

from requests_app import case_file as case_file_module
from requests_app.case_file import sweep_orphan_files
from requests_app.models import CaseDocument, InformationRequest
from requests_app.services import StaleCase, request_archive, request_upload
from tests.conftest import d
from tests.requests_app import files as f
from tests.requests_app.test_uploads import serve, to_serve

S = InformationRequest.Stage


def ready_to_archive(case, registrar, handler, office_head):
    request_upload(
        actor=registrar,
        case_id=case.pk,
        kind="application",
        files=[f.upload("申请表.png", f.image("PNG")), f.upload("附页.pdf", f.pdf(2))],
    )
    to_serve(case, handler, office_head)
    serve(case, registrar)


def files_on_disk() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def referred() -> set[str]:
    names = set()
    for document in CaseDocument.objects.all():
        names |= {n for n in (document.file.name, document.docx.name) if n}
    return names


def index_text(document: CaseDocument) -> str:
    return PdfReader(document.file.path).pages[0].extract_text().replace("\n", "").replace(" ", "")


@pytest.mark.django_db
def test_an_archive_that_fails_after_writing_the_case_file_leaves_no_file(
    case, registrar, handler, office_head, monkeypatch
):
    ready_to_archive(case, registrar, handler, office_head)
    before = files_on_disk()
    real_save = CaseDocument.save

    def failing_save(self, *args, **kwargs):
        if self.kind == CaseDocument.Kind.CASE_FILE:
            written = files_on_disk() - before
            assert any(name.endswith("case-file.pdf") for name in written)  # it is on disk
            raise RuntimeError("disk quota exceeded")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(CaseDocument, "save", failing_save)
    with pytest.raises(RuntimeError):
        request_archive(actor=registrar, case_id=case.pk, today=d("2026-03-09"))
    # Neither the case file nor the handling sheet written in the failed transaction remains.
    assert files_on_disk() == before == referred()
    assert InformationRequest.objects.get(pk=case.pk).stage == S.ARCHIVE
    monkeypatch.setattr(CaseDocument, "save", real_save)
    request_archive(actor=registrar, case_id=case.pk, today=d("2026-03-09"))  # and again: fine
    assert files_on_disk() == referred()


@pytest.mark.django_db(transaction=True)
def test_nothing_is_rendered_while_the_case_is_locked(
    case, registrar, handler, office_head, monkeypatch
):
    # On SQLite the write lock is the whole database's: placing scans on pages, rendering the
    # handling sheet and putting the case file together must not hold it.
    from requests_app import letters
    from requests_app.services import closing

    ready_to_archive(case, registrar, handler, office_head)
    calls: list[tuple[str, bool]] = []

    def spy(module, name):
        real = getattr(module, name)

        def spying(*args, **kwargs):
            calls.append((name, connection.in_atomic_block))
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, spying)

    spy(case_file_module, "_image_page")
    spy(case_file_module, "build_case_file")
    spy(letters, "render_letter_files")  # issue_letter's
    spy(closing, "render_letter_files")  # the archive's, ahead of the lock
    document = request_archive(actor=registrar, case_id=case.pk, today=d("2026-03-09"))
    assert {name for name, _ in calls} == {"_image_page", "build_case_file", "render_letter_files"}
    assert [name for name, locked in calls if locked] == []
    assert InformationRequest.objects.get(pk=case.pk).stage == S.CLOSED
    # What was made ahead is what is kept: the case file ends with the handling sheet kept.
    sheet = case.documents.get(letter_kind="handling_sheet")
    pages = PdfReader(document.file.path).pages
    assert pages[-1].extract_text() == PdfReader(sheet.file.path).pages[-1].extract_text()
    assert "归档" in pages[-1].extract_text()


@pytest.mark.django_db
def test_what_changed_while_the_case_file_was_made_ahead_is_in_it(
    case, registrar, handler, office_head, monkeypatch
):
    from requests_app.services import closing

    ready_to_archive(case, registrar, handler, office_head)
    real = closing._archive_ahead

    def then_a_proof_arrives(*args, **kwargs):
        ahead = real(*args, **kwargs)
        request_upload(
            actor=registrar,
            case_id=case.pk,
            kind="service_proof",
            files=[f.upload("送达回证.jpg", f.image("JPEG"))],
        )
        return ahead

    monkeypatch.setattr(closing, "_archive_ahead", then_a_proof_arrives)
    document = request_archive(actor=registrar, case_id=case.pk, today=d("2026-03-09"))
    assert "送达凭证（送达回证.jpg）" in index_text(document)
    assert "另附" not in index_text(document)
    # The handling sheet was made again under the lock: it has the upload among its steps.
    sheet = case.documents.get(letter_kind="handling_sheet")
    sheet_text = "".join(p.extract_text() for p in PdfReader(sheet.file.path).pages)
    assert "送达回证.jpg" in sheet_text.replace("\n", "")


@pytest.mark.django_db
def test_a_case_is_archived_once(case, registrar, handler, office_head):
    ready_to_archive(case, registrar, handler, office_head)
    request_archive(actor=registrar, case_id=case.pk, today=d("2026-03-09"))
    with pytest.raises(StaleCase, match="已归档"):
        request_archive(actor=registrar, case_id=case.pk, today=d("2026-03-09"))
    assert CaseDocument.objects.filter(request=case, kind="case_file").count() == 1
    assert files_on_disk() == referred()


@pytest.mark.django_db
def test_an_image_kept_before_the_pixel_limit_is_attached_separately(
    case, registrar, handler, office_head, settings, monkeypatch
):
    settings.GONGKAI_UPLOAD_MAX_IMAGE_MP = 1000  # as before the limit
    request_upload(
        actor=registrar,
        case_id=case.pk,
        kind="application",
        files=[f.upload("巨幅.png", f.png_header(13000, 13000))],
    )
    settings.GONGKAI_UPLOAD_MAX_IMAGE_MP = 50
    to_serve(case, handler, office_head)
    serve(case, registrar)
    placed: list[str] = []
    monkeypatch.setattr(case_file_module, "_image_page", lambda data, mime: placed.append(mime))
    document = request_archive(actor=registrar, case_id=case.pk, today=d("2026-03-09"))
    assert placed == []  # never decoded
    assert "申请书扫描件（巨幅.png）" in index_text(document)
    assert "另附PNG文件" in index_text(document)


@pytest.mark.django_db
def test_the_sweep_removes_old_files_no_case_document_refers_to(
    case, registrar, handler, office_head
):
    ready_to_archive(case, registrar, handler, office_head)
    kept = referred()
    folder = (Path(settings.MEDIA_ROOT) / sorted(kept)[0]).parent
    orphan, fresh = folder / "2026-9-case-file.pdf", folder / "2026-10-case-file.pdf"
    orphan.write_bytes(f.pdf())  # a process died between writing it and its commit
    fresh.write_bytes(f.pdf())  # a transaction may still be about to commit it
    day_ago = (timezone.now() - timedelta(hours=25)).timestamp()
    os.utime(orphan, (day_ago, day_ago))
    for name in kept:
        os.utime(Path(settings.MEDIA_ROOT) / name, (day_ago, day_ago))
    assert sweep_orphan_files() == 1
    assert not orphan.exists() and fresh.exists()
    assert kept <= files_on_disk()


@pytest.mark.django_db
def test_the_sweep_command_reports_what_it_removed(case, registrar, handler, office_head):
    import io

    from django.core.management import call_command

    ready_to_archive(case, registrar, handler, office_head)
    folder = (Path(settings.MEDIA_ROOT) / sorted(referred())[0]).parent
    orphan = folder / "2026-9-case-file.pdf"
    orphan.write_bytes(f.pdf())
    day_ago = (timezone.now() - timedelta(hours=25)).timestamp()
    os.utime(orphan, (day_ago, day_ago))
    out = io.StringIO()
    call_command("sweep_leftovers", stdout=out)
    assert "删除1个遗留文件" in out.getvalue() and not orphan.exists()
