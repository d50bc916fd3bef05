"""Case list, inbox, case page and a step's POST at 100,000 cases, on SQLite and PostgreSQL.

Builds the cases in bulk (each with its process and open task, as the real flow leaves them),
then measures server time through Django's test client (the whole stack: middleware, views,
templates) and counts queries. Prints one figure a line as ``name: value unit``.

    .venv/bin/python benchmarks/requests_bench.py                 # both backends
    .venv/bin/python benchmarks/requests_bench.py --backend sqlite --cases 20000
    .venv/bin/python benchmarks/requests_bench.py --explain      # and the list's query plans

PostgreSQL is used when a server answers on 127.0.0.1:5432 (``--pg-url`` to change); it gets a
database of its own (``gongkai_bench``), created afresh.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
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


def run_one(backend: str, cases: int, rounds: int, explain: bool = False) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from viewflow.workflow.models import Process, Task
    from viewflow.workflow.status import PROCESS, STATUS
    from viewflow.workflow.token import Token

    from requests_app import services
    from requests_app.flows import RequestFlow
    from requests_app.models import CaseCounter, ClockEntry, InformationRequest
    from requests_app.services import format_case_number
    from workflow.calendar import get_calendar
    from workflow.models import Agency

    settings.ALLOWED_HOSTS = ["*"]
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    agency = Agency.objects.create(
        name="基准测试机关",
        code="bench",
        case_number_prefix="基信申",
        reconsideration_organ="某市人民政府",
        court="某市人民法院",
    )
    other = Agency.objects.create(name="其他机关", code="bench-other")
    users = {}
    for role in ("registrar", "handler", "office_head"):
        user = User.objects.create_user(role, password="x", first_name=role)
        user.groups.add(Group.objects.get(name=role))
        agency.staff.add(user)
        users[role] = user

    # -- bulk data -------------------------------------------------------------------------
    rng = random.Random(7)
    calendar = get_calendar(agency.pk)
    today = django.utils.timezone.localdate()  # the site's day, as services read it
    stages = ["accept", "propose", "consult", "approve", "serve", "closed"]
    node_of = {
        "accept": RequestFlow.accept,
        "propose": RequestFlow.propose,
        "consult": RequestFlow.consult,
        "approve": RequestFlow.approve,
        "serve": RequestFlow.serve,
    }
    role_of = {
        "accept": "handler",
        "propose": "handler",
        "consult": "handler",
        "approve": "office_head",
        "serve": "registrar",
    }
    case_type = ContentType.objects.get_for_model(InformationRequest)
    names = ["张明华", "李秀英", "王建国", "赵丽", "陈志强", "刘芳", "杨洋", "黄磊", "周婷", "吴刚"]
    places = ["城关镇", "东城街道", "西河乡", "开发区", "老城区", "南湖村", "北山镇", "新华路"]
    places += ["高铁站片区", "工业园", "滨河社区", "兴隆村"]
    subjects = ["某项目资金拨付明细", "征地补偿安置方案", "老旧小区改造计划", "道路拓宽工程批复"]
    subjects += ["环境影响评价报告", "学校布局调整方案", "低保发放名单", "拆迁评估报告"]
    subjects += ["供水管网改造预算", "农村公路养护合同"]
    batch = 5000
    created = 0
    sequence = 0
    while created < cases:
        size = min(batch, cases - created)
        rows = []
        for _ in range(size):
            sequence += 1
            owner_agency = agency if sequence % 10 else other
            receipt = today - timedelta(days=rng.randint(0, 400))
            due = calendar.add_working_days(receipt, 20)
            stage = rng.choice(stages)
            left = calendar.working_days_between(today, due) if due >= today else -1
            rows.append(
                InformationRequest(
                    agency=owner_agency,
                    year=receipt.year,
                    sequence=sequence,
                    case_number=format_case_number(owner_agency, receipt.year, sequence),
                    channel=rng.choice(["in_person", "online", "registered_post"]),
                    arrival_date=receipt,
                    receipt_date=receipt,
                    applicant_kind="person",
                    applicant_name=rng.choice(names) + str(sequence % 997),
                    id_type="resident_id",
                    id_number="",
                    phone="13800000000",
                    description=(
                        f"第{sequence}号申请所需的政府信息：{rng.choice(places)}"
                        f"{rng.choice(subjects)}"
                    ),
                    form_wanted="electronic",
                    delivery="email",
                    stage=stage,
                    handler=users["handler"] if stage != "accept" else None,
                    due_date=due,
                    days_left=left,
                    overdue=due < today and stage != "closed",
                    at_risk=0 <= left <= 5,
                    clock_explanation=[f"{receipt}收到申请。"],
                    clock_computed_on=today,
                    created_by=users["registrar"],
                    created_at=django.utils.timezone.now(),
                )
            )
        InformationRequest.objects.bulk_create(rows, batch_size=1000)
        saved = list(
            InformationRequest.objects.order_by("-pk").values_list("pk", "receipt_date", "stage")[
                :size
            ]
        )
        ClockEntry.objects.bulk_create(
            [
                ClockEntry(
                    request_id=pk,
                    kind="start",
                    on=receipt,
                    created_at=django.utils.timezone.now(),
                )
                for pk, receipt, _ in saved
            ],
            batch_size=1000,
        )
        processes = Process.objects.bulk_create(
            [
                Process(
                    flow_class=RequestFlow,
                    status=PROCESS.DONE if stage == "closed" else PROCESS.NEW,
                    artifact_content_type=case_type,
                    artifact_object_id=pk,
                )
                for pk, _, stage in saved
            ],
            batch_size=1000,
        )
        tasks = []
        for process, (_, _, stage) in zip(processes, saved, strict=True):
            if stage == "closed":
                continue
            assigned = rng.random() < 0.5
            tasks.append(
                Task(
                    process=process,
                    flow_task=node_of[stage],
                    flow_task_type="HUMAN",
                    status=STATUS.ASSIGNED if assigned else STATUS.NEW,
                    owner=users[role_of[stage]] if assigned else None,
                    owner_permission=f"role:{role_of[stage]}",
                    token=Token("start"),
                )
            )
        Task.objects.bulk_create(tasks, batch_size=1000)
        created += size
        print(f"  [{backend}] {created}/{cases} 件已生成", file=sys.stderr)
    build = time.perf_counter() - started
    # The steady state autovacuum keeps in production: statistics, and a visibility map so
    # that counts can be answered from the index (PostgreSQL).
    with connection.cursor() as cursor:
        # VACUUM also moves new entries out of the GIN indexes' pending lists.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    # Bulk sequences are global: the service's counter continues after them.
    CaseCounter.objects.update_or_create(
        agency=agency, year=today.year, defaults={"last": sequence}
    )
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
    for _ in range(rounds):
        step_cases.append(
            services.request_register(actor=users["registrar"], agency=agency, data=walk_in)
        )

    # -- measurements -----------------------------------------------------------------------
    def measure(name: str, user, url: str, method: str = "get", data=None, each=None) -> None:
        client = Client()
        client.force_login(user)
        client.get(url) if method == "get" else None  # warm
        timings, queries = [], []
        for index in range(rounds):
            target = each(index) if each else url
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(target) if method == "get" else client.post(target, data)
                timings.append((time.perf_counter() - start) * 1000)
            expected = (200,) if method == "get" else (302,)
            assert response.status_code in expected, (name, response.status_code)
            queries.append(len(captured))
        print(f"{name}_p50_{backend}: {statistics.median(timings):.1f} ms")
        print(f"{name}_p95_{backend}: {_percentile(timings, 0.95):.1f} ms")
        print(f"{name}_queries_{backend}: {max(queries)}")

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
    some_case = InformationRequest.objects.filter(agency=agency).order_by("pk")[500]
    measure("case_page", handler, f"/requests/cases/{some_case.pk}/")

    # One step: the handler asks for an extension on a case (one service, one audit row).
    def action_url(index: int) -> str:
        return f"/requests/cases/{step_cases[index].pk}/actions/extension_ask/"

    measure(
        "step_post",
        handler,
        "",
        method="post",
        data={"days": "10", "reason": "基准测试"},
        each=action_url,
    )
    if explain:
        explain_case_list(handler, ["", "张明华1", "刘芳", "政府信息", "无此"])
    print(f"cases_{backend}: {cases}")
    print(f"build_{backend}: {build:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/gongkai_bench")
    parser.add_argument(
        "--explain", action="store_true", help="print the case list's query plans to stderr"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        backend = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
        run_one(backend, args.cases, args.rounds, args.explain)
        return

    run_children(
        script=__file__,
        backend=args.backend,
        folder="bench",
        pg_url=args.pg_url,
        child_args=["--cases", str(args.cases), "--rounds", str(args.rounds)]
        + (["--explain"] if args.explain else []),
        label=False,
    )


if __name__ == "__main__":
    main()
