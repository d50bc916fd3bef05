"""Small real files of every type an officer may upload, and some that only pretend to be."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter


def pdf(pages: int = 1, *, text: str = "", password: str | None = None, owner_only=False) -> bytes:
    """A PDF of ``pages`` pages; with ``text``, each page says "<text> <n>" (for extract_text)."""
    if text:
        from weasyprint import HTML

        body = "".join(
            f'<p style="page-break-after: always">{text} {n}</p>' for n in range(1, pages + 1)
        )
        data = HTML(string=f"<style>@page{{size:A4}}</style>{body}").write_pdf()
        if password is None:
            return data
        writer = PdfWriter(clone_from=io.BytesIO(data))
    else:
        writer = PdfWriter()
        for _ in range(pages):
            writer.add_blank_page(width=595, height=842)
    if password is not None:
        if owner_only:
            writer.encrypt(user_password="", owner_password=password)
        else:
            writer.encrypt(user_password=password, owner_password=password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image(fmt: str = "PNG", size=(320, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 220, 240)).save(out, fmt)
    return out.getvalue()


def docx() -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph("2025年资金拨付明细")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def xlsx() -> bytes:
    return _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"<worksheet/>",
        }
    )


def ofd() -> bytes:
    return _zip(
        {
            "OFD.xml": (
                b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0" DocType="OFD">'
                b"<ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody>"
                b"</ofd:OFD>"
            ),
            "Doc_0/Document.xml": b"<ofd:Document/>",
        }
    )


def zip_bundle() -> bytes:
    return _zip({"明细.txt": "明细".encode()})


EXE = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200)
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)  # a Word 97-2003 .doc


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def png_header(width: int, height: int) -> bytes:
    """A PNG that says it is ``width`` × ``height`` (a photograph of that size, as far as its
    header goes) with a few bytes of pixels: what is refused before anything is decoded."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
