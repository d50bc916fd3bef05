"""Routes of this app's API endpoints, included under ``/api/v1/`` (config.api_urls)."""

from django.urls import path

from requests_app.api.reference import OutcomeListView, RequestCodesView

urlpatterns: list = [
    # -- reference data (requests_app.api.reference) ------------------------------------------
    path("reference/outcomes/", OutcomeListView.as_view(), name="reference-outcomes"),
    path("reference/request-codes/", RequestCodesView.as_view(), name="reference-request-codes"),
    # -- end of reference data ----------------------------------------------------------------
]
