"""Kept tallies: each agency's counts for a year (``counting.Tally``), stored so that a
supervising government's overview of thousands of agencies reads one row per agency instead of
counting every request again (``ReportTally``).

A kept tally must never be older than the records it counts. Database triggers on the requests,
the challenges and the fees mark the agency whenever a row is added, removed, or changed in a
column the report counts (``ReportTallyStale``); being triggers, they see every way of writing
(the services, bulk updates, imports, the admin, raw SQL). ``kept_tallies`` then, in one
transaction:

1. takes the marks (on PostgreSQL only those no writer holds: ``FOR UPDATE SKIP LOCKED``; a
   writer's mark stays locked until its transaction ends, so a taken mark's changes are all
   committed and the count that follows sees them);
2. drops every kept tally of a marked agency (all years: a change can move a request between
   years), including the agencies whose marks are still held by a writer;
3. reads the kept tallies of the agencies asked for, counts the missing ones with one aggregate
   (``counting.tally``) and keeps them, except those of agencies still being written to, whose
   marks stay for the next reader.

Readers take a transaction-level advisory lock (PostgreSQL) so that two of them do not keep a
count the other has just invalidated; on SQLite the write transaction does the same. A writer
that marks an agency while a reader holds its deleted mark waits for the reader to commit (a
second or so at most), then marks it again: the next reader counts it afresh.

Migrations run without the triggers (a trigger would stand in the way of altering a column it
reads, and SQLite rebuilds a table for many schema changes): ``uninstall_triggers`` runs before
every ``migrate``, ``install_triggers`` after it, and when it had to create any trigger it drops
every kept tally, so nothing written meanwhile is missed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from requests_app.annual_report.conditions import among
from requests_app.annual_report.counting import Tally, tally
from requests_app.annual_report.structure import TABLE3_ROWS
from requests_app.models import Challenge, Fee, InformationRequest, ReportTally, ReportTallyStale
from workflow.models import Agency

STALE = ReportTallyStale._meta.db_table
REQUESTS = InformationRequest._meta.db_table

#: (table, the columns the report counts, how to find the agency of a row ``{row}``).
WATCHED: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        REQUESTS,
        (
            "agency_id",
            "kind",
            "applicant_kind",
            "organization_kind",
            "concluded_outcome",
            "receipt_date",
            "concluded_on",
        ),
        "{row}.agency_id",
    ),
    (
        Challenge._meta.db_table,
        ("request_id", "kind", "filed_on", "result", "concluded_on"),
        f"(SELECT r.agency_id FROM {REQUESTS} r WHERE r.id = {{row}}.request_id)",
    ),
    (
        Fee._meta.db_table,
        ("request_id", "status", "settled_on", "amount"),
        f"(SELECT r.agency_id FROM {REQUESTS} r WHERE r.id = {{row}}.request_id)",
    ),
)

#: The advisory lock readers take on PostgreSQL (any constant of the project's own).
READER_LOCK = 7_413_202_601

#: The order of a kept tally's numbers; a tally kept in another layout is counted again.
LAYOUT = 1


def _trigger_names() -> list[str]:
    return [f"{table}_tally_{op}" for table, _, _ in WATCHED for op in ("ins", "del", "upd")]


# -- the triggers ---------------------------------------------------------------------------------


def _mark(agency: str) -> str:
    return (
        f"INSERT INTO {STALE} AS s (agency_id, changes) SELECT {agency}, 1 WHERE {agency} IS NOT"
        " NULL ON CONFLICT (agency_id) DO UPDATE SET changes = s.changes + 1"
    )


def _sqlite_mark(agency: str) -> str:
    # SQLite's upsert after a SELECT needs a WHERE (or the ON would read as a join's).
    return (
        f"INSERT INTO {STALE} (agency_id, changes) SELECT {agency}, 1 WHERE {agency} IS NOT NULL"
        " ON CONFLICT (agency_id) DO UPDATE SET changes = changes + 1"
    )


def _changed(columns: tuple[str, ...], distinct: str) -> str:
    return " OR ".join(f"old.{column} {distinct} new.{column}" for column in columns)


def _sqlite_statements() -> list[str]:
    statements = []
    for table, columns, agency in WATCHED:
        old, new = agency.format(row="old"), agency.format(row="new")
        statements += [
            f"CREATE TRIGGER {table}_tally_ins AFTER INSERT ON {table} BEGIN"
            f" {_sqlite_mark(new)}; END",
            f"CREATE TRIGGER {table}_tally_del AFTER DELETE ON {table} BEGIN"
            f" {_sqlite_mark(old)}; END",
            f"CREATE TRIGGER {table}_tally_upd AFTER UPDATE ON {table}"
            f" WHEN {_changed(columns, 'IS NOT')} BEGIN"
            f" {_sqlite_mark(old)}; {_sqlite_mark(new)}; END",
        ]
    return statements


def _postgresql_statements() -> list[str]:
    statements = []
    for table, columns, agency in WATCHED:
        # Inserts and deletes mark once per statement (a bulk load of a million requests writes
        # one mark per agency, not a million); an update marks per changed row.
        for op, rows, transition in (("ins", "new_rows", "NEW"), ("del", "old_rows", "OLD")):
            counted = agency.format(row="t")
            statements += [
                f"CREATE OR REPLACE FUNCTION {table}_tally_{op}() RETURNS trigger"
                " LANGUAGE plpgsql AS $$ BEGIN"
                f" INSERT INTO {STALE} AS s (agency_id, changes)"
                f" SELECT a, count(*) FROM (SELECT {counted} AS a FROM {rows} t) marked"
                " WHERE a IS NOT NULL GROUP BY a"
                " ON CONFLICT (agency_id) DO UPDATE SET changes = s.changes + EXCLUDED.changes;"
                " RETURN NULL; END $$",
                f"DROP TRIGGER IF EXISTS {table}_tally_{op} ON {table}",
                f"CREATE TRIGGER {table}_tally_{op} AFTER {'INSERT' if op == 'ins' else 'DELETE'}"
                f" ON {table} REFERENCING {transition} TABLE AS {rows} FOR EACH STATEMENT"
                f" EXECUTE FUNCTION {table}_tally_{op}()",
            ]
        statements += [
            f"CREATE OR REPLACE FUNCTION {table}_tally_upd() RETURNS trigger"
            " LANGUAGE plpgsql AS $$ BEGIN"
            f" {_mark(agency.format(row='OLD'))};"
            f" {_mark(agency.format(row='NEW'))};"
            " RETURN NULL; END $$",
            f"DROP TRIGGER IF EXISTS {table}_tally_upd ON {table}",
            f"CREATE TRIGGER {table}_tally_upd AFTER UPDATE ON {table} FOR EACH ROW"
            f" WHEN ({_changed(columns, 'IS DISTINCT FROM')})"
            f" EXECUTE FUNCTION {table}_tally_upd()",
        ]
    return statements


def _installed(cursor, vendor: str) -> set[str]:
    names = _trigger_names()
    marks = ", ".join("%s" for _ in names)
    if vendor == "sqlite":
        cursor.execute(
            f"SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN ({marks})", names
        )
    else:
        cursor.execute(
            f"SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname IN ({marks})", names
        )
    return {name for (name,) in cursor.fetchall()}


def uninstall_triggers(using: BaseDatabaseWrapper | None = None) -> None:
    """Drop the triggers before migrations (``pre_migrate``): a trigger would stop a column it
    reads from being altered (PostgreSQL), and the challenges' and fees' triggers, which read
    the requests table, would stop SQLite from rebuilding that table. ``install_triggers`` puts
    them back after (``post_migrate``), and drops every kept tally then."""
    db = using or connection
    if db.vendor not in ("sqlite", "postgresql"):
        return
    with db.cursor() as cursor:
        found = _installed(cursor, db.vendor)
    if not found:
        return
    tables = {
        f"{table}_tally_{op}": table for table, _, _ in WATCHED for op in ("ins", "del", "upd")
    }
    with transaction.atomic(using=db.alias), db.cursor() as cursor:
        for name in sorted(found):
            if db.vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {tables[name]}")
    db.gk_tally_triggers = None


def install_triggers(using: BaseDatabaseWrapper | None = None) -> bool:
    """Create the triggers that mark changed agencies, where any is missing (idempotent); when
    any was missing, drop every kept tally (changes may have gone unmarked). Return whether the
    triggers are in place (only SQLite and PostgreSQL have them)."""
    db = using or connection
    if db.vendor not in ("sqlite", "postgresql"):
        return False
    with db.cursor() as cursor:
        if len(_installed(cursor, db.vendor)) == len(_trigger_names()):
            return True
    with transaction.atomic(using=db.alias), db.cursor() as cursor:
        if db.vendor == "sqlite":
            for name in _trigger_names():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            statements = _sqlite_statements()
        else:
            statements = _postgresql_statements()
        for statement in statements:
            cursor.execute(statement)
        cursor.execute(f"DELETE FROM {ReportTally._meta.db_table}")
    return True


# -- reading and keeping ----------------------------------------------------------------------


def _flat(found: Tally) -> list[int]:
    numbers = [value for spec in TABLE3_ROWS for value in found.table3[spec.key]]
    numbers += found.table4
    numbers += [found.fees["count"], found.fees["amount"]]
    numbers += [found.corrections["received"], found.corrections["concluded"]]
    return numbers


_SIZE = 7 * len(TABLE3_ROWS) + 15 + 4


def _tally_of(numbers: list[int]) -> Tally:
    table3 = {spec.key: numbers[7 * i : 7 * i + 7] for i, spec in enumerate(TABLE3_ROWS)}
    at = 7 * len(TABLE3_ROWS)
    count, amount, received, concluded = numbers[at + 15 : at + 19]
    return Tally(
        table3=table3,
        table4=numbers[at : at + 15],
        fees={"count": count, "amount": amount},
        corrections={"received": received, "concluded": concluded},
    )


def _take_marks(cursor, vendor: str) -> tuple[list[int], set[int]]:
    """Delete the marks no writer holds; return them, and the agencies whose marks a writer
    still holds (one statement)."""
    if vendor == "postgresql":
        # The statement's snapshot is from before its own DELETE: the second part lists every
        # mark, taken or held.
        cursor.execute(
            f"WITH taken AS (DELETE FROM {STALE} WHERE agency_id IN"
            f" (SELECT agency_id FROM {STALE} FOR UPDATE SKIP LOCKED) RETURNING agency_id)"
            f" SELECT agency_id, 1 FROM taken UNION ALL SELECT agency_id, 0 FROM {STALE}"
        )
        rows = cursor.fetchall()
        taken = [agency for agency, was_taken in rows if was_taken]
        return taken, {agency for agency, was_taken in rows if not was_taken} - set(taken)
    # SQLite: the transaction already holds the only write lock.
    cursor.execute(f"DELETE FROM {STALE} RETURNING agency_id")
    return [agency for (agency,) in cursor.fetchall()], set()


def _triggers_ready(db: BaseDatabaseWrapper) -> bool:
    """``install_triggers``, once per connection."""
    ready = getattr(db, "gk_tally_triggers", None)
    if ready is None:
        ready = db.gk_tally_triggers = install_triggers(db)
    return ready


def kept_tallies(agency_ids: Iterable[int], year: int) -> dict[int, Tally]:
    """``counting.tally(agency_ids, year)``, read from the kept tallies where they still hold
    and counted (and kept) where not; the same numbers, a constant number of queries."""
    ids = list(agency_ids)
    db = connection
    if not ids or not _triggers_ready(db):
        return tally(ids, year)
    with transaction.atomic(), db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [READER_LOCK])
        # Marks a writer still holds: counted afresh now, kept only once they can be taken.
        taken, held = _take_marks(cursor, db.vendor)
        changed = set(taken) | held
        if changed:
            ReportTally.objects.filter(among("agency_id", sorted(changed))).delete()
        found: dict[int, Tally] = {}
        unreadable = []
        for agency, numbers in ReportTally.objects.filter(
            among("agency_id", ids), year=year
        ).values_list("agency_id", "numbers"):
            if numbers.get("layout") == LAYOUT and len(numbers.get("n", ())) == _SIZE:
                found[agency] = _tally_of(numbers["n"])
            else:
                unreadable.append(agency)
        missing = [agency for agency in ids if agency not in found]
        if missing:
            counted = tally(missing, year)
            if unreadable:  # kept in an older layout
                ReportTally.objects.filter(among("agency_id", unreadable), year=year).delete()
            now = timezone.now()
            ReportTally.objects.bulk_create(
                [
                    ReportTally(
                        agency_id=agency,
                        year=year,
                        numbers={"layout": LAYOUT, "n": _flat(counted[agency])},
                        counted_at=now,
                    )
                    for agency in missing
                    if agency not in held
                ],
                batch_size=1000,
            )
            found.update(counted)
    return found


def report_years(today: date) -> list[int]:
    """The years a supervisor looks at on ``today``: this year, and last year until its reports
    are due (31 January)."""
    return [today.year - 1, today.year] if today <= date(today.year, 1, 31) else [today.year]


def keep_all(today: date, *, batch: int = 500, write=None) -> int:
    """Count and keep every agency's tallies for ``report_years(today)`` where they no longer
    hold (nightly, so that the first overview of the day reads kept rows). In batches of
    agencies, each its own short transaction; returns how many agency-years were looked at."""
    ids = list(Agency.objects.order_by("pk").values_list("pk", flat=True))
    done = 0
    for year in report_years(today):
        for start in range(0, len(ids), batch):
            kept_tallies(ids[start : start + batch], year)
            done += len(ids[start : start + batch])
            if write:
                write(f"{year}年度：已核对 {min(start + batch, len(ids))}/{len(ids)} 个机关")
    return done
