"""Every letter kind, both formats: key facts, remedy wording, page set-up, fonts (DOMAIN §3.8)."""

import io
import itertools
import statistics
import subprocess
from dataclasses import replace

import pytest
from docx import Document
from docx.oxml.ns import qn

from requests_app.letter_contexts import NOTICE_OUTCOMES, ReplyContext, RequestLetter, reply_sample
from requests_app.rules.outcomes import OUTCOMES, Remedy, reply_kind
from tests.letters.helpers import (
    docx_text,
    pdf_fonts,
    pdf_page_sizes_mm,
    pdf_pages,
    pdf_text,
    require_cjk_fonts,
    require_tool,
    squash,
)
from workflow.cn import cn_date
from workflow.letters.filters import cite_articles
from workflow.letters.kinds import KINDS
from workflow.letters.render import build_letter, render_letter, sample_context

PRIOR = [
    "根据《中华人民共和国行政复议法》第二十三条的规定，应当先申请行政复议",
    "六十日内",
    "十五日内",
]
CHOICE = ["六十日内", "申请行政复议，或者自收到本", "六个月内"]


def key_facts(kind: str, context) -> list[str]:
    """What a reader must find in the letter: number, dates, articles, remedy wording."""
    facts = [context.number_text()]
    if isinstance(context, RequestLetter) and kind != "service_proof":
        facts.append(cn_date(context.case.receipt_date))
    if kind not in ("service_proof", "handling_sheet"):
        facts.append(cn_date(context.issue_date))
    # Articles print as legal texts write them, each law named once per run of its articles.
    articles = getattr(context, "articles", [])
    if articles:
        facts.append(cite_articles(articles))
    remedy = context.remedy_clause()
    if remedy is not None:
        facts.append(context.agency.reconsideration_organ)
    if remedy in (Remedy.CHOICE, Remedy.MIXED):
        facts.append(context.agency.court)
    if remedy == Remedy.PRIOR_RECONSIDERATION:
        # After reconsideration the court depends on whether the act was changed (Administrative
        # Litigation Law Arts. 15(1), 26): named only when the agency configures it.
        facts += [*PRIOR, "依法向人民法院提起行政诉讼"]
    elif remedy == Remedy.CHOICE:
        facts += CHOICE
    elif remedy == Remedy.MIXED:
        facts += PRIOR + CHOICE
    return facts


@pytest.fixture(scope="module", autouse=True)
def _fonts():
    require_cjk_fonts()


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_renders_to_pdf_with_its_key_facts(kind):
    context = sample_context(kind)
    pdf = render_letter(kind, context, "pdf")
    text = squash(pdf_text(pdf))
    for fact in key_facts(kind, context):
        assert squash(fact) in text, f"{kind}: {fact}"
    assert all(
        width == pytest.approx(210, abs=0.5) and height == pytest.approx(297, abs=0.5)
        for width, height in pdf_page_sizes_mm(pdf)
    )
    fonts = pdf_fonts(pdf)
    assert fonts and all(fonts.values()), f"not embedded: {fonts}"
    if KINDS[kind].one_page:
        assert pdf_pages(pdf) == 1, f"{KINDS[kind].label} should fit on one page"


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_renders_to_docx_with_its_key_facts(kind):
    context = sample_context(kind)
    text = squash(docx_text(render_letter(kind, context, "docx")))
    for fact in key_facts(kind, context):
        assert squash(fact) in text, f"{kind}: {fact}"


#: The outcome table of DOMAIN §3.6, in its order: the tests parametrised over OUTCOMES (here and
#: in test_user_text) would pass, testing nothing, if the table came out empty or short.
DOMAIN_OUTCOMES = [
    "already_public",
    "disclosed",
    "partly_disclosed",
    "withheld_state_secret",
    "withheld_prohibited_by_law",
    "withheld_security_stability",
    "withheld_third_party",
    "withheld_internal_affairs",
    "withheld_process_info",
    "withheld_enforcement_file",
    "withheld_query_matter",
    "not_held",
    "not_our_agency",
    "needs_creation",
    "still_unclear",
    "petition",
    "repeat",
    "publication",
    "unreasonable_volume",
    "confirm_or_reissue",
    "abandoned_no_correction",
    "abandoned_no_payment",
    "other",
]


def test_the_outcome_table_has_the_23_outcomes_of_the_domain():
    assert list(OUTCOMES) == DOMAIN_OUTCOMES
    assert len(OUTCOMES) == 23


@pytest.mark.parametrize("layout", ["single", "separate"])
@pytest.mark.parametrize("outcome", list(OUTCOMES))
def test_every_outcome_has_its_reply_in_both_layouts(outcome, layout):
    kind = reply_kind(outcome, layout)
    context = reply_sample(outcome, kind)
    letter = build_letter(kind, context)
    if layout == "separate":
        assert letter.title == OUTCOMES[outcome].notice_title
    else:
        assert letter.title == "政府信息公开申请答复书"
    text = squash(docx_text(render_letter(kind, context, "docx")))
    for fact in key_facts(kind, context):
        assert squash(fact) in text, f"{outcome}/{layout}: {fact}"


@pytest.mark.parametrize("outcome", ["withheld_third_party", "not_held", "partly_disclosed"])
def test_remedy_family_in_pdf_text(outcome):
    context = reply_sample(outcome)
    text = squash(pdf_text(render_letter("reply", context, "pdf")))
    assert ("应当先申请行政复议" in text) == (outcome != "not_held")  # 复议前置 for refusals
    assert ("六个月内" in text) == (outcome != "withheld_third_party")


def test_refusals_require_reconsideration_first():
    # 复议前置 covers refusals under Arts. 14–16 only (法释〔2025〕8号); an Art. 36(7) referral
    # carries the general clause.
    refusals = [code for code in OUTCOMES if code.startswith("withheld_")]
    assert len(refusals) == 8
    for code in refusals:
        if code != "withheld_query_matter":
            assert OUTCOMES[code].remedy == Remedy.PRIOR_RECONSIDERATION, code
    assert OUTCOMES["withheld_query_matter"].remedy == Remedy.CHOICE


def test_number_style_follows_the_agency():
    context = sample_context("extension_notice")
    context.agency = replace(context.agency, number_style="with_di")
    assert "孝政办信申〔2026〕第17号" in docx_text(
        render_letter("extension_notice", context, "docx")
    )
    context.agency = replace(context.agency, number_style="plain")
    text = docx_text(render_letter("extension_notice", context, "docx"))
    assert "孝政办信申〔2026〕17号" in text and "第17号" not in text


def test_plain_head_has_no_red_agency_name():
    context = sample_context("extension_notice")
    context.agency = replace(context.agency, letter_head="plain")
    assert build_letter("extension_notice", context).head is None
    assert build_letter("extension_notice", sample_context("extension_notice")).head is not None


def test_page_numbers_start_on_page_two():
    pdf = render_letter("reply", sample_context("reply"), "pdf")
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as document:
        assert len(document.pages) >= 2
        first, second = (page.extract_text() for page in document.pages[:2])
    assert "— 1 —" not in first
    assert "— 2 —" in second


def test_pdf_body_has_28_characters_a_line():
    pdf = render_letter("reply", sample_context("reply"), "pdf")
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as document:
        chars = [c for c in document.pages[0].chars if abs(c["size"] - 16) < 0.1]
    lines: dict[int, list] = {}
    for char in chars:
        lines.setdefault(round(char["top"]), []).append(char)
    full = [
        line
        for line in lines.values()
        if len(line) >= 28 and all(ord(c["text"]) > 0x2E80 for c in line)
    ]
    assert full, "no full line of CJK text found"
    for line in full:
        assert len(line) == 28
        width_mm = (line[-1]["x1"] - line[0]["x0"]) * 25.4 / 72
        assert width_mm == pytest.approx(156, abs=1)
    tops = sorted(line[0]["top"] for line in lines.values())
    steps = [b - a for a, b in itertools.pairwise(tops) if 20 < b - a < 35]
    pitch_mm = statistics.median(steps) * 25.4 / 72
    assert pitch_mm == pytest.approx(225 / 22, abs=0.05)  # 22 lines fill the 225 mm block


def _east_asia(element) -> str | None:
    rpr = element.find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def test_docx_page_setup_fonts_and_sizes():
    data = render_letter("reply", sample_context("reply"), "docx")
    document = Document(io.BytesIO(data))
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    assert round(section.right_margin.mm) == 26 and round(section.bottom_margin.mm) == 35
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"
    title = next(p for p in document.paragraphs if p.text == "政府信息公开申请答复书")
    assert _east_asia(title.runs[0]._r) == "方正小标宋简体"
    assert title.runs[0].font.size.pt == 22
    body = next(p for p in document.paragraphs if p.text.startswith("本机关于"))
    assert _east_asia(body.runs[0]._r) == "仿宋_GB2312"
    assert body.runs[0].font.size.pt == 16
    assert body.paragraph_format.first_line_indent.pt == pytest.approx(31.6, abs=0.2)
    assert body.paragraph_format.line_spacing.pt == pytest.approx(28.94, abs=0.1)
    normal = document.styles["Normal"]
    assert _east_asia(normal.element) == "仿宋_GB2312"
    # 28 characters a line: 16 pt condensed by 0.25 pt fits the 156 mm text block (LibreOffice
    # lays it out so); the default size is the body size, which the line grid is measured by.
    condensed = int(normal.element.rPr.find(qn("w:spacing")).get(qn("w:val"))) / 20
    assert 28 * (16 + condensed) <= 156 / 25.4 * 72 < 29 * (16 + condensed)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    assert defaults.find(".//" + qn("w:sz")).get(qn("w:val")) == "32"


def test_every_kind_renders_to_png(tmp_path):
    """Rasterise every kind (pdftoppm) so a reviewer can look at them: var/letters-png/."""
    pdftoppm = require_tool("pdftoppm")
    for kind in KINDS:
        pdf_path = tmp_path / f"{kind}.pdf"
        pdf_path.write_bytes(render_letter(kind, sample_context(kind), "pdf"))
        subprocess.run(
            [pdftoppm, "-r", "40", "-png", str(pdf_path), str(tmp_path / kind)], check=True
        )
        pngs = sorted(tmp_path.glob(f"{kind}*.png"))
        assert pngs and all(png.stat().st_size > 2000 for png in pngs), kind


def test_reply_kinds_match_outcome_families():
    assert reply_kind("not_held", "single") == "reply"
    assert reply_kind("repeat", "separate") == "not_processed_notice"
    assert reply_kind("abandoned_no_payment", "separate") == "abandoned_notice"
    assert reply_kind("partly_disclosed", "separate") == "reply_notice"
    assert set(NOTICE_OUTCOMES) == {"not_processed_notice", "abandoned_notice"}
    for kind, codes in NOTICE_OUTCOMES.items():
        assert codes and all(reply_kind(code, "separate") == kind for code in codes)


def test_reply_context_is_a_plain_dataclass():
    context = sample_context("reply")
    assert isinstance(context, ReplyContext)
    assert context.case.number.format("with_di") == "孝政办信申〔2026〕第17号"


@pytest.mark.parametrize("kind", list(KINDS))
def test_sample_text_has_no_missing_glyphs(kind):
    from workflow.letters.fonts import uncovered

    letter = build_letter(kind, sample_context(kind))
    assert uncovered(letter.plain_text(), roles=("body",)) == set()
