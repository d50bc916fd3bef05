"""Routes of this app's API endpoints, included under ``/api/v1/`` (config.api_urls)."""

from django.urls import path

from requests_app.api import submissions

urlpatterns: list = [
    path("submissions/", submissions.SubmissionListView.as_view(), name="submission_list"),
    path("submissions/<int:pk>/", submissions.SubmissionDetailView.as_view(), name="submission"),
]
