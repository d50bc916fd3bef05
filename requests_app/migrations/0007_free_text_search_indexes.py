"""Indexes for the case list's free-text search (see requests_app/search.py).

SQLite: an FTS5 trigram table kept in sync by triggers (skipped when the library lacks the
trigram tokenizer; the search then scans). PostgreSQL: pg_trgm GIN indexes on the expressions
icontains compares, and a column of 1- and 2-character pieces on a GIN index for short queries.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from requests_app import search

TABLE = "requests_app_informationrequest"
#: The text the grams are taken from: the same upper-cased values ``icontains`` compares.
_PG_TEXT = (
    "UPPER({row}.case_number::text) || chr(10) || UPPER({row}.applicant_name::text)"
    " || chr(10) || UPPER({row}.description)"
)
POSTGRES_SCHEMA = [
    # Every piece of one and of two characters, once each.
    "CREATE OR REPLACE FUNCTION requests_app_search_grams(text) RETURNS text[]"
    " LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$"
    " SELECT coalesce(array_agg(DISTINCT substr($1, i, n)), '{}')"
    " FROM generate_series(1, length($1)) AS i, (VALUES (1), (2)) AS width(n) $$",
    f"ALTER TABLE {TABLE} ADD COLUMN search_grams text[] NOT NULL DEFAULT '{{}}'",
    "CREATE OR REPLACE FUNCTION requests_app_search_grams_update() RETURNS trigger"
    " LANGUAGE plpgsql AS $$ BEGIN"
    " IF TG_OP = 'UPDATE' AND NEW.case_number IS NOT DISTINCT FROM OLD.case_number"
    " AND NEW.applicant_name IS NOT DISTINCT FROM OLD.applicant_name"
    " AND NEW.description IS NOT DISTINCT FROM OLD.description THEN RETURN NEW; END IF;"
    f" NEW.search_grams := requests_app_search_grams({_PG_TEXT.format(row='NEW')});"
    " RETURN NEW; END $$",
    f"CREATE TRIGGER requests_app_search_grams BEFORE INSERT OR UPDATE OF case_number,"
    f" applicant_name, description ON {TABLE}"
    " FOR EACH ROW EXECUTE FUNCTION requests_app_search_grams_update()",
    f"UPDATE {TABLE} AS c SET search_grams = requests_app_search_grams({_PG_TEXT.format(row='c')})",
    f"CREATE INDEX request_search_grams_idx ON {TABLE} USING gin (search_grams)",
    # The expressions of Django's icontains on PostgreSQL: UPPER(col::text) LIKE UPPER(%s).
    f"CREATE INDEX request_case_number_trgm_idx ON {TABLE}"
    " USING gin (UPPER(case_number::text) gin_trgm_ops)",
    f"CREATE INDEX request_applicant_trgm_idx ON {TABLE}"
    " USING gin (UPPER(applicant_name::text) gin_trgm_ops)",
    f"CREATE INDEX request_description_trgm_idx ON {TABLE}"
    " USING gin (UPPER(description::text) gin_trgm_ops)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS request_case_number_trgm_idx",
    "DROP INDEX IF EXISTS request_applicant_trgm_idx",
    "DROP INDEX IF EXISTS request_description_trgm_idx",
    f"DROP TRIGGER IF EXISTS requests_app_search_grams ON {TABLE}",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_grams",
    "DROP FUNCTION IF EXISTS requests_app_search_grams_update()",
    "DROP FUNCTION IF EXISTS requests_app_search_grams(text)",
]


def create_search_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        search.install_sqlite_index(connection)
    elif connection.vendor == "postgresql":
        for statement in POSTGRES_SCHEMA:
            schema_editor.execute(statement)


def drop_search_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        search.drop_sqlite_index(connection)
    elif connection.vendor == "postgresql":
        for statement in POSTGRES_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0006_uploads_and_submission_token"),
    ]

    operations = [
        TrigramExtension(),  # PostgreSQL only; does nothing on SQLite
        migrations.RunPython(create_search_indexes, drop_search_indexes),
    ]
