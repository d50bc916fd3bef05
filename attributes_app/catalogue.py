"""The standard columns of the catalogue of disclosure items (政务公开事项标准目录, DOMAIN §5)
and the 26 pilot areas an agency starts from.

The columns are those of the State Council departments' standard guidelines
(基层政务公开标准指引) that the seeds tell every grassroots government to follow
(Jilin 三(一): 名称、内容、依据、时限、主体、方式、渠道、公开对象、公开层级):
一级事项, 二级事项, 公开内容（要素）, 公开依据, 公开时限, 公开主体,
公开渠道和载体 (ticked from a fixed list), 公开对象 (全社会 / 特定群体),
公开方式 (主动 / 依申请), 公开层级 (县级 / 乡级).

The pilot areas are a data file (``data/pilot_areas.json``): names only, with the guideline each
comes from; no item of any area is invented here. No Django import: the sheet, the forms and
the services read these lists.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

AREAS_FILE = Path(__file__).resolve().parent / "data" / "pilot_areas.json"

#: 公开渠道和载体, in the order of the standard guidelines' tick boxes.
CHANNELS: dict[str, str] = {
    "website": "政府网站",
    "gazette": "政府公报",
    "new_media": "两微一端",
    "press_hearing": "发布会/听证会",
    "broadcast": "广播电视",
    "print": "纸质媒体",
    "reading_point": "公开查阅点",
    "service_center": "政务服务中心",
    "service_station": "便民服务站",
    "on_site": "入户/现场",
    "notice_board": "社区/企事业单位/村公示栏（电子屏）",
    "targeted_push": "精准推送",
    "other": "其他",
}
#: Other ways the guidelines and officers write the same channel (the import reads them too).
CHANNEL_ALIASES: dict[str, str] = {
    "政府门户网站": "website",
    "门户网站": "website",
    "政务新媒体": "new_media",
    "发布会": "press_hearing",
    "听证会": "press_hearing",
    "社区/村公示栏（电子屏）": "notice_board",
    "社区/村公示栏": "notice_board",
    "公示栏": "notice_board",
    "政务公开栏": "notice_board",
}

#: 公开对象.
AUDIENCES: dict[str, str] = {"public": "全社会", "specific": "特定群体"}
#: 公开方式: the item's default disclosure attribute (``rules.PROACTIVE`` / ``rules.ON_REQUEST``).
METHODS: dict[str, str] = {"proactive": "主动", "on_request": "依申请"}
METHOD_ALIASES: dict[str, str] = {"主动公开": "proactive", "依申请公开": "on_request"}
#: 公开层级.
LEVELS: dict[str, str] = {"county": "县级", "township": "乡级"}
LEVEL_ALIASES: dict[str, str] = {"县": "county", "乡": "township", "乡镇": "township"}


@cache
def _areas_file() -> dict:
    data: dict = json.loads(AREAS_FILE.read_text(encoding="utf-8"))
    return data


def pilot_areas() -> list[str]:
    """The names of the 26 pilot areas, in the order of the list."""
    return [area["name"] for area in _areas_file()["areas"]]


def pilot_area_source() -> str:
    """Where the list of areas comes from, as the pages cite it."""
    return str(_areas_file()["source"])


def area_order(name: str) -> int:
    """Where ``name`` stands in the list (areas outside it, and none, come last)."""
    areas = pilot_areas()
    return areas.index(name) if name in areas else len(areas)


def labels(codes, names: dict[str, str]) -> list[str]:
    """The labels of ``codes`` in the order of ``names`` (unknown codes are left out)."""
    chosen = set(codes or ())
    return [label for code, label in names.items() if code in chosen]


def split_words(text: str) -> list[str]:
    """ "政府网站、两微一端；其他" → the words, whatever separator an officer typed."""
    for separator in ("，", ",", "；", ";", "\n", " "):
        text = text.replace(separator, "、")
    return [word.strip() for word in text.split("、") if word.strip()]


def channel_codes(text: str) -> tuple[list[str], list[str]]:
    """The channel codes a cell names, and the words it holds that are no channel.

    A channel label contains "/" (发布会/听证会), so labels are matched whole before splitting."""
    by_label = {label: code for code, label in CHANNELS.items()} | CHANNEL_ALIASES
    found: list[str] = []
    rest = text
    for label in sorted(by_label, key=len, reverse=True):
        if label in rest:
            found.append(by_label[label])
            rest = rest.replace(label, "、")
    unknown = split_words(rest)
    return [code for code in CHANNELS if code in found], unknown
