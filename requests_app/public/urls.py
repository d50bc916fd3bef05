"""This app's public pages of an agency (included by ``config.public_urls`` under
``public/<agency_code>/``, in the ``public`` namespace)."""

from django.urls import path

from requests_app.public import apply, guide, reports, tracking

urlpatterns: list = [
    # The agency's 政府信息公开指南 (Art. 12).
    path("guide/", guide.guide, name="guide"),
    # The published annual reports (Art. 49–50).
    path("reports/", reports.reports, name="reports"),
    path("reports/<int:year>/<int:version>/", reports.report, name="report"),
    path(
        "reports/<int:year>/<int:version>/report.<str:fmt>",
        reports.report_download,
        name="report_download",
    ),
    # The online application (Art. 29, 31(3)) and its tracking.
    path("apply/", apply.apply, name="apply"),
    path("apply/done/", apply.apply_done, name="apply_done"),
    path("track/", tracking.track, name="track"),
    path("track/<str:token>/", tracking.track_case, name="track_case"),
    path(
        "track/<str:token>/letters/<int:letter_id>/",
        tracking.track_letter,
        name="track_letter",
    ),
    path(
        "track/<str:token>/files/<int:document_id>/",
        tracking.track_provided,
        name="track_provided",
    ),
]
