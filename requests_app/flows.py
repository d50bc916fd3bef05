"""The viewflow process of an information request (DOMAIN §3.1).

The case's ``stage`` is the source of truth; the process only puts the right task in the right
inbox. After every task a single ``route`` gateway looks at the stage and creates the one human
task that the stage needs (or ends the process when the case is closed). Task views call exactly
one service; the service moves the stage; completing the task lets ``route`` pick the next one.

Waiting stages carry timers (``.OnTimeout``) fired by ``manage.py workflow_timers``: the day
after the correction period, the period for the applicant's reasons (Art. 35), the earliest open
consultation limit and the payment period, at 00:00 Asia/Shanghai. A timer calls the lapse
service, which is a no-op until the deadline has really passed, and routes again.

The correction, consultation and payment periods run from the notice's receipt (DOMAIN §3.8):
until its service is recorded a period has no end, and its timer waits at ``NEVER``; recording
the service moves the timer to its due time (``rearm_timers``).

Changes made outside a task (withdrawal, a fee waiver from the case page) are followed by
``sync_process(case)``, which cancels the tasks that no longer match the stage and routes again.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connections, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from requests_app import permissions
from requests_app.models import Consultation, InformationRequest, ReasonsRequest
from requests_app.process import ProcessHooks, connect, task_view
from workflow.roles import has_request_role, has_role, user_roles
from workflow.selectors import agencies_of, agency_ids_of

R = InformationRequest

#: Task statuses of a task that still waits for someone.
ACTIVE = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def case_of(process: Process) -> InformationRequest:
    """The case a process runs for (its ``artifact``), re-read so its stage is current."""
    return R.objects.select_related("agency").get(pk=process.artifact_object_id)


def _case(activation) -> InformationRequest:
    return case_of(activation.process)


def _day_after(day) -> datetime:
    """00:00 of the day after ``day`` in the site's zone (Asia/Shanghai): a deadline is a whole
    day, so the lapse can be recorded from the next morning on (the services check the same)."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


#: The due time of a timer whose period has no end yet (its notice is not served).
NEVER = datetime(9999, 1, 1, tzinfo=timezone.get_default_timezone())


def _day_after_or_never(day) -> datetime:
    return NEVER if day is None else _day_after(day)


def _correction_timeout(activation) -> datetime:
    return _day_after_or_never(_case(activation).correction_deadline)


def _consultation_timeout(activation) -> datetime:
    # The earliest open limit, not the latest: each lapsed consultation is recorded as "no
    # reply" as soon as its own 15 working days are over (Art. 32, 34), and the task comes back
    # with a timer for the next one.
    pending = Consultation.objects.filter(
        request_id=activation.process.artifact_object_id, reply=Consultation.Reply.PENDING
    )
    if not pending.exists():  # nothing open: fire on the next sweep and route on
        return timezone.now()
    # Letters not yet served have no limit (Art. 32, 34: from receipt): the earliest known one.
    first = (
        pending.filter(limit_date__isnull=False)
        .order_by("limit_date")
        .values_list("limit_date", flat=True)
        .first()
    )
    return _day_after_or_never(first)


def _reasons_timeout(activation) -> datetime:
    return _day_after(_case(activation).reasons_request.reply_by)


def _fee_timeout(activation) -> datetime:
    return _day_after_or_never(_case(activation).fee.pay_by)


def _handler_of(activation):
    """Handler tasks go straight to the case's handler once there is one."""
    return _case(activation).handler


def _server_of(activation):
    """归档 goes to the registrar who served the reply (the case file is in their hands)."""
    served = (
        Task.objects.filter(
            process=activation.process, flow_task=RequestFlow.serve, status=STATUS.DONE
        )
        .exclude(owner=None)
        .select_related("owner")
        .order_by("-finished", "-pk")
        .first()
    )
    return served.owner if served is not None else None


def sole_holder(case: InformationRequest, role: str):
    """The one active officer of ``case``'s agency who holds ``role`` through its group, or None
    when there are several (or none). Superusers are administrators, not counted as officers."""
    users = list(
        get_user_model()
        .objects.filter(is_active=True, agencies=case.agency_id, groups__name=role)
        .distinct()
        .order_by("pk")[:2]
    )
    return users[0] if len(users) == 1 else None


def expected_node(case: InformationRequest) -> str:
    """The name of the node that the stage of ``case`` calls for (``end`` once closed)."""
    if case.stage == R.Stage.APPROVE:
        decision = getattr(case, "decision", None)
        if (
            decision is not None
            and decision.needs_legal_review
            and not decision.legal_reviewed_by_id
        ):
            return "legal_review"
        return "approve"
    if case.stage == R.Stage.REASONS:
        # Art. 35: the registrar waits for the applicant's reasons; once they are in (or the
        # period has run out) the handler examines them.
        reasons = ReasonsRequest.objects.filter(request=case).values_list("status", flat=True)
        if reasons.first() != ReasonsRequest.Status.PENDING:
            return "reasons_decide"
        return "reasons"
    return STAGE_NODES[case.stage]


STAGE_NODES: dict[str, str] = {
    R.Stage.ACCEPT: "accept",
    R.Stage.REASONS: "reasons",
    R.Stage.CORRECT: "correct",
    R.Stage.CONSULT: "consult",
    R.Stage.PROPOSE: "propose",
    getattr(R.Stage, "FEE", "fee"): "fee",
    R.Stage.SERVE: "serve",
    R.Stage.ARCHIVE: "archive",
    R.Stage.CLOSED: "end",
}

#: Which role does each human task (DOMAIN §1, §3.1): the permission table's.
TASK_ROLES: dict[str, str] = permissions.TASK_ROLES


def _goes_to(name: str):
    def condition(activation) -> bool:
        return expected_node(_case(activation)) == name

    condition.__name__ = f"stage_is_{name}"
    return condition


def _user_may_act(user, task, role: str) -> bool:
    """Staff of the case's agency holding the task's role (superusers: agency still required)."""
    if user is None or not user.is_authenticated:
        return False
    if not case_visible(user, task.process):
        return False
    return has_role(user, role)


def _may_act_on(user, case: InformationRequest, role: str) -> bool:
    return agencies_of(user).filter(pk=case.agency_id).exists() and has_role(user, role)


def case_visible(user, process) -> bool:
    """Whether ``user`` works for the agency of the case of ``process`` (DOMAIN §1) and holds a
    request role (``REQUEST_ROLES``)."""
    if user is None or not user.is_authenticated or process is None:
        return False
    if not has_request_role(user):
        return False
    if process.flow_class is not RequestFlow or not process.artifact_object_id:
        return False
    return R.objects.filter(
        pk=process.artifact_object_id, agency__in=agencies_of(user).values("pk")
    ).exists()


class CaseTask(flow.View):
    """A human task on a case: by role, and only for staff of the case's agency.

    viewflow's own checks know nothing about agencies (research §4, #505): they are replaced
    here, so the task URLs, the bulk assign action and the lists all ask the same question.
    """

    def __init__(self, view, role: str, **kwargs):
        super().__init__(view, **kwargs)
        self.role = role
        # A marker, not a Django permission: roles are groups, and the queue is filtered by it.
        self.Permission(f"role:{role}")

    @property
    def assign_view(self):
        # 领取 shows the case in Chinese and takes the task in one click (views.tasks).
        return _task_view("take")

    def calc_owner(self, activation):
        """Who gets the task at once, so that it lands in an inbox (待办) instead of the queue:
        the person the node names (the case's handler, the registrar who served), provided
        they may still act on it; else the only officer of the agency holding the role."""
        case = _case(activation)
        owner = super().calc_owner(activation)
        if owner is not None and owner.is_active and _may_act_on(owner, case, self.role):
            return owner
        return sole_holder(case, self.role)

    def can_assign(self, user, task) -> bool:
        return (
            task.owner_id is None
            and task.status == STATUS.NEW
            and _user_may_act(user, task, self.role)
        )

    def can_execute(self, user, task) -> bool:
        return task.owner_id == getattr(user, "pk", None) and _user_may_act(user, task, self.role)

    def can_unassign(self, user, task) -> bool:
        if task.owner_id is None or not case_visible(user, task.process):
            return False
        return task.owner_id == user.pk or user.is_superuser

    def can_view(self, user, task) -> bool:
        return case_visible(user, task.process)

    def can_cancel(self, user, task) -> bool:
        return user.is_superuser and case_visible(user, task.process)

    def can_undo(self, user, task) -> bool:
        return False

    def can_revive(self, user, task) -> bool:
        return False


def _task_view(name: str):
    """The page of task ``name``, looked up when it is asked for: the pages register themselves
    (``requests_app.process.register_task_views``), so the flow does not import them."""

    def view(request, *args, **kwargs):
        return task_view(name)(request, *args, **kwargs)

    return view


class RequestFlow(flow.Flow):
    """依申请公开办理

    登记后自动开始；每一步由对应角色在待办中办理，系统按申请所处阶段安排下一步。
    """

    process_class = Process
    # Wait for the process row instead of viewflow's default NOWAIT-and-retry: an officer who
    # completes a task at the same moment as another waits the second or two the first one
    # takes (rendering a letter), then is told it is done, rather than failing after the
    # retries run out. Every path takes this lock before the case's row (see process_lock).
    lock_impl = lock.SelectForUpdateLock(nowait=False)
    process_summary_template = "{{ process.artifact.case_number }}"

    start = flow.StartHandle(this.start_process).Annotation(title="登记").Next(this.route)

    route = (
        flow.Switch()
        .Annotation(title="按办理阶段分派")
        .Case(this.accept, _goes_to("accept"))
        .Case(this.reasons, _goes_to("reasons"))
        .Case(this.reasons_decide, _goes_to("reasons_decide"))
        .Case(this.correct, _goes_to("correct"))
        .Case(this.consult, _goes_to("consult"))
        .Case(this.propose, _goes_to("propose"))
        .Case(this.fee, _goes_to("fee"))
        .Case(this.legal_review, _goes_to("legal_review"))
        .Case(this.approve, _goes_to("approve"))
        .Case(this.serve, _goes_to("serve"))
        .Case(this.archive, _goes_to("archive"))
        .Case(this.end, _goes_to("end"))
    )

    accept = (
        CaseTask(_task_view("accept"), TASK_ROLES["accept"])
        .Annotation(title="受理审查")
        .Next(this.route)
    )
    reasons = (
        CaseTask(_task_view("reasons"), TASK_ROLES["reasons"])
        .Annotation(title="登记说明理由")
        .OnTimeout(_reasons_timeout, this.reasons_lapsed, title="说明理由期限届满")
        .Next(this.route)
    )
    reasons_lapsed = (
        flow.Function(this.on_reasons_lapsed).Annotation(title="逾期未说明理由").Next(this.route)
    )
    reasons_decide = (
        CaseTask(_task_view("reasons_decide"), TASK_ROLES["reasons_decide"])
        .Annotation(title="审查说明的理由")
        .Assign(_handler_of)
        .Next(this.route)
    )
    correct = (
        CaseTask(_task_view("correct"), TASK_ROLES["correct"])
        .Annotation(title="登记补正")
        .OnTimeout(_correction_timeout, this.correction_lapsed, title="补正期限届满")
        .Next(this.route)
    )
    correction_lapsed = (
        flow.Function(this.on_correction_lapsed).Annotation(title="逾期不补正").Next(this.route)
    )
    consult = (
        CaseTask(_task_view("consult"), TASK_ROLES["consult"])
        .Annotation(title="征求意见")
        .Assign(_handler_of)
        .OnTimeout(_consultation_timeout, this.consult_lapsed, title="征求意见期限届满")
        .Next(this.route)
    )
    consult_lapsed = (
        flow.Function(this.on_consultation_lapsed)
        .Annotation(title="征求意见逾期未答复")
        .Next(this.route)
    )
    propose = (
        CaseTask(_task_view("propose"), TASK_ROLES["propose"])
        .Annotation(title="提出办理意见")
        .Assign(_handler_of)
        .Next(this.route)
    )
    fee = (
        CaseTask(_task_view("fee"), TASK_ROLES["fee"])
        .Annotation(title="登记缴费")
        .OnTimeout(_fee_timeout, this.fee_lapsed, title="缴费期限届满")
        .Next(this.route)
    )
    fee_lapsed = flow.Function(this.on_fee_lapsed).Annotation(title="逾期未缴费").Next(this.route)
    legal_review = (
        CaseTask(_task_view("legal_review"), TASK_ROLES["legal_review"])
        .Annotation(title="法制审核")
        .Next(this.route)
    )
    approve = (
        CaseTask(_task_view("approve"), TASK_ROLES["approve"])
        .Annotation(title="审批")
        .Next(this.route)
    )
    serve = (
        CaseTask(_task_view("serve"), TASK_ROLES["serve"]).Annotation(title="送达").Next(this.route)
    )
    archive = (
        CaseTask(_task_view("archive"), TASK_ROLES["archive"])
        .Annotation(title="归档")
        .Assign(_server_of)
        .Next(this.route)
    )
    end = flow.End().Annotation(title="办结")

    @property
    def flow_label(self) -> str:
        # Templates are looked up under requests_app/tasks/ (viewflow derives "request").
        return "tasks"

    def start_process(self, activation, case: InformationRequest):
        activation.process.artifact = case
        return activation.process

    def on_correction_lapsed(self, activation) -> None:
        from requests_app.services import request_correction_lapsed

        request_correction_lapsed(case_id=activation.process.artifact_object_id)

    def on_reasons_lapsed(self, activation) -> None:
        from requests_app.services import reasons_lapsed

        reasons_lapsed(case_id=activation.process.artifact_object_id)

    def on_consultation_lapsed(self, activation) -> None:
        from requests_app.services import consultation_lapse

        today = timezone.localdate()
        lapsed = Consultation.objects.filter(
            request_id=activation.process.artifact_object_id,
            reply=Consultation.Reply.PENDING,
            limit_date__lt=today,
        ).order_by("limit_date", "id")
        for consultation_id in lapsed.values_list("pk", flat=True):
            consultation_lapse(consultation_id=consultation_id, today=today)

    def on_fee_lapsed(self, activation) -> None:
        from requests_app.services import fee_lapsed

        fee_lapsed(case_id=activation.process.artifact_object_id)

    # -- per-case privacy (research §4, #505) --------------------------------------------------

    def has_view_permission(self, user, obj=None) -> bool:
        if user is None or not user.is_authenticated:
            return False
        if obj is None:
            return has_request_role(user) and agencies_of(user).exists()
        return case_visible(user, obj)

    def has_manage_permission(self, user, obj=None) -> bool:
        if user is None or not user.is_superuser:
            return False
        return obj is None or case_visible(user, obj)


# -- the lead's entry points ------------------------------------------------------------------


def _case_type() -> ContentType:
    return ContentType.objects.get_for_model(R)


def process_for(case: InformationRequest) -> Process | None:
    """The process of ``case`` (there is one per case), or None for a case without one."""
    return (
        Process.objects.filter(
            flow_class=RequestFlow,
            artifact_content_type=_case_type(),
            artifact_object_id=case.pk,
        )
        .order_by("-pk")
        .first()
    )


def process_lock(case_id: int):
    """The flow lock of the process of case ``case_id`` (a plain transaction when it has none).

    Task pages and timers take the process lock first and the case's row inside it; a change
    made from outside a task that then lines the process up (``sync_process``) must take them
    in the same order, or two officers acting at once wait for each other (on PostgreSQL).
    """
    process_pk = (
        Process.objects.filter(
            flow_class=RequestFlow, artifact_content_type=_case_type(), artifact_object_id=case_id
        )
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if process_pk is None:
        return transaction.atomic()
    return RequestFlow.lock(process_pk)


def start_request_process(case: InformationRequest) -> Process:
    """Start the process of a newly registered case; call inside ``request_register``'s
    transaction. Idempotent: a case that already has a process keeps it."""
    existing = process_for(case)
    if existing is not None:
        return existing
    return RequestFlow.start.run(case=case)


def _cancel(task: Task) -> None:
    """Cancel a waiting human task and the timers armed on it (viewflow only disarms boundary
    timers when their host *finishes*, and a canceled task never finishes)."""
    for timer in Task.objects.filter(
        previous=task, flow_task_type="TIMER", status=STATUS.SCHEDULED
    ):
        activation = timer.flow_task.activation_class(timer)
        activation.cancel()
    activation = task.flow_task.activation_class(task)
    activation.cancel()


def rearm_timers(case: InformationRequest) -> None:
    """Set the due time of the case's armed timers again from the case's periods, after a
    notice's service was recorded or corrected; call under ``process_lock``. viewflow keeps a
    timer's due time in its task row (``scheduled``), computed once when the timer is armed."""
    process = process_for(case)
    if process is None:
        return
    for timer in process.task_set.filter(flow_task_type="TIMER", status=STATUS.SCHEDULED):
        due = timer.flow_task._delay(timer.flow_task.activation_class(timer))
        if due != timer.scheduled:
            timer.scheduled = due
            timer.save(update_fields=["scheduled"])


def sync_process(case: InformationRequest) -> None:
    """After a stage change made outside a task (withdrawal, waiver...), make the process match:
    cancel the human tasks that the stage no longer calls for and route again, so that exactly
    one task (or the end) matches the new stage. A no-op when it already matches."""
    process = process_for(case)
    if process is None or process.status in (PROCESS.DONE, PROCESS.CANCELED):
        return
    flow_instance = RequestFlow.instance
    with RequestFlow.lock(process.pk), transaction.atomic():
        case = R.objects.select_related("agency").get(pk=case.pk)
        wanted = expected_node(case)
        active = list(
            process.task_set.filter(flow_task_type="HUMAN", status__in=ACTIVE).order_by("pk")
        )
        if len(active) == 1 and active[0].flow_task.name == wanted:
            return
        for task in active:
            _cancel(task)
        last = active[-1] if active else process.task_set.order_by("-pk").first()
        previous = last.flow_task.activation_class(last)
        route = flow_instance.route._create(previous, last.token)
        previous._activate_next({route})


def reopen_process(case: InformationRequest) -> None:
    """A case handled again on a decision's order (``services.challenges.reopen``): a case whose
    process has ended (archived) gets a fresh one, which ``route`` sends to the case's stage;
    one still waiting for its archive task has that task cancelled and is routed again. Call
    under ``process_lock``; the case's number, history and earlier process stay as they were."""
    process = process_for(case)
    if process is None or process.status in (PROCESS.DONE, PROCESS.CANCELED):
        RequestFlow.start.run(case=case)
    else:
        sync_process(case)


# -- reads for the lists and the case page ------------------------------------------------------


def visible_tasks(user) -> QuerySet[Task]:
    """Tasks of the processes of cases that ``user`` may see (their agencies' cases).

    The case is joined through its process's artifact key (``InformationRequest.processes``):
    the database may start from the task's own filters (owner, status: indexed) and look up each
    task's case, or, for a list in due-date order, walk the agency's cases by due date
    (``request_agency_due_idx``) and look up each case's open tasks (``gk_task_open_idx``).
    """
    if not has_request_role(user):
        return Task.objects.none()
    agency_ids = agency_ids_of(user)
    return Task.objects.filter(
        process__flow_class=RequestFlow,
        process__artifact_content_type=_case_type(),
        process__request__agency_id__in=agency_ids,
    )


def _in_queue(user) -> Q:
    return Q(
        status=STATUS.NEW,
        owner__isnull=True,
        owner_permission__in=[f"role:{role}" for role in sorted(user_roles(user))],
    )


def _in_inbox(user) -> Q:
    return Q(owner=user, status=STATUS.ASSIGNED)


def _in_archive(user) -> Q:
    return Q(owner=user, finished__isnull=False)


def queue_of(user) -> QuerySet[Task]:
    """Unassigned tasks that ``user`` may take: their agencies' cases, their roles."""
    return visible_tasks(user).filter(_in_queue(user), flow_task_type="HUMAN")


def inbox_of(user) -> QuerySet[Task]:
    return visible_tasks(user).filter(_in_inbox(user), flow_task_type="HUMAN")


def archive_of(user) -> QuerySet[Task]:
    return visible_tasks(user).filter(_in_archive(user), flow_task_type="HUMAN")


def by_due_date(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Soonest reply deadline of the case first (so overdue cases lead), paused ones last.

    The case is the one ``visible_tasks`` joins, not looked up again once per task: with tens of
    thousands of tasks in one inbox, the database walks the agency's cases in due-date order
    and stops when the page is full, instead of sorting every task.
    """
    return tasks.order_by("process__request__due_sort", "created", "pk")


#: The menu counts up to this many tasks a list and then shows "99+": an exact count of tens of
#: thousands of tasks would cost every page a pass over them.
TASK_COUNT_LIMIT = 99


def task_counts(user) -> dict[str, int]:
    """How many tasks are in the user's 待办, 待领取 and 已办 (the menu's numbers), each counted
    up to ``TASK_COUNT_LIMIT + 1``: three small counts that stop early, asked in one query (the
    menu is on every page of the process, and each query is a round trip)."""
    names = ("inbox", "queue", "archive")
    if not getattr(user, "is_authenticated", False) or not has_request_role(user):
        return dict.fromkeys(names, 0)
    limit = TASK_COUNT_LIMIT + 1
    tasks = visible_tasks(user).filter(flow_task_type="HUMAN")
    parts, params = [], []
    for where in (_in_inbox(user), _in_queue(user), _in_archive(user)):
        some = tasks.filter(where).order_by().values("pk")[:limit]
        sql, part_params = some.query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) counted)")
        params.extend(part_params)
    with connections[tasks.db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return dict(zip(names, (int(n) for n in row), strict=True))


def case_tasks(case: InformationRequest, user) -> list[dict]:
    """The open tasks of ``case`` with what ``user`` can do about each, for the case page:
    ``[{"task", "title", "owner", "url", "action"}]`` where ``action`` is 办理, 领取 or ''."""
    process = process_for(case)
    if process is None or not case_visible(user, process):
        return []
    result = []
    for task in process.task_set.filter(flow_task_type="HUMAN", status__in=ACTIVE).select_related(
        "owner"
    ):
        node = task.flow_task
        url, action = "", ""
        if node.can_execute(user, task):
            url, action = node.reverse("execute", args=[process.pk, task.pk]), "办理"
        elif node.can_assign(user, task):
            url, action = node.reverse("assign", args=[process.pk, task.pk]), "领取"
        result.append(
            {
                "task": task,
                "title": node.task_title,
                "owner": task.owner,
                "url": url,
                "action": action,
            }
        )
    return result


# The services reach the process only through requests_app.process: they sit below this module.
connect(
    ProcessHooks(
        lock=process_lock,
        start=start_request_process,
        rearm_timers=rearm_timers,
        sync=sync_process,
        reopen=reopen_process,
    )
)

__all__ = [
    "RequestFlow",
    "case_tasks",
    "expected_node",
    "process_for",
    "process_lock",
    "queue_of",
    "rearm_timers",
    "reopen_process",
    "start_request_process",
    "sync_process",
    "visible_tasks",
]
