"""The engine's endpoints: reference data and the working-day calendar."""

from django.urls import path

from workflow.api import webhooks

urlpatterns: list = []

# -- webhooks (workflow.api.webhooks) -------------------------------------------------------------
urlpatterns += [
    path("webhooks/", webhooks.WebhookList.as_view(), name="webhook-list"),
    path("webhooks/<int:pk>/", webhooks.WebhookDetail.as_view(), name="webhook-detail"),
    path(
        "webhooks/<int:pk>/deliveries/",
        webhooks.WebhookDeliveries.as_view(),
        name="webhook-deliveries",
    ),
    path("webhooks/<int:pk>/ping/", webhooks.WebhookPing.as_view(), name="webhook-ping"),
]
