"""Inserting many rows at once, for the actions that create thousands of rows in one go (the
yearly attribute review opens 10^5 items; a bulk decision writes 10^4 history and audit rows).

``bulk_create`` builds a model instance per row and prepares every field of every row through
the SQL compiler; at these sizes that work, not the database, is most of the time. ``insert_rows``
takes plain ``{attname: value}`` rows, fills the fields left out with their model default, and
hands the batches to the driver's ``executemany``. Like ``bulk_create`` it sends no signals and
returns no primary keys.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connections, models, router

#: Field types whose values must go through the field to reach the database (SQLite keeps
#: dates as text, aware datetimes are converted to UTC, JSON is serialised).
_PREPARED = (models.DateField, models.DateTimeField, models.TimeField, models.JSONField)


def insert_rows(
    model: type[models.Model], rows: Iterable[Mapping[str, Any]], *, batch_size: int = 2000
) -> int:
    """Insert ``rows`` (``{attname: value}``) into ``model``'s table; return how many.

    Values are plain Python values: str, int, bool, None, date, aware datetime, dict for JSON.
    Every field not given takes its default (``blank`` strings, ``False``, ``None`` …).
    """
    connection = connections[router.db_for_write(model)]
    fields = [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and not getattr(f, "generated", False)
    ]
    names = [f.attname for f in fields]
    defaults = [f.get_db_prep_save(f.get_default(), connection) for f in fields]
    prepare = [
        (lambda value, f=f: f.get_db_prep_save(value, connection))
        if isinstance(f, _PREPARED)
        else None
        for f in fields
    ]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
    missing = object()
    total = 0
    batch: list[tuple] = []

    # SQLite runs executemany in C; PostgreSQL would make a round trip per row, so its rows go
    # through COPY, the bulk path PostgreSQL offers for exactly this.
    copy = connection.vendor == "postgresql"

    def flush() -> None:
        if not batch:
            return
        with connection.cursor() as cursor:
            if copy:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as stream:
                    for values in batch:
                        stream.write_row(values)
            else:
                cursor.executemany(sql, batch)
        batch.clear()

    known = set(names)
    # Rows of one action share many values (its time, its date): prepare each once.
    last_raw: list[Any] = [missing] * len(fields)
    last_prepared: list[Any] = [None] * len(fields)
    for row in rows:
        if total == 0 and not known.issuperset(row):
            raise ValueError(f"{model.__name__} has no field(s) {sorted(set(row) - known)}")
        values = []
        for index, (name, default, prep) in enumerate(zip(names, defaults, prepare, strict=True)):
            value = row.get(name, missing)
            if value is missing:
                values.append(default)
            elif prep is None:
                values.append(value.value if isinstance(value, enum.Enum) else value)
            elif value is last_raw[index]:
                values.append(last_prepared[index])
            else:
                prepared = prep(value)
                last_raw[index], last_prepared[index] = value, prepared
                values.append(prepared)
        batch.append(tuple(values))
        total += 1
        if len(batch) >= batch_size:
            flush()
    flush()
    return total
