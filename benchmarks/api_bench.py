"""The API (/api/v1/) under load, on SQLite and PostgreSQL: documents pushed from OA one after
another by a single client (issue #15 §5: ≥ 200/s on SQLite, ≥ 400/s on PostgreSQL, 2 cores),
and the request list read by a client at 100,000 cases (p95 ≤ 100 ms).

The cases are those of ``benchmarks/request_data.py`` (built once and kept, as for
``requests_bench.py``); the documents are pushed into the first agency by a client of its own
(``documents:write``), first registered (PUT, 201) then updated with the ETag read back (PUT with
``If-Match``, 200), over HTTP to a real server: gunicorn with ``config/gunicorn.conf.py`` (its
workers and threads) on 127.0.0.1 (``--port``), one token. Measured three ways, never mixed:
``seq`` one keep-alive connection, one call after another; ``conc<N>`` the same client spreading
its pushes over N keep-alive connections at once; ``batch`` ``POST /documents/batch/`` with
``--batch`` documents a call, on one connection and on N (figures in documents/s). Queries per
call are counted in-process (Django's test client, the same view) on a sample. The request list
is read in-process. Prints one figure a line as ``name: value unit``.

    .venv/bin/python benchmarks/api_bench.py                       # both backends, 100,000 cases
    .venv/bin/python benchmarks/api_bench.py --backend sqlite --cases 20000 --documents 300
    .venv/bin/python benchmarks/api_bench.py --pg-url postgres://postgres@127.0.0.1:5432/mine
    .venv/bin/python benchmarks/api_bench.py --cases 2000 --documents 300 --skip-list --port 8190

PostgreSQL is used when a server answers on 127.0.0.1:5432 (database ``gongkai_bench`` unless
``--pg-url``); SQLite: ``var/bench/gongkai.sqlite3``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import run_children  # noqa: E402


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_one(
    backend: str,
    cases: int,
    documents: int,
    rounds: int,
    rebuild: bool,
    *,
    port: int,
    concurrency: int,
    batch: int,
    skip_list: bool,
) -> None:
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

    def path(label: str, n: int) -> str:
        return f"/api/v1/documents/external/B-{run}-{label}-{n}/"

    # -- queries per call, in-process (the same view; a sample) -----------------------------
    etags_q: dict[str, str] = {}
    for label, make in (("create", lambda n: (body(n), {})), ("update", None)):
        counts = []
        for n in range(20):
            target = path("q", n)
            if make is not None:
                payload, headers = make(n)
            else:
                payload = body(n, title=f"第{n}项（修订）")
                headers = {"HTTP_IF_MATCH": etags_q[target]}
            with CaptureQueriesContext(connection) as captured:
                response = api.put(target, payload, format="json", **headers)
            assert response.status_code in (200, 201), (label, response.status_code, response.data)
            etags_q[target] = response["ETag"]
            counts.append(len(captured))
        print(f"document_{label}_queries_{backend}: {statistics.median(counts):.0f} per call")

    # -- over HTTP to gunicorn ---------------------------------------------------------------
    with _server(port) as server_pid:
        auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        def pushes(label: str, calls: list[tuple[str, str, dict, dict, int]], connections: int):
            etags_out: dict[str, str] = {}
            timings: list[float] = []
            lock = threading.Lock()
            queue = list(reversed(calls))

            def worker():
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                while True:
                    with lock:
                        if not queue:
                            break
                        method, url, payload, headers, expected = queue.pop()
                    start = time.perf_counter()
                    conn.request(method, url, json.dumps(payload), {**auth, **headers})
                    response = conn.getresponse()
                    answer = response.read()
                    elapsed = (time.perf_counter() - start) * 1000
                    assert response.status == expected, (label, response.status, answer[:300])
                    with lock:
                        timings.append(elapsed)
                        etags_out[url] = response.getheader("ETag")
                conn.close()

            threads = [threading.Thread(target=worker) for _ in range(connections)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            seconds = time.perf_counter() - started
            assert len(timings) == len(calls), (label, len(timings), len(calls))
            return len(calls) / seconds, timings, etags_out

        def report(name: str, rate: float, timings: list[float], unit_name="documents/s"):
            print(f"{name}_per_s_{backend}: {rate:.0f} {unit_name}")
            print(
                f"{name}_p50_{backend}: {statistics.median(timings):.1f} ms;"
                f" p95 {_percentile(timings, 0.95):.1f} ms",
                flush=True,
            )

        warm = [("PUT", path("warm", n), body(10**6 + n), {}, 201) for n in range(20)]
        pushes("warm", warm, 2)
        for connections in (1, concurrency):
            name = "seq" if connections == 1 else f"conc{connections}"
            creates = [
                ("PUT", path(name, n), body(n + 10_000 * connections), {}, 201)
                for n in range(documents)
            ]
            rate, timings, etags = pushes(name, creates, connections)
            report(f"document_create_{name}", rate, timings)
            updates = [
                (
                    "PUT",
                    path(name, n),
                    body(n + 10_000 * connections, title=f"第{n}项（修订）"),
                    {"If-Match": etags[path(name, n)]},
                    200,
                )
                for n in range(documents)
            ]
            rate, timings, _ = pushes(name, updates, connections)
            report(f"document_update_{name}", rate, timings)
        # Batches: ``batch`` documents a call, on one connection, then on ``concurrency``.
        if not batch:  # --batch 0: a tree without the batch endpoint
            print(f"server_{backend}: gunicorn pid {server_pid}, config/gunicorn.conf.py")
            return _footer(backend, cases, documents, data)
        for connections in (1, concurrency):
            calls = []
            for start in range(0, documents, batch):
                items = [
                    {"external_id": f"B-{run}-batch{connections}-{n}", **body(n + 900_000)}
                    for n in range(start, min(start + batch, documents))
                ]
                headers = {"Idempotency-Key": uuid.uuid4().hex}
                calls.append(
                    ("POST", "/api/v1/documents/batch/", {"documents": items}, headers, 200)
                )
            rate, timings, _ = pushes("batch", calls, connections)
            name = "seq" if connections == 1 else f"conc{connections}"
            report(f"document_create_batch{batch}_{name}", rate * batch, timings)
        print(f"server_{backend}: gunicorn pid {server_pid}, config/gunicorn.conf.py")

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

    if skip_list:
        _footer(backend, cases, documents, data)
        return
    measure("request_list", "/api/v1/requests/")
    measure("request_list_page_50", "/api/v1/requests/?page=50")
    measure("request_list_200", "/api/v1/requests/?page_size=200")
    measure("request_list_filtered", "/api/v1/requests/?stage=propose&flags=overdue")
    measure("request_list_search", "/api/v1/requests/?q=张明华1")
    _footer(backend, cases, documents, data)


def _footer(backend, cases, documents, data) -> None:
    print(f"cases_{backend}: {cases}; documents pushed per way: {documents} (+ as many updates)")
    print(f"load_average: {' '.join(f'{n:.1f}' for n in os.getloadavg())} ({os.cpu_count()} cores)")
    kept = "built" if data.built else "kept data found"
    print(f"build_{backend}: {data.seconds:.1f} s ({kept})")


class _server:
    """gunicorn with the project's config on 127.0.0.1:``port``, this process's environment
    (database, DEBUG off), stopped at the end (by its own pid)."""

    def __init__(self, port: int):
        self.port = port

    def __enter__(self) -> int:
        env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "GUNICORN_ACCESS_LOG": ""}
        env.setdefault("GUNICORN_MAX_REQUESTS", "0")
        command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.conf.py"]
        self.process = subprocess.Popen([*command, "config.wsgi"], env=env, cwd=ROOT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self.process.pid
            except OSError:
                time.sleep(0.2)
        self.process.kill()
        raise SystemExit(f"gunicorn did not listen on port {self.port}")

    def __exit__(self, *exc) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=500, help="pushed, then updated")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/gongkai_bench")
    parser.add_argument("--rebuild", action="store_true", help="build the cases afresh")
    parser.add_argument("--port", type=int, default=8190, help="gunicorn's port")
    parser.add_argument("--concurrency", type=int, default=4, help="keep-alive connections")
    parser.add_argument("--batch", type=int, default=100, help="documents per batch call")
    parser.add_argument("--skip-list", action="store_true", help="documents only")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        backend = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
        run_one(
            backend,
            args.cases,
            args.documents,
            args.rounds,
            args.rebuild,
            port=args.port,
            concurrency=args.concurrency,
            batch=args.batch,
            skip_list=args.skip_list,
        )
        return

    run_children(
        script=__file__,
        backend=args.backend,
        folder="bench",
        pg_url=args.pg_url,
        child_args=["--cases", str(args.cases), "--documents", str(args.documents)]
        + ["--rounds", str(args.rounds), "--port", str(args.port)]
        + ["--concurrency", str(args.concurrency), "--batch", str(args.batch)]
        + (["--skip-list"] if args.skip_list else [])
        + (["--rebuild"] if args.rebuild else []),
        label=False,
        keep=True,
    )


if __name__ == "__main__":
    main()
