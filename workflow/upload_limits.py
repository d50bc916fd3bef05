"""Upload limits enforced while a request is received, before any check of the forms.

Without this, Django keeps every uploaded file whole (in memory, or in a temporary file) before a
form can look at its size: a 2 GB "scan" would be written to disk first. The handler below comes
first in ``FILE_UPLOAD_HANDLERS``: once a file passes the largest per-file limit, or the files of
one request pass the total limit, it stops handing the file's data on, so nothing more of it is
kept. The form then receives a ``RefusedUpload`` in its place: no content, the size the file had,
and, for the total, the reason; the usual checks refuse it naming the file and its size, and
keep everything else the user typed (the rest of the request is still read and parsed).
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

MB = 1024 * 1024


def per_file_limit() -> int:
    """The largest file any form accepts (uploads to a case, documents' texts, spreadsheets)."""
    return MB * max(
        settings.GONGKAI_UPLOAD_MAX_FILE_MB,
        getattr(settings, "GONGKAI_DOCUMENT_MAX_MB", 20),
        getattr(settings, "GONGKAI_OLDER_IMPORT_MAX_MB", 20),
    )


def total_limit() -> int:
    return max(settings.GONGKAI_UPLOAD_MAX_TOTAL_MB * MB, per_file_limit())


def total_refusal() -> str:
    return (
        f"没有接收：这次提交的文件合计超过了每次上传{settings.GONGKAI_UPLOAD_MAX_TOTAL_MB} MB"
        "的上限，请分几次上传"
    )


class RefusedUpload(UploadedFile):
    """A file not kept because it passed a limit while it was received: its name and size (all
    of it was counted, none of it kept) and, when it is not the size alone, why."""

    def __init__(self, *, name: str, content_type: str, size: int, charset, refusal: str = ""):
        super().__init__(io.BytesIO(b""), name, content_type, size, charset)
        self.refusal = refusal


class LimitUploadHandler(FileUploadHandler):
    """Stops keeping a file past the per-file limit or the request's total (see the module)."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.kept_total = 0
        return None  # the parsing stays Django's

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.refusal: str | None = None

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.refusal is None:
            if self.received > per_file_limit():
                self.refusal = ""  # too large: the form's own size check says so
            elif self.kept_total + self.received > total_limit():
                self.refusal = total_refusal()
        # None: the handlers after this one (memory, temporary file) get nothing more of it.
        return None if self.refusal is not None else raw_data

    def file_complete(self, file_size):
        if self.refusal is None:
            self.kept_total += self.received
            return None  # the next handler hands over the file it kept
        return RefusedUpload(
            name=self.file_name,
            content_type=self.content_type,
            size=self.received,
            charset=self.charset,
            refusal=self.refusal,
        )
