"""The public side's front pages (``config.public_urls`` adds each app's pages)."""

from django.urls import path

from workflow.public import views

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:agency_code>/", views.home, name="home"),
]
