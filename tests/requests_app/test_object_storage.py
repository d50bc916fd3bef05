"""A case's files in an S3-compatible object store (``GONGKAI_STORAGE=s3``, docs/storage.md),
against moto's server (``tests/object_storage.py``): letters are written to the bucket, uploads
go there, the case file is made from it, downloads still pass the checks and stream the object
or redirect to a signed URL, and the sweep of leftover files works on the bucket."""

import io
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from requests_app.case_file import sweep_orphan_files
from requests_app.models import CaseDocument
from requests_app.services import request_archive, request_upload
from tests.conftest import d
from tests.requests_app import files as f
from tests.requests_app.test_archive import ready_to_archive
from workflow.storage import write_exactly

pytestmark = pytest.mark.django_db


def document_url(case, document, fmt="pdf") -> str:
    return reverse("requests:cases:document", args=[case.pk, document.pk, fmt])


def upload_url(case, document) -> str:
    return reverse("requests:cases:upload_file", args=[case.pk, document.pk])


def no_local_files(settings) -> bool:
    root = settings.MEDIA_ROOT
    return not root.exists() or not any(p.is_file() for p in root.rglob("*"))


@pytest.fixture
def case(s3, case):
    """The walk-in case, registered with the file storage set to the bucket."""
    return case


def test_the_registrations_receipt_is_written_to_the_bucket(s3, case, settings):
    receipt = CaseDocument.objects.get(request=case, letter_kind="receipt")
    assert {receipt.file.name, receipt.docx.name} <= s3.stored()
    pdf = s3.read(receipt.file.name)
    assert pdf.startswith(b"%PDF") and receipt.size == len(pdf)
    assert s3.read(receipt.docx.name).startswith(b"PK")  # a Word (zip) file
    assert no_local_files(settings)


def test_a_letter_downloads_streamed_from_the_bucket(s3, client, case, registrar):
    receipt = CaseDocument.objects.get(request=case, letter_kind="receipt")
    client.force_login(registrar)
    response = client.get(document_url(case, receipt))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline; filename*=utf-8''")
    assert response["Content-Security-Policy"] == "sandbox"  # still the file views' headers
    body = b"".join(response.streaming_content)
    assert body == s3.read(receipt.file.name)
    assert int(response["Content-Length"]) == len(body)
    docx = client.get(document_url(case, receipt, "docx"))
    assert docx["Content-Disposition"].startswith("attachment; ")
    assert b"".join(docx.streaming_content) == s3.read(receipt.docx.name)


def test_the_redirect_mode_hands_out_a_short_lived_signed_url(
    s3, client, case, registrar, settings
):
    settings.GONGKAI_STORAGE_DOWNLOADS = "redirect"
    settings.GONGKAI_STORAGE_URL_SECONDS = 30
    receipt = CaseDocument.objects.get(request=case, letter_kind="receipt")
    client.force_login(registrar)
    response = client.get(document_url(case, receipt, "docx"))
    assert response.status_code == 302
    assert response["Cache-Control"] == "no-store"
    location = response["Location"]
    url = urlsplit(location)
    assert location.startswith(f"{s3.endpoint}/{s3.name}/{receipt.docx.name}?")
    query = parse_qs(url.query)
    # Signed (SigV4) for 30 seconds from now: the store refuses it after that.
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["30"]
    signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs(signed_at - timezone.now()) < timedelta(minutes=1)
    assert "x-amz-signature" in {key.lower() for key in query}
    # The URL works, and the store names the file as the view would have.
    with urllib.request.urlopen(location, timeout=30) as fetched:
        assert fetched.read() == s3.read(receipt.docx.name)
        assert fetched.headers["Content-Disposition"].startswith("attachment; filename*=utf-8''")
        assert fetched.headers["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
    # Without its signature the object is not handed out.
    unsigned = f"{s3.endpoint}/{s3.name}/{receipt.docx.name}"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(unsigned, timeout=30)
    assert refused.value.code == 403


@pytest.mark.parametrize("mode", ["stream", "redirect"])
def test_another_agency_gets_neither_the_file_nor_a_url(
    s3, client, case, registrar, outsider, settings, mode
):
    # DOMAIN §1: nobody sees another agency's data, whichever way files go out.
    settings.GONGKAI_STORAGE_DOWNLOADS = mode
    receipt = CaseDocument.objects.get(request=case, letter_kind="receipt")
    [scan] = request_upload(
        actor=registrar, case_id=case.pk, kind="application", files=[f.upload("a.pdf", f.pdf())]
    )
    client.force_login(outsider)
    for url in (document_url(case, receipt), upload_url(case, scan)):
        response = client.get(url)
        assert response.status_code == 404
        assert s3.name not in response.get("Location", "")


def test_a_role_without_the_request_pages_is_refused(
    s3, client, case, django_user_model, agency, settings
):
    from tests.conftest import _persona

    settings.GONGKAI_STORAGE_DOWNLOADS = "redirect"
    drafter = _persona(django_user_model, "drafter", agency, "drafter")
    receipt = CaseDocument.objects.get(request=case, letter_kind="receipt")
    client.force_login(drafter)
    assert client.get(document_url(case, receipt)).status_code == 403


def test_uploads_go_to_the_bucket_and_download_from_it(s3, client, case, registrar, settings):
    data = f.pdf(2)
    [scan] = request_upload(
        actor=registrar, case_id=case.pk, kind="application", files=[f.upload("申请表.pdf", data)]
    )
    assert scan.file.name.startswith("cases/") and s3.read(scan.file.name) == data
    assert no_local_files(settings)
    client.force_login(registrar)
    response = client.get(upload_url(case, scan))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        "inline; filename*=utf-8''%E7%94%B3%E8%AF%B7%E8%A1%A8.pdf"
    )
    assert b"".join(response.streaming_content) == data


def test_a_file_missing_from_the_bucket_is_not_handed_out(s3, client, case, registrar):
    [scan] = request_upload(
        actor=registrar, case_id=case.pk, kind="application", files=[f.upload("a.pdf", f.pdf())]
    )
    s3.client.delete_object(Bucket=s3.name, Key=scan.file.name)
    client.force_login(registrar)
    response = client.get(upload_url(case, scan))
    assert response.status_code == 404
    assert "已不在文件存储中" in response.content.decode()


def test_the_case_file_is_made_from_the_bucket_and_kept_there(
    s3, case, registrar, handler, office_head, settings
):
    request_upload(
        actor=registrar,
        case_id=case.pk,
        kind="other",
        files=[f.upload("现场照片说明.pdf", f.pdf(2, text="BUCKETPAGE"))],
    )
    ready_to_archive(case, registrar, handler, office_head)
    case_file = request_archive(actor=registrar, case_id=case.pk, today=d("2026-03-09"))
    assert case_file.file.name in s3.stored()
    reader = PdfReader(io.BytesIO(s3.read(case_file.file.name)))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "BUCKETPAGE 1" in text and "BUCKETPAGE 2" in text  # the uploaded pages, from the bucket
    index = "".join(reader.pages[0].extract_text().split())
    assert "现场照片说明.pdf" in index and "申请表.png" in index
    documents = CaseDocument.objects.filter(request=case)
    kept = {n for doc in documents for n in (doc.file.name, doc.docx.name) if n}
    assert kept == s3.stored()  # every file in the bucket, none left over
    assert no_local_files(settings)


def test_the_sweep_removes_old_objects_no_case_document_refers_to(
    s3, case, registrar, handler, office_head
):
    from django.core.files.storage import default_storage

    ready_to_archive(case, registrar, handler, office_head)
    kept = s3.stored()
    folder = sorted(kept)[0].rsplit("/", 1)[0]
    orphan = f"{folder}/2026-9-case-file.pdf"  # a process died between writing it and its commit
    write_exactly(default_storage, orphan, f.pdf())
    default_storage.save("older-imports/x/upload.xlsx", ContentFile(b"not a case file"))
    # Written just now: a transaction may still be about to commit it.
    assert sweep_orphan_files() == 0 and orphan in s3.stored()
    # A day later it is a leftover; every file a case document refers to stays.
    assert sweep_orphan_files(now=timezone.now() + timedelta(hours=25)) == 1
    assert s3.stored() == kept | {"older-imports/x/upload.xlsx"}


def test_the_sweep_leftovers_command_sweeps_the_bucket(s3, case):
    from django.core.files.storage import default_storage
    from django.core.management import call_command

    receipt = CaseDocument.objects.get(request=case, letter_kind="receipt")
    orphan = f"{receipt.file.name.rsplit('/', 1)[0]}/2026-9-case-file.pdf"
    write_exactly(default_storage, orphan, f.pdf())
    out = io.StringIO()
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        call_command("sweep_leftovers", stdout=out)
    assert "删除1个遗留文件" in out.getvalue()
    assert s3.stored() == {receipt.file.name, receipt.docx.name}
