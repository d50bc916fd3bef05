"""Free-text search of cases on an index, with the answers of a plain substring match.

The case list searches the case number, the applicant and the request text for a substring, as
``icontains`` does. A scan of every case is too slow at 100,000 cases, and Chinese text has no
word boundaries, so both databases index character n-grams, and the index only narrows the
candidates: the ``icontains`` condition is always applied on top, so the results are exactly
those of the plain match.

- **SQLite**: an FTS5 table with the ``trigram`` tokenizer (SQLite 3.34+) over the three fields,
  kept in sync by triggers. A query of 3+ characters is a phrase query. Shorter queries (2-character
  names such as 张伟) go through ``fts5vocab``: the indexed text ends with two filler characters,
  so every character of a field starts a trigram, and "contains 张伟" is "has a trigram that
  starts with 张伟", a range of the index's terms. A term with thousands of hits (政府信息) is
  matched the plain way instead, in due-date order, where a page fills at once. Without trigram
  support, no index: plain match.
- **PostgreSQL**: ``pg_trgm`` GIN indexes on exactly the expressions Django's ``icontains``
  compares (``UPPER(column::text)``), used for 3+ characters. pg_trgm finds nothing to look up
  in a 1- or 2-character pattern, so a ``search_grams`` column (maintained by a trigger) holds
  every 1- and 2-character piece of the three fields, on a GIN index: ``search_grams @> '{张伟}'``.
"""

from __future__ import annotations

import sqlite3
from functools import cache

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.dispatch import receiver

TABLE = "requests_app_informationrequest"
#: Below this many characters a query cannot be looked up as trigrams.
TRIGRAM = 3

# -- SQLite -----------------------------------------------------------------------------------

FTS_TABLE = "requests_app_search"
FTS_TERMS = "requests_app_search_terms"
FTS_TRIGGERS = (
    "requests_app_search_insert",
    "requests_app_search_delete",
    "requests_app_search_update",
)


def _indexed_text(row: str) -> str:
    # lower() is the same function on both sides of the comparison (the text here, the query
    # in sqlite_condition), and like LIKE it folds ASCII letters only. char(1) separates the
    # fields and pads the end, so that the last two characters of a field start a trigram too.
    return (
        f"lower({row}.case_number) || char(1) || lower({row}.applicant_name) || char(1)"
        f" || lower({row}.description) || char(1, 1)"
    )


SQLITE_SCHEMA = [
    # Contentless: the text lives in the cases table; the index keeps only the trigrams.
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "body, content='', tokenize='trigram case_sensitive 1')",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TERMS} USING fts5vocab({FTS_TABLE}, 'instance')",
]
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS requests_app_search_insert AFTER INSERT ON {TABLE} BEGIN"
    f" INSERT INTO {FTS_TABLE}(rowid, body) VALUES (new.id, {_indexed_text('new')}); END",
    f"CREATE TRIGGER IF NOT EXISTS requests_app_search_delete AFTER DELETE ON {TABLE} BEGIN"
    f" INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, body)"
    f" VALUES ('delete', old.id, {_indexed_text('old')}); END",
    # Django's save() writes every column: reindex only when a searched field really changed.
    f"CREATE TRIGGER IF NOT EXISTS requests_app_search_update"
    f" AFTER UPDATE OF case_number, applicant_name, description ON {TABLE}"
    " WHEN old.case_number IS NOT new.case_number OR old.applicant_name IS NOT new.applicant_name"
    " OR old.description IS NOT new.description BEGIN"
    f" INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, body)"
    f" VALUES ('delete', old.id, {_indexed_text('old')});"
    f" INSERT INTO {FTS_TABLE}(rowid, body) VALUES (new.id, {_indexed_text('new')}); END",
]
SQLITE_REBUILD = [
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')",
    f"INSERT INTO {FTS_TABLE}(rowid, body) SELECT c.id, {_indexed_text('c')} FROM {TABLE} c",
]
SQLITE_DROP = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in FTS_TRIGGERS),
    f"DROP TABLE IF EXISTS {FTS_TERMS}",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]


@cache
def sqlite_has_trigram() -> bool:
    """Whether the SQLite library (the one Django uses) has FTS5 with the trigram tokenizer."""
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5(x, tokenize='trigram')")
    except sqlite3.Error:
        return False
    finally:
        probe.close()
    return True


def _sqlite_objects(cursor) -> set[str]:
    names = (FTS_TABLE, FTS_TERMS, *FTS_TRIGGERS)
    cursor.execute(
        f"SELECT name FROM sqlite_master WHERE name IN ({', '.join('%s' for _ in names)})", names
    )
    return {name for (name,) in cursor.fetchall()}


def install_sqlite_index(connection: BaseDatabaseWrapper) -> bool:
    """Create the search index and its triggers if missing; refill it when anything was missing.

    Idempotent. Also run after every ``migrate``: SQLite cannot alter a column in place, so
    Django rebuilds the cases table for many schema changes, and dropping the old table drops
    its triggers, which would leave the index silently behind the data.
    """
    if connection.vendor != "sqlite" or not sqlite_has_trigram():
        return False
    with connection.cursor() as cursor:
        if len(_sqlite_objects(cursor)) == 2 + len(FTS_TRIGGERS):
            return True
        for statement in SQLITE_SCHEMA + SQLITE_TRIGGERS + SQLITE_REBUILD:
            cursor.execute(statement)
    connection.gk_search_index = True
    return True


def repair_sqlite_index(connection: BaseDatabaseWrapper) -> None:
    """After ``migrate``: restore the triggers if a table rebuild dropped them (see above)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        present = _sqlite_objects(cursor)
    if FTS_TABLE in present:
        install_sqlite_index(connection)


def drop_sqlite_index(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in SQLITE_DROP:
            cursor.execute(statement)
    connection.gk_search_index = False


@receiver(connection_created)
def _forget_index_state(sender, connection, **kwargs) -> None:
    connection.gk_search_index = None


def sqlite_index_ready(connection: BaseDatabaseWrapper) -> bool:
    """Whether this database has the search index (asked once per connection)."""
    ready = getattr(connection, "gk_search_index", None)
    if ready is None:
        connection.ensure_connection()
        # On the driver's connection: a look at the schema, not one of the page's queries.
        found = connection.connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE name IN (?, ?)", (FTS_TABLE, FTS_TERMS)
        ).fetchone()[0]
        ready = connection.gk_search_index = found == 2
    return ready


#: Index hits from which SQLite is better off walking the list in due-date order and testing
#: each case (a page of a common term fills at once, and the count stops at its bound) than
#: fetching and sorting every hit. SQLite keeps no statistics on the index to choose itself.
DENSE_HITS = 5000


def _sqlite_hits(query: str) -> tuple[str, list[str]]:
    """SQL for the ids whose indexed text may contain ``query`` (see the module docstring)."""
    if len(query) >= TRIGRAM:
        # A phrase in double quotes (inner quotes doubled) is matched literally by FTS5.
        sql = (
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE}"
            " MATCH '\"' || replace(lower(%s), '\"', '\"\"') || '\"'"
        )
        return sql, [query]
    # The terms that start with the query: from lower(q) up to lower(q) followed by the byte
    # 0xFF, which no UTF-8 text contains, so every longer term with that start sorts before it.
    sql = (
        f"SELECT doc FROM {FTS_TERMS}"
        " WHERE term >= lower(%s) AND term < lower(%s) || CAST(X'FF' AS TEXT)"
    )
    return sql, [query, query]


def sqlite_candidates(query: str, connection: BaseDatabaseWrapper) -> Q | None:
    """Cases whose indexed text may contain ``query`` (a superset), or None for a common term.

    One small query first counts the index hits, stopping at ``DENSE_HITS``.
    """
    sql, params = _sqlite_hits(query)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql} LIMIT %s)", [*params, DENSE_HITS])
        if cursor.fetchone()[0] >= DENSE_HITS:
            return None
    return Q(id__in=RawSQL(sql, params))


# -- PostgreSQL -------------------------------------------------------------------------------


def postgres_candidates(query: str) -> Q | None:
    """Short queries: cases holding the query as one of their 1- and 2-character pieces."""
    if len(query) >= TRIGRAM:
        return None  # icontains itself walks the pg_trgm indexes
    return Q(
        RawSQL(
            f'"{TABLE}"."search_grams" @> ARRAY[UPPER(%s)]::text[]',
            [query],
            output_field=BooleanField(),
        )
    )


# -- both -------------------------------------------------------------------------------------


def matches(query: str, connection: BaseDatabaseWrapper) -> Q:
    """The search condition for ``query`` (stripped, not empty) on ``connection``.

    The plain ``icontains`` on the three fields, narrowed first by the database's index.
    """
    plain = (
        Q(case_number__icontains=query)
        | Q(applicant_name__icontains=query)
        | Q(description__icontains=query)
    )
    narrowed = None
    if connection.vendor == "sqlite" and sqlite_index_ready(connection):
        narrowed = sqlite_candidates(query, connection)
    elif connection.vendor == "postgresql":
        narrowed = postgres_candidates(query)
    return plain if narrowed is None else narrowed & plain
