"""The signature block never opens a page of its own (issue #10, point 14; GB/T 9704 7.3.5):
the agency, the date, the seal space and the note under them stay together, with the end of the
body."""

import io

import pytest
from docx import Document

from tests.letters.helpers import require_cjk_fonts, squash
from workflow.letters.render import build_letter, render_structure, sample_context
from workflow.letters.structure import Paragraph


def _page_texts(pdf: bytes) -> list[str]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [squash(page.extract_text() or "") for page in document.pages]


def _reply(extra_lines: int):
    """The sample reply with its opening longer by about ``extra_lines`` lines."""
    context = sample_context("reply")
    context.case.request += "及其附表、说明" * (extra_lines * 4)
    return build_letter("reply", context)


def test_the_note_and_the_signature_go_over_with_the_end_of_the_body():
    require_cjk_fonts()
    page_counts = set()
    # From a reply that ends well inside page 2 to one that ends well inside page 3: somewhere
    # in between, the note (then the whole signature block) used to open page 3 on its own.
    for extra in range(12, 24):
        letter = _reply(extra)
        pages = _page_texts(render_structure(letter, "pdf"))
        page_counts.add(len(pages))
        note = [i for i, text in enumerate(pages) if squash(letter.note) in text]
        dated = [i for i, text in enumerate(pages) if squash(letter.signature.date) in text]
        assert note and dated and note[-1] == dated[-1], (extra, pages[-1])
        last_body = squash(
            next(b.text for b in reversed(letter.blocks) if isinstance(b, Paragraph))
        )
        # The end of the last paragraph of the body is on the signature's page.
        assert last_body[-12:] in pages[dated[-1]], (extra, pages[-1])
    assert page_counts == {2, 3}  # the range crosses the page break


def test_docx_keeps_the_body_end_signature_and_note_together():
    letter = _reply(0)
    document = Document(io.BytesIO(render_structure(letter, "docx")))
    paragraphs = [p for p in document.paragraphs if p.text]
    texts = [p.text for p in paragraphs]
    agency = len(texts) - 1 - texts[::-1].index(letter.signature.agency)  # not the letterhead
    date = texts.index(letter.signature.date)
    note = texts.index(f"（{letter.note}）")
    attachment = next(i for i, text in enumerate(texts) if text.startswith("附件："))
    body_end = attachment - 1
    keep = [p.paragraph_format.keep_with_next for p in paragraphs]
    assert keep[body_end] and keep[attachment] and keep[agency] and keep[date]
    assert not keep[note] and paragraphs[note].paragraph_format.keep_together
    assert paragraphs[body_end].paragraph_format.widow_control
    assert not any(keep[:body_end])  # the rest of the body breaks freely


@pytest.mark.parametrize("kind", ["handling_sheet", "service_proof"])
def test_forms_without_signature_still_render(kind):
    render_structure(build_letter(kind, sample_context(kind)), "docx")
