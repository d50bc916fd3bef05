"""Kept tallies (``annual_report.tally_store``): the overview's counts read from one row per
agency must always equal counting afresh, whatever changed and however it was written."""

import io
import random
import threading
from datetime import date, timedelta

import pytest
from django.db import connection, connections, transaction

from requests_app.annual_report import tally_store
from requests_app.annual_report.counting import tally
from requests_app.models import Challenge, Fee, InformationRequest, ReportTally, ReportTallyStale
from tests.requests_app.annual_report.factories import make_challenge, make_paid_fee, make_request

pytestmark = pytest.mark.django_db
Y = 2025


def d(text: str) -> date:
    return date.fromisoformat(text)


def marked() -> set[int]:
    return set(ReportTallyStale.objects.values_list("agency_id", flat=True))


def clear_marks() -> None:
    ReportTallyStale.objects.all().delete()


def test_every_way_of_writing_what_the_report_counts_marks_the_agency(
    agency, other_agency, registrar
):
    case = make_request(agency, registrar, received=d("2025-03-01"))
    assert marked() == {agency.pk}
    clear_marks()

    # A change the report does not count (the description) marks nothing.
    case.description = "另一项信息"
    case.save()
    assert marked() == set()

    # The services' save(), a bulk update and a move to another agency all mark.
    case.concluded_on, case.concluded_outcome = d("2025-04-01"), "disclosed"
    case.save()
    assert marked() == {agency.pk}
    clear_marks()
    InformationRequest.objects.filter(pk=case.pk).update(
        applicant_kind="organization", organization_kind="business"
    )
    assert marked() == {agency.pk}
    clear_marks()
    InformationRequest.objects.filter(pk=case.pk).update(agency=other_agency)
    assert marked() == {agency.pk, other_agency.pk}
    clear_marks()

    # Table 四 and part 六: the agency of the challenged or paying request.
    challenge = make_challenge(case, registrar, kind="reconsideration", filed=d("2025-05-01"))
    assert marked() == {other_agency.pk}
    clear_marks()
    Challenge.objects.filter(pk=challenge.pk).update(result="upheld", concluded_on=d("2025-06-01"))
    assert marked() == {other_agency.pk}
    clear_marks()
    fee = make_paid_fee(case, registrar, amount=100, paid=d("2025-05-02"))
    assert marked() == {other_agency.pk}
    clear_marks()
    Fee.objects.filter(pk=fee.pk).update(amount=120)
    assert marked() == {other_agency.pk}
    clear_marks()

    challenge.delete()
    assert marked() == {other_agency.pk}
    clear_marks()
    InformationRequest.objects.filter(pk=case.pk).delete()  # and its fee with it
    assert marked() == {other_agency.pk}


def test_a_kept_tally_is_read_back_without_counting_again(
    agency, other_agency, registrar, django_assert_max_num_queries
):
    make_request(agency, registrar, received=d("2025-03-01"))
    make_request(other_agency, registrar, received=d("2025-03-02"), org="business")
    first = tally_store.kept_tallies([agency.pk, other_agency.pk], Y)
    assert first == tally([agency.pk, other_agency.pk], Y)
    assert ReportTally.objects.filter(year=Y).count() == 2
    # Nothing changed: no aggregate over the requests, only the kept rows.
    with django_assert_max_num_queries(10) as queries:
        again = tally_store.kept_tallies([agency.pk, other_agency.pk], Y)
    assert again == first
    counting = [
        q for q in queries.captured_queries if 'FROM "requests_app_informationrequest"' in q["sql"]
    ]
    assert not counting


def test_kept_tallies_always_equal_counting_afresh(agency, other_agency, registrar):
    """Random changes of every kind, read through the kept tallies for two years after each."""
    rng = random.Random(20251231)
    agencies = [agency, other_agency]
    ids = [a.pk for a in agencies]
    cases: list[InformationRequest] = []
    start = d("2024-06-01")
    for step in range(60):
        action = rng.choice(
            ["new", "new", "conclude", "reopen", "kind", "move", "challenge", "fee"]
        )
        day = start + timedelta(days=rng.randrange(0, 700))
        if action == "new" or not cases:
            cases.append(
                make_request(
                    rng.choice(agencies),
                    registrar,
                    received=day,
                    org=rng.choice(["", "business", "research"]),
                )
            )
        else:
            case = rng.choice(cases)
            case.refresh_from_db()
            if action == "conclude":
                case.concluded_on = max(case.receipt_date, day)
                case.concluded_outcome = rng.choice(["disclosed", "already_public", "withdrawn"])
                case.save()
            elif action == "reopen":
                InformationRequest.objects.filter(pk=case.pk).update(
                    concluded_on=None, concluded_outcome=""
                )
            elif action == "kind":
                case.applicant_kind = "organization"
                case.organization_kind = rng.choice(["nonprofit", "legal_service"])
                case.save()
            elif action == "move":
                InformationRequest.objects.filter(pk=case.pk).update(
                    agency=rng.choice(agencies), arrival_date=day, receipt_date=day
                )
            elif action == "challenge":
                make_challenge(
                    case,
                    registrar,
                    kind="reconsideration",
                    filed=day,
                    result="upheld",
                    concluded=day + timedelta(days=rng.choice([10, 200])),
                )
            elif action == "fee" and not Fee.objects.filter(request=case).exists():
                make_paid_fee(case, registrar, amount=rng.randrange(1, 500), paid=day)
        for year in (2024, 2025, 2026):
            assert tally_store.kept_tallies(ids, year) == tally(ids, year), (step, action, year)


def test_missing_triggers_are_put_back_and_the_kept_tallies_dropped(agency, registrar):
    make_request(agency, registrar, received=d("2025-03-01"))
    tally_store.kept_tallies([agency.pk], Y)
    assert ReportTally.objects.exists()
    table = InformationRequest._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER {table}_tally_upd ON {table}")
        else:
            cursor.execute(f"DROP TRIGGER {table}_tally_upd")
    assert tally_store.install_triggers()
    assert not ReportTally.objects.exists()
    with connection.cursor() as cursor:
        assert tally_store._installed(cursor, connection.vendor) == set(
            tally_store._trigger_names()
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("marked_before", [True, False], ids=["mark-held", "mark-new"])
def test_a_change_still_being_written_is_counted_once_committed(agency, registrar, marked_before):
    """A reader while a writer's transaction is open counts the committed data; once the writer
    commits, the next reader counts the change. When the agency was already marked, the writer
    holds that mark until it commits, and the reader keeps nothing for the agency meanwhile;
    when it was not, the writer's new mark appears with its commit."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks between two connections: PostgreSQL (SQLite has one writer)")
    case = make_request(agency, registrar, received=d("2025-03-01"))
    if not marked_before:
        tally_store.kept_tallies([agency.pk], Y)  # takes the mark, keeps the tally
        assert not marked()
    written, release = threading.Event(), threading.Event()

    def writer():
        try:
            with transaction.atomic():
                InformationRequest.objects.filter(pk=case.pk).update(
                    concluded_on=d("2025-04-01"), concluded_outcome="disclosed"
                )
                written.set()
                assert release.wait(30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert written.wait(30)
        during = tally_store.kept_tallies([agency.pk], Y)
        assert during[agency.pk].table3["三（七）"][6] == 0  # not committed yet
        assert ReportTally.objects.filter(agency=agency).exists() is not marked_before
    finally:
        release.set()
        thread.join(30)
    assert marked() == {agency.pk}
    after = tally_store.kept_tallies([agency.pk], Y)
    assert after[agency.pk].table3["三（七）"][6] == 1
    assert after == tally([agency.pk], Y)
    assert ReportTally.objects.filter(agency=agency).exists()


def test_the_nightly_run_keeps_every_agencys_tallies_for_the_years_looked_at(
    agency, other_agency, registrar
):
    from django.core.management import call_command

    from workflow.models import Agency

    assert tally_store.report_years(d("2026-01-31")) == [2025, 2026]
    assert tally_store.report_years(d("2026-02-01")) == [2026]
    make_request(agency, registrar, received=d("2025-12-30"))
    assert tally_store.keep_all(d("2026-01-10"), batch=1) == 2 * Agency.objects.count()
    kept = set(ReportTally.objects.values_list("agency_id", "year"))
    assert {(a.pk, y) for a in (agency, other_agency) for y in (2025, 2026)} <= kept
    assert tally_store.kept_tallies([agency.pk], 2025) == tally([agency.pk], 2025)
    out = io.StringIO()
    call_command("keep_report_tallies", stdout=out)
    assert "个机关年度的年度报告统计数字" in out.getvalue()


def test_migrations_run_without_the_triggers_and_put_them_back(agency, registrar):
    """A trigger would stand in the way of altering the columns it reads (and, on SQLite, of
    rebuilding the requests table the challenges' and fees' triggers read): ``migrate`` drops
    them first and puts them back after, dropping the kept tallies then."""
    from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal

    make_request(agency, registrar, received=d("2025-03-01"))
    tally_store.kept_tallies([agency.pk], Y)
    emit_pre_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    with connection.cursor() as cursor:
        assert tally_store._installed(cursor, connection.vendor) == set()
    # (A rebuild of the requests table on SQLite: tests/requests_app/test_search.py.)
    make_request(agency, registrar, received=d("2025-03-02"))  # written while migrating
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    with connection.cursor() as cursor:
        assert tally_store._installed(cursor, connection.vendor) == set(
            tally_store._trigger_names()
        )
    assert not ReportTally.objects.exists()
    assert tally_store.kept_tallies([agency.pk], Y) == tally([agency.pk], Y)
    assert tally_store.kept_tallies([agency.pk], Y)[agency.pk].table3["一"][6] == 2
