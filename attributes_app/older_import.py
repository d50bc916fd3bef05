"""Importing older documents from a spreadsheet: the bulk twin of the page "登记已印发的文件"
(DOMAIN §4.4). Agencies joining Gongkai bring hundreds or thousands of documents issued before;
the disclosure office (``office_head``) lists them in the template (``older_sheet``), uploads it,
reads every problem by row and column, and confirms once the file is clean.

Two services, keyword-only with an explicit ``actor`` like the others (``services.py``):

- ``older_import_check`` reads the whole file and returns what it would import or every
  problem; nothing is written;
- ``older_documents_import`` (run as a background job) checks everything again inside its one
  transaction, since the register may have changed since the check, and then inserts all the
  documents, each with the same ``document_registered`` audit event the page writes, or none.

Errors: ``NotAllowed`` (not the agency's disclosure office), ``SheetRefused`` (the file is
not a readable XLSX or CSV), ``ImportRefused`` (the file has problems; it carries them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from attributes_app import permissions, rules
from attributes_app.audit_actions import AuditAction
from attributes_app.models import Document, DraftingUnit
from attributes_app.older_sheet import (
    BY_KEY,
    COLUMNS,
    Problem,
    column_letter,
    is_blank,
    nul_cells,
    open_table,
    parse_row,
    read_header,
    unknown_cells,
)
from attributes_app.older_sheet import MAX_SCANNED_ROWS as MAX_SCANNED
from attributes_app.services import DocumentData, new_document, number_taken
from workflow.actors import Actor
from workflow.audit import audit, audit_bulk, audit_row
from workflow.cn import cn_date
from workflow.models import Agency

CHUNK = 1000  # rows per INSERT and per IN (…) list
#: Problems named in a failed job's message; the check page lists them all.
MESSAGE_PROBLEMS = 5


def max_rows() -> int:
    """The most documents one file may hold (``GONGKAI_OLDER_IMPORT_MAX_ROWS``)."""
    return getattr(settings, "GONGKAI_OLDER_IMPORT_MAX_ROWS", 20_000)


@dataclass
class ImportCheck:
    """What a file would import, or its problems: kept between the check and the confirmation
    (``as_data`` for storing it beside the upload)."""

    name: str
    documents: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    by_unit: dict[str, int] = field(default_factory=dict)
    by_validity: dict[str, int] = field(default_factory=dict)
    by_kind: dict[str, int] = field(default_factory=dict)
    undetermined_secrecy: int = 0
    formed_first: date | None = None
    formed_last: date | None = None

    @property
    def clean(self) -> bool:
        return self.documents > 0 and not self.problems

    def problems_by_column(self) -> list[tuple[str, int]]:
        counts = Counter(p.column or "（整行）" for p in self.problems)
        return counts.most_common()

    def as_data(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "documents": self.documents,
            "skipped": self.skipped,
            "problems": [p.as_data() for p in self.problems],
            "by_unit": self.by_unit,
            "by_validity": self.by_validity,
            "by_kind": self.by_kind,
            "undetermined_secrecy": self.undetermined_secrecy,
            "formed_first": self.formed_first.isoformat() if self.formed_first else None,
            "formed_last": self.formed_last.isoformat() if self.formed_last else None,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> ImportCheck:
        values = dict(data)
        values["problems"] = [Problem.from_data(p) for p in data["problems"]]
        for key in ("formed_first", "formed_last"):
            values[key] = date.fromisoformat(data[key]) if data[key] else None
        return cls(**values)


class ImportRefused(ValidationError):
    """The file has problems, so nothing was imported; ``check`` lists them all."""

    def __init__(self, check: ImportCheck, lead: str = ""):
        self.check = check
        super().__init__(refusal_message(check, lead), code="import_refused")


def refusal_message(check: ImportCheck, lead: str = "") -> str:
    """One paragraph for a job's result: nothing was imported, the first problems, what next."""
    shown = "；".join(f"{p.where()}：{p.message}" for p in check.problems[:MESSAGE_PROBLEMS])
    more = "等" if len(check.problems) > MESSAGE_PROBLEMS else ""
    return (
        f"没有导入任何文件，登记簿没有改动。{lead}“{check.name}”中有{len(check.problems)}个问题"
        f"：{shown}{more}。请在表格中修改后重新上传。"
    )


@dataclass(frozen=True)
class ImportResult:
    documents: int
    check: ImportCheck


def older_import_check(
    *, actor: Actor, agency: Agency, file, name: str, today: date | None = None
) -> ImportCheck:
    """Read the whole file ``file`` (named ``name``) for ``agency``: every problem by row and
    column, or what it would import. Writes nothing."""
    permissions.require(actor, "import_older", agency=agency)
    check, _ = _check(agency, file, name, today or timezone.localdate())
    return check


def older_documents_import(
    *,
    actor: Actor,
    agency: Agency,
    file,
    name: str,
    progress: Callable[[int], None] | None = None,
    today: date | None = None,
    source: dict[str, Any] | None = None,
) -> ImportResult:
    """Register every document of the file as an older, issued document of ``agency``, or none.

    The file is checked again inside the transaction: a 文号 registered since the check (on the
    page, or by another import) refuses the whole file with the rows named. Documents are
    inserted in chunks (``progress(done)`` after each), each with the ``document_registered``
    audit event of the page, its reason naming the file and row. ``source`` goes into the
    events' data (the job, the file's digest).
    """
    now = timezone.now()
    today = today or timezone.localdate(now)
    permissions.require(actor, "import_older", agency=agency)
    try:
        with transaction.atomic():
            check, rows = _check(agency, file, name, today)
            if not check.clean:
                raise ImportRefused(check, _changed_lead(check))
            documents = _insert(agency, rows, actor=actor, now=now, progress=progress)
            _audit_import(agency, documents, name=name, actor=actor, now=now, source=source)
    except IntegrityError:
        # PostgreSQL: a 文号 committed by someone else after this transaction's check; the
        # unique constraint refused it and rolled everything back. Name the rows.
        file.seek(0)
        check, _ = _check(agency, file, name, today)
        if not check.problems:
            check.problems = [Problem(0, "", "导入时登记簿发生了变化，请重新上传这个文件。")]
        raise ImportRefused(check, "导入时登记簿刚好发生了变化。") from None
    return ImportResult(documents=len(documents), check=check)


def _changed_lead(check: ImportCheck) -> str:
    if any(p.column == BY_KEY["number"].header for p in check.problems):
        return "检查之后登记簿可能已有变化（例如有人登记了同一文号的文件）。"
    return ""


# -- checking ------------------------------------------------------------------------------------


def _units(agency: Agency) -> tuple[dict[str, int], set[str]]:
    """The agency's drafting units by name (active ones), and the names of inactive ones. Only
    this agency's: another agency's unit is never found by its name."""
    active: dict[str, int] = {}
    inactive: set[str] = set()
    for pk, name, is_active in DraftingUnit.objects.filter(agency=agency).values_list(
        "pk", "name", "active"
    ):
        if is_active:
            active[name] = pk
        else:
            inactive.add(name)
    return active, inactive


def _check(agency: Agency, file, name: str, today: date) -> tuple[ImportCheck, list[tuple]]:
    """The check of ``older_import_check``; also the rows to import, ``(row, DocumentData)``."""
    check = ImportCheck(name=name)
    units, inactive = _units(agency)
    parsed: list[tuple[int, DocumentData]] = []
    limit = max_rows()
    with open_table(file, name) as table:
        header = None
        for number, values in table.rows:
            if number > MAX_SCANNED:
                check.problems.append(
                    Problem(
                        0,
                        "",
                        f"工作表超过{MAX_SCANNED}行（包括空行）。请删除多余的行后重新上传。",
                    )
                )
                break
            if all(is_blank(v) for v in values):
                if header is not None:
                    check.skipped += 1
                continue
            check.problems.extend(nul_cells(header, number, values))
            if header is None:
                header, problems = read_header(number, values)
                check.problems.extend(problems)
                if any(c.required and c.key not in header.positions for c in COLUMNS):
                    break  # without its columns the rows cannot be read
                continue
            check.documents += 1
            if check.documents > limit:
                check.problems.append(
                    Problem(
                        0,
                        "",
                        f"表格中超过{limit}份文件（从第{number}行起超出），一次最多导入{limit}份。"
                        "请分成几个文件分批导入。",
                    )
                )
                check.documents = limit
                break
            check.problems.extend(unknown_cells(header, number, values))
            row = parse_row(
                header,
                number,
                values,
                units=units,
                inactive=inactive,
                agency_name=agency.name,
                today=today,
            )
            check.problems.extend(row.problems)
            if row.data is not None:
                parsed.append((number, row.data))
        if header is None:
            check.problems.append(
                Problem(0, "", "文件是空的：没有列名，也没有文件。请使用模板填写后上传。")
            )
    if header is not None and check.documents == 0 and not check.problems:
        check.problems.append(Problem(0, "", "文件中只有列名，没有要导入的文件。"))
    check.problems.extend(_register_problems(agency, parsed, header))
    check.problems.sort(key=lambda p: p.row)
    _summarise(check, parsed, {pk: unit for unit, pk in units.items()})
    return check, parsed


def _register_problems(agency: Agency, rows: Sequence[tuple[int, DocumentData]], header):
    """A 文号 twice in the file or already in the register; a document without one that is
    already there (same unit, title and formation date): most likely a file imported twice."""
    if not rows:
        return []
    number_column = BY_KEY["number"]
    title_column = BY_KEY["title"]
    letter = _letter(header, "number")
    problems: list[Problem] = []
    first_row: dict[str, int] = {}
    first_unnumbered: dict[tuple, int] = {}
    for row, data in rows:
        number = data.number.strip()
        if number:
            if number in first_row:
                problems.append(
                    Problem(
                        row,
                        number_column.header,
                        f"与第{first_row[number]}行的文号相同（“{number}”）；本机关的文号不能重复。",
                        letter,
                    )
                )
            else:
                first_row[number] = row
        else:
            key = (data.drafting_unit_id, data.title.strip(), data.formed_on)
            if key in first_unnumbered:
                problems.append(
                    Problem(
                        row,
                        "",
                        f"与第{first_unnumbered[key]}行是同一份文件（起草单位、标题和成文日期都相同，"
                        "都没有文号）。请删除重复的一行。",
                    )
                )
            else:
                first_unnumbered[key] = row
    for chunk in _chunks(list(first_row)):
        for number in Document.objects.filter(agency=agency, number__in=chunk).values_list(
            "number", flat=True
        ):
            problems.append(
                Problem(first_row[number], number_column.header, number_taken(number), letter)
            )
    titles = sorted({key[1] for key in first_unnumbered})
    for chunk in _chunks(titles):
        existing = Document.objects.filter(agency=agency, number="", title__in=chunk).values_list(
            "drafting_unit_id", "title", "formed_on"
        )
        for key in existing:
            if key in first_unnumbered:
                problems.append(
                    Problem(
                        first_unnumbered[key],
                        title_column.header,
                        f"登记簿中已有这份文件（同一起草单位、同一成文日期{cn_date(key[2])}、"
                        "同名，没有文号），可能已经导入过。",
                        _letter(header, "title"),
                    )
                )
    return problems


def _letter(header, key: str) -> str:
    index = header.positions.get(key) if header is not None else None
    return column_letter(index) if index is not None else ""


def _chunks(values: list) -> Iterable[list]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _summarise(check: ImportCheck, rows: Sequence[tuple[int, DocumentData]], unit_names) -> None:
    validity = dict(Document.Validity.choices)
    check.by_unit = dict(Counter(unit_names[d.drafting_unit_id] for _, d in rows).most_common())
    check.by_validity = {
        validity[code]: n
        for code, n in Counter(d.validity for _, d in rows).items()
        if code in validity
    }
    check.by_kind = {
        rules.KIND_LABELS[code]: n for code, n in Counter(d.kind for _, d in rows).items()
    }
    check.undetermined_secrecy = sum(
        1 for _, d in rows if d.secrecy == Document.Secrecy.UNDETERMINED
    )
    formed = [d.formed_on for _, d in rows if d.formed_on]
    check.formed_first = min(formed, default=None)
    check.formed_last = max(formed, default=None)


# -- importing -----------------------------------------------------------------------------------


def _insert(
    agency: Agency,
    rows: Sequence[tuple[int, DocumentData]],
    *,
    actor: Actor,
    now,
    progress: Callable[[int], None] | None,
) -> list[tuple[int, Document]]:
    """Insert the documents in chunks; return them (with their ids) beside their rows."""
    inserted: list[tuple[int, Document]] = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        documents = Document.objects.bulk_create(
            # No drafter: the officer importing the agency's earlier documents did not draft them.
            [new_document(agency, data, actor=actor, now=now) for _, data in chunk]
        )
        inserted.extend(zip((row for row, _ in chunk), documents, strict=True))
        if progress is not None:
            progress(len(inserted))
    return inserted


def _audit_import(
    agency: Agency, documents, *, name: str, actor: Actor, now: datetime, source
) -> None:
    state = rules.UNDETERMINED
    audit_bulk(
        audit_row(
            actor=actor,
            action=AuditAction.DOCUMENT_REGISTERED,
            object_type=Document._meta.label_lower,
            object_id=str(document.pk),
            object_repr=str(document),
            agency=agency.pk,
            from_state=state,
            to_state=state,
            reason=f"批量导入已印发的文件（{name}，第{row}行）",
            data={"file": name, "row": row, **(source or {})},
            at=now,
        )
        for row, document in documents
    )
    audit(
        actor=actor,
        action=AuditAction.OLDER_DOCUMENTS_IMPORTED,
        obj=agency,
        agency=agency,
        reason=f"从“{name}”批量导入已印发的文件{len(documents)}份",
        data={"file": name, "documents": len(documents), **(source or {})},
        at=now,
    )


__all__ = [
    "ImportCheck",
    "ImportRefused",
    "ImportResult",
    "max_rows",
    "older_documents_import",
    "older_import_check",
]
