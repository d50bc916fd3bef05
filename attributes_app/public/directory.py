"""The 政府信息公开目录 (issue #16 §1): an agency's published proactive documents with their
索引号, searchable; each document's page and its text; an Atom feed and a sitemap for the
agency's portal. Only what ``attributes_app.public.selectors`` gives: public data alone.

A document's address is its 索引号 (``<path:…>``: the usual forms hold "/"), which never changes
once given. A document no longer public answers 410 Gone with a page that says so.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import PurePath
from urllib.parse import quote, urlencode

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import RFC3986_SUBDELIMS

from attributes_app.exports import _safe_name
from attributes_app.public import selectors
from workflow.cn import cn_date
from workflow.downloads import file_view, stored_file_response
from workflow.public.views import public_agency

PER_PAGE = 20
FEED_ITEMS = 50
#: The sitemap protocol's limit of addresses in one file.
SITEMAP_LIMIT = 50_000
NOT_FOUND = "没有找到这个索引号的文件，请核对索引号，或在公开目录中检索。"


def directory(request, agency_code: str):
    agency = public_agency(agency_code)
    filters = selectors.DirectoryFilters.from_query(request.GET)
    page = Paginator(selectors.directory(agency, filters), PER_PAGE).get_page(
        request.GET.get("page")
    )
    params = filters.as_params()
    return render(
        request,
        "public/attributes_app/directory.html",
        {
            "agency": agency,
            "page": page,
            "filters": filters,
            "filtered": bool(params),
            "choices": selectors.directory_choices(agency),
            "page_query": urlencode(params),
        },
    )


def _document_or_gone(request, agency, index_number: str):
    document = selectors.public_document(agency, index_number)
    if document is not None:
        return document, None
    if selectors.was_public(agency, index_number):
        gone = render(
            request,
            "public/attributes_app/gone.html",
            {"agency": agency, "index_number": index_number},
            status=410,
        )
        return None, gone
    raise Http404(NOT_FOUND)


def document(request, agency_code: str, index_number: str):
    agency = public_agency(agency_code)
    found, gone = _document_or_gone(request, agency, index_number)
    if gone is not None:
        return gone
    return render(
        request,
        "public/attributes_app/document.html",
        {"agency": agency, "document": found, "publication": found.publication},
    )


@file_view
def document_text(request, agency_code: str, index_number: str):
    """The published text of a public document (never a draft: a document is public only once
    issued and published, and its text cannot change after issuance)."""
    agency = public_agency(agency_code)
    found, gone = _document_or_gone(request, agency, index_number)
    if gone is not None:
        return gone
    if not found.file:
        raise Http404("这份文件没有可供下载的正式文本。")
    extension = PurePath(found.file.name).suffix.lower()
    filename = f"{_safe_name(found.title)}{extension}"
    return stored_file_response(found.file, filename=filename, as_attachment=extension != ".pdf")


def _at_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(0)))


def _last_public_change(document) -> date:
    """The last day a public fact of ``document`` changed: its publication, or a later change of
    its validity. (Not ``updated_at``: that tells when staff worked on the record.)"""
    published_on = document.publication.published_on
    changed = document.validity_changed_on
    return max(published_on, changed) if changed else published_on


class DirectoryFeed(Feed):
    """The latest published documents, for the portal and for readers that follow it."""

    feed_type = Atom1Feed

    def get_object(self, request, agency_code: str):
        return public_agency(agency_code)

    def title(self, agency):
        return f"{agency.name}政府信息公开目录"

    def subtitle(self, agency):
        return f"{agency.name}最新主动公开的政府信息"

    def link(self, agency):
        return reverse("public:directory", kwargs={"agency_code": agency.code})

    def feed_url(self, agency):
        return reverse("public:feed", kwargs={"agency_code": agency.code})

    def author_name(self, agency):
        return agency.name

    def items(self, agency):
        # The agency's code rides with each item for its link (``item_link`` sees the item only).
        return selectors.public_documents(agency).annotate(agency_code=F("agency__code"))[
            :FEED_ITEMS
        ]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        facts = [
            ("索引号", item.index_number),
            ("文号", item.number),
            ("成文日期", cn_date(item.formed_on) if item.formed_on else ""),
            ("公开日期", cn_date(item.publication.published_on)),
            ("起草单位", item.drafting_unit.name),
            ("效力状态", item.get_validity_display()),
        ]
        return "；".join(f"{label}：{value}" for label, value in facts if value)

    def item_link(self, item):
        return reverse(
            "public:document",
            kwargs={"agency_code": item.agency_code, "index_number": item.index_number},
        )

    # The entry's id is its (absolute) link, Django's default when ``item_guid`` is not set.

    def item_pubdate(self, item):
        return _at_midnight(item.publication.published_on)

    def item_updateddate(self, item):
        return _at_midnight(_last_public_change(item))


feed = DirectoryFeed()


def sitemap(request, agency_code: str):
    """The addresses of the directory and of every public document (the newest
    ``SITEMAP_LIMIT``), for search engines and the portal's crawler."""
    agency = public_agency(agency_code)
    rows = selectors.public_documents(agency).values_list(
        "index_number", "publication__published_on", "validity_changed_on"
    )[:SITEMAP_LIMIT]
    # One ``reverse`` for tens of thousands of addresses: the number is quoted as ``reverse``
    # quotes it (the test compares the two).
    marker = "0"
    sample = reverse("public:document", kwargs={"agency_code": agency.code, "index_number": marker})
    head, tail = request.build_absolute_uri(sample).rsplit(f"/{marker}/", 1)
    return render(
        request,
        "public/attributes_app/sitemap.xml",
        {
            "directory_url": request.build_absolute_uri(
                reverse("public:directory", kwargs={"agency_code": agency.code})
            ),
            "entries": (
                (
                    f"{head}/{quote(number, safe=RFC3986_SUBDELIMS + '/~:@')}/{tail}",
                    max(published_on, changed) if changed else published_on,
                )
                for number, published_on, changed in rows.iterator()
            ),
        },
        content_type="application/xml; charset=utf-8",
    )
