"""The agency's published annual reports on the public side (Art. 49–50):

- ``public:reports``: every published version, year by year, a correction marked as such;
- ``public:report``: one published version as it was frozen — the texts and the tables of the
  2021 format, and nothing of what stands behind a number (no case, no link to a staff page);
- ``public:report_download``: the same version as a file (the formats the staff side offers).

Only published versions of this agency's reports: a draft, or another agency's year and
version, is the same 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header

from requests_app.annual_report import output
from requests_app.annual_report.store import published_data
from requests_app.selectors import published_report, published_reports
from workflow.cn import cn_date
from workflow.downloads import protect
from workflow.public.throttle import throttle
from workflow.public.views import public_agency

NOT_FOUND = "没有这份已发布的年度报告。"
#: How often one visitor may have a report file made for them in an hour (a PDF takes a while).
DOWNLOADS_PER_HOUR = 60
#: How long a made file is kept: a published version never changes.
FILE_CACHE_SECONDS = 24 * 3600


@dataclass
class Listed:
    year: int
    version: int
    published_on: str
    corrected: bool
    superseded_by: int | None


def _published(agency, year: int, version: int):
    # Bounds before the query: a number too large for the database column is simply not found.
    if not (1 <= year <= 9999 and 1 <= version <= 9999):
        raise Http404(NOT_FOUND)
    report = published_report(agency.pk, year, version)
    if report is None:
        raise Http404(NOT_FOUND)
    return report


def reports(request, agency_code: str):
    agency = public_agency(agency_code)
    rows: list[Listed] = []
    latest: dict[int, int] = {}
    for report in published_reports(agency.pk):
        latest.setdefault(report.year, report.version)
        rows.append(
            Listed(
                year=report.year,
                version=report.version,
                published_on=cn_date(timezone.localtime(report.published_at).date()),
                corrected=report.version > 1,
                superseded_by=(
                    latest[report.year] if latest[report.year] != report.version else None
                ),
            )
        )
    return render(request, "public/requests_app/reports.html", {"agency": agency, "rows": rows})


def report(request, agency_code: str, year: int, version: int):
    agency = public_agency(agency_code)
    found = _published(agency, year, version)
    data = published_data(found)
    newest = published_reports(agency.pk).filter(year=year).values_list("version", flat=True)
    newest_version = max(newest, default=found.version)
    texts = found.texts
    context = {
        "agency": agency,
        "report": found,
        "title": output.report_title(year),
        "published_on": cn_date(timezone.localtime(found.published_at).date()),
        "opening": output.opening(year),
        "parts": _parts(data, texts),
        "formats": PUBLIC_FORMATS,
        "newest_version": newest_version,
    }
    return render(request, "public/requests_app/report.html", context)


#: The files offered: the staff side's formats (the XLSX holds the tables alone).
PUBLIC_FORMATS = output.FORMATS


def _parts(data, texts) -> list[tuple[str, str, object]]:
    """(kind, heading, content) of the six parts: ``text`` with its paragraphs, ``table`` with
    the grid's rows (cells' text, spans and kinds only: never what stands behind a number)."""
    document = output.Document("", data.year, False, data, texts)
    parts = []
    for _key, heading, content in document.parts():
        if isinstance(content, output.Grid):
            rows = [
                [
                    {
                        "text": cell.text,
                        "head": cell.kind == "head",
                        "kind": cell.kind,
                        "rowspan": cell.rowspan,
                        "colspan": cell.colspan,
                    }
                    for cell in row
                ]
                for row in content.rows
            ]
            parts.append(("table", heading, {"title": content.title, "rows": rows}))
        else:
            parts.append(("text", heading, content))
    return parts


def report_download(request, agency_code: str, year: int, version: int, fmt: str):
    agency = public_agency(agency_code)
    if fmt not in PUBLIC_FORMATS:
        raise Http404("没有这种文件格式。")
    found = _published(agency, year, version)
    key = f"public-report-file:{found.pk}:{fmt}"
    content = cache.get(key)
    if content is None:
        throttle(request, scope="report-file", limit=DOWNLOADS_PER_HOUR, window=3600)
        content = output.render(published_data(found), fmt, agency=agency, texts=found.texts)
        cache.set(key, content, FILE_CACHE_SECONDS)
    name = output.file_name(agency.name, year, fmt).replace(f".{fmt}", f"（第{version}版）.{fmt}")
    response = HttpResponse(content, content_type=output.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, name)
    return protect(response)
