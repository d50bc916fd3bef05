"""The engine's endpoints: reference data and the working-day calendar."""

from django.urls import path

from workflow.api import webhooks
from workflow.api.agency import OwnAgencyView
from workflow.api.calendar import AddWorkingDaysView, ClockView, WorkingDayView

urlpatterns: list = [
    # -- reference data and the calendar (workflow.api.agency, workflow.api.calendar) --------
    path("reference/agency/", OwnAgencyView.as_view(), name="reference-agency"),
    path("calendar/day/", WorkingDayView.as_view(), name="calendar-day"),
    path("calendar/add/", AddWorkingDaysView.as_view(), name="calendar-add"),
    path("calendar/clock/", ClockView.as_view(), name="calendar-clock"),
    # -- end of reference data and the calendar ----------------------------------------------
]

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
