"""The annual report benchmark's data: a province, its supervising governments, thousands of
agencies under them and a million requests over two years, written straight into the tables
(PostgreSQL ``COPY``, SQLite ``executemany``), never through the services one case at a time.

Built once and kept: ``bench_report_marker`` holds the plan the data was made from, and a run
with the same plan reuses it (``annual_report_bench.py --rebuild`` makes it afresh).

The data is what the services leave (requests_app/services): an outcome is set at approval
(stage 送达), ``served_on`` at service (stage 归档), ``closed_on`` at archive (stage 已归档);
``concluded_on`` is the reply's service, or the withdrawal or lapse date. Among them: every
outcome of ``requests_app.rules.outcomes``, every applicant column of table 三, requests received
in the first year and concluded in the second (上年结转), requests still open (结转下年度),
corrections of one's own information (Art. 41, not counted), fees, and reconsiderations and
lawsuits with every kind and result (table 四).
"""

from __future__ import annotations

import json
import random
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC as _UTC
from datetime import date, datetime, timedelta

#: Bump when the data's shape or meaning changes: a kept database of another version is rebuilt.
DATA_VERSION = 3
MARKER_TABLE = "bench_report_marker"

#: How often each outcome is the result (per mille, roughly as county reports show); every code
#: of ``OUTCOMES`` appears, those not named here at 5 ‰.
OUTCOME_WEIGHTS = {
    "disclosed": 300,
    "already_public": 60,
    "partly_disclosed": 80,
    "withheld_state_secret": 3,
    "withheld_third_party": 15,
    "withheld_process_info": 15,
    "withheld_query_matter": 20,
    "not_held": 150,
    "not_our_agency": 50,
    "needs_creation": 30,
    "still_unclear": 20,
    "petition": 30,
    "repeat": 20,
    "abandoned_no_correction": 40,
    "other": 50,  # withdrawn by the applicant
}
#: Outcomes that end the request on a date of their own, not the reply's service.
ENDED_WITHOUT_SERVICE = {"other", "abandoned_no_correction", "abandoned_no_payment"}
#: Stages of a request still being handled, and how often (without an outcome yet, except 送达).
OPEN_STAGES = {
    "accept": 10,
    "correct": 8,
    "consult": 8,
    "propose": 30,
    "fee": 4,
    "approve": 15,
    "serve": 10,
}
ORG_KINDS = ["business", "research", "nonprofit", "legal_service", "other"]
NAMES = ["张明华", "李秀英", "王建国", "赵丽", "陈志强", "刘芳", "杨洋", "黄磊", "周婷", "吴刚"]
ORGANIZATIONS = {
    "business": "某建材有限公司",
    "research": "某大学公共管理学院",
    "nonprofit": "某环保公益协会",
    "legal_service": "某律师事务所",
    "other": "某业主委员会",
}
SUBJECTS = ["资金拨付明细", "征地补偿方案", "小区改造计划", "道路工程批复", "环评报告"]
SUBJECTS += ["学校布局方案", "低保名单", "拆迁评估报告", "供水管网预算", "公路养护合同"]


@dataclass(frozen=True)
class Plan:
    """What the data is made of; kept in the marker, so a different plan rebuilds."""

    requests: int  # in both years, every agency
    agencies: int  # agencies under the governments (the big one among them)
    governments: int  # supervising governments under the province
    big: int  # requests the big agency received in the measured year
    year: int  # the measured year (the second); the first is the year before
    version: int = DATA_VERSION

    def key(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


BIG_CODE = "bench-big"
PROVINCE_CODE = "bench-province"


def government_code(n: int) -> str:
    return f"bench-gov-{n}"


def progress(message: str) -> None:
    print(f"  [build] {message}", file=sys.stderr, flush=True)


# -- kept or not -----------------------------------------------------------------------------


def kept_plan(connection) -> str | None:
    """The plan the database was built from, or None (no marker: empty or half built)."""
    tables = connection.introspection.table_names()
    if MARKER_TABLE not in tables:
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT plan FROM {MARKER_TABLE}")
        row = cursor.fetchone()
    return row[0] if row else None


def _mark(connection, plan: Plan) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {MARKER_TABLE} (plan text NOT NULL, built_at text NOT NULL)")
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} (plan, built_at) VALUES (%s, %s)",
            [plan.key(), datetime.now().astimezone().isoformat(timespec="seconds")],
        )


# -- writing rows in bulk --------------------------------------------------------------------


class Writer:
    """Rows of one model into its table: explicit ids, the model's defaults for every column
    not given, COPY on PostgreSQL and executemany on SQLite, in batches."""

    BATCH = 20_000

    def __init__(self, connection, model, columns: list[str]):
        from django.db import models

        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self.table = model._meta.db_table
        by_name = {f.name: f for f in model._meta.concrete_fields}
        fields = [
            f
            for f in model._meta.concrete_fields
            if not isinstance(f, models.GeneratedField) and f.name not in columns
        ]
        self.fixed: list[tuple[str, object]] = []
        for field in fields:
            if field.has_default():
                value = field.get_default()
            elif field.null:
                value = None
            elif isinstance(field, models.DateTimeField) and field.auto_now:
                value = _now()
            elif field.empty_strings_allowed:
                value = ""
            else:
                raise ValueError(f"{self.table}.{field.column} needs a value")
            self.fixed.append((field.column, self._db(value)))
        self.columns = [by_name[name].column for name in columns]
        self.all_columns = self.columns + [column for column, _ in self.fixed]
        self.tail = tuple(value for _, value in self.fixed)
        self.extra: list[str] = []
        self.rows: list[tuple] = []
        self.written = 0

    def _db(self, value):
        if isinstance(value, (list, dict)):
            return json.dumps(value, ensure_ascii=False)
        if not self.postgres and isinstance(value, bool):
            return int(value)
        if not self.postgres and isinstance(value, datetime):
            return value.astimezone(_UTC).replace(tzinfo=None).isoformat(sep=" ")
        if not self.postgres and isinstance(value, date):
            return value.isoformat()
        return value

    def add_column(self, column: str) -> None:
        """A column the model does not declare (a migration's, e.g. the search grams)."""
        self.extra.append(column)
        self.all_columns.append(column)

    def add(self, values: tuple, extra: tuple = ()) -> None:
        if not self.postgres:
            values = tuple(self._db(v) for v in values)
        self.rows.append(values + self.tail + extra)
        if len(self.rows) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        names = ", ".join(self.connection.ops.quote_name(c) for c in self.all_columns)
        with self.connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {self.table} ({names}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.all_columns))
                cursor.executemany(
                    f"INSERT INTO {self.table} ({names}) VALUES ({marks})", self.rows
                )
        self.written += len(self.rows)
        self.rows = []


def _now() -> datetime:
    return datetime.now(_UTC)


def _grams(text: str) -> list[str]:
    """The search column's pieces (migration 0007's ``requests_app_search_grams``)."""
    return sorted({text[i : i + n] for i in range(len(text)) for n in (1, 2)})


# -- secondary indexes during the load (PostgreSQL) ------------------------------------------


def _drop_indexes(cursor, table: str) -> list[str]:
    """Drop the table's secondary indexes (not those behind constraints) and return their DDL:
    building an index once over a million rows is much faster than keeping it row by row."""
    cursor.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT EXISTS"
        " (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        [table],
    )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [ddl for _, ddl in found]


def _drop_constraints(cursor, table: str) -> list[str]:
    """Drop the table's unique and foreign key constraints and return how to add them again:
    rows written in the order of receipt land all over the unique indexes, and every foreign key
    is checked row by row; both are done once, over the whole table, after the load."""
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
        [table],
    )
    found = cursor.fetchall()
    for name, _, _ in found:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    return [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for name, _, definition in sorted(found, key=lambda row: row[1] == "f")
    ]


# -- the build -------------------------------------------------------------------------------


def build(plan: Plan, today: date) -> dict:
    """Make the whole data set for ``plan`` in an empty, migrated database; returns its users."""
    from django.contrib.auth.models import Group, User
    from django.db import connection, transaction

    from requests_app.models import Challenge, Fee, InformationRequest
    from requests_app.rules.outcomes import OUTCOMES
    from workflow.calendar import get_calendar
    from workflow.models import Agency

    started = time.perf_counter()
    rng = random.Random(13)
    first = date(plan.year - 1, 1, 1)
    last = min(date(plan.year, 12, 31), today)
    now = _now()

    # -- agencies: a province, its governments, the agencies under them -----------------------
    province = Agency.objects.create(
        name="基准省人民政府", code=PROVINCE_CODE, case_number_prefix="基省信申"
    )
    governments = Agency.objects.bulk_create(
        [
            Agency(
                name=f"基准第{n}市人民政府",
                short_name=f"第{n}市政府",
                code=government_code(n),
                case_number_prefix=f"基{n}政信申",
                parent=province,
            )
            for n in range(1, plan.governments + 1)
        ]
    )
    agencies = []
    for n in range(plan.agencies):
        government = governments[n % plan.governments]
        big = n == 0
        agencies.append(
            Agency(
                name="基准大机关" if big else f"基准第{government.pk}市第{n}局",
                code=BIG_CODE if big else f"bench-{n}",
                case_number_prefix="基大信申" if big else f"基{n}信申",
                parent=government,
                reconsideration_organ=government.name,
                court="基准市人民法院",
            )
        )
    agencies = Agency.objects.bulk_create(agencies, batch_size=1000)
    big_agency = agencies[0]
    progress(f"机关 {1 + len(governments) + len(agencies)} 个")

    users = {}
    for role, agency in (
        ("registrar", big_agency),
        ("handler", big_agency),
        ("office_head", big_agency),
        ("gov_head", governments[0]),
        ("province_head", province),
    ):
        user = User.objects.create_user(f"bench_{role}", first_name=role)
        group = "office_head" if role.endswith("_head") else role
        user.groups.add(Group.objects.get(name=group))
        agency.staff.add(user)
        users[role] = user

    # -- requests ------------------------------------------------------------------------------
    weights = {code: OUTCOME_WEIGHTS.get(code, 5) for code in OUTCOMES}
    codes, code_weights = list(weights), list(weights.values())
    reply_codes = [c for c in codes if c not in ENDED_WITHOUT_SERVICE]
    reply_weights = [weights[c] for c in reply_codes]
    open_stages, open_weights = list(OPEN_STAGES), list(OPEN_STAGES.values())
    calendar = get_calendar(big_agency.pk)
    handler, registrar = users["handler"].pk, users["registrar"].pk

    # Requests per agency and year: the big one has ``plan.big`` in the measured year and half
    # as many the year before; the others share the rest, half a year each.
    big_first = plan.big // 2
    rest = max(0, plan.requests - plan.big - big_first)
    others = max(1, plan.agencies - 1)
    days_first = (date(plan.year - 1, 12, 31) - first).days + 1
    days_second = (last - date(plan.year, 1, 1)).days + 1

    columns = [
        "id",
        "agency",
        "year",
        "sequence",
        "case_number",
        "kind",
        "channel",
        "arrival_date",
        "receipt_date",
        "applicant_kind",
        "organization_kind",
        "applicant_name",
        "id_type",
        "id_number",
        "credit_code",
        "phone",
        "description",
        "form_wanted",
        "delivery",
        "stage",
        "outcome",
        "handler",
        "service_method",
        "served_on",
        "served_late",
        "closed_on",
        "concluded_on",
        "concluded_outcome",
        "due_date",
        "days_left",
        "at_risk",
        "overdue",
        "clock_explanation",
        "clock_computed_on",
        "created_by",
        "created_at",
    ]
    requests = Writer(connection, InformationRequest, columns)
    fees = Writer(
        connection,
        Fee,
        [
            "id",
            "request",
            "method",
            "quantity",
            "amount",
            "calculation",
            "payment_method",
            "notice_on",
            "pay_by",
            "status",
            "settled_on",
            "created_by",
            "created_at",
        ],
    )
    challenges = Writer(
        connection,
        Challenge,
        [
            "id",
            "request",
            "kind",
            "follows",
            "body",
            "number",
            "filed_on",
            "claim",
            "result",
            "detail",
            "concluded_on",
            "created_by",
            "created_at",
            "updated_at",
        ],
    )
    postgres = connection.vendor == "postgresql"
    table = InformationRequest._meta.db_table
    dropped: list[str] = []
    constraints: list[str] = []
    grams = False
    with connection.cursor() as cursor:
        if postgres:
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
            for model in (InformationRequest, Fee, Challenge):
                dropped += _drop_indexes(cursor, model._meta.db_table)
            for model in (InformationRequest, Fee, Challenge):
                constraints += _drop_constraints(cursor, model._meta.db_table)
    challenge_bodies = ("基准市人民政府", "基准市人民法院", "基准市中级人民法院")
    corrected = ["revoked", "varied", "declared_unlawful", "ordered_performance"]
    corrected.append("ordered_new_reply")
    other_details = ["dismissed", "terminated", "withdrawn", "other"]
    counts = {"open": 0, "carried_in": 0, "fees": 0, "challenges": 0, "corrections": 0}

    def challenge(request_id: int, kind: str, filed: date, follows=None) -> tuple[int, date]:
        """Write one challenge; returns its id and its conclusion (``date.max`` if pending)."""
        length = rng.randint(30, 150)
        ends = filed + timedelta(days=length)
        if ends > today or rng.random() < 0.1:
            result, detail, concluded = "pending", "", None
        else:
            result = rng.choices(["upheld", "corrected", "other"], [65, 15, 20])[0]
            detail = (
                ""
                if result == "upheld"
                else rng.choice(corrected if result == "corrected" else other_details)
            )
            concluded = ends
        challenge_id = challenges.written + len(challenges.rows) + 1
        courts = challenge_bodies[1:]
        body = challenge_bodies[0] if kind == "reconsideration" else rng.choice(courts)
        challenges.add(
            (
                challenge_id,
                request_id,
                kind,
                follows,
                body,
                f"基准〔{filed.year}〕{challenge_id}号",
                filed,
                "撤销答复，重新答复",
                result,
                detail,
                concluded,
                registrar,
                now,
                now,
            )
        )
        counts["challenges"] += 1
        return challenge_id, concluded or date.max

    # Every request's agency, year, number and receipt, then written in the order of receipt:
    # ids grow with time and the agencies' rows are interleaved, as registration leaves them.
    order: list[tuple[date, int, int, int]] = []
    for index in range(len(agencies)):
        if index == 0:
            per_year = (big_first, plan.big)
        else:
            share = rest // others + (1 if index - 1 < rest % others else 0)
            per_year = (share - share // 2, share // 2)
        for year, count, start, days in (
            (plan.year - 1, per_year[0], first, days_first),
            (plan.year, per_year[1], date(plan.year, 1, 1), days_second),
        ):
            receipts = sorted(start + timedelta(days=rng.randrange(days)) for _ in range(count))
            order.extend((receipt, index, year, n) for n, receipt in enumerate(receipts, 1))
    order.sort()
    step = max(1, len(order) // 10)
    for request_id, (receipt, index, year, sequence) in enumerate(order, 1):
        if request_id % step == 0:
            progress(f"申请 {request_id}/{len(order)}（{time.perf_counter() - started:.0f} 秒）")
        prefix = agencies[index].case_number_prefix
        agency = agencies[index]
        kind = "correction" if rng.random() < 0.01 else "disclosure"
        organization = "" if rng.random() < 0.8 else rng.choice(ORG_KINDS)
        roll = rng.random()
        lag = (
            rng.randint(3, 30)
            if roll < 0.85
            else rng.randint(30, 70)
            if roll < 0.97
            else rng.randint(70, 250)
        )
        outcome = rng.choices(codes, code_weights)[0]
        if outcome.startswith("abandoned"):
            # Lapsed after the correction or payment period run from the notice.
            lag = max(lag, rng.randint(35, 60))
        ends = receipt + timedelta(days=lag)
        if year < plan.year and rng.random() < 0.003:
            ends = date.max  # still open after all this time (deferred, disputed)
        stage, served_on, closed_on, concluded_on, service_method = "", None, None, None, ""
        if ends <= today:
            concluded_on = ends
            served_on = ends if outcome not in ENDED_WITHOUT_SERVICE else None
            if outcome in ENDED_WITHOUT_SERVICE and ends + timedelta(days=2) <= today:
                served_on = ends + timedelta(days=rng.randint(1, 2))
            if served_on is None:
                stage = "serve"
            elif served_on + timedelta(days=5) <= today:
                stage, closed_on = "closed", served_on + timedelta(days=rng.randint(1, 5))
            else:
                stage = "archive"
            service_method = "electronic" if served_on else ""
        else:
            stage = rng.choices(open_stages, open_weights)[0]
            # Decided and waiting for service, or not decided yet.
            serve = stage == "serve"
            outcome = rng.choices(reply_codes, reply_weights)[0] if serve else ""
            counts["open"] += 1
        if year < plan.year and (concluded_on is None or concluded_on.year == plan.year):
            counts["carried_in"] += 1
        if kind == "correction":
            counts["corrections"] += 1
        due = calendar.add_working_days(receipt, 20)
        is_open = concluded_on is None
        left = calendar.working_days_between(today, due) if is_open else None
        case_number = f"{prefix}〔{year}〕{sequence}号"
        name = ORGANIZATIONS[organization] if organization else rng.choice(NAMES)
        description = f"第{sequence}号申请：{rng.choice(SUBJECTS)}"
        values = (
            request_id,
            agency.pk,
            year,
            sequence,
            case_number,
            kind,
            "online" if sequence % 3 else "in_person",
            receipt,
            receipt,
            "organization" if organization else "person",
            organization,
            name,
            "" if organization else "resident_id",
            "",
            "",
            "13800000000",
            description,
            "electronic",
            "email",
            stage,
            outcome,
            handler if stage != "accept" else None,
            service_method,
            served_on,
            bool(served_on and served_on > due),
            closed_on,
            concluded_on,
            outcome if concluded_on is not None else "",
            due if is_open else None,
            left,
            bool(is_open and left is not None and 0 <= left <= 5),
            bool(is_open and due < today),
            json.dumps([f"{receipt.isoformat()}收到申请。"], ensure_ascii=False),
            today,
            registrar,
            now,
        )
        extra = ()
        if grams:
            text = f"{case_number.upper()}\n{name.upper()}\n{description.upper()}"
            extra = (_grams(text),)
        requests.add(values, extra)

        # A processing fee now and then (Fee Rules): paid, waived, lapsed or waiting.
        fee = None
        if outcome == "abandoned_no_payment":
            fee = "lapsed"
        elif stage == "fee":
            fee = "pending"
        elif outcome in ("disclosed", "partly_disclosed") and rng.random() < 0.03:
            fee = "paid" if rng.random() < 0.8 else "waived"
        if fee:
            notice_on = receipt + timedelta(days=rng.randint(3, 7))
            amount = rng.choice([100, 160, 300, 500])
            settled = notice_on + timedelta(days=rng.randint(2, 15))
            fees.add(
                (
                    fees.written + len(fees.rows) + 1,
                    request_id,
                    "per_page",
                    amount // 2,
                    amount if fee != "waived" else 0,
                    "[]",
                    "转账至财政非税收入账户",
                    notice_on,
                    calendar.add_working_days(notice_on + timedelta(days=3), 20),
                    fee,
                    settled if fee in ("paid", "waived") and settled <= today else None,
                    registrar,
                    now,
                )
            )
            counts["fees"] += 1

        # Reconsiderations and lawsuits about served replies (table 四).
        if served_on and outcome not in ENDED_WITHOUT_SERVICE and rng.random() < 0.015:
            filed = served_on + timedelta(days=rng.randint(5, 55))
            if filed > today:
                continue
            roll = rng.random()
            if roll < 0.15:
                challenge(request_id, "lawsuit_direct", filed)
                continue
            reconsideration, decided = challenge(request_id, "reconsideration", filed)
            if roll > 0.8 and decided < today:
                later = decided + timedelta(days=rng.randint(5, 14))
                if later <= today:
                    challenge(request_id, "lawsuit_after", later, follows=reconsideration)
    for writer in (requests, fees, challenges):
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
                    f"索引和约束 {number}/{len(ddls)}（{time.perf_counter() - started:.0f} 秒）"
                )
        from django.core.management.color import no_style

        for sql in connection.ops.sequence_reset_sql(
            no_style(), [InformationRequest, Fee, Challenge]
        ):
            cursor.execute(sql)
    with transaction.atomic():
        _mark(connection, plan)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if postgres else "ANALYZE")
    progress(
        f"完成：申请 {requests.written}，费用 {fees.written}，复议诉讼 {challenges.written}"
        f"（{time.perf_counter() - started:.0f} 秒）"
    )
    return counts


def users_and_agencies():
    """The kept data's actors and agencies, as the measurements use them."""
    from django.contrib.auth.models import User

    from workflow.models import Agency

    users = {
        role: User.objects.get(username=f"bench_{role}")
        for role in ("registrar", "handler", "office_head", "gov_head", "province_head")
    }
    big = Agency.objects.get(code=BIG_CODE)
    return users, big, big.parent, Agency.objects.get(code=PROVINCE_CODE)
