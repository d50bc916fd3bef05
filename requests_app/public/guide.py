"""The agency's 政府信息公开指南 on the public side (``public:guide``): the latest published
version, as it was frozen when published, with its version and publication date; a friendly
page when none is published yet."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from requests_app.rules import guide as words
from requests_app.selectors import published_guide
from workflow.cn import cn_date
from workflow.public.nav import NAV
from workflow.public.views import public_agency

#: What a link to another public page reads (the navigation's labels).
_LABELS = {name: label for name, label, _hint in NAV}
_HINTS = {
    "public:directory": "查阅本机关主动公开的政府信息",
    "public:catalogue": "查阅本机关的政务公开事项标准目录",
    "public:apply": "在本网站提交政府信息公开申请",
}


@dataclass
class Block:
    """What the page prints in a row: ``h`` a sub-heading, ``p`` a paragraph, ``facts`` a list
    of label and value pairs, ``links`` links to other public pages."""

    kind: str
    text: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)
    links: list[tuple[str, str, str]] = field(default_factory=list)


def public_links(agency, names) -> list[tuple[str, str, str]]:
    """(label, url, hint) of each public page in ``names`` that is installed: a page not yet
    built is left out, as the navigation does."""
    found = []
    for name in names:
        try:
            url = reverse(name, kwargs={"agency_code": agency.code})
        except NoReverseMatch:
            continue
        found.append((_LABELS.get(name, name), url, _HINTS.get(name, "")))
    return found


def blocks(sections: list[words.Section], agency) -> list[tuple[str, list[Block]]]:
    """Each section's heading and blocks, the facts in a row gathered into one list."""
    result = []
    for section in sections:
        shown: list[Block] = []
        for item in section.items:
            if item.kind == "fact":
                if not shown or shown[-1].kind != "facts":
                    shown.append(Block("facts"))
                shown[-1].facts.append((item.label, item.text))
            elif item.kind == "links":
                links = public_links(agency, item.names)
                if links:
                    shown.append(Block("links", links=links))
            elif item.kind in ("h", "p"):
                shown.append(Block(item.kind, item.text))
        result.append((section.heading, shown))
    return result


def version_line(found) -> str:
    """第2版 · 2026年3月5日发布"""
    on = cn_date(timezone.localtime(found.published_at).date())
    return f"第{found.version}版 · {on}发布"


def guide(request, agency_code: str):
    agency = public_agency(agency_code)
    found = published_guide(agency.pk)
    if found is None:
        # The page exists for every agency; without a published guide it says so, as a 404 so
        # that search engines do not keep an empty page.
        return render(
            request, "public/requests_app/guide_none.html", {"agency": agency}, status=404
        )
    snapshot = found.snapshot or {}
    context = {
        "agency": agency,
        "guide": found,
        "title": snapshot.get("title") or words.title(agency.name),
        "sections": blocks(words.from_json(snapshot.get("sections", [])), agency),
        "version_line": version_line(found),
    }
    return render(request, "public/requests_app/guide.html", context)
