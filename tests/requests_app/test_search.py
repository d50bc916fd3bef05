"""The case list's free-text search: the same answers as a plain substring match, on an index.

Officers look cases up by a fragment of the case number (登记编号, DOMAIN §3.1), the applicant's
name (to notice a repeat application, Art. 36(6)) or the request text; only their own agencies'
cases are found (DOMAIN §1).
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.models import Q
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from requests_app import search
from requests_app.models import InformationRequest
from requests_app.selectors import case_list
from tests.requests_app.test_selectors import bulk_cases

R = InformationRequest
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite index (FTS5 trigram)"
)
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the PostgreSQL indexes (pg_trgm)"
)


def found(user, query: str, **filters) -> list[int]:
    return [case.pk for case in case_list(user, {"q": query, **filters})]


def plain(user, query: str, **filters) -> list[int]:
    """The reference: ``icontains`` on the three fields, no index, same order."""
    condition = (
        Q(case_number__icontains=query)
        | Q(applicant_name__icontains=query)
        | Q(description__icontains=query)
    )
    return [case.pk for case in case_list(user, filters).filter(condition)]


# -- the same answers as icontains ------------------------------------------------------------

# Characters of names, places and case numbers, ASCII letters in both cases, the characters
# that LIKE and FTS5 treat specially, and a full-width letter (folded by neither SQLite's LIKE
# nor lower(), but by PostgreSQL's UPPER).
ALPHABET = list('张伟李秀英王明华刘芳孝义市政府办信申〔〕号第年12 0aAbBzZＡａ%_\\"*:-^()')
TEXT = st.text(alphabet=st.sampled_from(ALPHABET), max_size=14)
ROW = st.tuples(TEXT, TEXT, TEXT)


def _query(data, rows) -> str:
    """Either random text or a piece of a stored field, sometimes in the other letter case."""
    if rows and data.draw(st.booleans()):
        source = data.draw(st.sampled_from([field for row in rows for field in row]))
        start = data.draw(st.integers(0, len(source)))
        piece = source[start : start + data.draw(st.integers(1, 5))]
        return piece.swapcase() if data.draw(st.booleans()) else piece
    return data.draw(TEXT)


@pytest.mark.django_db
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    mine=st.lists(ROW, max_size=10),
    theirs=st.lists(ROW, max_size=4),
    data=st.data(),
)
def test_search_finds_exactly_what_a_plain_substring_match_finds(
    registrar, agency, other_agency, outsider, mine, theirs, data
):
    # DOMAIN §1: the other agency's cases hold the same kind of text and are never found.
    query = _query(data, mine + theirs).strip()
    assume(query)
    with transaction.atomic():
        for owner, rows, creator in ((agency, mine, registrar), (other_agency, theirs, outsider)):
            for index, (number, name, text) in enumerate(rows, start=1):
                bulk_cases(
                    owner,
                    1,
                    creator=creator,
                    first=index,
                    case_number=f"{number}#{index}",
                    applicant_name=name,
                    description=text,
                )
        expected = plain(registrar, query)
        assert found(registrar, query) == expected
        # Combined with a filter and the due-date order.
        assert found(registrar, query, stage="accept") == plain(registrar, query, stage="accept")
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "张伟",  # a two-character name (Art. 36(6): the same applicant again)
        "张",  # one character
        "〔2026〕1",  # a fragment of a case number (DOMAIN §3.1)
        "孝义市",  # a place
        "XYZ",  # letters in the other case
        "20%",  # LIKE's wildcard, literally
        'say "x"',  # FTS5's quote, literally
    ],
)
def test_short_and_long_queries_find_names_numbers_and_places(registrar, agency, query):
    bulk_cases(agency, 1, creator=registrar, first=1, applicant_name="张伟")
    bulk_cases(agency, 1, creator=registrar, first=2, applicant_name="李张伟华")
    bulk_cases(agency, 1, creator=registrar, first=3, description="孝义市城区改造，增幅20%")
    bulk_cases(agency, 1, creator=registrar, first=4, case_number="xyz〔2026〕1号")
    bulk_cases(agency, 1, creator=registrar, first=5, description='申请人称 say "x"')
    bulk_cases(agency, 1, creator=registrar, first=6, description="与上述均无关")
    result = found(registrar, query)
    assert result, query
    assert result == plain(registrar, query)


# -- the index follows every change ----------------------------------------------------------


@pytest.mark.django_db
def test_the_index_follows_new_changed_and_deleted_cases(registrar, agency, walk_in):
    from requests_app.services import request_register

    case = request_register(actor=registrar, agency=agency, data=walk_in())
    assert found(registrar, "张明华") == [case.pk]
    assert found(registrar, "老旧小区") == [case.pk]

    case.applicant_name = "王建国"
    case.description = "某项目资金拨付明细"
    case.save()
    assert found(registrar, "张明华") == []
    assert found(registrar, "老旧小区") == []
    assert found(registrar, "王建") == [case.pk]
    assert found(registrar, "资金拨付") == [case.pk]

    R.objects.filter(pk=case.pk).update(applicant_name="赵丽")
    assert found(registrar, "王建") == []
    assert found(registrar, "赵丽") == [case.pk]

    # A save that does not touch the searched fields leaves the index as it was.
    case.refresh_from_db()
    case.days_left = 3
    case.save()
    assert found(registrar, "赵丽") == [case.pk]

    case.delete()
    assert found(registrar, "赵丽") == []


# -- the index is used ------------------------------------------------------------------------


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@sqlite_only
@pytest.mark.django_db
def test_sqlite_looks_queries_up_in_the_trigram_index(registrar, agency):
    bulk_cases(agency, 30, creator=registrar)
    long_plan = _plan(case_list(registrar, {"q": "第12件"}))
    assert f"SCAN {search.FTS_TABLE} VIRTUAL TABLE INDEX" in long_plan
    short_plan = _plan(case_list(registrar, {"q": "12"}))
    assert f"SCAN {search.FTS_TERMS} VIRTUAL TABLE INDEX" in short_plan
    # The cases are reached by their ids from the index, not by reading the table.
    assert "USING INTEGER PRIMARY KEY" in long_plan and "USING INTEGER PRIMARY KEY" in short_plan


GIN_INDEXES = [
    "request_case_number_trgm_idx",
    "request_applicant_trgm_idx",
    "request_description_trgm_idx",
    "request_search_grams_idx",
]


@postgres_only
@pytest.mark.django_db
def test_postgresql_walks_the_trigram_and_gram_indexes(registrar, agency):
    bulk_cases(agency, 3000, creator=registrar)  # enough that a full scan costs more
    with connection.cursor() as cursor:
        # Steady state: autovacuum moves new entries out of the GIN indexes' pending lists.
        for index in GIN_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute(f"ANALYZE {search.TABLE}")
    # The planner's own choice, from the statistics: no enable_* switches.
    long_plan = _plan(case_list(registrar, {"q": "第1234件"}))
    assert "request_description_trgm_idx" in long_plan
    assert "request_applicant_trgm_idx" in long_plan
    assert "request_case_number_trgm_idx" in long_plan
    short_plan = _plan(case_list(registrar, {"q": "人9"}))
    assert "request_search_grams_idx" in short_plan


@sqlite_only
@pytest.mark.django_db
def test_without_the_trigram_index_sqlite_searches_the_plain_way(registrar, agency, monkeypatch):
    bulk_cases(agency, 5, creator=registrar)
    with_index = found(registrar, "第3件")
    monkeypatch.setattr(connection, "gk_search_index", False)
    assert "VIRTUAL TABLE" not in _plan(case_list(registrar, {"q": "第3件"}))
    assert found(registrar, "第3件") == with_index != []


@sqlite_only
@pytest.mark.django_db
def test_sqlite_matches_a_common_term_in_due_date_order_instead(
    registrar, agency, other_agency, outsider, monkeypatch
):
    bulk_cases(agency, 6, creator=registrar)
    bulk_cases(other_agency, 2, creator=outsider)
    bulk_cases(agency, 1, creator=registrar, first=7, description="无关")
    monkeypatch.setattr(search, "DENSE_HITS", 5)
    # "申请" is also in every applicant's name (申请人7 of the seventh case).
    for common, rare, mine in (("件申请", "第3件", 6), ("申请", "无关", 7)):
        # Found in more than 5 cases: no lookup in the index, a walk in due-date order.
        assert "VIRTUAL TABLE" not in _plan(case_list(registrar, {"q": common}))
        assert "VIRTUAL TABLE" in _plan(case_list(registrar, {"q": rare}))
        assert found(registrar, common) == plain(registrar, common) != []
        assert len(found(registrar, common)) == mine  # not the other agency's (DOMAIN §1)


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_table_rebuild_by_a_migration_does_not_leave_the_index_behind(registrar, agency):
    from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal

    bulk_cases(agency, 2, creator=registrar)
    # What Django does on SQLite for most column changes: copy into a new table, drop the old
    # one (and with it its triggers), rename the new one; inside ``migrate``, which signals
    # before and after.
    emit_pre_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    with connection.schema_editor() as editor:
        editor._remake_table(R)
    with connection.cursor() as cursor:
        assert search.FTS_TRIGGERS[0] not in {
            name for (name,) in cursor.execute("SELECT name FROM sqlite_master").fetchall()
        }
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    bulk_cases(agency, 1, creator=registrar, first=3, applicant_name="新来的申请人")
    assert len(found(registrar, "新来的申请人")) == 1
    assert len(found(registrar, "申请人")) == 3
