"""The public side's front pages: the list of agencies and an agency's home page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render

from workflow.models import Agency

NOT_FOUND = "没有找到这个机关的公开页面，请检查网址。"


def public_agency(agency_code: str) -> Agency:
    """The agency whose public pages are asked for; the same 404 for any unknown code."""
    agency = Agency.objects.filter(code=agency_code).first()
    if agency is None:
        raise Http404(NOT_FOUND)
    return agency


def index(request):
    """Every agency with public pages, searchable by name (a province has thousands)."""
    query = request.GET.get("q", "").strip()[:50]
    agencies = Agency.objects.order_by("name", "id").only("name", "short_name", "code")
    if query:
        agencies = agencies.filter(Q(name__icontains=query) | Q(short_name__icontains=query))
    page = Paginator(agencies, 50).get_page(request.GET.get("page"))
    return render(request, "public/index.html", {"page": page, "query": query})


def home(request, agency_code: str):
    agency = public_agency(agency_code)
    return render(request, "public/home.html", {"agency": agency})
