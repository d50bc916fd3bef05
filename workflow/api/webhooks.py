"""The webhook endpoints of the API (scope ``webhooks:manage``): a client registers the URLs that
receive its agency's events (``workflow.webhooks``), reads their delivery log and sends a test
event. A client sees and changes only the endpoints it registered itself."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.reverse import reverse

from workflow import webhooks
from workflow.api.pagination import Pages
from workflow.api.views import IDEMPOTENCY_KEY, ClientView
from workflow.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

SCOPE = "webhooks:manage"
BIGGEST_ID = 2**63 - 1


class EndpointInput(serializers.Serializer):
    url = serializers.CharField(
        help_text="接收事件的地址（http:// 或 https://，最长 500 个字符）。",
        allow_blank=True,
        trim_whitespace=False,
    )
    events = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        max_length=len(webhooks.EVENT_TYPES),
        help_text="订阅的事件类型；不填或为空表示全部："
        + "、".join(f"{code}（{label}）" for code, label in webhooks.EVENT_TYPES.items()),
    )


class EndpointOutput(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.CharField(), help_text="订阅的事件类型；空表示全部。"
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "active", "inactive_reason", "secret_hint", "created_at"]
        extra_kwargs = {
            "id": {"help_text": "接收地址编号。"},
            "url": {"help_text": "接收事件的地址。"},
            "active": {"help_text": "是否启用；对方返回 410 时自动停用。"},
            "inactive_reason": {"help_text": "停用原因。"},
            "secret_hint": {"help_text": "签名密钥的末四位，用于核对。"},
            "created_at": {"help_text": "登记时间。"},
        }


class EndpointCreated(EndpointOutput):
    secret = serializers.CharField(
        help_text="签名密钥（whsec_…），只在登记时返回这一次，请妥善保存。", read_only=True
    )

    class Meta(EndpointOutput.Meta):
        fields = [*EndpointOutput.Meta.fields, "secret"]


class AttemptOutput(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["at", "status_code", "duration_ms", "error"]
        extra_kwargs = {
            "at": {"help_text": "发送时间。"},
            "status_code": {"help_text": "对方的响应码；为空表示没有收到响应。"},
            "duration_ms": {"help_text": "用时（毫秒）。"},
            "error": {"help_text": "错误说明。"},
        }


class DeliveryOutput(serializers.ModelSerializer):
    tries = AttemptOutput(many=True, read_only=True, help_text="每一次发送。")
    payload = serializers.JSONField(help_text="发送的内容（请求体）。")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event_type",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "created_at",
            "delivered_at",
            "payload",
            "tries",
        ]
        extra_kwargs = {
            "id": {"help_text": "通知记录编号。"},
            "event_id": {"help_text": "事件编号（Gongkai-Event-Id），重发时不变。"},
            "event_type": {"help_text": "事件类型。"},
            "status": {"help_text": "pending 待送达；delivered 已送达；failed 送达失败。"},
            "attempts": {"help_text": "已发送次数。"},
            "last_status_code": {"help_text": "最近一次的响应码。"},
            "last_error": {"help_text": "最近一次的错误。"},
            "created_at": {"help_text": "事件产生时间。"},
            "delivered_at": {"help_text": "送达时间。"},
        }


class PageOfEndpoints(serializers.Serializer):
    count = serializers.IntegerField(help_text="总数。")
    next = serializers.URLField(allow_null=True, help_text="下一页。")
    previous = serializers.URLField(allow_null=True, help_text="上一页。")
    results = EndpointOutput(many=True)


class PageOfDeliveries(PageOfEndpoints):
    results = DeliveryOutput(many=True)  # type: ignore[assignment]


class _Own(ClientView):
    """Endpoints of the calling client only: another client's (of any agency) is not found."""

    scopes = {"GET": SCOPE, "POST": SCOPE, "DELETE": SCOPE}

    def endpoints(self):
        return WebhookEndpoint.objects.filter(client=self.client, removed_at__isnull=True)

    def endpoint(self, pk: int) -> WebhookEndpoint:
        if pk > BIGGEST_ID:
            raise Http404
        found = self.endpoints().select_related("agency", "client").filter(pk=pk).first()
        if found is None:
            raise Http404
        return found


class WebhookList(_Own):
    @extend_schema(
        operation_id="webhooks_list",
        summary="本客户端登记的事件通知地址",
        responses=PageOfEndpoints,
        tags=["事件通知"],
    )
    def get(self, request):
        pages = Pages()
        page = pages.paginate_queryset(self.endpoints().order_by("id"), request, view=self)
        return pages.get_paginated_response(EndpointOutput(page, many=True).data)

    @extend_schema(
        operation_id="webhooks_create",
        summary="登记事件通知地址（返回签名密钥，仅此一次）",
        request=EndpointInput,
        responses={201: EndpointCreated},
        parameters=[IDEMPOTENCY_KEY],
        tags=["事件通知"],
    )
    def post(self, request, *args, **kwargs):
        response = self.run_create(request, *args, **kwargs)
        if response.status_code == 201:
            # The secret is derived again rather than kept with the idempotency record: a
            # repeated call gets the same answer, and the database holds no secret.
            endpoint = WebhookEndpoint.objects.get(pk=response.data["id"])
            response.data["secret"] = webhooks.secret_of(endpoint)
        return response

    def create(self, request):
        given = EndpointInput(data=request.data)
        given.is_valid(raise_exception=True)
        endpoint, _secret = webhooks.endpoint_create(
            actor=self.actor,
            client=self.client,
            url=given.validated_data["url"],
            events=given.validated_data["events"],
        )
        location = reverse("api:webhook-detail", args=[endpoint.pk], request=request)
        return Response(EndpointOutput(endpoint).data, status=201, headers={"Location": location})


class WebhookDetail(_Own):
    http_method_names = ["get", "delete", "head", "options"]

    @extend_schema(
        operation_id="webhooks_read",
        summary="一个事件通知地址",
        responses=EndpointOutput,
        tags=["事件通知"],
    )
    def get(self, request, pk: int):
        return Response(EndpointOutput(self.endpoint(pk)).data)

    @extend_schema(
        operation_id="webhooks_delete",
        summary="删除事件通知地址（不再发送；发送记录保留）",
        responses={204: None},
        tags=["事件通知"],
    )
    def delete(self, request, pk: int):
        webhooks.endpoint_remove(actor=self.actor, endpoint_id=self.endpoint(pk).pk)
        return Response(status=204)


class WebhookDeliveries(_Own):
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        operation_id="webhooks_deliveries",
        summary="事件通知地址的发送记录（新的在前）",
        responses=PageOfDeliveries,
        tags=["事件通知"],
    )
    def get(self, request, pk: int):
        endpoint = self.endpoint(pk)
        deliveries = (
            WebhookDelivery.objects.filter(endpoint=endpoint)
            .prefetch_related(Prefetch("tries", queryset=WebhookAttempt.objects.order_by("at")))
            .order_by("-created_at", "-id")
        )
        pages = Pages()
        page = pages.paginate_queryset(deliveries, request, view=self)
        return pages.get_paginated_response(DeliveryOutput(page, many=True).data)


class WebhookPing(_Own):
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="webhooks_ping",
        summary="向事件通知地址发送一条测试事件（ping）",
        request=None,
        responses={202: DeliveryOutput},
        parameters=[IDEMPOTENCY_KEY],
        tags=["事件通知"],
    )
    def create(self, request, pk: int):
        delivery = webhooks.ping(actor=self.actor, endpoint=self.endpoint(pk))
        return Response(DeliveryOutput(delivery).data, status=202)
