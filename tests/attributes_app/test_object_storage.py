"""The register's files in an S3-compatible object store (``GONGKAI_STORAGE=s3``,
docs/storage.md), against moto's server (``tests/object_storage.py``): a document's final text
and a determination letter (the unit's and the case's copy) are kept in the bucket and handed
out only to their agency, and an uploaded spreadsheet of older documents waits in the bucket
until it is imported or swept."""

from urllib.parse import quote

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from attributes_app.models import DeterminationLetter, Document
from attributes_app.older_uploads import DIR
from attributes_app.services import determination_answer, request_name_document
from requests_app.models import CaseDocument
from tests.attributes_app.test_determination_journey import OFFICE, REASONS
from tests.attributes_app.test_older_import import three_rows, xlsx_bytes
from tests.conftest import _persona
from workflow.models import Job

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def stranger(django_user_model, other_agency):
    def make(role: str):
        return _persona(django_user_model, f"other_{role}", other_agency, role)

    return make


def test_a_documents_final_text_is_kept_in_the_bucket_for_its_agency_only(
    s3, client, draft, drafter, stranger, settings
):
    document = draft()
    client.force_login(drafter)
    response = client.post(
        reverse("attributes:documents:action", kwargs={"pk": document.pk, "action": "attach_text"}),
        {"attach_text-text_file": SimpleUploadedFile("正文.pdf", PDF)},
    )
    assert response.status_code == 302
    name = Document.objects.get(pk=document.pk).file.name
    assert name.startswith("documents/") and s3.read(name) == PDF
    url = reverse("attributes:documents:text", kwargs={"pk": document.pk})
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    settings.GONGKAI_STORAGE_DOWNLOADS = "redirect"
    assert client.get(url)["Location"].startswith(f"{s3.endpoint}/{s3.name}/{quote(name)}?")
    client.force_login(stranger("drafter"))
    assert client.get(url).status_code == 404


@pytest.mark.case(process=True, accepted=True)
def test_a_determination_letter_and_the_cases_copy_are_written_to_the_bucket(
    s3, client, case, handler, office_head, unit_head, agency, unit, stranger
):
    from attributes_app.services import DocumentData, document_register
    from tests.conftest import d

    agency.office_name = OFFICE  # the letter is addressed to it
    agency.save()
    older = document_register(
        actor=office_head,
        agency=agency,
        data=DocumentData(
            title="关于城区老旧小区改造项目资金安排的通知",
            number="孝政办发〔2019〕23号",
            drafting_unit_id=unit.pk,
            formed_on=d("2019-06-14"),
            issued_on=d("2019-06-17"),
        ),
    )
    request_name_document(actor=handler, case_id=case.pk, document_id=older.pk)
    determination_answer(
        actor=unit_head,
        document_id=older.pk,
        attribute="on_request",
        reasons=REASONS,
        ground="limited_scope",
    )
    letter = DeterminationLetter.objects.get()
    copy = CaseDocument.objects.get(letter_kind="attribute_letter")
    assert {letter.file.name, letter.docx.name, copy.file.name, copy.docx.name} <= s3.stored()
    assert s3.read(letter.file.name) == s3.read(copy.file.name)
    assert copy.size == len(s3.read(copy.file.name))
    url = reverse(
        "attributes:determinations:letter", kwargs={"pk": letter.determination_id, "fmt": "pdf"}
    )
    client.force_login(unit_head)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == s3.read(letter.file.name)
    client.force_login(stranger("handler"))  # of another agency
    assert client.get(url).status_code == 404


@pytest.fixture
def older_import_client(client, django_capture_on_commit_callbacks, settings):
    """The test client whose requests run the jobs they submit (inline, after the commit)."""
    settings.GONGKAI_JOBS = "inline"

    class Client:
        def __getattr__(self, name):
            return getattr(client, name)

        def post(self, *args, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return client.post(*args, **kwargs)

    return Client()


def older_folders(s3) -> set[str]:
    return {key.split("/")[1] for key in s3.stored() if key.startswith(f"{DIR}/")}


def test_an_older_import_waits_in_the_bucket_and_leaves_it_when_imported(
    s3, older_import_client, office_head, unit, other_unit
):
    client = older_import_client
    client.force_login(office_head)
    index = reverse("attributes:documents:older_import:index")
    with time_machine.travel("2026-03-03 10:00 +0800", tick=False):
        checked = client.post(
            index, {"file": SimpleUploadedFile("已印发文件清单.xlsx", xlsx_bytes(three_rows()))}
        )
        assert checked.status_code == 302
        token = checked["Location"].rstrip("/").rsplit("/", 1)[1]
        assert {
            key.rsplit("/", 1)[1] for key in s3.stored() if key.startswith(f"{DIR}/{token}/")
        } == {"upload.xlsx", "check.json", "kept-at.txt"}
        client.post(checked["Location"])  # confirmed: the job reads the file from the bucket
    job = Job.objects.get()
    assert job.status == Job.Status.DONE, job.message
    assert Document.objects.count() == 3
    assert older_folders(s3) == set()


def test_an_older_import_nobody_confirms_is_swept_from_the_bucket(
    s3, older_import_client, office_head, unit, other_unit, settings
):
    settings.SESSION_COOKIE_AGE = 7 * 24 * 3600
    client = older_import_client
    client.force_login(office_head)
    index = reverse("attributes:documents:older_import:index")

    def upload():
        sheet = SimpleUploadedFile("清单.xlsx", xlsx_bytes(three_rows()))
        return client.post(index, {"file": sheet})["Location"].rstrip("/").rsplit("/", 1)[1]

    with time_machine.travel("2026-03-03 10:00 +0800", tick=False):
        stale = upload()
    with time_machine.travel("2026-03-06 10:00 +0800", tick=False):
        fresh = upload()
    assert older_folders(s3) == {fresh} and stale != fresh
    assert not Document.objects.exists()
