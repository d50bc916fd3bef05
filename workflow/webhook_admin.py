"""The webhooks in the admin: the endpoints the API clients registered, and the delivery log with
each try's response code, scoped to the administrator's agencies; a delivery can be sent again
("重新发送", with the same event id)."""

from django.contrib import admin, messages

from workflow import webhooks
from workflow.admin import AgencyScopedAdmin
from workflow.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AgencyScopedAdmin):
    list_display = ["url", "client", "agency", "subscribed", "active", "created_at"]
    list_filter = ["agency", "active"]
    search_fields = ["url", "client__name"]
    fields = [
        "agency",
        "client",
        "url",
        "events",
        "secret_hint",
        "active",
        "inactive_reason",
        "created_at",
        "removed_at",
    ]
    readonly_fields = fields
    list_select_related = ["client", "agency"]

    @admin.display(description="订阅的事件")
    def subscribed(self, obj):
        return "、".join(webhooks.LABELS.get(e, e) for e in obj.events) or "全部事件"

    def has_add_permission(self, request):
        return False  # registered by the client through the API: only it gets the secret

    def has_delete_permission(self, request, obj=None):
        return False  # the delivery log stays


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["at", "status_code", "duration_ms", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(AgencyScopedAdmin):
    list_display = [
        "created_at",
        "event_label",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "delivered_at",
    ]
    list_filter = ["agency", "status", "event_type"]
    search_fields = ["=event_id", "endpoint__url"]
    fields = [
        "agency",
        "endpoint",
        "event_id",
        "event_type",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "created_at",
        "delivered_at",
        "payload",
    ]
    readonly_fields = fields
    inlines = [AttemptInline]
    actions = ["resend"]
    list_select_related = ["endpoint__client"]

    @admin.display(description="事件类型", ordering="event_type")
    def event_label(self, obj):
        return webhooks.LABELS.get(obj.event_type, obj.event_type)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="重新发送", permissions=["view"])
    def resend(self, request, queryset):
        sent = skipped = 0
        for delivery_id in queryset.values_list("pk", flat=True):
            if webhooks.resend(actor=request.user, delivery_id=delivery_id) is None:
                skipped += 1
            else:
                sent += 1
        if sent:
            self.message_user(request, f"已重新发送 {sent} 条事件通知（事件编号不变）。")
        if skipped:
            self.message_user(
                request,
                f"{skipped} 条未重新发送：仍在等待发送，或接收地址已停用。",
                messages.WARNING,
            )
