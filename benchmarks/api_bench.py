"""The API (/api/v1/) under load, on SQLite and PostgreSQL: documents pushed from OA one after
another by a single client (issue #15 §5: ≥ 200/s on SQLite, ≥ 400/s on PostgreSQL, 2 cores),
and the request list read by a client at 100,000 cases (p95 ≤ 100 ms).

The cases are those of ``benchmarks/request_data.py`` (built once and kept, as for
``requests_bench.py``); the documents are pushed into the first agency by a client of its own
(``documents:write``), first registered (PUT, 201) then updated with the ETag read back (PUT with
``If-Match``, 200). Every call goes through the whole stack as a client's would (Django's test
client: middleware, token, throttling, DRF, the services, the audit row). Prints one figure a
line as ``name: value unit``.

    .venv/bin/python benchmarks/api_bench.py                       # both backends, 100,000 cases
    .venv/bin/python benchmarks/api_bench.py --backend sqlite --cases 20000 --documents 300
    .venv/bin/python benchmarks/api_bench.py --pg-url postgres://postgres@127.0.0.1:5432/mine

PostgreSQL is used when a server answers on 127.0.0.1:5432 (database ``gongkai_bench`` unless
``--pg-url``); SQLite: ``var/bench/gongkai.sqlite3``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import run_children  # noqa: E402


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_one(backend: str, cases: int, documents: int, rounds: int, rebuild: bool) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from attributes_app.services import drafting_unit_save
    from benchmarks.request_data import ensure_data
    from workflow.api.clients import ClientData, client_create
    from workflow.models import Agency

    settings.ALLOWED_HOSTS = ["*"]
    data = ensure_data(agencies=1, cases=cases, rebuild=rebuild)
    agency = Agency.objects.get(code=data.agencies[0])
    run = uuid.uuid4().hex[:8]  # each run pushes documents of its own
    # The agency's administrator: drafting units and API clients are theirs.
    admin = User.objects.create_user(username=f"bench-admin-{run}", password=uuid.uuid4().hex)
    admin.groups.add(Group.objects.get_or_create(name="admin")[0])
    agency.staff.add(admin)
    unit = drafting_unit_save(actor=admin, agency=agency, name=f"基准科室{run}")
    _, token = client_create(
        actor=admin,
        agency=agency,
        data=ClientData(
            name=f"基准OA{run}",
            system_code="bench",
            scopes=["documents:read", "documents:write", "requests:read"],
            rate=100_000,  # the client's own limit is not what is measured
        ),
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    # -- document upsert: one client, one call after another --------------------------------
    def body(n: int, **changes) -> dict:
        values = {
            "title": f"关于做好第{n}项基准测试工作的通知",
            "number": f"基准{run}发〔2026〕{n}号",
            "drafting_unit_id": unit.pk,
            "kind": "other",
            "drafter_name": "王小明",
            "attribute": "proactive",
        }
        values.update(changes)
        return values

    def push(label: str, calls) -> None:
        timings, queries = [], []
        started = time.perf_counter()
        for index, (url, payload, headers, expected) in enumerate(calls):
            # Queries are counted on every tenth call only: capturing them slows each call.
            counting = CaptureQueriesContext(connection) if index % 10 == 0 else None
            if counting is not None:
                counting.__enter__()
            start = time.perf_counter()
            response = api.put(url, payload, format="json", **headers)
            timings.append((time.perf_counter() - start) * 1000)
            if counting is not None:
                counting.__exit__(None, None, None)
                queries.append(len(counting))
            assert response.status_code == expected, (label, response.status_code, response.data)
            etags[url] = response["ETag"]
        seconds = time.perf_counter() - started
        print(f"{label}_per_s_{backend}: {len(timings) / seconds:.0f} documents/s")
        print(
            f"{label}_p95_{backend}: {_percentile(timings, 0.95):.1f} ms"
            f" [{max(queries)} queries, median {statistics.median(queries):.0f}]",
            flush=True,
        )

    etags: dict[str, str] = {}

    def url(n: int) -> str:
        return f"/api/v1/documents/external/BENCH-{run}-{n}/"

    warm = f"/api/v1/documents/external/BENCH-{run}-warm/"
    assert api.put(warm, body(documents + 1), format="json").status_code == 201
    push("document_create", ((url(n), body(n), {}, 201) for n in range(documents)))
    push("document_update", _updates(documents, url, body, etags))

    # -- the request list at ``cases`` cases ------------------------------------------------
    def measure(name: str, target: str) -> None:
        api.get(target)  # warm
        timings, queries = [], []
        for _ in range(rounds):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = api.get(target)
                timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (name, response.status_code, response.data)
            queries.append(len(captured))
        print(f"{name}_p50_{backend}: {statistics.median(timings):.1f} ms")
        print(
            f"{name}_p95_{backend}: {_percentile(timings, 0.95):.1f} ms [{max(queries)} queries]",
            flush=True,
        )

    measure("request_list", "/api/v1/requests/")
    measure("request_list_page_50", "/api/v1/requests/?page=50")
    measure("request_list_200", "/api/v1/requests/?page_size=200")
    measure("request_list_filtered", "/api/v1/requests/?stage=propose&flags=overdue")
    measure("request_list_search", "/api/v1/requests/?q=张明华1")
    print(f"cases_{backend}: {cases}; documents pushed: {documents} (+ as many updates)")
    print(f"load_average: {' '.join(f'{n:.1f}' for n in os.getloadavg())} ({os.cpu_count()} cores)")
    kept = "built" if data.built else "kept data found"
    print(f"build_{backend}: {data.seconds:.1f} s ({kept})")


def _updates(documents: int, url, body, etags: dict[str, str]):
    """Each document pushed again with a new title and the ETag its last answer gave."""
    for n in range(documents):
        target = url(n)
        title = f"关于做好第{n}项基准测试工作的通知（修订）"
        yield target, body(n, title=title), {"HTTP_IF_MATCH": etags[target]}, 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=500, help="pushed, then updated")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/gongkai_bench")
    parser.add_argument("--rebuild", action="store_true", help="build the cases afresh")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        backend = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
        run_one(backend, args.cases, args.documents, args.rounds, args.rebuild)
        return

    run_children(
        script=__file__,
        backend=args.backend,
        folder="bench",
        pg_url=args.pg_url,
        child_args=["--cases", str(args.cases), "--documents", str(args.documents)]
        + ["--rounds", str(args.rounds)]
        + (["--rebuild"] if args.rebuild else []),
        label=False,
        keep=True,
    )


if __name__ == "__main__":
    main()
