"""Reading rendered letters back: text, fonts, page size (for the letter tests)."""

import io
import re
import shutil

import pytest


def squash(text: str) -> str:
    """Text without whitespace, so words broken across lines still match."""
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: bytes) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


def pdf_pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def pdf_page_sizes_mm(pdf: bytes) -> list[tuple[float, float]]:
    from pypdf import PdfReader

    sizes = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        box = page.mediabox
        sizes.append((float(box.width) * 25.4 / 72, float(box.height) * 25.4 / 72))
    return sizes


def pdf_fonts(pdf: bytes) -> dict[str, bool]:
    """Every font of every page: name → embedded (has a font file)."""
    from pypdf import PdfReader

    fonts: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(font.get("/BaseFont"))] = embedded
    return fonts


def docx_text(data: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(data))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def require_cjk_fonts() -> None:
    """Fail, loudly, when the letter fonts are missing: ``make setup`` prepares them, so a test
    that skipped here would hide a broken installation behind a green run."""
    from workflow.letters.fonts import FontsUnavailable, letter_faces

    try:
        letter_faces()
    except FontsUnavailable as error:
        pytest.fail(
            f"没有中文字体，PDF 测试无法运行：{error}\n"
            "请先运行 make setup（或 manage.py prepare_letter_fonts；Debian: fonts-noto-cjk）。",
            pytrace=False,
        )


def require_tool(name: str) -> str:
    """The path of a command-line tool that ``make setup`` installs; fail, loudly, without it."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"没有找到 {name}：请先运行 make setup（Debian: poppler-utils）。", pytrace=False
        )
    return path
