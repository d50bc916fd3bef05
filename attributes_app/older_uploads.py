"""Keeping an uploaded spreadsheet of older documents between its check and the confirmation.

The file and its check (``check.json``) are stored under ``older-imports/<token>/`` of the file
storage (``MEDIA_ROOT`` or the bucket); the session holds the token with the agency, the file's
name and digest, and the job once the import is confirmed (like ``text_files`` keeps a chosen
text). Nothing of the rows travels through the page: the job reads the stored file and checks it
again.

A token is found only in the session that uploaded it, and only while the user still works for
its agency. Stored files go when the import has run, and every upload sweeps away the folders
of checks nobody confirmed within ``KEEP_FOR``.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.utils import timezone

from attributes_app.older_import import ImportCheck
from workflow.models import Agency
from workflow.selectors import agencies_of
from workflow.storage import remove_folder
from workflow.text_input import clean_name

DIR = "older-imports"
SESSION_KEY = "attributes_older_imports"
KEEP_FOR = timedelta(days=2)
KEPT_PER_SESSION = 10
KEPT_AT = "kept-at.txt"
TOKEN = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class KeptImport:
    """An uploaded file waiting for its confirmation (or imported, when ``job_id`` is set)."""

    token: str
    agency: Agency
    name: str
    path: str
    sha256: str
    job_id: int | None

    @property
    def folder(self) -> str:
        return f"{DIR}/{self.token}"


def _digest(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def keep(request, *, upload, agency: Agency, kind: str, check: ImportCheck) -> str:
    """Store ``upload`` and its ``check`` for ``agency``; return the token for the pages."""
    sweep()
    token = uuid.uuid4().hex
    name = clean_name(PurePath(upload.name or "").name)
    sha256 = _digest(upload)
    path = default_storage.save(f"{DIR}/{token}/upload.{kind}", upload)
    default_storage.save(
        f"{DIR}/{token}/check.json",
        ContentFile(json.dumps(check.as_data(), ensure_ascii=False).encode("utf-8")),
    )
    # When it was kept, by the application's clock (what ``sweep`` compares with).
    default_storage.save(f"{DIR}/{token}/{KEPT_AT}", ContentFile(timezone.now().isoformat()))
    entries = request.session.get(SESSION_KEY, {})
    entries[token] = {
        "agency": agency.pk,
        "name": name,
        "path": path,
        "sha256": sha256,
        "job": None,
    }
    for old in list(entries)[:-KEPT_PER_SESSION]:
        if entries[old]["job"] is None:
            discard(f"{DIR}/{old}")
        del entries[old]
    request.session[SESSION_KEY] = entries
    return token


def kept(request, token: str) -> KeptImport | None:
    """The upload kept under ``token`` in this session, while the user works for its agency."""
    if not TOKEN.match(token or ""):
        return None
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not entry:
        return None
    agency = agencies_of(request.user).filter(pk=entry["agency"]).first()
    if agency is None:
        return None
    return KeptImport(
        token=token,
        agency=agency,
        name=entry["name"],
        path=entry["path"],
        sha256=entry["sha256"],
        job_id=entry["job"],
    )


def load_check(upload: KeptImport) -> ImportCheck | None:
    """The check stored beside the upload (None once the import has run and cleared it)."""
    path = f"{upload.folder}/check.json"
    if not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as stream:
        return ImportCheck.from_data(json.loads(stream.read().decode("utf-8")))


def mark_submitted(request, token: str, job_id: int) -> None:
    entries = request.session.get(SESSION_KEY, {})
    if token in entries:
        entries[token]["job"] = job_id
        request.session[SESSION_KEY] = entries


def open_upload(path: str) -> File | None:
    """The stored file at ``path`` (a job's parameter), or None when it is gone."""
    if not path.startswith(f"{DIR}/") or ".." in path or not default_storage.exists(path):
        return None
    return File(default_storage.open(path, "rb"), name=PurePath(path).name)


def discard(folder: str) -> None:
    """Delete a kept upload's folder and what is in it."""
    remove_folder(default_storage, folder)


def sweep(now=None) -> int:
    """Delete the folders of uploads kept longer than ``KEEP_FOR``; return how many."""
    now = now or timezone.now()
    try:
        folders = default_storage.listdir(DIR)[0]
    except FileNotFoundError:
        return 0
    swept = 0
    for folder in folders:
        path = f"{DIR}/{folder}/{KEPT_AT}"
        try:
            with default_storage.open(path, "rb") as stream:
                kept_at = datetime.fromisoformat(stream.read().decode("ascii"))
        except (FileNotFoundError, UnicodeDecodeError, ValueError):
            continue
        if now - kept_at > KEEP_FOR:
            discard(f"{DIR}/{folder}")
            swept += 1
    return swept
