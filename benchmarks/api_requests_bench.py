"""The API's case list and case detail (``/api/v1/requests/``) with many cases: p50/p95 server
time through Django's test client (token, throttling, filters, pagination, JSON), and the
number of queries. The cases are ``benchmarks/request_data.py``'s (built once and kept).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongkai_bench \\
        .venv/bin/python benchmarks/api_requests_bench.py --cases 100000 [--explain]

Without ``DATABASE_URL``: SQLite, ``var/bench/gongkai.sqlite3``. Prints one figure a line as
``name: value unit``; with ``--explain`` the plans of the list's count and page queries go to
stderr.
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

#: The lists measured: name -> query string.
LISTS = {
    "api_list": "",
    "api_list_open": "show=open",
    "api_list_200": "page_size=200",
    "api_list_page_100": "page=100",
    "api_list_stage": "stage=propose",
    "api_list_flags": "flags=overdue&flags=at_risk",
    "api_list_flag_rare": "flags=paused",
    "api_list_outcome_open": "outcome=open&show=open",
    "api_list_received": "received_from=2026-01-01&received_to=2026-01-31",
    "api_list_year": "year=2026",
    "api_list_updated_since": "updated_since=2099-01-01T00:00:00%2B08:00",
    "api_list_search_name": "q=张明华1",
    "api_list_search_short": "q=刘芳",
    "api_list_challenged": "challenged=true",
}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--agencies", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--only", default="", help="these measurements only, e.g. api_list")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    if not os.environ.get("DATABASE_URL"):
        os.environ.setdefault("GONGKAI_VAR_DIR", str(ROOT / "var" / "bench"))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from benchmarks.request_data import ensure_data
    from requests_app.api.requests import LIST_COLUMNS, list_filters
    from requests_app.models import InformationRequest
    from requests_app.selectors import client_requests, filter_cases
    from workflow.api.clients import ClientData, client_create
    from workflow.models import Agency, ApiClient

    settings.ALLOWED_HOSTS = ["*"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    backend = connection.vendor
    data = ensure_data(agencies=args.agencies, cases=args.cases)
    agency = Agency.objects.get(code=data.agencies[0])
    ApiClient.objects.filter(agency=agency, system_code="bench").delete()
    root = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench-root", password="x"
    )
    client, token = client_create(
        actor=root,
        agency=agency,
        data=ClientData(name="基准", system_code="bench", scopes=["requests:read"], rate=100_000),
    )
    caller = APIClient()
    caller.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    only = {name for name in args.only.split(",") if name}

    def measure(name: str, url: str) -> None:
        if only and name not in only:
            return
        response = caller.get(url)  # warm
        assert response.status_code == 200, (name, response.status_code, response.content[:300])
        timings, queries = [], []
        for _ in range(args.rounds):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = caller.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
            queries.append(len(captured))
        print(f"{name}_p50_{backend}: {statistics.median(timings):.1f} ms")
        print(
            f"{name}_p95_{backend}: {_percentile(timings, 0.95):.1f} ms [{max(queries)} queries]",
            flush=True,
        )

    for name, query in LISTS.items():
        measure(name, f"/api/v1/requests/?{query}")
    some_case = data.case_ids[agency.code][0]
    measure("api_detail", f"/api/v1/requests/{some_case}/")

    if args.explain:
        from django.test import RequestFactory
        from rest_framework.request import Request

        from workflow.pagination import BoundedCountPaginator

        prefix = "EXPLAIN QUERY PLAN " if backend == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
        for name, query in LISTS.items():
            request = Request(RequestFactory().get(f"/api/v1/requests/?{query}"))
            filters = list_filters(request, client)
            filters.setdefault("show", "all")
            cases = filter_cases(client_requests(client).only(*LIST_COLUMNS), filters)
            bound = BoundedCountPaginator(cases, 50).bound
            for label, queryset in (
                ("count", cases.order_by()[: bound + 1].values("pk")),
                ("page", cases[:50]),
            ):
                sql, params = queryset.query.sql_with_params()
                with connection.cursor() as cursor:
                    cursor.execute(prefix + sql, params)
                    plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
                print(f"-- {name} {label}\n{plan}", file=sys.stderr)
    print(f"cases_{backend}: {InformationRequest.objects.count()} over {args.agencies} agencies")
    print(f"load_average: {' '.join(f'{n:.1f}' for n in os.getloadavg())} ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
