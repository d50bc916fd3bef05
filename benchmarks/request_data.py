"""The request benchmarks' data: cases spread over agencies, each agency with its officers, each
open case with its process and open human task, as the real flow leaves them.

Written straight into the tables (PostgreSQL ``COPY``, SQLite ``executemany``; the writer of
``benchmarks/report_data.py``), never through the services one case at a time. Built once and
kept: ``bench_request_marker`` holds the plan the data was made from (and what was built), and a
call with the same plan reuses it; ``rebuild=True`` (or another plan) makes it afresh.

    from benchmarks.request_data import ensure_data
    data = ensure_data(agencies=1000, cases=100_000)   # in a process where Django is set up
    data.officers["bench-7"]["handler"], data.password, data.case_ids["bench-7"]

Every agency has three officers: ``registrar``, ``handler`` and ``office_head`` (usernames
``<code>_<role>``, one password for all). The cases are shared out evenly, in the order of
receipt; about one in six is archived (its process done, no task), the others wait at one
stage, their task in the officer's inbox (half of them) or in the role's queue.
"""

from __future__ import annotations

import json
import random
import sys
import time
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

#: Bump when the data's shape or meaning changes: kept data of another version is rebuilt.
DATA_VERSION = 1
MARKER_TABLE = "bench_request_marker"
PASSWORD = "bench-password"
ROLES = ("registrar", "handler", "office_head")
#: Open case ids kept per agency in the result (for benchmarks that act on cases).
CASE_IDS_PER_AGENCY = 10

STAGES = ["accept", "propose", "consult", "approve", "serve", "closed"]
ROLE_OF = {
    "accept": "handler",
    "propose": "handler",
    "consult": "handler",
    "approve": "office_head",
    "serve": "registrar",
}
NAMES = ["张明华", "李秀英", "王建国", "赵丽", "陈志强", "刘芳", "杨洋", "黄磊", "周婷", "吴刚"]
PLACES = ["城关镇", "东城街道", "西河乡", "开发区", "老城区", "南湖村", "北山镇", "新华路"]
PLACES += ["高铁站片区", "工业园", "滨河社区", "兴隆村"]
SUBJECTS = ["某项目资金拨付明细", "征地补偿安置方案", "老旧小区改造计划", "道路拓宽工程批复"]
SUBJECTS += ["环境影响评价报告", "学校布局调整方案", "低保发放名单", "拆迁评估报告"]
SUBJECTS += ["供水管网改造预算", "农村公路养护合同"]


@dataclass(frozen=True)
class Plan:
    cases: int
    agencies: int
    version: int = DATA_VERSION

    def key(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


@dataclass
class RequestData:
    """What the data holds, for the benchmarks that use it."""

    agencies: list[str]  # agency codes, the first is the one measured
    officers: dict[str, dict[str, str]]  # code -> role -> username
    password: str
    case_ids: dict[str, list[int]] = field(default_factory=dict)  # code -> a few open cases
    cases: int = 0
    built: bool = False  # made by this call (False: kept data reused)
    seconds: float = 0.0  # how long making or finding it took


def agency_code(n: int) -> str:
    return "bench" if n == 0 else f"bench-{n}"


def username(code: str, role: str) -> str:
    return f"{code}_{role}"


def _progress(message: str) -> None:
    print(f"  [build] {message}", file=sys.stderr, flush=True)


# -- kept or not -------------------------------------------------------------------------------


def _kept(connection) -> tuple[str, dict] | None:
    if MARKER_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT plan, summary FROM {MARKER_TABLE}")
        row = cursor.fetchone()
    return (row[0], json.loads(row[1])) if row else None


def _mark(connection, plan: Plan, summary: dict) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {MARKER_TABLE} (plan text NOT NULL, summary text NOT NULL)")
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} (plan, summary) VALUES (%s, %s)",
            [plan.key(), json.dumps(summary)],
        )


def _wipe(connection) -> None:
    """Empty the database (a kept build of another plan, or a half-built one)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        return
    name = connection.settings_dict["NAME"]
    connection.close()
    if name and name != ":memory:" and "mode=memory" not in str(name):
        for leftover in Path(name).parent.glob(Path(name).name + "*"):
            leftover.unlink()


def ensure_database(pg_url: str) -> None:
    """Create the PostgreSQL database of ``pg_url`` if it is missing (never drops it)."""
    import subprocess

    db = pg_url.rsplit("/", 1)[1]
    admin = pg_url.rsplit("/", 1)[0] + "/postgres"
    found = subprocess.run(
        ["psql", admin, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{db}'"],
        check=True,
        capture_output=True,
        text=True,
    )
    if found.stdout.strip() != "1":
        subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{db}"'], check=True)


def ensure_data(
    using: str = "default",
    *,
    agencies: int = 1,
    cases: int = 100_000,
    rebuild: bool = False,
    progress=_progress,
) -> RequestData:
    """The data of ``cases`` cases over ``agencies`` agencies in database ``using`` (migrated
    here), reused when kept from the same plan, else built afresh (the database emptied first).
    Django must be set up; on PostgreSQL the database must exist (``ensure_database``)."""
    from django.core.management import call_command
    from django.db import connections
    from django.db.utils import DatabaseError

    started = time.perf_counter()
    plan = Plan(cases=cases, agencies=agencies)
    connection = connections[using]
    try:
        kept = _kept(connection)
    except DatabaseError:
        kept = None
    if not rebuild and kept and kept[0] == plan.key():
        call_command("migrate", database=using, verbosity=0)
        data = RequestData(**kept[1])
        data.seconds = time.perf_counter() - started
        progress(f"reused kept data: {cases} cases over {agencies} agencies")
        return data
    if kept is not None or connection.introspection.table_names():
        progress("emptying the database (kept data missing, of another plan, or --rebuild)")
        _wipe(connection)
    call_command("migrate", database=using, verbosity=0)
    summary = _build(connection, plan, progress)
    _mark(connection, plan, summary)
    with connection.cursor() as cursor:
        # The steady state autovacuum keeps in production: statistics, and a visibility map so
        # that counts can be answered from the index (PostgreSQL). VACUUM also moves new
        # entries out of the GIN indexes' pending lists.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    data = RequestData(**summary)
    data.built = True
    data.seconds = time.perf_counter() - started
    progress(f"built {cases} cases over {agencies} agencies in {data.seconds:.0f} s")
    return data


# -- the build ---------------------------------------------------------------------------------


def _build(connection, plan: Plan, progress) -> dict:
    import django.utils.timezone
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.color import no_style
    from django.db import transaction
    from viewflow.workflow.models import Process, Task
    from viewflow.workflow.status import PROCESS, STATUS

    from benchmarks.report_data import Writer, _drop_constraints, _drop_indexes, _grams
    from requests_app.flows import RequestFlow
    from requests_app.models import CaseCounter, ClockEntry, InformationRequest
    from requests_app.services import format_case_number
    from workflow.calendar import get_calendar
    from workflow.models import Agency

    started = time.perf_counter()
    using = connection.alias
    rng = random.Random(7)
    now = django.utils.timezone.now()
    today = django.utils.timezone.localdate()  # the site's day, as services read it

    # -- agencies and their officers ------------------------------------------------------------
    made = Agency.objects.using(using).bulk_create(
        [
            Agency(
                name="基准测试机关" if n == 0 else f"基准测试第{n}机关",
                code=agency_code(n),
                case_number_prefix="基信申" if n == 0 else f"基{n}信申",
                reconsideration_organ="某市人民政府",
                court="某市人民法院",
            )
            for n in range(plan.agencies)
        ],
        batch_size=1000,
    )
    password = make_password(PASSWORD)  # hashed once: every officer has the same
    codes = [a.code for a in made]
    User.objects.using(using).bulk_create(
        [
            User(username=username(code, role), first_name=role, password=password)
            for code in codes
            for role in ROLES
        ],
        batch_size=2000,
    )
    user_ids = dict(
        User.objects.using(using).filter(username__startswith="bench").values_list("username", "pk")
    )
    groups = dict(Group.objects.using(using).filter(name__in=ROLES).values_list("name", "pk"))
    memberships, staff = [], []
    for agency in made:
        for role in ROLES:
            user_id = user_ids[username(agency.code, role)]
            memberships.append(User.groups.through(user_id=user_id, group_id=groups[role]))
            staff.append(Agency.staff.through(agency_id=agency.pk, user_id=user_id))
    User.groups.through.objects.using(using).bulk_create(memberships, batch_size=5000)
    Agency.staff.through.objects.using(using).bulk_create(staff, batch_size=5000)
    officers = {code: {role: username(code, role) for role in ROLES} for code in codes}
    progress(f"{len(made)} agencies, {len(user_ids)} officers")

    # -- the cases, in the order of receipt ---------------------------------------------------
    calendar = get_calendar(made[0].pk)  # no agency has adjustments of its own
    due_of: dict[date, tuple[date, int]] = {}
    receipts = sorted(
        (today - timedelta(days=rng.randint(0, 400)), n % plan.agencies) for n in range(plan.cases)
    )
    case_type = ContentType.objects.db_manager(using).get_for_model(InformationRequest)
    flow_class = Process._meta.get_field("flow_class").get_prep_value(RequestFlow)
    node_ref = {
        stage: Task._meta.get_field("flow_task").get_prep_value(getattr(RequestFlow, stage))
        for stage in ROLE_OF
    }
    requests = Writer(
        connection,
        InformationRequest,
        [
            "id",
            "agency",
            "year",
            "sequence",
            "case_number",
            "channel",
            "arrival_date",
            "receipt_date",
            "applicant_kind",
            "applicant_name",
            "id_type",
            "phone",
            "description",
            "form_wanted",
            "delivery",
            "stage",
            "handler",
            "due_date",
            "days_left",
            "overdue",
            "at_risk",
            "clock_explanation",
            "clock_computed_on",
            "created_by",
            "created_at",
        ],
    )
    clock = Writer(connection, ClockEntry, ["id", "request", "kind", "on", "created_at"])
    processes = Writer(
        connection,
        Process,
        ["id", "flow_class", "status", "created", "artifact_content_type", "artifact_object_id"],
    )
    tasks = Writer(
        connection,
        Task,
        [
            "id",
            "process",
            "flow_task",
            "flow_task_type",
            "status",
            "owner",
            "owner_permission",
            "token",
            "created",
        ],
    )
    postgres = connection.vendor == "postgresql"
    tables = [m._meta.db_table for m in (InformationRequest, ClockEntry, Process, Task)]
    table = tables[0]
    dropped: list[str] = []
    constraints: list[str] = []
    grams = False
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM information_schema.columns"
                " WHERE table_name = %s AND column_name = 'search_grams'",
                [table],
            )
            grams = cursor.fetchone() is not None
            if grams:
                # The trigger's function runs per row; the same pieces are computed here.
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER requests_app_search_grams")
                requests.add_column("search_grams")
            # Building an index once over the table is much faster than row by row.
            for name in tables:
                dropped += _drop_indexes(cursor, name)
            for name in tables:
                constraints += _drop_constraints(cursor, name)

    sequences: dict[tuple[int, int], int] = {}
    case_ids: dict[str, list[int]] = {code: [] for code in codes}
    # SQLite checks the foreign keys at commit (PostgreSQL's are dropped during the load): a
    # batch of tasks may be written before the batch of their processes.
    with nullcontext() if postgres else transaction.atomic(using=using):
        step = max(1, plan.cases // 20)
        task_id = 0
        for case_id, (receipt, index) in enumerate(receipts, 1):
            if case_id % step == 0:
                progress(f"cases {case_id}/{plan.cases} ({time.perf_counter() - started:.0f} s)")
            agency = made[index]
            key = (index, receipt.year)
            sequence = sequences[key] = sequences.get(key, 0) + 1
            if receipt not in due_of:
                due = calendar.add_working_days(receipt, 20)
                left = calendar.working_days_between(today, due) if due >= today else -1
                due_of[receipt] = (due, left)
            due, left = due_of[receipt]
            stage = rng.choice(STAGES)
            case_number = format_case_number(agency, receipt.year, sequence)
            name = rng.choice(NAMES) + str(sequence % 997)
            place, subject = rng.choice(PLACES), rng.choice(SUBJECTS)
            description = f"第{sequence}号申请所需的政府信息：{place}{subject}"
            officer = officers[agency.code]
            extra = ()
            if grams:
                extra = (_grams(f"{case_number.upper()}\n{name.upper()}\n{description.upper()}"),)
            requests.add(
                (
                    case_id,
                    agency.pk,
                    receipt.year,
                    sequence,
                    case_number,
                    rng.choice(["in_person", "online", "registered_post"]),
                    receipt,
                    receipt,
                    "person",
                    name,
                    "resident_id",
                    "13800000000",
                    description,
                    "electronic",
                    "email",
                    stage,
                    user_ids[officer["handler"]] if stage != "accept" else None,
                    due,
                    left,
                    due < today and stage != "closed",
                    0 <= left <= 5,
                    json.dumps([f"{receipt}收到申请。"], ensure_ascii=False),
                    today,
                    user_ids[officer["registrar"]],
                    now,
                ),
                extra,
            )
            clock.add((case_id, case_id, "start", receipt, now))
            closed = stage == "closed"
            processes.add(
                (
                    case_id,
                    flow_class,
                    PROCESS.DONE if closed else PROCESS.NEW,
                    now,
                    case_type.pk,
                    case_id,
                )
            )
            if closed:
                continue
            role = ROLE_OF[stage]
            assigned = rng.random() < 0.5
            task_id += 1
            tasks.add(
                (
                    task_id,
                    case_id,
                    node_ref[stage],
                    "HUMAN",
                    STATUS.ASSIGNED if assigned else STATUS.NEW,
                    user_ids[officer[role]] if assigned else None,
                    f"role:{role}",
                    "start",
                    now,
                )
            )
            ids = case_ids[agency.code]
            if len(ids) < CASE_IDS_PER_AGENCY:
                ids.append(case_id)
        for writer in (requests, clock, processes, tasks):
            writer.flush()

    with connection.cursor() as cursor:
        if postgres:
            if grams:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER requests_app_search_grams")
            cursor.execute("SET maintenance_work_mem = '1GB'")
            ddls = dropped + constraints  # the unique constraints before the foreign keys
            for number, ddl in enumerate(ddls, 1):
                cursor.execute(ddl)
                progress(
                    f"indexes and constraints {number}/{len(ddls)}"
                    f" ({time.perf_counter() - started:.0f} s)"
                )
        for sql in connection.ops.sequence_reset_sql(
            no_style(), [InformationRequest, ClockEntry, Process, Task]
        ):
            cursor.execute(sql)
    # The services' numbers continue after the bulk ones.
    CaseCounter.objects.using(using).bulk_create(
        [
            CaseCounter(agency=made[index], year=year, last=last)
            for (index, year), last in sequences.items()
        ],
        batch_size=5000,
    )
    return {
        "agencies": codes,
        "officers": officers,
        "password": PASSWORD,
        "case_ids": case_ids,
        "cases": plan.cases,
    }
