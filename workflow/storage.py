"""Stored files through Django's Storage API, on local disk or in an S3-compatible object store
(``GONGKAI_STORAGE``, docs/storage.md).

Everything that writes, lists or removes the files of letters, uploads and case files goes
through the storage, never through a path on disk, so that the same code runs on both. The few
things a storage's ordinary API does not say are here: writing a file under an exact name,
listing a folder with each file's age, and removing a folder.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import Storage


def local_root(storage: Storage) -> Path | None:
    """The folder on disk that holds ``storage``'s files, or None for an object store."""
    try:
        return Path(storage.path(""))
    except NotImplementedError:
        return None


def is_object_store(storage: Storage) -> bool:
    """True for an S3-compatible bucket (django-storages' ``S3Storage``)."""
    from storages.backends.s3 import S3Storage

    return isinstance(storage, S3Storage)


def object_key(storage: Storage, name: str) -> str:
    """The bucket's key of the stored file ``name`` (with the storage's prefix)."""
    from storages.utils import clean_name, safe_join

    return safe_join(storage.location, clean_name(name))


def write_exactly(storage: Storage, name: str, data: bytes) -> None:
    """``data`` as the file ``name`` exactly (``save`` would pick another name for a file that
    exists), whole or not at all: a reader never sees half a file."""
    root = local_root(storage)
    if root is None:
        # An object store replaces an object in one PUT: a reader gets the old one or the new
        # one, whole. ``_save`` writes under the name given, unlike ``save``.
        storage._save(name, ContentFile(data))
        return
    path = Path(storage.path(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".writing-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        mode = getattr(storage, "file_permissions_mode", None)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def stored_files(storage: Storage, folder: str) -> Iterator[tuple[str, datetime]]:
    """Every file under ``folder`` (at any depth): its name in the storage and when it was last
    written. A file removed meanwhile is left out."""
    root = local_root(storage)
    if root is not None:
        top = root / folder
        if not top.is_dir():
            return
        for directory, _, names in os.walk(top):
            for file_name in names:
                path = Path(directory) / file_name
                with contextlib.suppress(FileNotFoundError):
                    modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
                    yield path.relative_to(root).as_posix(), modified
        return
    if is_object_store(storage):
        # One listing request per thousand objects, with their times: no request per file.
        prefix = object_key(storage, folder).rstrip("/") + "/"
        location = storage.location.strip("/")
        skip = len(location) + 1 if location else 0
        client = storage.connection.meta.client
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=storage.bucket_name, Prefix=prefix
        )
        for page in pages:
            for entry in page.get("Contents", ()):
                yield entry["Key"][skip:], entry["LastModified"]
        return
    folders, names = storage.listdir(folder)
    for file_name in names:
        name = f"{folder}/{file_name}"
        with contextlib.suppress(FileNotFoundError):
            yield name, storage.get_modified_time(name)
    for sub in folders:
        yield from stored_files(storage, f"{folder}/{sub}")


def remove_folder(storage: Storage, folder: str) -> None:
    """Delete the files directly in ``folder``, then the folder itself where folders exist (on
    disk; an object store has none once its objects are gone)."""
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for file_name in storage.listdir(folder)[1]:
            storage.delete(f"{folder}/{file_name}")
    root = local_root(storage)
    if root is not None:
        with contextlib.suppress(OSError):
            os.rmdir(storage.path(folder))


__all__ = [
    "is_object_store",
    "local_root",
    "object_key",
    "remove_folder",
    "stored_files",
    "write_exactly",
]
