"""The public pages of the catalogue of disclosure items (DOMAIN §5): the latest published
version of an agency's catalogue, by area, searchable, and as an XLSX download. Only published
versions are read here, never the working copy; nothing says who published it."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header

from attributes_app import catalogue, catalogue_sheet
from attributes_app.models import CataloguePublication
from workflow.public.views import public_agency
from workflow.spreadsheets import XLSX_CONTENT_TYPE
from workflow.text_input import search_text

SEARCHED = ("first_level", "name", "content", "legal_basis", "body", "time_limit")


def _latest(agency) -> CataloguePublication | None:
    return CataloguePublication.objects.filter(agency=agency).order_by("-version").first()


def _shown(row: dict) -> dict:
    """A published row with the labels a reader needs."""
    return {
        **row,
        "channel_labels": catalogue.labels(row.get("channels"), catalogue.CHANNELS),
        "audience_label": catalogue.AUDIENCES.get(row.get("audience", ""), ""),
        "method_label": catalogue.METHODS.get(row.get("method", ""), ""),
        "level_labels": catalogue.labels(row.get("levels"), catalogue.LEVELS),
    }


def catalogue_page(request, agency_code: str):
    """公开事项目录: the latest published version, grouped by area."""
    agency = public_agency(agency_code)
    publication = _latest(agency)
    query = search_text(request.GET.get("q"))
    area = search_text(request.GET.get("area"))
    rows = list(publication.items) if publication else []
    areas = list(dict.fromkeys(row["area"] for row in rows))
    if area:
        rows = [row for row in rows if row["area"] == area]
    if query:
        rows = [
            row
            for row in rows
            if any(query in str(row.get(key) or "") for key in SEARCHED) or query == row["area"]
        ]
    groups: list[tuple[str, list[dict]]] = []
    for row in rows:
        if not groups or groups[-1][0] != row["area"]:
            groups.append((row["area"], []))
        groups[-1][1].append(_shown(row))
    return render(
        request,
        "public/attributes_app/catalogue.html",
        {
            "agency": agency,
            "publication": publication,
            "groups": groups,
            "areas": areas,
            "area": area,
            "q": query,
            "shown": len(rows),
            "filtered": bool(query or area),
        },
    )


def catalogue_xlsx(request, agency_code: str):
    """The latest published version as an XLSX workbook (the template's columns)."""
    agency = public_agency(agency_code)
    publication = _latest(agency)
    if publication is None:
        raise Http404("本机关的公开事项目录还没有发布。")
    published = timezone.localtime(publication.published_at).strftime("%Y年%m月%d日")
    body = catalogue_sheet.workbook_bytes(
        publication.items,
        caption=f"{agency.name}政务公开事项标准目录（第{publication.version}版，{published}发布）",
    )
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{agency.short_name or agency.name}公开事项目录第{publication.version}版.xlsx"
    )
    return response
