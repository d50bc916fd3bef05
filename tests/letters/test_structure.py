"""Letter markup → letter structure."""

import pytest

from workflow.letters.structure import (
    Heading,
    MarkupError,
    NumberedItems,
    Paragraph,
    Table,
    parse_markup,
)

MARKUP = """
@标题 补正申请告知书
@文号 孝政办信申〔2026〕17号
@主送 张三
第一段，\\

接着第一段。
@项 甲
@项 乙
@一级 一、标题
@表宽 30|70
@表 登记编号 | 17
@表留白 签名 |
@附件 材料一
@落款 某机关
@日期 2026年3月5日
@印章
@附注 联系人：王丽
@抄送 某局
"""


def test_markup_parses_into_the_documented_structure():
    letter = parse_markup(MARKUP)
    assert (letter.title, letter.number, letter.addressee) == (
        "补正申请告知书",
        "孝政办信申〔2026〕17号",
        "张三",
    )
    paragraph, items, heading, table = letter.blocks
    assert paragraph == Paragraph("第一段，接着第一段。")
    assert items == NumberedItems(["甲", "乙"])
    assert heading == Heading("一、标题", 1)
    assert isinstance(table, Table) and table.widths == [30, 70]
    assert table.rows[1].tall and table.rows[1].cells == ["签名", ""]
    assert letter.attachments == ["材料一"]
    assert (letter.signature.agency, letter.signature.date, letter.signature.seal) == (
        "某机关",
        "2026年3月5日",
        True,
    )
    assert letter.note == "联系人：王丽"
    assert letter.colophon is not None and letter.colophon.cc == "某局"


def test_unknown_element_is_reported_with_its_line():
    with pytest.raises(MarkupError, match=r"第2行.*@标提"):
        parse_markup("@标题 x\n@标提 y")


def test_letter_without_title_is_refused():
    with pytest.raises(MarkupError, match="标题"):
        parse_markup("正文")
