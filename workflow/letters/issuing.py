"""An issued letter's files, rendered and written once the issuing step has committed.

Inside the step's transaction the letter is built (``build_letter``: every refusal happens there,
so a letter that cannot go out refuses the step), numbered, and its rows are saved with the
names its files will have. Rendering (WeasyPrint, python-docx) is the slow part: done under the
lock it would hold SQLite's write lock for every officer, and its files would outlive a step
that is rolled back. So it waits for the commit (``workflow.after_commit``).

Until its files are written the letter's structure is kept on its ``IssuedLetter`` (``pending``):
a render that fails after the commit (a font that cannot be read, a full disk) or a process that
stops before it is made up the first time a file of the letter is asked for
(``render_if_pending``), from the very structure that was issued, never from the case as it is
by then.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import secrets
from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.db import models

from workflow.after_commit import after_commit
from workflow.letters.models import IssuedLetter
from workflow.letters.render import render_structure
from workflow.letters.structure import (
    Colophon,
    Heading,
    Letter,
    LetterHead,
    NumberedItems,
    Paragraph,
    Signature,
    Table,
    TableRow,
)
from workflow.storage import write_exactly

logger = logging.getLogger(__name__)

_BLOCKS = {cls.__name__: cls for cls in (Paragraph, Heading, NumberedItems, Table)}


def letter_data(letter: Letter) -> dict[str, Any]:
    """``letter`` as JSON data (``letter_from_data`` makes it again)."""
    data = dataclasses.asdict(letter)
    data["blocks"] = [
        {"type": type(block).__name__, **dataclasses.asdict(block)} for block in letter.blocks
    ]
    return data


def letter_from_data(data: dict[str, Any]) -> Letter:
    """The letter kept by ``letter_data``."""
    data = dict(data)
    blocks = []
    for raw in data.pop("blocks"):
        fields = dict(raw)
        block_class = _BLOCKS[fields.pop("type")]
        if block_class is Table:
            fields["rows"] = [TableRow(**row) for row in fields["rows"]]
        blocks.append(block_class(**fields))
    signature, colophon, head = data.pop("signature"), data.pop("colophon"), data.pop("head")
    return Letter(
        **data,
        blocks=blocks,
        signature=Signature(**signature),
        colophon=Colophon(**colophon) if colophon else None,
        head=LetterHead(**head) if head else None,
    )


def _pending_names() -> set[str]:
    names: set[str] = set()
    for files in IssuedLetter.objects.filter(structure__isnull=False).values_list(
        "files", flat=True
    ):
        for _, *kept in files:
            names.update(kept)
    return names


def decide_names(holder: models.Model, base: str) -> None:
    """Give ``holder``'s ``file`` and ``docx`` the names ``base``.pdf and .docx will be stored
    under: free in the file storage and not promised to another letter still to be written (call
    it in the issuing transaction, after the locks that order the issues)."""
    taken = _pending_names()
    for field_name, extension in (("file", ".pdf"), ("docx", ".docx")):
        field = holder._meta.get_field(field_name)
        wanted = field.generate_filename(holder, f"{base}{extension}")
        name = field.storage.get_available_name(wanted, max_length=field.max_length)
        while name in taken:
            stem, dot, ext = wanted.rpartition(".")
            name = field.storage.get_available_name(
                f"{stem}_{secrets.token_hex(4)}{dot}{ext}", max_length=field.max_length
            )
        setattr(holder, field_name, name)
        taken.add(name)


def pending_fields(letter: Letter, holders: Sequence[models.Model]) -> dict[str, Any]:
    """The fields of a new ``IssuedLetter`` whose files, kept by ``holders`` (each with its
    names decided), are still to be written."""
    return {
        "structure": letter_data(letter),
        "files": [
            [holder._meta.label_lower, holder.file.name, holder.docx.name] for holder in holders
        ],
        "sha256": "",
    }


def write_after_commit(
    issued: IssuedLetter, *, rendered: tuple[bytes, bytes] | None = None
) -> None:
    """Render and write ``issued``'s files once the issuing transaction commits (``rendered``:
    its PDF and DOCX, already made). A failure then is logged; the letter stays pending and is
    rendered when a file of it is asked for."""
    pk = issued.pk

    def write() -> None:
        try:
            letter = IssuedLetter.objects.get(pk=pk)
            if letter.pending:
                write_files(letter, rendered=rendered)
        except Exception:
            logger.exception("The files of issued letter %s could not be written", pk)

    after_commit(write)


def write_files(
    issued: IssuedLetter, *, rendered: tuple[bytes, bytes] | None = None
) -> tuple[bytes, bytes]:
    """Render ``issued``'s kept structure to PDF and DOCX (unless ``rendered``), write them under
    the decided names, record their size and digest and clear the structure. Writing twice (the
    commit's work and a download at once) writes the same letter."""
    if rendered is None:
        letter = letter_from_data(issued.structure or {})
        rendered = render_structure(letter, "pdf"), render_structure(letter, "docx")
    pdf, docx = rendered
    for label, pdf_name, docx_name in issued.files:
        model = apps.get_model(label)
        storage = model._meta.get_field("file").storage
        # Under the decided names exactly, whole or not at all: a reader never sees half a letter.
        write_exactly(storage, pdf_name, pdf)
        write_exactly(storage, docx_name, docx)
        if any(field.name == "size" for field in model._meta.get_fields()):
            model.objects.filter(file=pdf_name).update(size=len(pdf))
    IssuedLetter.objects.filter(pk=issued.pk).update(
        structure=None, sha256=hashlib.sha256(pdf).hexdigest()
    )
    issued.structure, issued.sha256 = None, hashlib.sha256(pdf).hexdigest()
    return pdf, docx


def render_if_pending(name: str) -> bool:
    """Write the files of the pending letter that keeps a file named ``name``, if there is one
    (its render after the commit failed or never ran). True if it did."""
    for issued in IssuedLetter.objects.filter(structure__isnull=False):
        if any(name in kept for _, *kept in issued.files):
            write_files(issued)
            return True
    return False


__all__ = [
    "decide_names",
    "letter_data",
    "letter_from_data",
    "pending_fields",
    "render_if_pending",
    "write_after_commit",
    "write_files",
]
