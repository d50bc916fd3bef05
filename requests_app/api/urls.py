"""Routes of this app's API endpoints, included under ``/api/v1/`` (config.api_urls)."""

urlpatterns: list = []
