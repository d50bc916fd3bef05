"""The letter's own 文号 and the case's 登记编号 (DOMAIN §3.8, GB/T 9704 7.2.5), the seal's place
shown only on drafts and previews, and the end of the third party's disclosure notice kept with
its signature by GB/T 9704 7.3.5.1's remedy (closer line and character spacing)."""

import io

import pytest
from django.contrib.auth import get_user_model

from tests.letters.helpers import pdf_pages, pdf_text, require_cjk_fonts, squash
from workflow.letters import pdf as pdf_renderer
from workflow.letters.kinds import KIND_FAMILIES, KINDS
from workflow.letters.render import build_letter, render_structure, sample_context
from workflow.letters.structure import Letter, Paragraph, Signature


@pytest.mark.parametrize("kind", sorted(KIND_FAMILIES))
def test_a_numbered_letter_carries_its_own_number_and_states_the_case_number(kind):
    context = sample_context(kind)
    letter = build_letter(kind, context)
    case_number = context.case_number_text()
    assert letter.number == context.letter_number.format() != case_number
    body = "".join(b.text for b in letter.blocks if isinstance(b, Paragraph))
    assert f"登记编号：{case_number}" in body


@pytest.mark.parametrize("kind", ["receipt", "service_proof", "handling_sheet"])
def test_the_receipt_and_the_forms_keep_the_case_number(kind):
    context = sample_context(kind)
    assert KIND_FAMILIES.get(kind) is None
    assert context.number_text() == context.case_number_text() == "孝政办信申〔2026〕17号"


def _seal_marks(text: str) -> int:
    # The circle's words are drawn over the agency's name; the extracted text interleaves them.
    return text.count("印") + text.count("章") + text.count("位") + text.count("置")


def test_the_seal_place_is_marked_on_drafts_only():
    require_cjk_fonts()
    context = sample_context("reply")
    issued = build_letter("reply", context)
    draft = build_letter("reply", context, draft=True)
    assert 'class="seal"' not in pdf_renderer.letter_html(issued)
    assert 'class="seal"' in pdf_renderer.letter_html(draft)
    issued_text = pdf_text(render_structure(issued, "pdf"))
    assert _seal_marks(pdf_text(render_structure(draft, "pdf"))) == _seal_marks(issued_text) + 4


@pytest.mark.django_db
def test_the_gallery_shows_the_seal_place_and_a_sample_number(client):
    require_cjk_fonts()
    client.force_login(get_user_model().objects.create_user("handler", password="x-123456"))
    response = client.get("/tools/letters/third_party_consultation.pdf")
    text = squash(
        pdf_text(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    issued = pdf_text(
        render_structure(
            build_letter("third_party_consultation", sample_context("third_party_consultation")),
            "pdf",
        )
    )
    assert _seal_marks(text) == _seal_marks(squash(issued)) + 4
    assert "孝政办信申函〔2026〕3号" in text


def _page_texts(pdf: bytes) -> list[str]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [squash(page.extract_text() or "") for page in document.pages]


def _disclosure_notice(extra: int):
    """The third party's disclosure notice sample, shortened (no waiting date, a short name of
    the information) so that it ends on page 1, with its reasons longer by ``extra`` phrases."""
    context = sample_context("third_party_disclosure_notice")
    context.disclosure_date = None
    context.information = "施工合同的合同金额"
    context.reasons = "不公开可能对公共利益造成重大影响" + "，相关信息已依法核实" * extra + "。"
    return build_letter("third_party_disclosure_notice", context)


def test_the_disclosure_notice_never_leaves_its_signature_alone_on_a_page():
    # GB/T 9704 7.3.5.1: the signature and date never open a page without the end of the body;
    # when only a little runs over, closer spacing takes it back onto the page before.
    require_cjk_fonts()
    remedied = False
    plain_counts = set()
    for extra in range(0, 12):
        letter = _disclosure_notice(extra)
        plain = len(pdf_renderer.layout(letter).pages)
        plain_counts.add(plain)
        rendered = render_structure(letter, "pdf")
        pages = _page_texts(rendered)
        assert len(pages) <= plain
        remedied |= len(pages) < plain
        dated = [i for i, text in enumerate(pages) if squash(letter.signature.date) in text]
        assert dated and dated[-1] == len(pages) - 1
        last_body = squash(letter.blocks[-1].text)
        assert last_body[-10:] in pages[dated[-1]], (extra, pages[-1])
        assert squash(letter.note) in pages[-1]
    assert plain_counts == {1, 2}  # the range crosses the page break …
    assert remedied  # … and somewhere the closer spacing kept the letter on one page


def test_the_sample_disclosure_notice_is_set_as_before():
    # Its end runs well over: the last paragraph goes over with the signature, spacing unchanged.
    require_cjk_fonts()
    letter = build_letter(
        "third_party_disclosure_notice", sample_context("third_party_disclosure_notice")
    )
    assert len(pdf_renderer.layout(letter).pages) == pdf_pages(render_structure(letter, "pdf"))
    assert KINDS["third_party_disclosure_notice"].one_page is False


def _attachment_letter(count: int) -> Letter:
    names = ["甲" * 40, "乙" * 40][:count]
    return Letter(
        title="测试函",
        blocks=[Paragraph("正文。")],
        attachments=names,
        signature=Signature(agency="孝义市人民政府办公室", date="2026年3月5日"),
    )


@pytest.mark.parametrize("count", [1, 2])
def test_a_wrapped_attachment_name_aligns_under_its_first_character(count):
    # GB/T 9704 7.3.3: "附件：" two characters in, then "1." and the name; a name that needs
    # another line goes on under the first character of the name.
    import pdfplumber

    require_cjk_fonts()
    pdf = render_structure(_attachment_letter(count), "pdf")
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        chars = document.pages[0].chars
        starts = []
        for mark in "甲乙"[:count]:
            lines: dict[int, float] = {}
            for char in chars:
                if char["text"] == mark:
                    top = round(char["top"])
                    lines[top] = min(lines.get(top, char["x0"]), char["x0"])
            assert len(lines) == 2  # the name wraps once
            first, wrapped = (lines[top] for top in sorted(lines))
            assert wrapped == pytest.approx(first, abs=0.5)
            starts.append(first)
        label = next(c for c in chars if c["text"] == "附")
    assert max(starts) - min(starts) < 0.5  # the names of several attachments align too
    # "附件：" starts two characters in from the text block's edge (28 mm).
    assert label["x0"] == pytest.approx(28 * pdf_renderer.MM + 2 * pdf_renderer.CHAR_PITCH, abs=1)


def test_docx_attachments_hang_under_the_names_first_character():
    from docx import Document
    from docx.shared import Pt

    document = Document(io.BytesIO(render_structure(_attachment_letter(2), "docx")))
    paragraphs = [p for p in document.paragraphs if "甲" in p.text or "乙" in p.text]
    pitch = pdf_renderer.CHAR_PITCH
    starts = []
    for paragraph in paragraphs:
        fmt = paragraph.paragraph_format
        assert "\t" in paragraph.text  # the number, then a tab to the name's column
        starts.append((fmt.left_indent + fmt.first_line_indent) / Pt(1))
        name_column = (5 + pdf_renderer.ATTACHMENT_NO) * pitch
        assert fmt.left_indent / Pt(1) == pytest.approx(name_column, abs=0.1)
    assert starts == pytest.approx([2 * pitch, 5 * pitch], abs=0.1)
