"""The file of a document's final text (正式文本): which files are accepted, and keeping an upload
across a form that came back with errors, so that nothing chosen is lost.

The type is read from the file's first bytes, not from its name: PDF, OFD and DOCX (ZIP-based),
DOC and WPS (the older compound format).
"""

from __future__ import annotations

import uuid
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage

from workflow.text_input import clean_name

MB = 1024 * 1024
EXTENSIONS = {".pdf", ".ofd", ".docx", ".doc", ".wps"}
ACCEPT = ",".join(sorted(EXTENSIONS))
SESSION_KEY = "attributes_pending_texts"
PENDING_DIR = "pending-texts"


def max_bytes() -> int:
    return getattr(settings, "GONGKAI_DOCUMENT_MAX_MB", 20) * MB


def _kind(upload) -> str:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return ".pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return ".doc"  # also .wps: the same compound format
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return ""
        finally:
            upload.seek(0)
        if "word/document.xml" in names:
            return ".docx"
        if "OFD.xml" in names:
            return ".ofd"
    return ""


def problem(upload) -> str | None:
    """Why ``upload`` cannot be the document's text, in Chinese, or None."""
    name = PurePath(upload.name or "").name
    extension = PurePath(name).suffix.lower()
    if upload.size == 0:
        return f"“{name}”是空文件，请重新选择。"
    if upload.size > max_bytes():
        return f"“{name}”有{upload.size / MB:.1f}MB，超过了{max_bytes() // MB}MB的上限。"
    if extension not in EXTENSIONS:
        return "正式文本请上传PDF、OFD、DOCX、DOC或WPS文件。"
    kind = _kind(upload)
    if not kind:
        return f"“{name}”的内容不是PDF、OFD、DOCX、DOC或WPS文件，可能已损坏或被改了扩展名。"
    if kind != extension and not (kind == ".doc" and extension == ".wps"):
        return f"“{name}”的内容是{kind[1:].upper()}文件，与扩展名不符，请核对后重新选择。"
    return None


def keep(request, upload) -> str:
    """Keep a checked upload while the form is corrected; return its token for the form."""
    token = uuid.uuid4().hex
    name = clean_name(PurePath(upload.name).name)
    path = default_storage.save(f"{PENDING_DIR}/{token}/{name}", upload)
    pending = request.session.get(SESSION_KEY, {})
    pending[token] = {"path": path, "name": name}
    request.session[SESSION_KEY] = dict(list(pending.items())[-10:])
    return token


def kept_name(request, token: str) -> str:
    entry = request.session.get(SESSION_KEY, {}).get(token or "")
    return entry["name"] if entry else ""


def take(request, token: str) -> File | None:
    """The upload kept under ``token`` in this session (others' tokens find nothing)."""
    entry = request.session.get(SESSION_KEY, {}).get(token or "")
    if not entry or not default_storage.exists(entry["path"]):
        return None
    return File(default_storage.open(entry["path"], "rb"), name=entry["name"])


def forget(request, token: str) -> None:
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.pop(token or "", None)
    if entry:
        request.session[SESSION_KEY] = pending
        default_storage.delete(entry["path"])
