"""The rank of a cited law (法律、行政法规): pure, shared by both apps.

Art. 14 (a document withheld because a law forbids its disclosure) and Art. 36(7) (a reply
referring to a law that governs the query) rely only on laws and administrative regulations; the
drafting page and the reply's proposal check a citation the same way.
"""

from __future__ import annotations

import re

_NUMERAL = "一二三四五六七八九十百千零〇两0123456789"
_LAW_CITATION = re.compile(rf"^《(?P<name>[^《》]+)》(?P<article>第[{_NUMERAL}]+条)")
#: Provincial-level names: a title beginning with one names a local regulation or rule.
_PROVINCES = (
    *("北京", "天津", "上海", "重庆", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "江苏"),
    *("浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南"),
    *(
        "四川",
        "贵州",
        "云南",
        "西藏",
        "陕西",
        "甘肃",
        "青海",
        "宁夏",
        "新疆",
        "香港",
        "澳门",
        "台湾",
    ),
)
#: A place name at the head of a title: 2 to 7 characters and an administrative unit.
_PLACE = re.compile(r"^[\u4e00-\u9fff]{2,7}?(省|自治区|市|自治州|自治县|县)")
#: Words that look like a place at the head of a State Council regulation's title.
_NOT_PLACES = ("城市", "城镇", "城乡", "市场")
#: Titles of departmental rules and local government rules (and of normative documents).
_RULE_ENDINGS = ("办法", "规定", "细则", "规则", "决定", "意见", "通知", "规程", "标准", "章程")


def law_rank_problem(citation: str) -> str | None:
    """Why ``citation`` is not an article of a law or an administrative regulation, or None.

    Art. 14 (法律、行政法规禁止公开的政府信息) and Art. 36(7) (有关法律、行政法规对信息的获取
    有特别规定的) rely only on 法律 and 行政法规; a local regulation (地方性法规), a departmental
    rule (部门规章) or a local government rule is not enough. The issuer cannot be verified from
    a title, so the rule reads the title the way a lawyer would at first sight:

    - the citation is a title in 《》 followed by an article, 第X条 (a paragraph or item may
      follow): without the article the letter cannot be checked;
    - a title ending in 法 is a law (法律: 《中华人民共和国档案法》), unless it ends in 办法;
    - a title ending in 条例 or 暂行条例 is taken for an administrative regulation
      (《不动产登记暂行条例》), unless it begins with a place name: local regulations are also
      called 条例 (《山西省……条例》, 《太原市……条例》), and a State Council regulation never
      begins with a place (words such as 城市 or 市场 are not places);
    - titles ending in 办法, 规定, 细则 and the like are refused: they are normally departmental
      or local government rules (《不动产登记资料查询暂行办法》 is a rule of the Ministry of
      Natural Resources). An administrative regulation may be called 规定 or 办法 too
      (《行政法规制定程序条例》第五条); one whose title names the State Council
      (《国务院关于……的规定》) is accepted;
    - an NPC Standing Committee decision (《全国人民代表大会常务委员会关于……的决定》) has the rank
      of a law and is accepted.
    """
    text = "".join(citation.split())
    if not text:
        return "请写明法律、行政法规的名称和条款，例如《中华人民共和国统计法》第二十五条。"
    if not text.startswith("《") or "》" not in text:
        return (
            "请用书名号写明法律、行政法规的名称，并写明条款，例如《不动产登记暂行条例》第二十七条。"
        )
    found = _LAW_CITATION.match(text)
    if found is None:
        name = text[1 : text.index("》")]
        return f"请写明《{name}》的具体条款（第几条），例如《{name}》第二十五条。"
    name = found["name"].removeprefix("中华人民共和国")
    title = f"《{found['name']}》"
    if name.startswith("全国人民代表大会") or name.startswith("国务院"):
        return None
    place = _PLACE.match(name)
    local = name.startswith(_PROVINCES) or (place is not None and not name.startswith(_NOT_PLACES))
    if local:
        return (
            f"{title}是地方性法规或者地方政府规章，不是法律、行政法规；"
            "《条例》第十四条、第三十六条第（七）项只适用法律、行政法规的规定。"
        )
    if name.endswith("法") and not name.endswith("办法"):
        return None
    if name.endswith("条例"):
        return None
    if name.endswith(_RULE_ENDINGS):
        return (
            f"{title}通常是部门规章、地方政府规章或者规范性文件，不是法律、行政法规；"
            "请引用其所依据的法律、行政法规的条款（国务院制定的规定请写全称，"
            "如《国务院关于……的规定》）。"
        )
    return (
        f"无法确认{title}是法律或者行政法规；"
        "请引用法律（《……法》）或者行政法规（《……条例》）的条款。"
    )
