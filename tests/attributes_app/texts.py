"""Final texts of documents for the tests: a DOCX in the usual layout, attached through the
service."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document as DocxDocument
from docx.shared import Pt

from attributes_app.services import document_attach_text
from tests.attributes_app.helpers import fresh

OFFICIAL = [
    "孝义市人民政府办公室关于做好城区老旧小区改造工作的通知",
    "各乡镇人民政府、街道办事处：",
    "现就做好2026年城区老旧小区改造工作通知如下。",
    "孝义市人民政府办公室",
    "2026年3月5日",
    "抄送：市委办公室。",
]


def docx_bytes(lines: list[str]) -> bytes:
    document = DocxDocument()
    for line in lines:
        run = document.add_paragraph().add_run(line)
        run.font.size = Pt(16)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def paragraphs(data: bytes) -> list[str]:
    return [p.text for p in DocxDocument(io.BytesIO(data)).paragraphs]


def attach(document, actor, name: str, data: bytes):
    document_attach_text(actor=actor, document_id=document.pk, file=SimpleUploadedFile(name, data))
    return fresh(document)
