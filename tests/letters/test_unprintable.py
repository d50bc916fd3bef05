"""Characters the letter fonts cannot draw are refused before a letter is issued (issue #10,
point 9): a letter never goes out with boxes where a name or a word should be."""

import pytest

from tests.letters.helpers import pdf_text, require_cjk_fonts, squash
from workflow.letters.kinds import KINDS
from workflow.letters.render import (
    UnprintableCharacters,
    build_letter,
    render_structure,
    sample_context,
)

# Rare but valid characters of personal names (Ext-A 䶮, Ext-B 𠮷 𪨶, GBK-only 堃 喆 镕 …): outside
# GB 2312, drawn by the full Noto CJK face the PDF falls back on.
RARE_NAME = "刘䶮堃喆镕鋆珺玥赟𠮷𪨶"
# Not in the letter fonts: an Ext-B character Noto CJK SC lacks, an emoji, a private-use character.
UNDRAWABLE = ["\U00021484", "\U0001f600", "\ue000"]


@pytest.fixture(autouse=True)
def _fonts():
    require_cjk_fonts()


def test_rare_name_characters_the_fonts_have_pass_and_print():
    context = sample_context("reply")
    context.applicant.name = RARE_NAME
    letter = build_letter("reply", context)
    assert letter.addressee == RARE_NAME
    assert RARE_NAME in squash(pdf_text(render_structure(letter, "pdf")))


@pytest.mark.parametrize("char", UNDRAWABLE)
def test_a_character_the_fonts_lack_refuses_the_letter_naming_it_and_where(char):
    context = sample_context("reply")
    context.case.request = f"关于{char}字的文件"
    with pytest.raises(UnprintableCharacters) as refused:
        build_letter("reply", context)
    message = str(refused.value)
    assert refused.value.characters == [char]
    assert f"U+{ord(char):04X}" in message
    assert "字体无法显示" in message and "正文第1段" in message and "字的文件" in message


def test_every_undrawable_character_is_listed_once_in_reading_order():
    context = sample_context("receipt")
    context.applicant.name = f"张{UNDRAWABLE[1]}"
    context.case.request = f"{UNDRAWABLE[0]}{UNDRAWABLE[1]}{UNDRAWABLE[0]}"
    with pytest.raises(UnprintableCharacters) as refused:
        build_letter("receipt", context)
    assert refused.value.characters == [UNDRAWABLE[1], UNDRAWABLE[0]]
    assert [where for _, where, _ in refused.value.found] == ["主送", "表格第3行"]


def test_line_breaks_and_zero_width_characters_are_not_refused():
    context = sample_context("reply")
    context.case.request = "第一行\n第二行\t\u200b\ufeff"
    build_letter("reply", context)


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_sample_passes_the_font_check(kind):
    build_letter(kind, sample_context(kind))
