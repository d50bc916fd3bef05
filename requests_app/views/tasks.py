"""The task pages of the request process and the inbox, queue and archive (待办、待领取、已办).

Each task page shows the case summary and the step's forms; a POST calls ONE service and, when it
succeeds, completes the task so that the flow routes on. Service errors come back under their
fields with what was typed; a refusal (``workflow.errors``: ``Stale``, ``NotAllowed``) becomes a
clear message, never a 500.
"""

from __future__ import annotations

from functools import cached_property, partial, wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.generic import RedirectView, TemplateView
from django_filters import ChoiceFilter, DateRangeFilter, FilterSet
from viewflow.utils import viewprop
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.fields import get_task_ref
from viewflow.workflow.flow import views as flow_views
from viewflow.workflow.flow.views.actions import (
    BulkAssignTasksActionView,
    BulkUnassignTasksActionView,
)
from viewflow.workflow.flow.viewset import BulkActionsViewsMixin, FlowViewset
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from requests_app import services, task_forms
from requests_app.flows import (
    ACTIVE,
    TASK_ROLES,
    RequestFlow,
    archive_of,
    by_due_date,
    case_of,
    case_visible,
    inbox_of,
    queue_of,
    sync_process,
    task_counts,
    visible_tasks,
)
from requests_app.models import Deferral, ReasonsRequest
from requests_app.process import register_task_views
from requests_app.selectors import require_request_role
from requests_app.services import StaleCase
from requests_app.views.common import offered
from workflow.actions import PageAction
from workflow.audit import audit
from workflow.cn import cn_date
from workflow.errors import NotAllowed, Stale, add_to_form
from workflow.pagination import BoundedCountPaginator
from workflow.roles import has_request_role


def _accept(form, case, user):
    services.request_accept(actor=user, case_id=case.pk)
    return "已受理，请提出办理意见。"


def _ask_correction(form, case, user):
    services.request_ask_correction(actor=user, case_id=case.pk, **form.service_kwargs())
    # The period runs from the applicant's receipt (Art. 30): its end follows the service.
    return "已发出补正告知书；补正期限自申请人收到之日起计算，请在案件页登记送达。"


def _ask_reasons(form, case, user):
    reasons = services.request_ask_reasons(actor=user, case_id=case.pk, **form.service_kwargs())
    return f"已发出说明理由通知书，说明期限至{cn_date(reasons.reply_by)}。"


def _record_reasons(form, case, user):
    services.reasons_record_answer(actor=user, case_id=case.pk, **form.service_kwargs())
    return "已登记申请人说明的理由，请承办人审查。"


def _decide_reasons(form, case, user):
    reasons = services.reasons_decide(actor=user, case_id=case.pk, **form.service_kwargs())
    if reasons.finding == reasons.Finding.UNREASONABLE:
        return "已提出不予处理的办理意见，送审批。"
    if reasons.finding == reasons.Finding.DEFERRED:
        return "延迟答复期限已提交政府信息公开工作机构负责人审批；请继续办理。"
    return "理由合理，继续办理。"


def _propose(form, case, user):
    files = form.files_of()
    # One outcome: the proposal and the files of the information provided stand or fall together.
    with transaction.atomic():
        services.decision_propose(
            actor=user, case_id=case.pk, proposal=services.Proposal(**form.proposal_data())
        )
        if files:
            services.request_upload(actor=user, case_id=case.pk, kind="provided", files=files)
    return "办理意见已提交审批" + (f"，附{len(files)}个文件。" if files else "。")


def _record_correction(form, case, user):
    services.request_record_correction(actor=user, case_id=case.pk, **form.service_kwargs())
    return "已登记补正后的申请，答复期限重新计算。"


def _send_consultation(form, case, user):
    consultation = services.consultation_send(actor=user, case_id=case.pk, **form.service_kwargs())
    return (
        f"已向{consultation.party_name}发出征求意见函；答复期限自收到之日起计算"
        "（《条例》第三十二条、第三十四条），请在案件页登记送达。"
    )


def _record_reply(form, case, user):
    consultation = services.consultation_record_reply(actor=user, **form.service_kwargs())
    return f"已记录{consultation.party_name}的答复。"


def _fee_notice(form, case, user):
    fee = services.fee_notice(actor=user, case_id=case.pk, **form.service_kwargs())
    return f"已发出收费通知，应缴{fee.amount}元。"


def _fee_paid(form, case, user):
    services.fee_paid(actor=user, case_id=case.pk, **form.service_kwargs())
    return "已登记缴费，恢复计时。"


def _approve(form, case, user):
    decision = services.decision_approve(actor=user, case_id=case.pk, **form.service_kwargs())
    if decision.approved_by_id:
        return "已批准，答复书已生成，请送达。"
    return "法制审核已通过，送审批。"


def _return(form, case, user):
    services.decision_return(actor=user, case_id=case.pk, **form.service_kwargs())
    return "已退回承办人修改。"


def _serve(form, case, user):
    files = form.files_of()
    with transaction.atomic():
        case = services.request_serve(actor=user, case_id=case.pk, **form.service_kwargs())
        if files:
            services.request_upload(actor=user, case_id=case.pk, kind="service_proof", files=files)
    proof = f"，送达凭证{len(files)}个文件已保存" if files else ""
    return "已登记送达" + ("（逾期送达）" if case.served_late else "") + proof + "。"


def _archive(form, case, user):
    services.request_archive(actor=user, case_id=case.pk)
    return "已归档，案卷已生成。"


TASK_ACTIONS: dict[str, dict[str, PageAction]] = {
    "accept": {
        "accept": PageAction(
            "受理",
            task_forms.EmptyForm,
            _accept,
            step="accept",
            help="属于本机关负责公开的政府信息公开申请，内容明确。",
        ),
        "correction": PageAction(
            "告知补正",
            task_forms.CorrectionForm,
            _ask_correction,
            step="ask_correction",
            help="申请内容不明确的，自收到申请之日起7个工作日内一次性告知补正（《条例》第三十条）。",
        ),
        "reasons": PageAction(
            "要求说明理由",
            task_forms.ReasonsAskForm,
            _ask_reasons,
            step="ask_reasons",
            help="申请公开政府信息的数量、频次明显超过合理范围的，可以要求申请人说明理由"
            "（《条例》第三十五条）。等待说明期间答复期限照常计算。",
        ),
        "propose": PageAction(
            "直接提出办理意见",
            task_forms.ProposalForm,
            _propose,
            step="propose",
            help="不作为政府信息公开申请处理、重复申请等，不必受理后再提出。",
        ),
    },
    "reasons": {
        "record": PageAction(
            "登记说明理由",
            task_forms.ReasonsAnswerForm,
            _record_reasons,
            step="reasons_answer",
            help="说明期限届满仍未收到说明的，系统自动转承办人审查，按逾期未说明处理。",
        ),
    },
    "reasons_decide": {
        "unreasonable": PageAction(
            "理由不合理，拟不予处理",
            task_forms.ReasonsUnreasonableForm,
            _decide_reasons,
            step="reasons_decide",
            help="申请人逾期未说明理由或理由不合理的，不予处理（《条例》第三十五条）；办理意见送审批，"
            "批准后出具不予处理告知书。",
            danger=True,
        ),
        "reasonable": PageAction(
            "理由合理，继续办理",
            task_forms.ReasonsReasonableForm,
            _decide_reasons,
            step="reasons_decide",
        ),
        "deferred": PageAction(
            "理由合理，但无法按期答复",
            task_forms.ReasonsDeferForm,
            _decide_reasons,
            step="reasons_decide",
            help="确定延迟答复的合理期限（《条例》第三十五条），经政府信息公开工作机构负责人批准后"
            "出具延迟答复告知书，答复期限改为该日期。",
        ),
    },
    "correct": {
        "record": PageAction(
            "登记补正",
            task_forms.RecordCorrectionForm,
            _record_correction,
            step="record_correction",
            help="收到补正后的申请之日起重新计算答复期限（《条例》第三十条）。期限届满仍未补正的，系统自动按视为放弃申请处理。",
        ),
    },
    "consult": {
        "reply": PageAction(
            "记录答复", task_forms.ConsultationReplyForm, _record_reply, step="consultation_reply"
        ),
        "send": PageAction(
            "再征求一方意见",
            task_forms.ConsultationSendForm,
            _send_consultation,
            step="consult",
            help="第三方或其他机关自收到征求意见函之日起15个工作日内答复（《条例》第三十二条、第三十四条）。",
        ),
    },
    "propose": {
        "propose": PageAction("提出办理意见", task_forms.ProposalForm, _propose, step="propose"),
        "consult": PageAction(
            "征求意见",
            task_forms.ConsultationSendForm,
            _send_consultation,
            step="consult",
            help="征求意见期间不计算在答复期限内（《条例》第三十三条第三款）。",
        ),
        "fee": PageAction(
            "发出收费通知",
            task_forms.FeeNoticeForm,
            _fee_notice,
            step="fee_notice",
            help="申请数量、频次明显超过合理范围的，可以收取信息处理费；缴费期间暂停计时。",
        ),
    },
    "fee": {
        "paid": PageAction(
            "登记缴费",
            task_forms.FeePaidForm,
            _fee_paid,
            step="fee_paid",
            help="申请人应在收到收费通知之日起20个工作日内缴费；逾期未缴的，系统自动按视为放弃申请处理。",
        ),
    },
    "legal_review": {
        "approve": PageAction(
            "法制审核通过", task_forms.CommentForm, _approve, step="legal_review"
        ),
        "return": PageAction(
            "退回修改", task_forms.ReturnForm, _return, step="return", danger=True
        ),
    },
    "approve": {
        "approve": PageAction(
            "批准", task_forms.CommentForm, _approve, step="approve", help="批准后生成答复书。"
        ),
        "return": PageAction(
            "退回修改", task_forms.ReturnForm, _return, step="return", danger=True
        ),
    },
    "serve": {
        "serve": PageAction(
            "登记送达",
            # The ways of service are the service's (its codes and their labels).
            partial(task_forms.ServeForm, methods=services.ServiceMethod.LABELS),
            _serve,
            step="serve",
            help="直接送达以签收之日、邮寄送达以交邮之日、电子送达以发出之日为送达日期。",
        ),
    },
    "archive": {
        "archive": PageAction(
            "归档",
            task_forms.EmptyForm,
            _archive,
            step="archive",
            help="归档后申请材料不可再修改。",
        ),
    },
}


def case_url(case) -> str:
    return reverse("requests:cases:detail", kwargs={"pk": case.pk})


class CaseTaskView(TemplateView):
    """Show the case and the step's forms; on POST call one service and complete the task."""

    template_name = "requests_app/tasks/task.html"
    node_name = ""

    @cached_property
    def actions(self) -> dict[str, PageAction]:
        """The step's actions this user is offered (all of them for whoever holds the task)."""
        return offered(TASK_ACTIONS[self.node_name], self.request.user, self.case, self.case)

    def dispatch(self, request, *args, **kwargs):
        self.activation = request.activation
        self.case = case_of(self.activation.process)
        return super().dispatch(request, *args, **kwargs)

    def forms(
        self, bound: str | None = None, data=None, files=None
    ) -> dict[str, task_forms.TaskForm]:
        return {
            name: action.form_class(
                data if name == bound else None,
                files if name == bound else None,
                case=self.case,
                prefix=name,
            )
            for name, action in self.actions.items()
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        forms = kwargs.get("forms") or self.forms()
        context.update(
            case=self.case,
            task=self.activation.task,
            node=self.activation.flow_task,
            case_url=case_url(self.case),
            action_forms=[(name, self.actions[name], form) for name, form in forms.items()],
            consultations=list(self.case.consultations.all()),
            decision=getattr(self.case, "decision", None),
            reasons=ReasonsRequest.objects.filter(request=self.case).first(),
            deferral=Deferral.objects.filter(request=self.case).first(),
            provided_files=list(
                self.case.documents.filter(kind="provided").order_by("created_at", "id")
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        name = request.POST.get("_action", "")
        if name not in self.actions:
            name = next(iter(self.actions))
        action = self.actions[name]
        forms = self.forms(bound=name, data=request.POST, files=request.FILES)
        form = forms[name]
        if form.is_valid():
            try:
                result = action.call(form, self.case, request.user)
            except ValidationError as error:
                add_to_form(form, error)
            except (Stale, StaleCase) as error:
                # The case moved on outside this task: tell, and line the process up again.
                messages.warning(request, str(error))
                sync_process(self.case)
                return HttpResponseRedirect(case_url(self.case))
            except NotAllowed as error:
                add_to_form(form, error)
                return self.render_to_response(self.get_context_data(forms=forms), status=403)
            else:
                self.activation.execute()
                messages.success(request, f"{self.case.case_number}：{action.message(result)}")
                return HttpResponseRedirect(self.success_url())
        return self.render_to_response(self.get_context_data(forms=forms))

    def success_url(self) -> str:
        """The next task of the case when this user can take it on at once, else the case."""
        process = self.activation.process
        for task in Task.objects.filter(process=process, flow_task_type="HUMAN", status__in=ACTIVE):
            if task.flow_task.can_execute(self.request.user, task):
                return task.flow_task.reverse("execute", args=[process.pk, task.pk])
        return case_url(self.case)


class TakeTaskView(TemplateView):
    """领取: the case in brief and one button, 领取并办理 (or take it and come back later).

    The POST runs under the process's flow lock and re-checks that the task is still in the
    queue (viewflow's task wrapper), so when two officers click at once one takes it and the
    other is told who did (see ``_scoped``).
    """

    template_name = "requests_app/tasks/assign.html"

    def dispatch(self, request, *args, **kwargs):
        self.activation = request.activation
        self.case = case_of(self.activation.process)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            case=self.case,
            task=self.activation.task,
            node=self.activation.flow_task,
            case_url=case_url(self.case),
            queue_url=reverse("requests:tasks:queue"),
        )
        return context

    def post(self, request, *args, **kwargs):
        task = self.activation.task
        self.activation.assign(request.user)
        audit(
            actor=request.user,
            action="task_taken",
            obj=self.case,
            agency=self.case.agency,
            from_state=self.case.stage,
            to_state=self.case.stage,
            reason=f"领取“{task.flow_task.task_title}”",
        )
        if request.POST.get("later"):
            messages.success(
                request, f"{self.case.case_number}：已领取“{task.flow_task.task_title}”，在待办中。"
            )
            return HttpResponseRedirect(reverse("requests:tasks:inbox"))
        return HttpResponseRedirect(
            task.flow_task.reverse("execute", args=[task.process_id, task.pk])
        )


TASK_VIEWS = {
    name: type(
        f"{name.title().replace('_', '')}TaskView", (CaseTaskView,), {"node_name": name}
    ).as_view()
    for name in TASK_ACTIONS
}
TASK_VIEWS["take"] = TakeTaskView.as_view()
register_task_views(TASK_VIEWS)


# -- scoping every URL of the flow ------------------------------------------------------------


#: When the case stayed locked by someone else's step for too long.
BUSY = "这件申请正由其他人办理，请稍后再试。"


def _scoped(view):
    """Every URL of the flow that names a process or a task answers 404 unless the case is one
    of the user's agencies' cases, and the task belongs to the process named in the URL (viewflow
    takes its lock on the URL's process but loads the task by its own id)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        # The task pages and lists show the applicant: for the request roles only.
        require_request_role(request.user)
        process_pk, task_pk = kwargs.get("process_pk"), kwargs.get("task_pk")
        if process_pk is not None:
            process = Process.objects.filter(pk=process_pk, flow_class=RequestFlow).first()
            if process is None or not case_visible(request.user, process):
                raise Http404("没有找到这件申请。")
            if (
                task_pk is not None
                and not Task.objects.filter(pk=task_pk, process=process).exists()
            ):
                raise Http404("没有找到这项任务。")
        try:
            return view(request, *args, **kwargs)
        except FlowLockFailed:
            messages.warning(request, BUSY)
            return HttpResponseRedirect(request.get_full_path())
        except PermissionDenied:
            # A task already done or taken by someone else (double submission, two officers at
            # once): say so instead of a bare 403.
            task = Task.objects.filter(pk=task_pk).first() if task_pk else None
            if task is not None and _taken_by(task, request.user):
                # Taken twice by the same officer (a double click): carry on to the task.
                messages.info(request, f"您已领取“{task.flow_task.task_title}”。")
                return HttpResponseRedirect(
                    task.flow_task.reverse("execute", args=[task.process_id, task.pk])
                )
            if task is not None and task.status == STATUS.CANCELED:
                case = case_of(task.process)
                messages.info(
                    request,
                    f"“{task.flow_task.task_title}”已不需要办理：这件申请现处于"
                    f"“{case.get_stage_display()}”阶段。",
                )
                return HttpResponseRedirect(case_url(case))
            if task is not None and task.status not in (STATUS.NEW, STATUS.ASSIGNED):
                messages.info(request, f"“{task.flow_task.task_title}”已经办理，无需重复提交。")
                return HttpResponseRedirect(case_url(case_of(task.process)))
            if task is not None and task.owner_id and task.owner_id != request.user.pk:
                owner = task.owner.get_full_name() or task.owner.get_username()
                messages.warning(
                    request, f"“{task.flow_task.task_title}”已由{owner}领取，由其办理。"
                )
                return HttpResponseRedirect(case_url(case_of(task.process)))
            raise

    return wrapper


def _taken_by(task, user) -> bool:
    """``user`` has taken ``task`` and may carry it out."""
    return (
        task.status == STATUS.ASSIGNED
        and task.owner_id == user.pk
        and task.flow_task.can_execute(user, task)
    )


def _wrap_patterns(patterns) -> None:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            _wrap_patterns(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            entry.callback = _scoped(entry.callback)


# -- lists ------------------------------------------------------------------------------------


class _CaseColumns:
    """Columns that show the case rather than viewflow's process numbers."""

    columns = ("case_number", "task_title", "applicant", "due", "created", "action")
    template_name = "requests_app/tasks/list.html"
    #: Rows counted past the page (``workflow.pagination.COUNT_LIMIT`` when None).
    count_limit: int | None = None

    def paginate_queryset(self, queryset, page_size):
        """Pages whose count stops at a bound (``workflow.pagination``): a large agency's 已办
        holds hundreds of thousands of tasks, and counting them all on every view is what made
        the lists slow. A number that is no page (``abc``, ``0``) gives the first page, one past
        the end the last, never a 404."""
        paginator = BoundedCountPaginator(
            queryset,
            page_size,
            number=self.request.GET.get(self.page_kwarg),
            limit=self.count_limit,
        )
        page = paginator.get_page()
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # viewflow's list offers "select all N" (bulk take or give back, applied server-side to
        # the whole list) with the number it reads from ``paginator.count``: only an exact count
        # may be offered. Beyond the bound the rows of the page can still be selected; the
        # pagination line says "more than" (``viewflow/includes/list_pagination.html``).
        if not context["paginator"].exact:
            context["paginator"] = None
        return context

    #: Stand-ins for a process's and a task's number in a step's URL, resolved once per page.
    _PROCESS_MARK, _TASK_MARK = 987654321, 987654323

    def _task_url(self, task, name: str) -> str:
        """``task.flow_task.reverse(name, …)`` for the task: a page of 25 rows asked the URL
        resolver 50 times, for the few steps' URLs that differ only by the two numbers."""
        cache = self.__dict__.setdefault("_gk_task_urls", {})
        key = (task.flow_task, name)
        if key not in cache:
            cache[key] = task.flow_task.reverse(name, args=[self._PROCESS_MARK, self._TASK_MARK])
        return (
            cache[key]
            .replace(str(self._PROCESS_MARK), str(task.process_id))
            .replace(str(self._TASK_MARK), str(task.pk))
        )

    def case_number(self, task):
        case = task.process.artifact
        url = self._task_url(task, "index")
        number = case.case_number if case else f"#{task.process_id}"
        return mark_safe(f'<a href="{url}">{_escape(number)}</a>')

    case_number.short_description = "登记编号"

    def task_title(self, task):
        return task.flow_task.task_title

    task_title.short_description = "任务"

    def applicant(self, task):
        case = task.process.artifact
        return case.applicant_name if case else ""

    applicant.short_description = "申请人"

    def due(self, task):
        case = task.process.artifact
        if case is None or case.due_date is None:
            return "计时暂停" if case is not None and case.paused else ""
        days = case.days_left
        if case.overdue:
            left = f"（已超期{-days}个工作日）" if days is not None and days < 0 else "（超期）"
        elif days is not None:
            left = f"（尚余{days}个工作日{'，临期' if case.at_risk else ''}）"
        else:
            left = "（临期）" if case.at_risk else ""
        # a deadline that rests on a year without a State Council schedule says so (DOMAIN §2)
        provisional = "（暂定）" if case.provisional else ""
        return f"{cn_date(case.due_date)}{provisional}{left}"

    due.short_description = "答复期限"

    def action(self, task):
        """办理 for a task of one's own, 领取并办理 (one click, a POST) for one in the queue."""
        user = self.request.user
        if task.owner_id == user.pk and task.status == STATUS.ASSIGNED:
            url = self._task_url(task, "execute")
            return format_html('<a class="mdc-button gk-do" href="{}">办理</a>', url)
        if task.owner_id is None and task.status == STATUS.NEW:
            url = self._task_url(task, "assign")
            return format_html(
                '<form method="post" action="{}" class="gk-take">'
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                '<button type="submit" class="mdc-button mdc-button--raised">领取并办理</button>'
                "</form>",
                url,
                get_token(self.request),
            )
        return ""

    action.short_description = "操作"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("process__artifact")


def _escape(text: str) -> str:
    from django.utils.html import escape

    return escape(text)


#: django-filter's date ranges in Chinese (its catalog has no zh_Hans; the frame's is zh-hans).
DATE_RANGES = [
    ("today", "今天"),
    ("yesterday", "昨天"),
    ("week", "最近7天"),
    ("month", "本月"),
    ("year", "今年"),
]


def _task_choices() -> list[tuple[str, str]]:
    """The steps of the request process by their Chinese titles."""
    return [
        (get_task_ref(getattr(RequestFlow, name)), getattr(RequestFlow, name).task_title)
        for name in TASK_ROLES
    ]


class TaskListFilter(FilterSet):
    """Filters of the task lists: the step and when it was created.

    Replaces viewflow's default, which offers a select of every process of the user's tasks:
    tens of thousands of options in a large agency, built on every page view.
    """

    flow_task = ChoiceFilter(label="办理环节")
    created = DateRangeFilter(label="创建时间", choices=DATE_RANGES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["flow_task"].field.choices = _task_choices()

    class Meta:
        model = Task
        fields = ("flow_task", "created")


class ArchiveListFilter(TaskListFilter):
    """The same for the tasks done, with when they were done (viewflow's default names the
    steps by their codes, e.g. "Request/Accept")."""

    finished = DateRangeFilter(label="办结时间", choices=DATE_RANGES)

    class Meta:
        model = Task
        fields = ("flow_task", "created", "finished")


class InboxView(_CaseColumns, flow_views.FlowInboxListView):
    title = "待办"
    filterset_class = TaskListFilter

    @viewprop
    def queryset(self):
        return by_due_date(inbox_of(self.request.user).select_related("process"))


class QueueView(_CaseColumns, flow_views.FlowQueueListView):
    title = "待领取"
    filterset_class = TaskListFilter

    @viewprop
    def queryset(self):
        return by_due_date(queue_of(self.request.user).select_related("process"))


class ArchiveView(_CaseColumns, flow_views.FlowArchiveListView):
    title = "已办"
    columns = ("case_number", "task_title", "applicant", "finished")
    filterset_class = ArchiveListFilter

    @viewprop
    def queryset(self):
        return archive_of(self.request.user).select_related("process").order_by("-finished")


class _ScopedBulkAction:
    """Take or give back several tasks from a list at once.

    The selection must be tasks the user may see: another agency's task is a 404, exactly like
    a task that does not exist (as on the task URLs). "Select all" means the whole list the
    action is offered on: the user's queue for taking, their inbox for giving back.
    """

    done_message = ""

    def list_of(self, user):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        if not request.POST.get("select_all"):
            try:
                wanted = {int(pk) for pk in request.POST.getlist("pk")}
            except ValueError:
                raise Http404("没有找到所选的任务。") from None
            visible = visible_tasks(request.user).filter(flow_task_type="HUMAN", pk__in=wanted)
            if visible.count() != len(wanted):
                raise Http404("没有找到所选的任务。")
            if self.list_of(request.user).filter(pk__in=wanted).count() != len(wanted):
                raise PermissionDenied("所选任务中有不能由您办理的。")
        return super().post(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        messages.info(request, "没有选择任务。")
        return HttpResponseRedirect(self.get_success_url())

    def get_queryset(self):
        self.queryset = self.list_of(self.request.user)
        return super().get_queryset()

    def message_user(self):
        messages.success(self.request, self.done_message)


class BulkAssignView(_ScopedBulkAction, BulkAssignTasksActionView):
    done_message = "已领取所选任务。"

    def list_of(self, user):
        return queue_of(user)


class BulkUnassignView(_ScopedBulkAction, BulkUnassignTasksActionView):
    done_message = "所选任务已退回待领取。"

    def list_of(self, user):
        return inbox_of(user)


class TasksIndexView(RedirectView):
    """办理任务: one's own tasks (待办) when there are any, else the ones to take (待领取)."""

    def get_redirect_url(self, *args, **kwargs):
        counts = task_counts(self.request.user)
        name = "inbox" if counts["inbox"] or not counts["queue"] else "queue"
        return reverse(f"requests:tasks:{name}")


class RequestTasksViewset(BulkActionsViewsMixin, FlowViewset):
    """依申请公开 › 办理任务: inbox, queue and archive of the request process, agency-scoped."""

    title = "办理任务"
    icon = "assignment_turned_in"
    app_name = "tasks"

    inbox_path = property(
        lambda self: path("inbox/", InboxView.as_view(**self._list_kwargs()), name="inbox")
    )
    queue_path = property(
        lambda self: path("queue/", QueueView.as_view(**self._list_kwargs()), name="queue")
    )
    archive_path = property(
        lambda self: path("archive/", ArchiveView.as_view(**self._list_kwargs()), name="archive")
    )

    # viewflow's dashboard and its flow-wide process and task lists are not agency-scoped.
    process_list_path = None
    task_list_path = None

    def __init__(self, **kwargs):
        super().__init__(RequestFlow, **kwargs)

    def _list_kwargs(self) -> dict:
        return {"flow_class": RequestFlow, "viewset": self}

    @property
    def index_path(self):
        return path("", TasksIndexView.as_view(), name="index")

    def _get_urls(self):
        patterns = super()._get_urls()
        _wrap_patterns(patterns)
        return patterns

    tasks_assign_view_class = BulkAssignView
    tasks_unassign_view_class = BulkUnassignView

    def get_queryset(self, request):
        """The tasks any view of this viewset without its own list may show: visible ones."""
        return visible_tasks(request.user).filter(flow_task_type="HUMAN")

    def has_view_permission(self, user, obj=None) -> bool:
        # Asked by the menu on every page: no query beyond the user's roles (every list and
        # page below is scoped).
        return has_request_role(user)

    def get_context_data(self, request):
        return {
            "user_inbox": inbox_of(request.user),
            "user_queue": queue_of(request.user),
        }
