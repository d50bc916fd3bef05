"""The engine's endpoints: reference data and the working-day calendar."""

from django.urls import path

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
