"""The annual report and the dashboard at scale: 5,000 agencies under 50 supervising governments
(under one province) and 1,000,000 requests over two years, on PostgreSQL; the same at
100,000 requests on SQLite.

Builds the data once (``benchmarks/report_data.py``: COPY straight into the tables) and keeps it
in a database of its own, reused while its plan and version match. Then times, each several
times (the median printed) and with its number of queries:

- ``annual_report_agency``: one agency's report for the year (100,000 requests, all tables);
- ``annual_report_overview``: a supervising government's overview of its agencies;
- ``annual_report_all``: the province's overview, every agency (1,000,000 requests, the sums),
  as a supervisor sees it day to day: the counts kept per agency (``tally_store``), with
  ``CHANGED_PER_ROUND`` agencies' requests changed before each round, so those are counted
  afresh; ``annual_report_all_cold`` is the first overview with nothing kept (every agency
  counted);
- ``dashboard_p95``: the dashboard page of the big agency's office head (p95 of 50 requests).

A figure whose code is not there yet is named with why, never made up. Prints one figure a line
as ``name: value unit``; progress goes to stderr.

    .venv/bin/python benchmarks/annual_report_bench.py                     # PostgreSQL, 1M
    .venv/bin/python benchmarks/annual_report_bench.py --backend sqlite    # 100,000
    .venv/bin/python benchmarks/annual_report_bench.py --rebuild --explain

PostgreSQL: ``--pg-url`` (default database ``gongkai_bench_report``); SQLite: the file
``var/bench-report/gongkai.sqlite3``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import postgres_reachable  # noqa: E402

FOLDER = "bench-report"
#: Sizes per backend: requests, agencies, governments, the big agency's requests in the year.
SIZES = {
    "postgresql": (1_000_000, 5_000, 50, 100_000),
    "sqlite": (100_000, 500, 50, 10_000),
}
#: Exit code of ``--child check`` when the kept data does not match the plan.
STALE = 3
#: Where the measured code lives.
COUNTING = "requests_app.annual_report.counting"
OVERVIEW = "requests_app.annual_report.overview"
OVERVIEW_NAMES = ("build_overview",)
DASHBOARD = "workflow.dashboard"
#: Agencies whose requests change between two province overviews (a busy day's share).
CHANGED_PER_ROUND = 50


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _setup():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()


def _plan(args):
    from django.utils import timezone

    from benchmarks.report_data import Plan

    return Plan(
        requests=args.requests,
        agencies=args.agencies,
        governments=args.governments,
        big=args.big,
        year=timezone.localdate().year,
    )


def child_check(args) -> int:
    """0 when the kept data was built from this plan, ``STALE`` otherwise."""
    _setup()
    from django.db import connection
    from django.db.utils import DatabaseError

    from benchmarks.report_data import kept_plan

    try:
        kept = kept_plan(connection)
    except DatabaseError:
        kept = None
    return 0 if kept == _plan(args).key() else STALE


def _optional(module: str, names: tuple[str, ...]):
    """The first of ``names`` in ``module``, or the reason it cannot be had."""
    try:
        found = importlib.import_module(module)
    except ImportError as error:
        return None, f"{module} is not there yet ({error})"
    for name in names:
        if callable(getattr(found, name, None)):
            return getattr(found, name), ""
    return None, f"{module} has none of {', '.join(names)} yet"


def _time(label: str, call, rounds: int, backend: str, explain: bool) -> list[float]:
    """Run ``call`` once to warm, then ``rounds`` times; print the median and the queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()
    timings, queries = [], []
    slowest = None
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            call()
            timings.append((time.perf_counter() - start) * 1000)
        queries.append(len(captured))
        if slowest is None or timings[-1] >= max(timings):
            slowest = list(captured.captured_queries)
    print(f"{label}: {statistics.median(timings):.0f} ms", flush=True)
    print(f"{label}_max: {max(timings):.0f} ms")
    varies = "" if min(queries) == max(queries) else f" (varies from {min(queries)})"
    print(f"{label}_queries: {max(queries)}{varies}")
    if explain and slowest:
        _explain(label, slowest, backend)
    return timings


def _time_all(call, rounds: int, backend: str, explain: bool) -> None:
    """The province's overview: once with nothing kept, then ``rounds`` times, each after
    ``CHANGED_PER_ROUND`` agencies had a request changed (and changed back: the data stays the
    same, the agencies are marked for counting afresh, as after any real change)."""
    import random

    from django.db import connection
    from django.db.models import F
    from django.test.utils import CaptureQueriesContext

    from requests_app.models import InformationRequest, ReportTally

    ReportTally.objects.all().delete()
    start = time.perf_counter()
    call()
    print(f"annual_report_all_cold: {(time.perf_counter() - start) * 1000:.0f} ms", flush=True)
    agencies = list(
        InformationRequest.objects.filter(concluded_on__isnull=False)
        .order_by("agency_id")
        .values_list("agency_id", flat=True)
        .distinct()
    )
    rng = random.Random(2026)

    def changed_then_call():
        chosen = rng.sample(agencies, min(CHANGED_PER_ROUND, len(agencies)))
        ids = [
            InformationRequest.objects.filter(agency_id=agency, concluded_on__isnull=False)
            .values_list("pk", flat=True)
            .first()
            for agency in chosen
        ]
        cases = InformationRequest.objects.filter(pk__in=ids)
        cases.update(concluded_on=F("concluded_on") + timedelta(days=1))
        cases.update(concluded_on=F("concluded_on") - timedelta(days=1))
        return call

    timings, queries = [], []
    for _ in range(rounds):
        overview = changed_then_call()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            overview()
            timings.append((time.perf_counter() - start) * 1000)
        queries.append(len(captured))
    print(f"annual_report_all: {statistics.median(timings):.0f} ms", flush=True)
    print(f"annual_report_all_max: {max(timings):.0f} ms")
    print(f"annual_report_all_changed_agencies_per_round: {CHANGED_PER_ROUND}")
    varies = "" if min(queries) == max(queries) else f" (varies from {min(queries)})"
    print(f"annual_report_all_queries: {max(queries)}{varies}")


def _explain(label: str, queries: list[dict], backend: str) -> None:
    """The plans of the slowest round's three slowest queries (stderr)."""
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if backend == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    for query in sorted(queries, key=lambda q: -float(q["time"]))[:3]:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
        print(f"-- {label}: {query['time']} s\n{sql[:2000]}\n{plan}\n", file=sys.stderr)


def child_run(args) -> None:
    _setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from benchmarks import report_data

    settings.ALLOWED_HOSTS = ["*"]
    backend = connection.vendor
    x = args.explain
    plan = _plan(args)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if report_data.kept_plan(connection) != plan.key():
        report_data.build(plan, timezone.localdate())
        print(f"build: {time.perf_counter() - started:.0f} s")
    else:
        print("build: reused (kept data of the same plan)")
    users, big, government, _ = report_data.users_and_agencies()
    from requests_app.models import Challenge, InformationRequest

    year = plan.year
    in_year = InformationRequest.objects.filter(agency=big, receipt_date__year=year).count()
    print(f"requests: {InformationRequest.objects.count()} rows")
    print(f"requests_big_agency_{year}: {in_year} rows")
    print(f"challenges: {Challenge.objects.count()} rows")
    print(f"agencies_under_government: {government.children.count()}")

    build_report, missing = _optional(COUNTING, ("build_report",))
    if build_report is None:
        print(f"annual_report_agency: not measured ({missing})")
    else:
        # The report's page and draft: the numbers without the ids behind them.
        _time("annual_report_agency", lambda: build_report(big, year), args.rounds, backend, x)
        small = government.children.exclude(pk=big.pk).order_by("pk").first()
        _time("annual_report_small_agency", lambda: build_report(small, year), 3, backend, False)
        # Publishing freezes the ids behind every cell.
        _time(
            "annual_report_agency_with_ids",
            lambda: build_report(big, year, with_ids=True),
            max(1, args.rounds // 2),
            backend,
            x,
        )
    overview, missing = _optional(OVERVIEW, OVERVIEW_NAMES)
    if overview is None:
        print(f"annual_report_overview: not measured ({missing})")
        print(f"annual_report_all: not measured ({missing})")
    else:
        from workflow.selectors import supervised_agencies

        # As the supervisor's page asks: the agencies below, then their overview.
        def overview_of(user):
            return lambda: overview(supervised_agencies(user), year)

        _time("annual_report_overview", overview_of(users["gov_head"]), args.rounds, backend, x)
        province = overview_of(users["province_head"])
        _time_all(province, args.rounds, backend, x)
        counted = overview(supervised_agencies(users["province_head"]), year)
        print(f"annual_report_all_agencies: {len(counted.agencies)}")
        total = counted.total.table3
        print(
            f"annual_report_all_table3: 一 {total['一'][6].value}, 二 {total['二'][6].value},"
            f" 三（七） {total['三（七）'][6].value}, 四 {total['四'][6].value};"
            f" checks {'ok' if counted.total.ok else 'FAIL'}"
        )
    dashboard, missing = _optional(DASHBOARD, ("build_panels",))
    if dashboard is None:
        print(f"dashboard_p95: not measured ({missing})")
    else:
        from django.test import Client
        from django.urls import reverse

        url = reverse("dashboard:overview:index")

        def page_of(user, query=""):
            client = Client()
            client.force_login(user)

            def page():
                response = client.get(url + query)
                assert response.status_code == 200, response.status_code

            return page

        rounds = args.dashboard_rounds
        for label, user, query, n in (
            ("dashboard", users["office_head"], "", rounds),
            ("dashboard_government", users["gov_head"], "?scope=supervised", rounds),
            ("dashboard_province", users["province_head"], "?scope=supervised", rounds // 5),
        ):
            timings = _time(label, page_of(user, query), n, backend, x)
            print(f"{label}_p95: {_percentile(timings, 0.95):.0f} ms")


def _wipe(backend: str, pg_url: str, bench_dir: Path) -> None:
    if backend == "sqlite":
        for leftover in bench_dir.glob("gongkai.sqlite3*"):
            leftover.unlink()
        return
    db = pg_url.rsplit("/", 1)[1]
    admin = pg_url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {db}"], check=True)
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {db}"], check=True)


def _pg_exists(pg_url: str) -> bool:
    db = pg_url.rsplit("/", 1)[1]
    admin = pg_url.rsplit("/", 1)[0] + "/postgres"
    found = subprocess.run(
        ["psql", admin, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{db}'"],
        check=True,
        capture_output=True,
        text=True,
    )
    return found.stdout.strip() == "1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="postgresql")
    parser.add_argument("--requests", type=int, help="default: 1,000,000 (PG), 100,000 (SQLite)")
    parser.add_argument("--agencies", type=int, help="default: 5,000 (PG), 500 (SQLite)")
    parser.add_argument("--governments", type=int, help="default: 50")
    parser.add_argument("--big", type=int, help="the big agency's requests in the year")
    parser.add_argument("--rounds", type=int, default=5, help="timed runs of each report")
    parser.add_argument("--dashboard-rounds", type=int, default=50)
    parser.add_argument("--rebuild", action="store_true", help="build the data afresh")
    parser.add_argument("--explain", action="store_true", help="query plans of the slowest")
    parser.add_argument(
        "--pg-url", default="postgres://postgres@127.0.0.1:5432/gongkai_bench_report"
    )
    parser.add_argument("--child", choices=["check", "run"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child == "check":
        sys.exit(child_check(args))
    if args.child == "run":
        child_run(args)
        return

    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for name in backends:
        sizes = dict(zip(("requests", "agencies", "governments", "big"), SIZES[name], strict=True))
        child_args = []
        for key, default in sizes.items():
            child_args += [f"--{key}", str(getattr(args, key) or default)]
        child_args += ["--rounds", str(args.rounds)]
        child_args += ["--dashboard-rounds", str(args.dashboard_rounds)]
        child_args += ["--explain"] if args.explain else []
        env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "bench", "ALLOWED_HOSTS": "*"}
        env["SECURE_SSL_REDIRECT"] = "0"
        bench_dir = ROOT / "var" / FOLDER
        bench_dir.mkdir(parents=True, exist_ok=True)
        env["GONGKAI_VAR_DIR"] = str(bench_dir)
        env.pop("DATABASE_URL", None)
        if name == "postgresql":
            if not postgres_reachable():
                print("# postgresql: skipped (no server on 127.0.0.1:5432)")
                continue
            env["DATABASE_URL"] = args.pg_url
            if not _pg_exists(args.pg_url):
                _wipe(name, args.pg_url, bench_dir)
        print(f"# {name}", flush=True)
        command = [sys.executable, __file__]
        stale = args.rebuild
        if not stale:
            check = subprocess.run([*command, "--child", "check", *child_args], env=env, cwd=ROOT)
            if check.returncode not in (0, STALE):
                sys.exit(check.returncode)
            stale = check.returncode == STALE
        if stale:
            print("# building the data afresh (kept data missing or of another plan)", flush=True)
            _wipe(name, args.pg_url, bench_dir)
        subprocess.run([*command, "--child", "run", *child_args], env=env, check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
