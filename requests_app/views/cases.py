"""The case list and the case page, with the case page's actions outside the process's tasks."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView
from viewflow.urls import AppMenuMixin, Viewset
from viewflow.workflow.exceptions import FlowLockFailed

from requests_app import services
from requests_app.flows import case_tasks
from requests_app.forms import (
    CaseFilterForm,
    CaseUploadForm,
    DeferralApproveForm,
    DeferralRefuseForm,
    ExtensionApproveForm,
    ExtensionAskForm,
    FeeWaiveForm,
    NoticeServiceForm,
    WithdrawForm,
)
from requests_app.labels import ACTION_LABELS
from requests_app.models import Deferral, InformationRequest
from requests_app.selectors import (
    case_events,
    case_handlers,
    case_list,
    possible_duplicates,
    require_request_role,
    visible_requests,
)
from requests_app.uploads import uploadable_kinds
from requests_app.views.challenges import ChallengeView, challenge_section
from requests_app.views.common import offered
from requests_app.views.documents import case_document, case_upload_file
from requests_app.views.registration import is_registrar
from requests_app.views.tasks import BUSY
from workflow.actions import PageAction
from workflow.calendar import get_calendar
from workflow.cn import cn_date
from workflow.errors import REFUSALS, add_to_form
from workflow.models import AuditEvent
from workflow.pagination import BoundedCountPaginator
from workflow.roles import has_request_role, user_roles
from workflow.selectors import agencies_of

R = InformationRequest
PAGE_SIZE = 20

STAGE_LABELS = dict(R.Stage.choices)
#: Notices the case page shows after registration (``?notice=``).
NOTICES = {
    "registered": "已登记，登记编号：{case.case_number}。",
    "registered_late": (
        "已登记，登记编号：{case.case_number}。请注意：按收到申请之日{receipt}计算，答复期限"
        "{due}已过，这件申请登记时即已超期。请核对收到申请之日；无误的，请尽快办理。"
    ),
    "resubmitted": (
        "这份申请已经登记（{case.case_number}），没有重复登记；"
        "需要补充的材料请在下方“上传材料”中上传。"
    ),
}


class RequestRoleMixin(LoginRequiredMixin):
    """Login first; then a request role (``REQUEST_ROLES``) or 403: a case is personal data."""

    def dispatch(self, request, *args, **kwargs):
        require_request_role(request.user)
        return super().dispatch(request, *args, **kwargs)


class CaseListView(RequestRoleMixin, TemplateView):
    """Every visible case, soonest due first, filtered by a GET form; 20 a page."""

    template_name = "requests_app/case_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        agencies = agencies_of(user)
        form = CaseFilterForm(
            self.request.GET or None, agencies=agencies, handlers=case_handlers(user)
        )
        filters = {}
        if form.is_bound:
            form.is_valid()
            filters = form.valid_filters()
        # Open cases unless the officer asks for the finished ones (or all).
        # 有复议/诉讼: the challenged cases are mostly archived, so all of them unless asked.
        filters["show"] = filters.get("show") or ("all" if filters.get("challenged") else "open")
        paginator = BoundedCountPaginator(
            case_list(user, filters), PAGE_SIZE, number=self.request.GET.get("page")
        )
        page = paginator.get_page()
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            form=form,
            page=page,
            query=query.urlencode(),
            filtered=any(v for k, v in filters.items() if k != "show") or filters["show"] != "open",
            many_agencies="agency" in form.fields,
            can_register=is_registrar(user),
        )
        return context


@dataclass
class TimelineEntry:
    event: AuditEvent
    label: str
    from_label: str
    to_label: str


def _timeline(case: InformationRequest) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            event=event,
            label=ACTION_LABELS.get(event.action, event.action),
            from_label=STAGE_LABELS.get(event.from_state, event.from_state),
            to_label=STAGE_LABELS.get(event.to_state, event.to_state),
        )
        for event in case_events(case)
    ]


OPEN_STAGES = set(services.OPEN_STAGES)


def _all_errors(form) -> list[str]:
    return [message for messages_ in form.errors.values() for message in messages_]


@dataclass
class CaseSituation:
    """What the case page's actions depend on besides the user's roles: the case's state."""

    case: InformationRequest

    @property
    def open(self) -> bool:
        return self.case.stage in OPEN_STAGES

    @property
    def extension(self):
        return getattr(self.case, "extension", None)

    @property
    def deferral(self) -> Deferral | None:
        return getattr(self.case, "deferral", None)

    @property
    def deferring(self) -> bool:
        return self.deferral is not None and self.deferral.status != Deferral.Status.REFUSED

    @property
    def deferral_pending(self) -> bool:
        return self.deferral is not None and self.deferral.status == Deferral.Status.PENDING

    @cached_property
    def open_notices(self) -> list:
        """The notices whose service the registrar may record (or correct): while the case waits
        for the applicant or the consulted party (DOMAIN §3.8)."""
        if self.case.stage not in (R.Stage.CORRECT, R.Stage.CONSULT, R.Stage.FEE):
            return []
        notices = self.case.notice_services.select_related("consultation", "request")
        return [s for s in notices if services.notice_is_open(s)]


def _done(form_class) -> str:
    return f"已办理：{form_class.title}。"


def _extension_ask(form, case, user):
    data = form.cleaned_data
    services.extension_ask(actor=user, case_id=case.pk, days=data["days"], reason=data["reason"])


def _extension_approve(form, case, user):
    services.extension_approve(actor=user, case_id=case.pk)


def _deferral_approve(form, case, user):
    services.deferral_approve(actor=user, case_id=case.pk)


def _deferral_refuse(form, case, user):
    services.deferral_refuse(actor=user, case_id=case.pk, comment=form.cleaned_data["comment"])


def _withdraw(form, case, user):
    data = form.cleaned_data
    services.request_withdraw(actor=user, case_id=case.pk, on=data["on"], reason=data["reason"])


def _fee_waive(form, case, user):
    services.fee_waive(actor=user, case_id=case.pk, reason=form.cleaned_data["reason"])


def _notice_service(form, case, user):
    services.notice_record_service(actor=user, **form.service_kwargs())


def _case_action(form_class, call, step: str, available) -> PageAction:
    return PageAction(
        form_class.title, form_class, call, step=step, available=available, done=_done(form_class)
    )


#: The case page's actions outside the process's tasks (extension, deferral, withdrawal, fee
#: waiver, notice service): each offered when the case's state allows it (``available``) to
#: whom the permission table gives its step; the services check both again.
CASE_ACTIONS: dict[str, PageAction] = {
    "extension_ask": _case_action(
        ExtensionAskForm,
        _extension_ask,
        "extension_ask",
        lambda s: s.open and s.extension is None and not s.deferring,
    ),
    "extension_approve": _case_action(
        ExtensionApproveForm,
        _extension_approve,
        "extension_approve",
        lambda s: s.open and s.extension is not None and not s.extension.approved_on,
    ),
    "deferral_approve": _case_action(
        DeferralApproveForm,
        _deferral_approve,
        "deferral",
        lambda s: s.open and s.deferral_pending,
    ),
    "deferral_refuse": _case_action(
        DeferralRefuseForm,
        _deferral_refuse,
        "deferral",
        lambda s: s.open and s.deferral_pending,
    ),
    "withdraw": _case_action(WithdrawForm, _withdraw, "withdraw", lambda s: s.open),
    "fee_waive": _case_action(
        FeeWaiveForm, _fee_waive, "fee_waive", lambda s: s.case.stage == R.Stage.FEE
    ),
    # Periods that run from receipt (DOMAIN §3.8): the registrar records each notice's service.
    "notice_service": _case_action(
        NoticeServiceForm, _notice_service, "notice_service", lambda s: bool(s.open_notices)
    ),
}


def available_actions(
    case: InformationRequest, user
) -> tuple[dict[str, PageAction], CaseSituation]:
    """The case-page actions the user's role and the case's state allow (services re-check)."""
    situation = CaseSituation(case)
    return offered(CASE_ACTIONS, user, case, situation), situation


def _action_form(name: str, situation: CaseSituation, data=None, **kwargs):
    """The form of a case-page action; the notice service's lists the notices still open."""
    action = CASE_ACTIONS[name]
    if action.form_class is NoticeServiceForm:
        kwargs.update(case=situation.case, notices=situation.open_notices)
    return action.form_class(data, **kwargs)


def _notice_services(case: InformationRequest) -> list:
    """The case's notices with a period from receipt; an end in a year without an official
    holiday schedule is marked provisional (DOMAIN §2)."""
    services_ = list(
        case.notice_services.select_related("letter", "proof", "consultation").order_by(
            "issued_on", "id"
        )
    )
    if any(s.period_end for s in services_):
        calendar = get_calendar(case.agency_id)
        for service in services_:
            service.provisional = bool(service.period_end) and calendar.is_provisional(
                service.period_end
            )
    return services_


class CaseDetailView(RequestRoleMixin, TemplateView):
    """All facts of one case, its clock and its history. Other agencies' cases are a 404."""

    template_name = "requests_app/case_detail.html"

    def post(self, request, *args, **kwargs):
        """An action outside the tasks (extension, withdrawal, waiver): one service call."""
        case = get_object_or_404(visible_requests(request.user), pk=kwargs["pk"])
        name = kwargs.get("action", "")
        if name == "upload":
            return self.upload(request, case, **kwargs)
        actions, situation = available_actions(case, request.user)
        action = actions.get(name)
        if action is None:
            messages.error(request, "这项操作现在不能办理：可能已由他人办理，或您没有相应的角色。")
            return HttpResponseRedirect(reverse("requests:cases:detail", args=[case.pk]))
        form = _action_form(name, situation, request.POST)
        detail = reverse("requests:cases:detail", args=[case.pk])
        if form.is_valid():
            try:
                result = action.call(form, case, request.user)
            except ValidationError as error:
                add_to_form(form, error)
            except (*REFUSALS, services.StaleCase) as error:
                # Someone else acted first: the form may be gone from the page, so say it there.
                messages.error(request, str(error))
                return HttpResponseRedirect(detail)
            except FlowLockFailed:
                messages.warning(request, BUSY)
                return HttpResponseRedirect(detail)
            else:
                messages.success(request, action.message(result))
                return HttpResponseRedirect(detail)
            case = visible_requests(request.user).get(pk=case.pk)
            if name not in available_actions(case, request.user)[0]:
                # The same, when the service's refusal came as a ValidationError.
                messages.error(request, "；".join(_all_errors(form)))
                return HttpResponseRedirect(detail)
        return self.render_to_response(self.get_context_data(bound={name: form}, **kwargs))

    def upload(self, request, case: InformationRequest, **kwargs):
        """The upload box: the kinds the user's role and the case's stage allow."""
        kinds = uploadable_kinds(stage=case.stage, roles=user_roles(request.user))
        if not kinds:
            messages.error(request, "这件申请现在不能由您上传材料（已归档，或没有相应的角色）。")
            return HttpResponseRedirect(reverse("requests:cases:detail", args=[case.pk]))
        form = CaseUploadForm(request.POST, request.FILES, kinds=kinds)
        if form.is_valid():
            data = form.cleaned_data
            try:
                documents = services.request_upload(
                    actor=request.user,
                    case_id=case.pk,
                    kind=data["kind"],
                    files=data["files"],
                    title=data["title"],
                )
            except (ValidationError, *REFUSALS, services.StaleCase) as error:
                add_to_form(form, error)
            else:
                names = "、".join(d.original_name for d in documents)
                messages.success(request, f"已上传{len(documents)}个文件：{names}。")
                url = reverse("requests:cases:detail", args=[case.pk])
                return HttpResponseRedirect(f"{url}#uploads")
        return self.render_to_response(self.get_context_data(upload_form=form, **kwargs))

    def get_context_data(self, bound=None, upload_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        case = get_object_or_404(
            visible_requests(self.request.user).select_related(
                "agency", "handler", "created_by", "reasons_request", "deferral"
            ),
            pk=kwargs["pk"],
        )
        bound = bound or {}
        actions, situation = available_actions(case, self.request.user)
        kinds = uploadable_kinds(stage=case.stage, roles=user_roles(self.request.user))
        documents = list(case.documents.select_related("created_by").order_by("created_at", "id"))
        context.update(
            case=case,
            tasks=case_tasks(case, self.request.user),
            action_forms={
                name: bound.get(name)
                or _action_form(name, situation, initial={"on": timezone.localdate()})
                for name in actions
            },
            notice=NOTICES.get(self.request.GET.get("notice", ""), "").format(
                case=case,
                receipt=cn_date(case.receipt_date),
                due=cn_date(case.due_date) if case.due_date else "",
            ),
            notice_late=self.request.GET.get("notice") == "registered_late",
            clock_entries=case.clock_entries.select_related("created_by").order_by("on", "id"),
            reasons=getattr(case, "reasons_request", None),
            deferral=getattr(case, "deferral", None),
            consultations=case.consultations.select_related("disclosure_notice").order_by(
                "sent_on", "id"
            ),
            notice_services=_notice_services(case),
            challenge_section=challenge_section(case, self.request.user),
            timeline=_timeline(case),
            documents=[d for d in documents if not d.is_upload],
            uploads=[d for d in documents if d.is_upload],
            upload_form=upload_form or (CaseUploadForm(kinds=kinds) if kinds else None),
            same_applicant=possible_duplicates(
                case.agency,
                id_number=case.id_number,
                credit_code=case.credit_code,
                applicant_name=case.applicant_name,
                exclude_pk=case.pk,
            ),
        )
        return context


class CaseViewset(AppMenuMixin, Viewset):
    """依申请公开 › 申请台账: the case list and the case pages."""

    title = "申请台账"
    icon = "list_alt"
    app_name = "cases"

    def has_view_permission(self, user, obj=None) -> bool:
        return has_request_role(user)

    index_path = path("", CaseListView.as_view(), name="index")
    detail_path = path("<int:pk>/", CaseDetailView.as_view(), name="detail")
    action_path = path("<int:pk>/actions/<slug:action>/", CaseDetailView.as_view(), name="action")
    document_path = path(
        "<int:pk>/documents/<int:document_id>.<str:fmt>", case_document, name="document"
    )
    upload_path = path("<int:pk>/uploads/<int:document_id>/", case_upload_file, name="upload_file")
    challenge_add_path = path(
        "<int:pk>/challenges/add/", ChallengeView.as_view(), name="challenge_add"
    )
    challenge_edit_path = path(
        "<int:pk>/challenges/<int:challenge_id>/", ChallengeView.as_view(), name="challenge_edit"
    )
