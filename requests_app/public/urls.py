"""This app's public pages of an agency (included by ``config.public_urls`` under
``public/<agency_code>/``, in the ``public`` namespace)."""

from django.urls import path

from requests_app.public import apply, tracking

urlpatterns: list = [
    path("apply/", apply.apply, name="apply"),
    path("apply/done/", apply.apply_done, name="apply_done"),
    path("track/", tracking.track, name="track"),
    path("track/<str:token>/", tracking.track_case, name="track_case"),
    path(
        "track/<str:token>/letters/<int:letter_id>/",
        tracking.track_letter,
        name="track_letter",
    ),
]
