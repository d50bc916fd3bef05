"""The public side under ``/public/`` (namespace ``public``): the engine's front pages, then
each app's pages of an agency under ``<agency_code>/``."""

from django.urls import include, path

from workflow.public.urls import urlpatterns as front

app_name = "public"

urlpatterns = [
    *front,
    path("<slug:agency_code>/", include("attributes_app.public.urls")),
    path("<slug:agency_code>/", include("requests_app.public.urls")),
]
