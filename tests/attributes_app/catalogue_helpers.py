"""Shared data of the catalogue tests: an item with every standard column, and a workbook built
the way an officer fills in the template."""

import io

from openpyxl import Workbook, load_workbook

from attributes_app.catalogue_sheet import HEADERS
from attributes_app.services import CatalogueItemData


def item_data(**changes) -> CatalogueItemData:
    values = {
        "area": "城乡规划",
        "first_level": "规划批前公示",
        "name": "建设项目规划许可批前公示",
        "content": "建设项目规划许可批前公示的项目名称、位置、规划指标",
        "legal_basis": "《中华人民共和国城乡规划法》第二十六条、第四十条",
        "time_limit": "自信息形成或者变更之日起20个工作日内",
        "body": "孝义市自然资源局",
        "channels": ["website", "notice_board"],
        "audience": "public",
        "default_attribute": "proactive",
        "level_county": True,
        "level_township": False,
        "publication_days": None,
    }
    values.update(changes)
    return CatalogueItemData(**values)


GOOD_ROW = [
    "社会救助",
    "最低生活保障",
    "城乡低保对象认定",
    "申请条件、办理流程、审核结果",
    "《社会救助暂行办法》第九条至第十三条",
    "自信息形成或者变更之日起20个工作日内",
    "孝义市民政局",
    "政府网站、社区/企事业单位/村公示栏（电子屏）",
    "特定群体",
    "主动",
    "县级、乡级",
    10,
]


def workbook(rows, headers=HEADERS) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "目录.xlsx"
    return buffer


def sheet_rows(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]
