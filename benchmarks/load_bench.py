"""Officers at work on gunicorn and PostgreSQL: throughput, 95th percentile and errors under load.

Simulated officers, each a user of an agency of their own (the load spreads over the agencies as
in reality), log in through the login form and then read their inbox, the case list and case
pages, take and give back tasks, and download letters, with a short think time between clicks.
The site runs under gunicorn with production settings (``DEBUG`` off), first with one worker,
then with two; each run warms up, then measures for a fixed time. Prints one figure a line::

    load_rps[workers=1]: 41.2
    load_p95_ms[workers=1]: 180
    load_errors[workers=1]: 0
    ...
    load_rps: 48.9            # the last configuration (the most workers)

    .venv/bin/python benchmarks/load_bench.py                      # 50 officers, 1 and 2 workers
    .venv/bin/python benchmarks/load_bench.py --duration 30 --workers 2 --officers 20
    .venv/bin/python benchmarks/load_bench.py --rebuild            # the data afresh

The data (100,000 cases over 1,000 agencies, each case with its process and open task as the
flow leaves them; a few cases per officer registered through the real service, so that their
receipt letters exist) lives in a PostgreSQL database of its own (``gongkai_bench_load``) and is
kept between runs: a marker table holds the plan it was built from.

Errors are answers other than 2xx/3xx, and exceptions (refused connections, time-outs); a 409
on a step (someone else acted first) is counted apart, as ``load_conflicts``. A step that finds
its task taken or the case busy is no error either: the site answers it with a redirect back and
a message (``load_steps_refused``). Static files are not fetched: browsers keep them.

The run is measured from outside, on a machine that may be running other work; the CPU time
gunicorn and the database's backends spend per answer (read from ``/proc``) does not depend on
that, and gives the most the cores could answer were they idle.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# -- what an officer does ------------------------------------------------------------------------

#: How often each click is chosen (relative weights): the task list and the case pages are
#: what an officer lives in; a step (taking a task from 待领取, or giving one back) and a letter
#: download now and then.
MIX = {
    "inbox": 22,  # 待办
    "queue": 6,  # 待领取
    "case_list": 20,  # 申请台账 (first page, another page, a filter or a search)
    "case_page": 30,  # one case of the officer's agency
    "step_post": 10,  # take a task (领取) or give one back (退回)
    "letter": 12,  # a receipt letter, PDF or Word
}
#: Seconds between two clicks of one officer, drawn uniformly (5 s on average): shorter than a
#: person takes to read a case and type, so that 50 simulated officers press the site as a few
#: hundred real ones would. ``--think 0,0`` asks for the most the site can answer.
THINK_TIME = (2.0, 8.0)
#: The case list's variants and their weights.
CASE_LIST_VARIANTS = [
    ("", 55),
    ("?page={page}", 15),
    ("?stage=propose", 10),
    ("?flags=overdue", 5),
    ("?q={name}", 15),
]
NAMES = ["张明华", "李秀英", "王建国", "赵丽", "陈志强", "刘芳", "杨洋", "黄磊", "周婷", "吴刚"]


# -- the data (child process, Django) ------------------------------------------------------------


def _progress(message: str) -> None:
    print(f"  [data] {message}", file=sys.stderr, flush=True)


def _register_letters(codes: list[str], officers: dict, per_agency: int) -> None:
    """``per_agency`` cases registered through the real service in each agency of ``codes``
    (those the simulated officers work for), by its registrar: each has its receipt letter
    (受理回执), PDF and Word, to download. Only the missing ones are made."""
    import django.utils.timezone
    from django.contrib.auth.models import User

    from requests_app import services
    from requests_app.models import CaseDocument, InformationRequest
    from workflow.letters.issuing import write_files
    from workflow.letters.models import IssuedLetter
    from workflow.models import Agency

    today = django.utils.timezone.localdate()
    made = 0
    for n, code in enumerate(codes):
        agency = Agency.objects.get(code=code)
        have = CaseDocument.objects.filter(request__agency=agency, letter_kind="receipt").count()
        registrar = User.objects.get(username=officers[code]["registrar"])
        for _ in range(per_agency - have):
            services.request_register(
                actor=registrar,
                agency=agency,
                data=services.Registration(
                    channel="in_person",
                    arrival_date=today,
                    receipt_date=today,
                    applicant_kind="person",
                    applicant_name=f"负载申请人{n}",
                    id_type="passport",
                    id_number=f"E{n:08d}",
                    phone="13800000000",
                    description="负载测试所需的政府信息",
                    form_wanted="electronic",
                    delivery="email",
                ),
                # The same applicant again, on purpose: not a duplicate to be confirmed.
                known_duplicates=list(
                    InformationRequest.objects.filter(agency=agency).values_list("pk", flat=True)
                ),
            )
            made += 1
    # Written after each commit already; any whose writing failed, now.
    for issued in IssuedLetter.objects.filter(structure__isnull=False):
        write_files(issued)
    if made:
        _progress(f"{made} cases registered through the service, with their receipt letters")


def _targets(codes: list[str], officers: dict) -> list[dict]:
    """What each simulated officer (the agency's 承办人) clicks on: the cases of their agency,
    its letters, and the tasks they may take or give back."""
    from django.contrib.auth.models import User
    from django.urls import reverse
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from requests_app.models import CaseDocument, InformationRequest
    from workflow.models import Agency

    plan = []
    for code in codes:
        agency = Agency.objects.get(code=code)
        handler = User.objects.get(username=officers[code]["handler"])
        cases = list(InformationRequest.objects.filter(agency=agency).values_list("pk", flat=True))
        letters = [
            reverse("requests:cases:document", args=[d.request_id, d.pk, fmt])
            for d in CaseDocument.objects.filter(request__agency=agency, letter_kind="receipt")
            for fmt in ("pdf", "docx")
        ]
        open_tasks = Task.objects.filter(
            process__request__agency=agency,
            flow_task_type="HUMAN",
            owner_permission="role:handler",
            status__in=[STATUS.NEW, STATUS.ASSIGNED],
        )
        tasks = [
            {
                "url": f"/requests/tasks/{task.process_id}/{task.flow_task.name}/{task.pk}/",
                "taken": task.owner_id == handler.pk,
            }
            for task in open_tasks
            if task.owner_id in (None, handler.pk)
        ]
        plan.append(
            {"username": handler.username, "cases": cases, "letters": letters, "tasks": tasks}
        )
    return plan


def setup_child(args) -> None:
    """The data (kept, or built), the officers' letters, and their targets as JSON."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import connection

    from benchmarks.request_data import ensure_data

    data = ensure_data(agencies=args.agencies, cases=args.cases, rebuild=args.rebuild)
    codes = data.agencies[: args.officers]
    _register_letters(codes, data.officers, per_agency=3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    targets = {"password": data.password, "officers": _targets(codes, data.officers)}
    Path(args.targets).write_text(json.dumps(targets), encoding="utf-8")


# -- the officers (parent process, plain HTTP) ---------------------------------------------------


class Broken(Exception):
    """An answer that the officer's browser could not have gone on from."""


@dataclass
class Result:
    kind: str
    ms: float
    status: int  # 0: an exception
    at: float


@dataclass
class Officer:
    host: str
    port: int
    target: dict
    password: str
    rng: random.Random
    cookies: dict = field(default_factory=dict)
    location: str = ""  # of the last redirect
    refused: int = 0  # steps answered with a message instead of being done

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        # gunicorn's sync workers close the connection after each answer: one per request.
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = {"Host": f"{self.host}:{self.port}", "User-Agent": "gongkai-load-bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            body = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **body}
            data = urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # What a browser sends on a same-origin form post (CSRF's origin check).
            headers["Origin"] = f"http://{self.host}:{self.port}"
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            content = response.read()
            self.location = response.getheader("Location", "")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, content
        finally:
            connection.close()

    def login(self) -> None:
        status, page = self.request("GET", "/accounts/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not match:
            raise Broken(f"login page: {status}")
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": match.group(1).decode(),
                "username": self.target["username"],
                "password": self.password,
            },
        )
        if status != 302:
            raise Broken(f"login: {status}")

    def click(self) -> tuple[str, int]:
        """One click of the mix: its kind and the answer's status."""
        kinds, weights = zip(*MIX.items(), strict=True)
        kind = self.rng.choices(kinds, weights)[0]
        target = self.target
        if kind == "inbox":
            return kind, self.request("GET", "/requests/tasks/inbox/")[0]
        if kind == "queue":
            return kind, self.request("GET", "/requests/tasks/queue/")[0]
        if kind == "case_list":
            variants, variant_weights = zip(*CASE_LIST_VARIANTS, strict=True)
            query = self.rng.choices(variants, variant_weights)[0].format(
                page=self.rng.randint(2, 5), name=quote(self.rng.choice(NAMES))
            )
            return kind, self.request("GET", "/requests/cases/" + query)[0]
        if kind == "case_page":
            pk = self.rng.choice(target["cases"])
            return kind, self.request("GET", f"/requests/cases/{pk}/")[0]
        if kind == "letter":
            return kind, self.request("GET", self.rng.choice(target["letters"]))[0]
        # A step: take a task from 待领取, or give one of one's own back (half the time each,
        # so the lists keep their size).
        taken = [t for t in target["tasks"] if t["taken"]]
        free = [t for t in target["tasks"] if not t["taken"]]
        give_back = bool(taken) and (not free or self.rng.random() < 0.5)
        task = self.rng.choice(taken if give_back else free)
        path = task["url"] + ("unassign/" if give_back else "assign/")
        status, _ = self.request("POST", path, {})
        # Done: on to the task (taken) or its process (given back). Refused, with a message:
        # back to the same address (the case busy), or to the case page (the task taken by
        # someone else, done or no longer needed).
        refused = self.location.endswith("assign/") or self.location.startswith("/requests/cases/")
        if status == 302 and not refused:
            task["taken"] = not give_back
        elif status == 302:
            self.refused += 1
        return kind, status


def run_officer(
    officer: Officer, think: tuple[float, float], stop: threading.Event, results: list, lock
) -> None:
    """Click, think, click … until ``stop``."""
    while not stop.is_set():
        stop.wait(officer.rng.uniform(*think))
        if stop.is_set():
            break
        start = time.perf_counter()
        try:
            kind, status = officer.click()
        except Exception as error:
            kind, status = "exception", 0
            print(f"# {officer.target['username']}: {error!r}", file=sys.stderr)
        end = time.perf_counter()
        with lock:
            results.append(Result(kind, (end - start) * 1000, status, end))


def log_in(officers: list[Officer]) -> tuple[list[Officer], int, float]:
    """Log every officer in through the form, a few at a time (the password hash is the
    slowest thing the site does, and the morning's logins are spread over minutes, not part of
    the working load measured): those logged in, the failures, the seconds it took."""
    started = time.perf_counter()

    def one(officer: Officer) -> Officer | None:
        try:
            officer.login()
            return officer
        except Exception as error:
            print(f"# {officer.target['username']}: {error!r}", file=sys.stderr)
            return None

    with ThreadPoolExecutor(max_workers=4) as pool:
        done = list(pool.map(one, officers))
    logged_in = [officer for officer in done if officer is not None]
    return logged_in, len(officers) - len(logged_in), time.perf_counter() - started


def _cpu_per_answer(begin: dict[int, float], end: dict[int, float], answers: int) -> float:
    used = sum(end[pid] - begin.get(pid, 0.0) for pid in end)
    return used * 1000 / max(1, answers)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def drive(
    port: int,
    targets: dict,
    warmup: float,
    duration: float,
    think: tuple[float, float],
    cpu=lambda: ({}, {}),
) -> dict:
    """The officers log in, then work all at once: warm up, then measure for ``duration``
    seconds."""
    officers, login_errors, login_seconds = log_in(
        [
            Officer("127.0.0.1", port, target, targets["password"], random.Random(n))
            for n, target in enumerate(targets["officers"])
        ]
    )
    stop = threading.Event()
    results: list[Result] = []
    lock = threading.Lock()
    threads = [
        threading.Thread(
            target=run_officer, args=(officer, think, stop, results, lock), daemon=True
        )
        for officer in officers
    ]
    for thread in threads:
        thread.start()
    time.sleep(warmup)
    begin, cpu_begin = time.perf_counter(), cpu()
    time.sleep(duration)
    end, cpu_end = time.perf_counter(), cpu()
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    refused = sum(officer.refused for officer in officers)
    measured = [r for r in results if begin <= r.at <= end]
    conflicts = [r for r in measured if r.kind == "step_post" and r.status == 409]
    errors = [
        r
        for r in measured
        if (r.status == 0 or r.status >= 400) and not (r.kind == "step_post" and r.status == 409)
    ]
    by_kind = {}
    for kind in [*MIX, "exception"]:
        times = [r.ms for r in measured if r.kind == kind]
        if times:
            statuses = Counter(r.status for r in measured if r.kind == kind)
            by_kind[kind] = (
                len(times),
                _percentile(times, 0.5),
                _percentile(times, 0.95),
                " ".join(f"{code}×{n}" for code, n in sorted(statuses.items())),
            )
    return {
        "rps": len(measured) / (end - begin),
        # CPU time per answer, of gunicorn and of the database's backends (those that served
        # the whole measurement): what the load costs, whatever else the machine runs.
        "cpu_ms": _cpu_per_answer(cpu_begin[0], cpu_end[0], len(measured)),
        "db_cpu_ms": _cpu_per_answer(cpu_begin[1], cpu_end[1], len(measured)),
        "p50": _percentile([r.ms for r in measured], 0.5),
        "p95": _percentile([r.ms for r in measured], 0.95),
        "errors": len(errors) + login_errors,  # an officer who could not log in is one
        "login_errors": login_errors,
        "login_seconds": login_seconds,
        "conflicts": len(conflicts),
        "refused": refused,
        "by_kind": by_kind,
        "statuses": sorted({(r.kind, r.status) for r in errors}),
    }


# -- the server ----------------------------------------------------------------------------------


def _wait_for(port: int, server: subprocess.Popen, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {server.returncode})")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/accounts/login/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer on port {port} within {limit:.0f} s")


def start_gunicorn(workers: int, threads: int | None, port: int, env: dict) -> subprocess.Popen:
    """gunicorn as deployed (``config/gunicorn.conf.py`` when there is one), with ``workers``
    processes (and ``threads`` threads each, if given), on ``port``, without an access log."""
    command = [sys.executable, "-m", "gunicorn"]
    conf = ROOT / "config" / "gunicorn.conf.py"
    if conf.exists():
        command += ["--config", str(conf)]
    if threads:
        command += ["--threads", str(threads)]
    command += [
        "config.wsgi",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--access-logfile",
        "-" if os.environ.get("LOAD_BENCH_ACCESS_LOG") else "/dev/null",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _cpu_seconds(pids: list[int]) -> dict[int, float]:
    """CPU time (user + system) used so far by each of ``pids`` that still runs (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return used


def server_pids(server: subprocess.Popen) -> list[int]:
    """gunicorn's master and workers."""
    listed = subprocess.run(
        ["pgrep", "-P", str(server.pid)], capture_output=True, text=True, check=False
    )
    return [server.pid, *(int(pid) for pid in listed.stdout.split())]


def database_pids(pg_url: str) -> list[int]:
    """The PostgreSQL backends serving the benchmark's database (the workers keep theirs open:
    ``CONN_MAX_AGE``), when the server runs on this machine."""
    db = pg_url.rsplit("/", 1)[1]
    admin = pg_url.rsplit("/", 1)[0] + "/postgres"
    listed = subprocess.run(
        ["psql", admin, "-tAc", f"SELECT pid FROM pg_stat_activity WHERE datname = '{db}'"],
        capture_output=True,
        text=True,
        check=False,
    )
    return [int(pid) for pid in listed.stdout.split()]


def _machine_load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=50)
    parser.add_argument("--workers", default="1,2", help="gunicorn workers, one run each")
    parser.add_argument(
        "--threads", type=int, help="threads per worker (default: the gunicorn configuration's)"
    )
    parser.add_argument("--duration", type=float, default=60, help="seconds measured per run")
    parser.add_argument("--warmup", type=float, default=15, help="seconds before measuring")
    parser.add_argument(
        "--think",
        default=",".join(str(t) for t in THINK_TIME),
        help="think time between clicks, MIN,MAX seconds (0,0: as fast as the site answers)",
    )
    parser.add_argument("--agencies", type=int, default=1000)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=8500)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/gongkai_bench_load")
    parser.add_argument("--rebuild", action="store_true", help="build the data afresh")
    parser.add_argument("--setup-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--targets", help=argparse.SUPPRESS)
    args = parser.parse_args()
    # Stopped (SIGTERM): stop the server too, through the ``finally`` below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.setup_child:
        setup_child(args)
        return
    try:
        low, high = (float(t) for t in args.think.split(","))
    except ValueError:
        parser.error("--think: MIN,MAX seconds, e.g. 0.5,1.5")
    if not 0 <= low <= high:
        parser.error("--think: 0 ≤ MIN ≤ MAX")
    think = (low, high)
    if args.officers > args.agencies:
        parser.error("--officers: at most one officer per agency")

    from benchmarks.harness import postgres_reachable

    if not postgres_reachable():
        raise SystemExit("PostgreSQL does not answer on 127.0.0.1:5432: nothing measured")
    bench_dir = ROOT / "var" / "bench_load"
    bench_dir.mkdir(parents=True, exist_ok=True)
    from benchmarks.request_data import ensure_database

    ensure_database(args.pg_url)

    # Production settings over plain HTTP (the TLS in front of gunicorn is not measured).
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "load-bench",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "GONGKAI_VAR_DIR": str(bench_dir),
        "DATABASE_URL": args.pg_url,
        "LOG_LEVEL": "WARNING",
    }
    targets_file = bench_dir / "targets.json"
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            __file__,
            "--setup-child",
            "--agencies",
            str(args.agencies),
            "--cases",
            str(args.cases),
            "--officers",
            str(args.officers),
            "--targets",
            str(targets_file),
            *(["--rebuild"] if args.rebuild else []),
        ],
        env={**env, "GONGKAI_JOBS": "inline"},
        check=True,
        cwd=ROOT,
    )
    print(f"# data ready in {time.perf_counter() - started:.0f} s", flush=True)
    targets = json.loads(targets_file.read_text(encoding="utf-8"))

    workers_list = [int(w) for w in args.workers.split(",")]
    last = None
    for workers in workers_list:
        if not _port_free(args.port):
            raise SystemExit(f"port {args.port} is taken")
        server = start_gunicorn(workers, args.threads, args.port, env)
        try:
            _wait_for(args.port, server)
            load_before = _machine_load()
            figures = drive(
                args.port,
                targets,
                args.warmup,
                args.duration,
                think,
                cpu=lambda server=server: (
                    _cpu_seconds(server_pids(server)),
                    _cpu_seconds(database_pids(args.pg_url)),
                ),
            )
        finally:
            stop_gunicorn(server)
        label = f"[workers={workers}]"
        print(
            f"# gunicorn {workers} worker(s)"
            f"{f' × {args.threads} threads' if args.threads else ''}; "
            f"{args.officers} officers thinking {think[0]:g}–{think[1]:g} s, "
            f"{args.duration:.0f} s measured after a "
            f"{args.warmup:.0f} s warm-up; machine load before: {load_before}, after: "
            f"{_machine_load()}"
        )
        print(
            f"#   {len(targets['officers']) - figures['login_errors']} officers logged in"
            f" in {figures['login_seconds']:.0f} s (before the warm-up)"
        )
        for kind, (count, p50, p95, statuses) in figures["by_kind"].items():
            print(
                f"#   {kind:10s} {count:6d} requests  p50 {p50:6.0f} ms  p95 {p95:6.0f} ms"
                f"  ({statuses})"
            )
        if figures["statuses"]:
            print(f"#   errors by kind and status: {figures['statuses']}")
        print(f"load_rps{label}: {figures['rps']:.1f}")
        print(f"load_p50_ms{label}: {figures['p50']:.0f}")
        print(f"load_p95_ms{label}: {figures['p95']:.0f}")
        print(f"load_errors{label}: {figures['errors']}")
        print(f"load_server_cpu_ms_per_request{label}: {figures['cpu_ms']:.0f}")
        print(f"load_db_cpu_ms_per_request{label}: {figures['db_cpu_ms']:.0f}")
        cost = figures["cpu_ms"] + figures["db_cpu_ms"]
        if cost:
            # What the cores could answer if nothing else ran: the CPU time is measured, the
            # waiting of the busy machine is not in it.
            print(
                f"#   CPU-bound ceiling on {os.cpu_count()} idle cores: "
                f"{os.cpu_count() * 1000 / cost:.0f} answers/s"
            )
        print(f"load_conflicts{label}: {figures['conflicts']}")
        print(f"load_steps_refused{label}: {figures['refused']}", flush=True)
        last = figures
    if last is not None:
        print(f"load_rps: {last['rps']:.1f}")
        print(f"load_p95_ms: {last['p95']:.0f}")
        print(f"load_errors: {last['errors']}")


if __name__ == "__main__":
    main()
