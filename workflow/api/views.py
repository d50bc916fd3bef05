"""The base of every API view, and the API's root, schema and documentation pages."""

from __future__ import annotations

from typing import ClassVar

from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from workflow.api.auth import ClientTokenAuthentication
from workflow.api.idempotency import HEADER, idempotent
from workflow.api.permissions import NeedsScope
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


class ClientView(APIView):
    """An endpoint for API clients: token, scope per method (``scopes``), throttling, and the
    client's own agency (``self.agency``; look every object up within it).

    A POST runs ``create`` once per ``Idempotency-Key``."""

    authentication_classes = [ClientTokenAuthentication]
    permission_classes = [NeedsScope]
    throttle_classes = [ClientRateThrottle]
    #: HTTP method → scope it needs (``workflow.api.scopes``).
    scopes: ClassVar[dict[str, str]] = {}

    def scope_for(self, request) -> str | None:
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            return None  # a method this endpoint does not serve: the 405 follows
        if request.method in ("HEAD", "OPTIONS"):
            return self.scopes.get("GET")
        return self.scopes.get(request.method, "__none__")

    @property
    def client(self):
        return self.request.auth

    @property
    def agency(self):
        return self.request.auth.agency

    @property
    def actor(self):
        return self.request.user

    def post(self, request, *args, **kwargs):
        return idempotent(request, self.client, lambda: self.create(request, *args, **kwargs))

    def create(self, request, *args, **kwargs) -> Response:  # pragma: no cover - overridden
        raise NotImplementedError


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
                "redoc": reverse("api:redoc", request=request),
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


class RedocView(SpectacularRedocView):
    authentication_classes: ClassVar[list] = []
    permission_classes = [AllowAny]
    throttle_classes: ClassVar[list] = []
    url_name = "api:schema"
