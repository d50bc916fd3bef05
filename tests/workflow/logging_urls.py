"""A page that writes to the log, for the tests of the request context in log lines."""

import logging

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

logger = logging.getLogger("gongkai.test.page")


@login_required
def page(request):
    logger.info("案件已打开")
    return HttpResponse("ok")


def anonymous(request):
    logger.warning("no one")
    return HttpResponse("ok")


urlpatterns = [
    path("page/", page),
    path("anonymous/", anonymous),
]
