"""Case list, inbox, queue, case page and a step's POST with many cases, on SQLite and PostgreSQL.

The cases are built once and kept (``benchmarks/request_data.py``: each with its process and
open task, as the real flow leaves them, shared out over ``--agencies`` agencies with their
officers); a run with the same sizes reuses them, ``--rebuild`` makes them afresh. Then measures
server time through Django's test client (the whole stack: middleware, views, templates) as the
first agency's handler, and counts queries. Prints one figure a line as ``name: value unit``.

    .venv/bin/python benchmarks/requests_bench.py                 # both backends, 100,000 cases
    .venv/bin/python benchmarks/requests_bench.py --backend sqlite --cases 20000
    .venv/bin/python benchmarks/requests_bench.py --backend postgresql --agencies 5000 \
        --cases 1000000                                            # a province
    .venv/bin/python benchmarks/requests_bench.py --explain      # and the query plans

PostgreSQL is used when a server answers on 127.0.0.1:5432 (``--pg-url`` to change); the data
is kept in database ``gongkai_bench`` (``gongkai_bench_province`` from 1,000 agencies). SQLite:
``var/bench/gongkai.sqlite3`` (``var/bench-province/``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import run_children  # noqa: E402


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def explain_case_list(user, queries: list[str]) -> None:
    """Print the plans of the case list's count and page queries (stderr), for profiling."""
    from django.db import connection

    from requests_app.selectors import case_list
    from workflow.pagination import BoundedCountPaginator

    sqlite = connection.vendor == "sqlite"
    prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, BUFFERS) "
    for q in queries:
        cases = case_list(user, {"q": q})
        bound = BoundedCountPaginator(cases, 20).bound
        for label, queryset in (
            ("count", cases.order_by()[: bound + 1].values("pk")),
            ("page", cases[:20]),
        ):
            sql, params = queryset.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(prefix + sql, params)
                plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            print(f"-- {label} q={q!r}\n{plan}", file=sys.stderr)


def explain_queries(label: str, queries: list[dict]) -> None:
    """The plans of the slowest round's three slowest queries (stderr)."""
    from django.db import connection

    sqlite = connection.vendor == "sqlite"
    prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, BUFFERS) "
    for query in sorted(queries, key=lambda q: -float(q["time"]))[:3]:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
        print(f"-- {label}: {query['time']} s\n{sql[:3000]}\n{plan}\n", file=sys.stderr)


def run_one(
    backend: str,
    cases: int,
    agencies: int,
    rounds: int,
    explain: bool,
    rebuild: bool,
    only: set[str] = frozenset(),
) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks.request_data import ensure_data
    from requests_app import services
    from requests_app.models import InformationRequest
    from workflow.models import Agency

    settings.ALLOWED_HOSTS = ["*"]
    data = ensure_data(agencies=agencies, cases=cases, rebuild=rebuild)
    agency = Agency.objects.get(code=data.agencies[0])
    officers = data.officers[agency.code]
    users = {role: User.objects.get(username=name) for role, name in officers.items()}
    today = django.utils.timezone.localdate()

    # A few cases registered through the real service, for the step POST.
    step_cases = []
    walk_in = services.Registration(
        channel="in_person",
        arrival_date=today,
        receipt_date=today,
        applicant_kind="person",
        applicant_name="基准申请人",
        id_type="passport",
        id_number="E12345678",
        phone="13800000000",
        description="基准测试",
        form_wanted="electronic",
        delivery="email",
    )
    for _ in range(rounds if not only or "step_post" in only else 0):
        step_cases.append(
            services.request_register(actor=users["registrar"], agency=agency, data=walk_in)
        )

    # -- measurements -----------------------------------------------------------------------
    def measure(name: str, user, url: str, method: str = "get", form=None, each=None) -> None:
        if only and name not in only:
            return
        client = Client()
        client.force_login(user)
        client.get(url) if method == "get" else None  # warm
        timings, cpu, queries = [], [], []
        slowest: list[dict] = []
        for index in range(rounds):
            target = each(index) if each else url
            with CaptureQueriesContext(connection) as captured:
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(target) if method == "get" else client.post(target, form)
                timings.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
            expected = (200,) if method == "get" else (302,)
            assert response.status_code in expected, (name, response.status_code)
            queries.append(len(captured))
            if timings[-1] >= max(timings):
                slowest = list(captured.captured_queries)
        varies = "" if min(queries) == max(queries) else f", varies from {min(queries)}"
        print(f"{name}_p50_{backend}: {statistics.median(timings):.1f} ms")
        print(
            f"{name}_p95_{backend}: {_percentile(timings, 0.95):.1f} ms"
            f" [{max(queries)} queries{varies}]",
            flush=True,
        )
        # This process's own CPU time (views, templates, the driver): on a shared machine the
        # wall time above also holds the waits for a core, here and in the database server.
        print(f"{name}_cpu_p95_{backend}: {_percentile(cpu, 0.95):.1f} ms")
        if explain and slowest:
            explain_queries(name, slowest)

    handler = users["handler"]
    measure("case_list", handler, "/requests/cases/")
    measure("case_list_page_50", handler, "/requests/cases/?page=50")
    measure("case_list_filtered", handler, "/requests/cases/?stage=propose&flags=overdue")
    # Searches (requests_app/search.py): a name with its number (1% of the cases), a two-character
    # name (10%), a fragment of a case number, a place and subject (1%), a phrase every case
    # holds, and a two-character query found nowhere.
    measure("case_list_search", handler, "/requests/cases/?q=张明华1")
    measure("case_list_search_short", handler, "/requests/cases/?q=刘芳")
    measure("case_list_search_number", handler, f"/requests/cases/?q=〔{today.year}〕12")
    measure("case_list_search_place", handler, "/requests/cases/?q=城关镇征地补偿")
    measure("case_list_search_common", handler, "/requests/cases/?q=政府信息")
    measure("case_list_search_none_short", handler, "/requests/cases/?q=无此")
    measure("inbox", handler, "/requests/tasks/inbox/")
    measure("queue", handler, "/requests/tasks/queue/")
    some_case = InformationRequest.objects.get(pk=data.case_ids[agency.code][0])
    measure("case_page", handler, f"/requests/cases/{some_case.pk}/")

    # One step: the handler asks for an extension on a case (one service, one audit row).
    def action_url(index: int) -> str:
        return f"/requests/cases/{step_cases[index].pk}/actions/extension_ask/"

    measure(
        "step_post",
        handler,
        "",
        method="post",
        form={"days": "10", "reason": "基准测试"},
        each=action_url,
    )
    if explain and (not only or "case_list" in only):
        explain_case_list(handler, ["", "张明华1", "刘芳", "政府信息", "无此"])
    print(f"cases_{backend}: {cases} over {agencies} agencies")
    print(f"load_average: {' '.join(f'{n:.1f}' for n in os.getloadavg())} ({os.cpu_count()} cores)")
    kept = "built" if data.built else "kept data found"
    print(f"build_{backend}: {data.seconds:.1f} s ({kept})")


def default_pg_url(agencies: int) -> str:
    """A database per scale, each kept between runs: the province's, and the one agency's."""
    name = "gongkai_bench_province" if agencies >= 1000 else "gongkai_bench"
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--agencies", type=int, default=1, help="cases shared out evenly")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument(
        "--pg-url",
        help="default: database gongkai_bench (gongkai_bench_province from 1,000 agencies)",
    )
    parser.add_argument("--rebuild", action="store_true", help="build the data afresh")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print the plans of each page's slowest queries and the case list's to stderr",
    )
    parser.add_argument("--only", default="", help="measure these pages only, e.g. inbox,queue")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        backend = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
        only = {name for name in args.only.split(",") if name}
        run_one(backend, args.cases, args.agencies, args.rounds, args.explain, args.rebuild, only)
        return

    run_children(
        script=__file__,
        backend=args.backend,
        folder="bench" if args.agencies < 1000 else "bench-province",
        pg_url=args.pg_url or default_pg_url(args.agencies),
        child_args=["--cases", str(args.cases), "--agencies", str(args.agencies)]
        + ["--rounds", str(args.rounds)]
        + (["--explain"] if args.explain else [])
        + (["--rebuild"] if args.rebuild else [])
        + (["--only", args.only] if args.only else []),
        label=False,
        keep=True,
    )


if __name__ == "__main__":
    main()
