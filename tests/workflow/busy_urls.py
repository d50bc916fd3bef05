"""Views that meet a busy database, for the 503 tests."""

from django.db import OperationalError, transaction
from django.http import HttpResponse
from django.urls import path

from workflow.models import Agency


def raises(request):
    raise OperationalError("database is locked")


def writes(request):
    with transaction.atomic():
        Agency.objects.create(name="新机关", code="new")
    return HttpResponse("saved")


def other_error(request):
    raise OperationalError("no such table: nowhere")


handler500 = "workflow.middleware.server_error"

urlpatterns = [
    path("raises/", raises),
    path("writes/", writes),
    path("other/", other_error),
]
