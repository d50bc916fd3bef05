"""The final text exported with its attribute mark at the GB/T 9704 附注 position (DOMAIN §4.1)."""

import io
import re

import pdfplumber
import pytest
from docx import Document as DocxDocument
from pypdf import PdfReader

from attributes_app.exports import (
    CHAR_PITCH,
    ExportRefused,
    mark_docx,
    mark_pdf,
    marked_text,
)
from tests.attributes_app.helpers import INTERNAL, confirmed, issued
from tests.attributes_app.texts import OFFICIAL, attach, docx_bytes, paragraphs
from tests.letters.helpers import pdf_fonts, require_cjk_fonts, squash
from workflow.letters.render import render_letter, sample_context

pytestmark = pytest.mark.django_db

PUBLIC, ON_REQUEST, WITHHELD = "（此件公开发布）", "（此件依申请公开）", "（此件不予公开）"
MM = 72 / 25.4


@pytest.fixture(scope="module", autouse=True)
def _fonts():
    require_cjk_fonts()


def test_docx_mark_goes_right_under_the_date_line_indented_two_characters():
    # GB/T 9704 7.3.6: the 附注 is below the date, indented two characters, in parentheses.
    marked = mark_docx(docx_bytes(OFFICIAL), PUBLIC)
    texts = paragraphs(marked)
    assert texts.index(PUBLIC) == texts.index("2026年3月5日") + 1
    assert texts[-1] == "抄送：市委办公室。"
    paragraph = DocxDocument(io.BytesIO(marked)).paragraphs[texts.index(PUBLIC)]
    assert paragraph.paragraph_format.first_line_indent.pt == pytest.approx(32)
    assert paragraph.runs[0].font.size.pt == 16  # the date line's run properties, copied


def test_docx_without_a_date_line_gets_the_mark_at_the_end():
    texts = paragraphs(mark_docx(docx_bytes(["关于某事的通知", "正文。"]), WITHHELD))
    assert texts[-1] == WITHHELD


def test_a_date_in_chinese_numerals_is_found_too():
    lines = ["通知", "正文。", "二〇二六年三月五日", "（联系人：王丽）"]
    texts = paragraphs(mark_docx(docx_bytes(lines), ON_REQUEST))
    assert texts[3] == ON_REQUEST and texts[4] == "（联系人：王丽）"


def test_docx_never_carries_two_marks():
    once = mark_docx(docx_bytes(OFFICIAL), ON_REQUEST)
    assert mark_docx(once, ON_REQUEST) == once
    changed = paragraphs(mark_docx(once, PUBLIC))
    assert changed.count(PUBLIC) == 1 and ON_REQUEST not in changed


def lines_of(pdf: bytes, page: int = -1) -> list[tuple[str, float, float]]:
    """(text, x0, top) of each line of a page, top to bottom (pdfplumber)."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        words = document.pages[page].extract_words(keep_blank_chars=True)
    return [(w["text"], w["x0"], w["top"]) for w in sorted(words, key=lambda w: w["top"])]


def test_pdf_mark_is_stamped_below_the_date_line():
    source = render_letter("reply", sample_context("reply"), "pdf")
    pages = len(PdfReader(io.BytesIO(source)).pages)
    marked = mark_pdf(source, PUBLIC)
    assert len(PdfReader(io.BytesIO(marked)).pages) == pages
    lines = [line for line in lines_of(marked) if "— " not in line[0]]
    _, x0, top = next(line for line in lines if line[0] == PUBLIC)
    others = [line for line in lines if line[0] != PUBLIC]
    date = max(
        (line for line in others if re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", squash(line[0]))),
        key=lambda line: line[2],
    )
    note = next(line for line in others if squash(line[0]).startswith("（联系人"))
    assert date[2] < note[2] < top  # under the date and the 附注 already there
    assert top - note[2] == pytest.approx(225 * MM / 22, abs=3)
    left = min(line[1] for line in others)
    assert x0 == pytest.approx(left + 2 * CHAR_PITCH, abs=1.5)  # indented two characters
    assert top < (297 - 35) * MM  # inside the text block
    assert all(pdf_fonts(marked).values())  # every font embedded, the stamp's included


def pdf_of(body: str, css: str = "") -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from workflow.letters import fonts

    config = FontConfiguration()
    stylesheet = CSS(
        string=f"{fonts.font_face_css()} @page {{ size: A4; margin: 37mm 26mm 35mm 28mm; }}"
        f" p {{ font-family: {fonts.font_stack('body')}; font-size: 16pt; line-height: 29pt;"
        f" margin: 0; }} {css}",
        font_config=config,
    )
    return HTML(string=f"<html><body>{body}</body></html>").write_pdf(
        stylesheets=[stylesheet], font_config=config
    )


def test_pdf_mark_goes_under_the_date_and_above_the_imprint_at_the_foot():
    # GB/T 9704 7.4: the 版记 (抄送, 印发机关和印发日期) sits at the foot of the last page; the
    # 附注 belongs under the 成文日期, above it.
    body = (
        "<p>关于做好城区老旧小区改造工作的通知</p><p>现就有关事项通知如下。</p>"
        "<p style='text-align:right'>孝义市人民政府办公室</p>"
        "<p style='text-align:right'>2026年3月5日</p>"
        "<div style='position:absolute; bottom:0; left:0; right:0'>"
        "<p>抄送：市委办公室。</p><p>孝义市人民政府办公室　　2026年3月5日印发</p></div>"
    )
    marked = mark_pdf(pdf_of(body), PUBLIC)
    assert len(PdfReader(io.BytesIO(marked)).pages) == 1
    tops = {squash(text): top for text, _, top in lines_of(marked)}
    assert tops["2026年3月5日"] < tops[PUBLIC] < tops["抄送：市委办公室。"]
    assert tops[PUBLIC] - tops["2026年3月5日"] == pytest.approx(225 * MM / 22, abs=3)


def test_pdf_mark_with_no_room_under_the_date_goes_on_a_new_page():
    body = "<p>通知正文。</p><p>2026年3月5日</p><p>抄送：市委办公室。</p>"
    marked = mark_pdf(pdf_of(body), ON_REQUEST)
    assert len(PdfReader(io.BytesIO(marked)).pages) == 2
    assert [squash(t) for t, *_ in lines_of(marked, page=1)] == [ON_REQUEST]


def full_page_pdf() -> bytes:
    """One A4 page whose text runs down to the bottom of the text block."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from workflow.letters import fonts

    config = FontConfiguration()
    css = CSS(
        string=f"{fonts.font_face_css()} @page {{ size: A4; margin: 37mm 26mm 30mm 28mm; }}"
        f" p {{ font-family: {fonts.font_stack('body')}; font-size: 16pt; line-height: 29pt;"
        " margin: 0; }",
        font_config=config,
    )
    body = "".join(f"<p>第{i}行正文，占满版心。</p>" for i in range(1, 23))
    return HTML(string=f"<html><body>{body}</body></html>").write_pdf(
        stylesheets=[css], font_config=config
    )


def test_pdf_without_room_gets_a_new_a4_page():
    source = full_page_pdf()
    assert len(PdfReader(io.BytesIO(source)).pages) == 1
    marked = mark_pdf(source, WITHHELD)
    reader = PdfReader(io.BytesIO(marked))
    assert len(reader.pages) == 2
    box = reader.pages[1].mediabox
    assert (float(box.width) / MM, float(box.height) / MM) == pytest.approx((210, 297), abs=0.5)
    ((text, x0, top),) = lines_of(marked, page=1)
    assert text == WITHHELD
    assert x0 == pytest.approx(28 * MM + 2 * CHAR_PITCH, abs=1.5)
    assert top == pytest.approx(37 * MM, abs=5)  # the first line of the text block
    assert WITHHELD not in squash(" ".join(t for t, *_ in lines_of(marked, page=0)))


def test_pdf_with_another_mark_is_refused_and_the_same_mark_is_not_repeated():
    marked = mark_pdf(render_letter("receipt", sample_context("receipt"), "pdf"), ON_REQUEST)
    assert mark_pdf(marked, ON_REQUEST) == marked
    with pytest.raises(ExportRefused, match="不一致"):
        mark_pdf(marked, PUBLIC)


@pytest.fixture
def restricted(draft, drafter, unit_head):
    return issued(draft(), drafter=drafter, head=unit_head, attribute="on_request", **INTERNAL)


def test_the_export_carries_the_documents_own_mark(restricted, drafter):
    document = attach(restricted, drafter, "通知.docx", docx_bytes(OFFICIAL))
    result = marked_text(document)
    assert result.filename.endswith("（此件依申请公开）.docx")
    assert ON_REQUEST in paragraphs(result.data)


def test_no_export_without_a_confirmed_attribute(draft, drafter, unit_head):
    # 不予发文: a text whose attribute is not confirmed does not go out marked (DOMAIN §4.1).
    document = attach(draft(), drafter, "稿.docx", docx_bytes(OFFICIAL))
    with pytest.raises(ExportRefused, match="不予发文"):
        marked_text(document)
    proposed = confirmed(document, drafter=drafter, head=unit_head)
    assert proposed.attribute_state == "awaiting_publication"
    assert PUBLIC in paragraphs(marked_text(proposed).data)


def test_a_file_that_is_neither_docx_nor_pdf_is_refused(restricted, drafter):
    document = attach(restricted, drafter, "通知.docx", b"not a word file at all")
    with pytest.raises(ExportRefused, match="DOCX 或 PDF"):
        marked_text(document)


def test_the_export_view_is_scoped_and_says_why_it_refuses(
    client, restricted, drafter, draft, outsider, registrar
):
    document = attach(
        restricted, drafter, "通知.pdf", render_letter("receipt", sample_context("receipt"), "pdf")
    )
    url = f"/attributes/document_files/{document.pk}/marked/"
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(registrar)  # same agency, no role of the register: like the plain text
    assert client.get(url).status_code == 403
    assert client.get(f"/attributes/documents/{document.pk}/text/").status_code == 403
    client.force_login(drafter)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert ON_REQUEST in squash(" ".join(t for t, *_ in lines_of(response.content)))
    undetermined = draft(title="未提出公开属性建议的文稿")
    refused = client.get(f"/attributes/document_files/{undetermined.pk}/marked/")
    assert refused.status_code == 409
    assert "不予发文" in refused.content.decode()


def test_the_document_page_offers_the_marked_text_or_says_why_not(
    client, restricted, drafter, unit_head, draft
):
    # DOMAIN §4.1: only a confirmed attribute is marked on the text; otherwise 不予发文.
    document = attach(restricted, drafter, "通知.docx", docx_bytes(OFFICIAL))
    client.force_login(drafter)
    page = client.get(f"/attributes/documents/{document.pk}/").content.decode()
    assert f'href="/attributes/document_files/{document.pk}/marked/"' in page
    assert "下载加注“（此件依申请公开）”的正式文本" in page
    proposed = attach(draft(title="尚未确认的文稿"), drafter, "稿.docx", docx_bytes(OFFICIAL))
    page = client.get(f"/attributes/documents/{proposed.pk}/").content.decode()
    assert f"/attributes/document_files/{proposed.pk}/marked/" not in page
    assert "不能导出加注公开属性的正式文本：不予发文" in page


def test_a_documents_text_and_its_marked_text_open_in_a_sandbox(client, restricted, drafter, draft):
    # Issue #10, point 9: a file opened in the browser runs as no page of this site.
    document = attach(
        restricted, drafter, "通知.pdf", render_letter("receipt", sample_context("receipt"), "pdf")
    )
    client.force_login(drafter)
    for url in (
        f"/attributes/documents/{document.pk}/text/",
        f"/attributes/document_files/{document.pk}/marked/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Security-Policy"] == "sandbox", url
        assert response["X-Content-Type-Options"] == "nosniff", url
    refused = client.get(f"/attributes/document_files/{draft().pk}/marked/")
    assert refused.status_code == 409
    assert "sandbox" not in refused.get("Content-Security-Policy", "")
