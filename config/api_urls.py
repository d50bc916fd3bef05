"""``/api/v1/``: the API's root, schema and documentation, and each app's endpoints."""

from django.urls import include, path

from workflow.api.views import ApiRoot, DocsView, SchemaView

app_name = "api"

urlpatterns = [
    path("", ApiRoot.as_view(), name="root"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(), name="docs"),
    path("", include("workflow.api.urls")),
    path("", include("requests_app.api.urls")),
    path("", include("attributes_app.api.urls")),
]
