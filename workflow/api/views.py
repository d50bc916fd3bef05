"""The base of every API view, and the API's root, schema and documentation pages."""

from __future__ import annotations

import functools
from typing import ClassVar

from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
)
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from workflow.api.auth import ClientTokenAuthentication
from workflow.api.idempotency import HEADER, idempotent
from workflow.api.permissions import NO_SCOPE, NeedsScope
from workflow.api.throttling import AnonymousRateThrottle, ClientRateThrottle

#: The ``Idempotency-Key`` header, for the schema of every POST (``extend_schema(parameters=…)``).
IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="本次调用的唯一标识（如 UUID），重试时沿用，同一标识只办理一次并返回相同结果。",
)
#: The ``If-Match`` header of an update.
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="读取时得到的 ETag；对象已被他人修改时返回 412。",
)


def _post_running(create):
    """The ``post`` of a view with ``create``: ``create`` once per ``Idempotency-Key``. It
    carries ``create``'s schema (``extend_schema`` on ``create``), since the schema is read from
    the handler of the method."""

    @functools.wraps(create)
    def post(self, request, *args, **kwargs):
        return idempotent(request, self.client, lambda: self.create(request, *args, **kwargs))

    return post


class ClientView(APIView):
    """An endpoint for API clients: token, scope per method (``scopes``), throttling, and the
    client's own agency (``self.agency``; look every object up within it).

    A POST runs ``create`` once per ``Idempotency-Key``; a view without ``create`` answers a
    POST with 405 (and its schema has no POST)."""

    authentication_classes = [ClientTokenAuthentication]
    permission_classes = [NeedsScope]
    throttle_classes = [ClientRateThrottle]
    #: HTTP method → scope it needs (``workflow.api.scopes``).
    scopes: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "create" in cls.__dict__ and "post" not in cls.__dict__:
            cls.post = _post_running(cls.__dict__["create"])

    def scope_for(self, request) -> str | None:
        """The scope the call's method needs; None when no scope is needed (``HEAD`` and
        ``OPTIONS`` need the one of ``GET``, a method the view lacks is left to its 405)."""
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            return None  # a method this endpoint does not serve: the dispatch answers 405
        if method in ("head", "options"):
            return self.scopes.get("GET")
        return self.scopes.get(request.method, NO_SCOPE)

    def run_create(self, request, *args, **kwargs):
        """``create`` once per ``Idempotency-Key``: for a view whose own ``post`` (documented
        there) does more around it."""
        return idempotent(request, self.client, lambda: self.create(request, *args, **kwargs))

    @property
    def client(self):
        return self.request.auth

    @property
    def agency(self):
        return self.request.auth.agency

    @property
    def actor(self):
        return self.request.user


class PublicView(APIView):
    """An endpoint anyone may call (the calendar): no token, limited per address, cacheable."""

    authentication_classes: ClassVar[list] = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonymousRateThrottle]


class ApiRoot(PublicView):
    """Where the API's schema and documentation are."""

    @extend_schema(exclude=True)
    def get(self, request):
        return Response(
            {
                "name": "公开 · 政府信息公开工作系统接口",
                "version": "v1",
                "schema": reverse("api:schema", request=request),
                "docs": reverse("api:docs", request=request),
            }
        )


class SchemaView(SpectacularAPIView):
    authentication_classes: ClassVar[list] = []
    permission_classes = [AllowAny]
    throttle_classes: ClassVar[list] = []


class DocsView(SpectacularSwaggerSplitView):
    authentication_classes: ClassVar[list] = []
    permission_classes = [AllowAny]
    throttle_classes: ClassVar[list] = []
    url_name = "api:schema"
