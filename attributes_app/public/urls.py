"""This app's public pages of an agency (included by ``config.public_urls`` under
``public/<agency_code>/``, in the ``public`` namespace)."""

from django.urls import path

from attributes_app.public import views

urlpatterns: list = [
    path("catalogue/", views.catalogue_page, name="catalogue"),
    path("catalogue.xlsx", views.catalogue_xlsx, name="catalogue_xlsx"),
]
