"""The public side's navigation: the sections an agency's pages link to, in order. A section
whose page is not installed is left out (``links``)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

NAV: list[tuple[str, str, str]] = [
    ("public:home", "首页", "本机关政府信息公开的入口"),
    ("public:guide", "公开指南", "怎样申请、向谁申请、办理时限和救济途径"),
    ("public:directory", "公开目录", "本机关主动公开的政府信息，可检索"),
    ("public:catalogue", "公开事项目录", "按领域列出的政务公开事项标准目录"),
    ("public:reports", "年度报告", "政府信息公开工作年度报告"),
    ("public:apply", "在线申请", "在网上提出政府信息公开申请"),
    ("public:track", "申请查询", "凭编号和查询码查看申请的办理进展"),
]


def links(agency) -> list[dict[str, str]]:
    found = []
    for name, label, hint in NAV:
        try:
            url = reverse(name, kwargs={"agency_code": agency.code})
        except NoReverseMatch:
            continue
        found.append({"name": name.split(":", 1)[1], "url": url, "label": label, "hint": hint})
    return found
