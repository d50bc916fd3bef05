"""The case file (案卷) made at archiving: an index, then every document of the case in order."""

from __future__ import annotations

import base64
import io
import logging
from datetime import date, datetime, timedelta

from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from requests_app.audit_actions import RequestAction
from requests_app.labels import ACTION_LABELS
from requests_app.models import CaseDocument, InformationRequest
from requests_app.selectors import case_events
from requests_app.uploads import FILE_TYPES, IMAGE_READERS, image_too_large
from workflow.cn import cn_date
from workflow.letters.issuing import render_if_pending
from workflow.letters.render import render_structure
from workflow.letters.structure import Letter, Paragraph, Table, TableRow
from workflow.storage import stored_files

logger = logging.getLogger(__name__)

#: The folder of the case documents' files (``CaseDocument.file`` and ``.docx``).
FOLDER = "cases"


def _who(user) -> str:
    if user is None:
        return "系统"
    return user.get_full_name() or user.get_username()


def handling_steps(case: InformationRequest):
    """Every audited step of the case: step, who, when, opinion (for the 办理单)."""
    from requests_app.letter_contexts import HandlingStep

    return [
        HandlingStep(
            step=ACTION_LABELS.get(event.action, event.action),
            who=_who(event.actor),
            when=timezone.localtime(event.at).date(),
            opinion=event.reason,
        )
        for event in case_events(case).order_by("at", "id")
    ]


def steps_once_archived(case: InformationRequest, actor, at: datetime):
    """The handling sheet's steps as they will be once ``actor`` archives the case at ``at``: the
    steps so far and the archiving (made ahead of the lock, which checks them against the real
    ones)."""
    from requests_app.letter_contexts import HandlingStep

    archived = HandlingStep(
        step=RequestAction.REQUEST_ARCHIVED.label,
        who=_who(actor),
        when=timezone.localtime(at).date(),
    )
    return [*handling_steps(case), archived]


def _reader(data: bytes) -> PdfReader:
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        reader.decrypt("")  # owner-password only: readable and mergeable (checked at upload)
    return reader


def _pages(data: bytes) -> int:
    return len(_reader(data).pages)


def _image_page(data: bytes, mime: str) -> bytes:
    """The image on one A4 page, scaled to fit, turned as the camera recorded it."""
    from weasyprint import HTML

    source = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    html = (
        "<style>@page{size:A4;margin:15mm} body{margin:0;text-align:center}"
        " img{max-width:180mm;max-height:265mm;image-orientation:from-image}</style>"
        f'<img src="{source}">'
    )
    return HTML(string=html).write_pdf()


def _fits_a_page(data: bytes, kind: str) -> bool:
    """The image is within the upload limit of pixels (one kept before the limit may not be:
    decoding it would take minutes and gigabytes). Only the header is read."""
    with IMAGE_READERS[kind](io.BytesIO(data)) as image:
        return not image_too_large(*image.size)


def _file_type(document: CaseDocument) -> str:
    if document.file_type:
        return document.file_type
    name = document.file.name.lower()  # letters and files kept before types were recorded
    if name.endswith(".pdf"):
        return "pdf"
    if name.endswith((".jpg", ".jpeg")):
        return "jpeg"
    return "png" if name.endswith(".png") else ""


def _document_pdf(document: CaseDocument) -> bytes | None:
    """The document as PDF pages: PDFs as they are, images on A4 pages; None for other types
    and for a file that cannot be read (it is listed in the index as attached separately)."""
    kind = _file_type(document)
    if kind not in ("pdf", "jpeg", "png"):
        return None
    try:
        if document.kind == CaseDocument.Kind.LETTER:
            render_if_pending(document.file.name)  # its render after its step's commit failed
        with document.file.open("rb") as handle:
            data = handle.read()
        if kind == "pdf":
            _pages(data)  # refuses a file pypdf cannot read before it breaks the whole file
            return data
        if not _fits_a_page(data, kind):
            logger.warning("Case document %s has too many pixels to place on a page", document.pk)
            return None
        return _image_page(data, FILE_TYPES[kind].mime)
    except Exception:  # an unreadable file must not stop the archive; the index says so
        logger.exception("Case document %s could not be merged into the case file", document.pk)
        return None


def _title(document: CaseDocument) -> str:
    if document.is_upload and document.original_name:
        return f"{document.title}（{document.original_name}）"
    return document.title


def _separately(document: CaseDocument) -> str:
    file_type = FILE_TYPES.get(_file_type(document))
    what = f"{file_type.label}文件" if file_type else "电子文件"
    return f"另附{what}（见电子档案）"


#: A document's pages made ahead: its stored file's name, and its PDF (None: attached separately).
Prepared = dict[int, tuple[str, bytes | None]]


def document_pages(documents) -> Prepared:
    """Every document as PDF pages, made before the case is locked (the slow part of the case
    file: images are decoded and placed on pages)."""
    return {d.pk: (d.file.name, _document_pdf(d)) for d in documents}


def _pages_of(document: CaseDocument, prepared: Prepared) -> bytes | None:
    name, data = prepared.get(document.pk, (None, None))
    return data if name == document.file.name else _document_pdf(document)


def case_file_inputs(documents: list[CaseDocument], *, sheet_id: int | None) -> list[tuple]:
    """What the case file takes of each document: its file (the handling sheet ``sheet_id`` by
    its place only, its content being compared apart), and what the index says of it. Equal
    inputs make equal case files."""
    return [
        (
            "handling sheet" if d.pk == sheet_id else d.file.name,
            _title(d),
            d.number,
            timezone.localtime(d.created_at).date(),
        )
        for d in documents
    ]


def build_case_file(
    case: InformationRequest,
    documents: list[CaseDocument],
    *,
    on: date,
    prepared: Prepared | None = None,
) -> bytes:
    """One PDF: a generated index with page numbers, then each document in order (its pages
    taken from ``prepared`` when they were made ahead of the same file)."""
    prepared = prepared or {}
    parts: list[tuple[CaseDocument, bytes | None]] = [
        (d, _pages_of(d, prepared)) for d in documents
    ]

    def index(first_page: int) -> bytes:
        rows = [TableRow(["序号", "材料名称", "文号", "日期", "页码"], header=True)]
        page = first_page
        for number, (document, data) in enumerate(parts, 1):
            if data is None:
                pages = _separately(document)
            else:
                count = _pages(data)
                pages = f"{page}" if count == 1 else f"{page}—{page + count - 1}"
                page += count
            rows.append(
                TableRow(
                    [
                        str(number),
                        _title(document),
                        document.number,
                        cn_date(timezone.localtime(document.created_at).date()),
                        pages,
                    ]
                )
            )
        letter = Letter(
            title="政府信息公开申请案卷目录",
            number=case.case_number,
            blocks=[
                Paragraph(
                    f"申请人：{case.applicant_name}；收到申请之日：{cn_date(case.receipt_date)}；"
                    f"办理结果：{case.get_outcome_display() or '—'}；归档日期：{cn_date(on)}。",
                    indent=False,
                ),
                Table(rows=rows, widths=[7, 37, 24, 20, 12]),
            ],
        )
        return render_structure(letter, "pdf")

    index_pdf = index(first_page=2)
    index_pages = _pages(index_pdf)
    if index_pages != 1:
        index_pdf = index(first_page=index_pages + 1)
    writer = PdfWriter()
    writer.append(io.BytesIO(index_pdf))
    for _, data in parts:
        if data is not None:
            writer.append(_reader(data))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


#: How old a file no case document refers to must be before it is removed: longer than any
#: transaction that may still be about to commit it.
ORPHAN_AGE = timedelta(hours=24)


def sweep_orphan_files(*, now: datetime | None = None, older_than: timedelta = ORPHAN_AGE) -> int:
    """Remove the files of the case documents' folder (``cases/``) that no case document refers
    to, written more than ``older_than`` ago: a process that died between writing a file and
    committing its row (a restart while archiving) left them. Return how many were removed.

    A transaction that fails removes its own files at once (``services._discard``); this is for
    the process that had no chance to."""
    storage = CaseDocument._meta.get_field("file").storage
    cutoff = (now or timezone.now()) - older_than
    removed = 0
    batch: list[str] = []

    def remove_unreferred() -> int:
        referred = set(
            CaseDocument.objects.filter(file__in=batch).values_list("file", flat=True)
        ) | set(CaseDocument.objects.filter(docx__in=batch).values_list("docx", flat=True))
        count = 0
        for name in batch:
            if name not in referred:
                logger.warning("Removing %s: no case document refers to it", name)
                storage.delete(name)  # one already gone is not an error
                count += 1
        batch.clear()
        return count

    for name, modified in stored_files(storage, FOLDER):
        if modified < cutoff:
            batch.append(name)
            if len(batch) == 500:
                removed += remove_unreferred()
    return removed + remove_unreferred()
