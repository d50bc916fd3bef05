"""Routes of this app's API endpoints, included under ``/api/v1/`` (config.api_urls)."""

from django.urls import path

from attributes_app.api.reference import CatalogueItemListView, DocumentCodesView, UnitListView

urlpatterns: list = [
    # -- reference data (attributes_app.api.reference) ----------------------------------------
    path("reference/units/", UnitListView.as_view(), name="reference-units"),
    path(
        "reference/catalogue-items/",
        CatalogueItemListView.as_view(),
        name="reference-catalogue-items",
    ),
    path("reference/document-codes/", DocumentCodesView.as_view(), name="reference-document-codes"),
    # -- end of reference data ----------------------------------------------------------------
]
