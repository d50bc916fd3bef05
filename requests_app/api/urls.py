"""Routes of this app's API endpoints, included under ``/api/v1/`` (config.api_urls)."""

from django.urls import path

from requests_app.api import requests, submissions
from requests_app.api.reference import OutcomeListView, RequestCodesView

urlpatterns: list = [
    # -- reference data (requests_app.api.reference) ------------------------------------------
    path("reference/outcomes/", OutcomeListView.as_view(), name="reference-outcomes"),
    path("reference/request-codes/", RequestCodesView.as_view(), name="reference-request-codes"),
    # -- end of reference data ----------------------------------------------------------------
    path("requests/", requests.RequestList.as_view(), name="request_list"),
    path("requests/<int:pk>/", requests.RequestDetail.as_view(), name="request_detail"),
    path(
        "requests/<int:pk>/letters/<int:letter_id>/pdf",
        requests.LetterPdf.as_view(),
        name="request_letter_pdf",
    ),
    path(
        "requests/<int:pk>/letters/<int:letter_id>/docx",
        requests.LetterDocx.as_view(),
        name="request_letter_docx",
    ),
    path(
        "requests/<int:pk>/documents/<int:document_id>/",
        requests.DocumentFile.as_view(),
        name="request_document",
    ),
    path("submissions/", submissions.SubmissionListView.as_view(), name="submission_list"),
    path("submissions/<int:pk>/", submissions.SubmissionDetailView.as_view(), name="submission"),
]
