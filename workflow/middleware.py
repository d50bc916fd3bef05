"""Answers for requests that meet a busy database: never a 500 for "database is locked"."""

from __future__ import annotations

import logging

from django.db import OperationalError
from django.shortcuts import render

logger = logging.getLogger(__name__)

#: Seconds a browser (or a script) is told to wait before trying again.
RETRY_AFTER = 10


def database_busy(error: BaseException) -> bool:
    """SQLite's "database is locked" / "database table is locked": another write held the lock
    longer than the connection's ``timeout``."""
    return isinstance(error, OperationalError) and "is locked" in str(error)


class DatabaseBusyMiddleware:
    """A request whose transaction could not get the database's write lock in time gets a 503
    page in Chinese: nothing was saved (the transaction rolled back), try again shortly.

    The connection already waits ``OPTIONS["timeout"]`` seconds (20) for the lock; this is for
    the rare write that waits longer (a long job holding the lock)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not database_busy(exception):
            return None
        logger.warning("database busy: %s %s", request.method, request.path)
        response = render(request, "503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
