"""Every response that hands out a stored or generated file (uploads, letters, case files,
documents' texts): its headers, and how a stored file goes out (from disk, streamed from the
object store, or by a redirect to a signed URL: ``GONGKAI_STORAGE_DOWNLOADS``)."""

from __future__ import annotations

import logging
import mimetypes
from functools import wraps

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

from workflow.storage import is_object_store, object_key

logger = logging.getLogger(__name__)

#: A file opened in the browser runs as a sandboxed page of no origin: a PDF's or an SVG's
#: scripts, forms and links cannot act as a page of this site.
SANDBOX = "sandbox"


def protect(response):
    """Add the headers to a file ``response`` (one with a Content-Disposition): the browser
    keeps the type we send (``nosniff``) and opens the file in a sandbox."""
    if response.has_header("Content-Disposition"):
        response["Content-Security-Policy"] = SANDBOX
        response["X-Content-Type-Options"] = "nosniff"
    return response


def file_view(view):
    """Decorate a view that returns a file (pages it renders instead, e.g. a refusal, keep the
    site's own headers)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return protect(view(request, *args, **kwargs))

    return wrapper


class _ObjectStream:
    """An object's body as read from the store, chunk by chunk (never all of it in memory)."""

    def __init__(self, body):
        self._body = body

    def read(self, size: int = -1) -> bytes:
        return self._body.read(None if size is None or size < 0 else size)

    def close(self) -> None:
        self._body.close()


def _open_object(storage, name: str):
    from botocore.exceptions import ClientError

    try:
        found = storage.connection.meta.client.get_object(
            Bucket=storage.bucket_name, Key=object_key(storage, name)
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
            raise FileNotFoundError(name) from None
        raise
    return _ObjectStream(found["Body"]), found["ContentLength"]


def _missing(name: str) -> Http404:
    """A file the records name and the storage no longer has (lost from the disk or the
    bucket): said plainly, and logged for the administrator, not a server error."""
    logger.error("stored file missing: %s", name)
    return Http404(
        "这份文件已不在文件存储中（可能在迁移或恢复时遗漏）。请联系系统管理员从备份中恢复。"
    )


def stored_file_response(
    stored: FieldFile,
    *,
    filename: str,
    as_attachment: bool,
    content_type: str | None = None,
) -> HttpResponseBase:
    """The response that hands out the stored file ``stored`` once the view has checked who
    asks: the file itself (from disk, or streamed from the object store), or with
    ``GONGKAI_STORAGE_DOWNLOADS=redirect`` a redirect to a signed URL of the object store that
    expires after ``GONGKAI_STORAGE_URL_SECONDS``. The name and type go with either."""
    storage = stored.storage
    if not is_object_store(storage):
        try:
            opened = stored.open("rb")
        except FileNotFoundError:
            raise _missing(stored.name) from None
        return FileResponse(
            opened, filename=filename, as_attachment=as_attachment, content_type=content_type
        )
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if settings.GONGKAI_STORAGE_DOWNLOADS == "redirect":
        url = storage.url(
            stored.name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(as_attachment, filename),
                "ResponseContentType": content_type,
            },
            expire=settings.GONGKAI_STORAGE_URL_SECONDS,
        )
        response = HttpResponseRedirect(url)
        # The URL is the key to the file for its lifetime: no cache may keep it.
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response
    try:
        body, size = _open_object(storage, stored.name)
    except FileNotFoundError:
        raise _missing(stored.name) from None
    response = FileResponse(
        body, filename=filename, as_attachment=as_attachment, content_type=content_type
    )
    response["Content-Length"] = str(size)
    return response
