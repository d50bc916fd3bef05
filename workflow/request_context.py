"""What a log line is about: the request (its id, the person, their agency) or the background job.

``RequestIdMiddleware`` (first in ``MIDDLEWARE``) gives each request an id: the one the reverse
proxy sent in ``X-Request-ID`` when it is a plain token, otherwise a new one. The id is returned in
the response's ``X-Request-ID`` header (and so in gunicorn's access log) and kept, with the request,
in a context variable for as long as the request is served. ``ContextFilter`` copies it onto every
log record, with the person and their agencies' codes, and ``JsonFormatter`` writes one JSON
object per line (``GONGKAI_LOG_FORMAT=json``); the plain format shows the same fields.

A background job's lines carry its id: run it inside ``log_context(job=job.pk)``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import uuid
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.core.signals import request_finished
from django.db import connection

#: What a proxy may send as the request id: a token of letters, digits and a few separators
#: (a UUID, "Root=1-…;Parent=…"); anything else (newlines, quotes, a megabyte) is replaced.
INCOMING_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:;=+/@-]{0,127}")
HEADER = "X-Request-ID"


@dataclass
class LogContext:
    request_id: str = ""
    request: Any = None
    job: int | None = None
    # The person's agencies' codes, read once, when a line first needs them.
    agency: str | None = field(default=None, repr=False)


_current: ContextVar[LogContext | None] = ContextVar("gongkai_log_context", default=None)
# True while the filter itself reads the database, so that the query's own logging does not loop.
_reading: ContextVar[bool] = ContextVar("gongkai_log_context_reading", default=False)


def current() -> LogContext | None:
    return _current.get()


def request_id_of(raw: str) -> str:
    """The incoming id if it is a sane token, else a new one."""
    if raw and INCOMING_ID.fullmatch(raw):
        return raw
    return uuid.uuid4().hex


@contextlib.contextmanager
def log_context(*, job: int | None = None, request_id: str = "") -> Iterator[LogContext]:
    """Log lines written inside the block name this job (and request id, if given)."""
    context = LogContext(request_id=request_id, job=job)
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


class RequestIdMiddleware:
    """Sets the request's id and its logging context; returns the id in ``X-Request-ID``.

    The context stays until the response is finished (``request_finished``), not only until this
    middleware returns: Django logs 4xx/5xx responses ("Not Found: …") after the middleware, and a
    streamed file may log while it is sent."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_of(request.META.get("HTTP_X_REQUEST_ID", ""))
        request.request_id = request_id
        _current.set(LogContext(request_id=request_id, request=request))
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def _forget(**kwargs) -> None:
    _current.set(None)


request_finished.connect(_forget, dispatch_uid="gongkai_request_context_forget")


def _user_of(request) -> Any:
    # Only a user the request has already looked up (``AuthenticationMiddleware`` keeps it in
    # ``_cached_user``): logging never loads the session or the user itself.
    user = getattr(request, "_cached_user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None


def _agency_codes(context: LogContext, user) -> str:
    if context.agency is not None:
        return context.agency
    # Read only on a connection that is open and usable: a line logged because the database is
    # down, or inside a failed transaction, must not wait for (or fail on) the database again.
    if _reading.get() or connection.connection is None or connection.needs_rollback:
        return ""
    token = _reading.set(True)
    try:
        codes = sorted(user.agencies.values_list("code", flat=True))
    except Exception:
        return ""
    finally:
        _reading.reset(token)
    context.agency = ",".join(codes)
    return context.agency


class ContextFilter(logging.Filter):
    """Adds ``request_id``, ``user_id``, ``username``, ``agency``, ``job`` (empty when unknown) and
    ``context`` (the same, as short text for the plain format) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _current.get()
        request = context.request if context else None
        user = _user_of(request)
        record.request_id = context.request_id if context else ""
        record.job = context.job if context else None
        record.user_id = user.pk if user else None
        record.username = user.get_username() if user else ""
        record.agency = _agency_codes(context, user) if context and user else ""
        record.method = request.method if request is not None else ""
        record.path = request.path if request is not None else ""
        parts = [
            f"request_id={record.request_id}" if record.request_id else "",
            f"job={record.job}" if record.job else "",
            f"user={record.username}" if record.username else "",
            f"agency={record.agency}" if record.agency else "",
        ]
        text = " ".join(part for part in parts if part)
        record.context = f"[{text}] " if text else ""
        return True


class TextFormatter(logging.Formatter):
    """The plain format, with the request's context after the logger's name."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(context)s%(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "context"):
            record.context = ""
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, the request's context, and
    the traceback of an exception as one string."""

    FIELDS = ("request_id", "user_id", "username", "agency", "job", "method", "path")

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in self.FIELDS:
            value = getattr(record, name, None)
            if value not in (None, ""):
                line[name] = value
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            line.update(self._access_fields(record.args))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)

    #: gunicorn's access log hands its values ("atoms") to the record; the ones worth a field.
    ACCESS_ATOMS = {
        "request_id": "{x-request-id}o",
        "method": "m",
        "path": "U",
        "status": "s",
        "bytes": "B",
        "ms": "M",
        "remote": "h",
    }

    def _access_fields(self, atoms: Mapping) -> dict[str, Any]:
        fields = {}
        for name, atom in self.ACCESS_ATOMS.items():
            try:
                value = atoms[atom]
            except KeyError:
                continue
            if value not in (None, "", "-"):
                fields[name] = value
        return fields
