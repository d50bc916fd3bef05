"""Endpoints for the tests of the API's frame only (``@pytest.mark.urls``), never in the
production URLs: one of each kind a real endpoint is (read with an ETag, create once per key,
update with If-Match), one that fails, one that only reads."""

from __future__ import annotations

import threading

from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

import config.urls
from workflow.api.concurrency import etag_of, require_if_match
from workflow.api.pagination import Pages
from workflow.api.views import IDEMPOTENCY_KEY, ClientView
from workflow.audit import audit
from workflow.models import AuditEvent
from workflow.text_input import NUL_MESSAGE

ACTION = "test_thing_created"
#: Set by a test to hold a create inside its transaction (the race of two calls with one key).
create_started = threading.Event()
create_may_finish = threading.Event()
create_may_finish.set()


def things(agency):
    return AuditEvent.objects.filter(action=ACTION, agency=agency)


class ThingSerializer(serializers.Serializer):
    title = serializers.CharField(help_text="标题")


class Things(ClientView):
    scopes = {"GET": "reference:read", "POST": "requests:write", "PUT": "documents:write"}

    def get(self, request):
        count = things(self.agency).count()
        response = Response({"agency": self.agency.name, "client": self.client.name})
        response["ETag"] = etag_of(self.agency.pk, count)
        return response

    @extend_schema(
        request=ThingSerializer, responses={201: ThingSerializer}, parameters=[IDEMPOTENCY_KEY]
    )
    def create(self, request):
        title = request.data.get("title", "") if isinstance(request.data, dict) else ""
        if not isinstance(title, str) or not title.strip():
            raise ValidationError({"title": "请填写标题。"})
        if "\x00" in title:
            raise ValidationError({"title": NUL_MESSAGE.format(label="标题")})
        create_started.set()
        create_may_finish.wait(timeout=10)
        event = audit(actor=self.actor, action=ACTION, agency=self.agency, reason=title)
        response = Response({"id": event.pk, "title": title}, status=201)
        response["Location"] = f"/api/v1/test/things/{event.pk}/"
        return response

    def put(self, request):
        require_if_match(request, etag_of(self.agency.pk, things(self.agency).count()))
        return Response({"updated": True})


class ReadOnly(ClientView):
    scopes = {"GET": "reference:read"}

    def get(self, request):
        return Response({"ok": True})


class Broken(ClientView):
    scopes = {"GET": "reference:read"}

    def get(self, request):
        raise RuntimeError("a defect in a view")


class Numbers(ClientView):
    scopes = {"GET": "reference:read"}

    def get(self, request):
        pages = Pages()
        page = pages.paginate_queryset(list(range(1, 251)), request, view=self)
        return pages.get_paginated_response(page)


class Missing(ClientView):
    scopes = {"GET": "reference:read"}

    def get(self, request, which: str):
        if which == "ours":
            raise Http404("没有这份告知书。")
        return get_object_or_404(AuditEvent, pk=-1)


class Busy(ClientView):
    scopes = {"GET": "reference:read"}

    def get(self, request):
        raise OperationalError("database is locked")


urlpatterns = [
    path("api/v1/test/busy/", Busy.as_view(), name="test-busy"),
    path("api/v1/test/missing/<str:which>/", Missing.as_view(), name="test-missing"),
    path("api/v1/test/numbers/", Numbers.as_view(), name="test-numbers"),
    path("api/v1/test/things/", Things.as_view(), name="test-things"),
    path("api/v1/test/read-only/", ReadOnly.as_view(), name="test-read-only"),
    path("api/v1/test/broken/", Broken.as_view(), name="test-broken"),
    *config.urls.urlpatterns,
]

handler404 = config.urls.handler404
handler500 = config.urls.handler500
