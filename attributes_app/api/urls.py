"""Routes of this app's API endpoints, included under ``/api/v1/`` (config.api_urls)."""

from django.urls import path

from attributes_app.api import documents, publication
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

# -- publication (the website's CMS, DOMAIN §4.2) ------------------------------------------------
urlpatterns += [
    path(
        "documents/<int:document_id>/publication/",
        publication.DocumentPublicationView.as_view(),
        name="document-publication",
    ),
    path(
        "documents/<int:document_id>/publication/withdrawal/",
        publication.PublicationWithdrawalView.as_view(),
        name="document-publication-withdrawal",
    ),
    path(
        "documents/<int:document_id>/interpretation/",
        publication.InterpretationView.as_view(),
        name="document-interpretation",
    ),
    path("publications/", publication.PublicationListView.as_view(), name="publication-list"),
]

# -- documents from OA (attributes_app.api.documents) -------------------------------------------
urlpatterns += [
    path("documents/", documents.DocumentListView.as_view(), name="documents"),
    path("documents/batch/", documents.DocumentBatchView.as_view(), name="documents-batch"),
    path(
        "documents/external/<str:external_id>/",
        documents.ExternalDocumentView.as_view(),
        name="document-external",
    ),
    path("documents/<int:pk>/", documents.DocumentDetailView.as_view(), name="document"),
    path(
        "documents/<int:pk>/history/",
        documents.DocumentHistoryView.as_view(),
        name="document-history",
    ),
    path("documents/<int:pk>/text/", documents.DocumentTextView.as_view(), name="document-text"),
]
