"""The case file (案卷) made at archiving: an index, then every document of the case in order."""

from __future__ import annotations

import io
from datetime import date

from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from requests_app.labels import ACTION_LABELS
from requests_app.models import CaseDocument, InformationRequest
from requests_app.selectors import case_events
from workflow.cn import cn_date
from workflow.letters.render import render_structure
from workflow.letters.structure import Letter, Paragraph, Table, TableRow


def _who(user) -> str:
    if user is None:
        return "系统"
    return user.get_full_name() or user.get_username()


def handling_steps(case: InformationRequest):
    """Every audited step of the case: step, who, when, opinion (for the 办理单)."""
    from workflow.letters.contexts import HandlingStep

    return [
        HandlingStep(
            step=ACTION_LABELS.get(event.action, event.action),
            who=_who(event.actor),
            when=timezone.localtime(event.at).date(),
            opinion=event.reason,
        )
        for event in case_events(case).order_by("at", "id")
    ]


def _pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def _image_page(path: str) -> bytes:
    from weasyprint import HTML

    html = (
        "<style>@page{size:A4;margin:15mm} img{max-width:100%;max-height:260mm}</style>"
        f'<img src="file://{path}">'
    )
    return HTML(string=html).write_pdf()


def _document_pdf(document: CaseDocument) -> bytes | None:
    name = document.file.name.lower()
    if name.endswith(".pdf"):
        with document.file.open("rb") as handle:
            return handle.read()
    if name.endswith((".png", ".jpg", ".jpeg")):
        return _image_page(document.file.path)
    return None


def build_case_file(case: InformationRequest, documents: list[CaseDocument], *, on: date) -> bytes:
    """One PDF: a generated index with page numbers, then each document in order."""
    parts: list[tuple[CaseDocument, bytes | None]] = [(d, _document_pdf(d)) for d in documents]

    def index(first_page: int) -> bytes:
        rows = [TableRow(["序号", "材料名称", "文号", "日期", "页码"], header=True)]
        page = first_page
        for number, (document, data) in enumerate(parts, 1):
            if data is None:
                pages = "未并入（非PDF或图片，见电子档案）"
            else:
                count = _pages(data)
                pages = f"{page}" if count == 1 else f"{page}—{page + count - 1}"
                page += count
            rows.append(
                TableRow(
                    [
                        str(number),
                        document.title,
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
            writer.append(io.BytesIO(data))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
