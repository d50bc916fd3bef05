"""Officers' pages of information requests: the case list, the case page and registration."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView
from viewflow.urls import AppMenuMixin, Viewset
from viewflow.workflow.exceptions import FlowLockFailed

from requests_app import documents, services
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
    RegistrationForm,
    WithdrawForm,
)
from requests_app.labels import ACTION_LABELS
from requests_app.models import CaseDocument, Deferral, InformationRequest
from requests_app.selectors import (
    case_events,
    case_handlers,
    case_list,
    possible_duplicates,
    require_request_role,
    visible_requests,
)
from requests_app.services import DuplicateSubmission, PossibleDuplicates, request_register
from requests_app.task_views import BUSY
from requests_app.uploads import FILE_TYPES, uploadable_kinds
from workflow.calendar import get_calendar
from workflow.cn import cn_date
from workflow.downloads import file_view
from workflow.letters.issuing import render_if_pending
from workflow.models import AuditEvent
from workflow.pagination import BoundedCountPaginator
from workflow.roles import has_request_role, has_role, user_roles
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


def is_registrar(user) -> bool:
    """Registration is for staff of an agency who hold the registrar role (DOMAIN §1)."""
    if not user.is_authenticated:
        return False
    # Asked by the page and by the menu: remembered on the request's user object.
    if not hasattr(user, "_gk_is_registrar"):
        user._gk_is_registrar = has_role(user, "registrar") and agencies_of(user).exists()
    return user._gk_is_registrar


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
        filters["show"] = filters.get("show") or "open"
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


def _error_items(error: ValidationError):
    """(field, messages) pairs of a service's ValidationError; field None for the form."""
    if hasattr(error, "error_dict"):
        return [(None if k == "__all__" else k, v) for k, v in error.message_dict.items()]
    return [(None, error.messages)]


def _all_errors(form) -> list[str]:
    return [message for messages_ in form.errors.values() for message in messages_]


def available_actions(case: InformationRequest, user) -> dict[str, type[forms.Form]]:
    """The case-page actions the user's role and the case's state allow (services re-check)."""
    actions: dict[str, type[forms.Form]] = {}
    roles = user_roles(user)
    open_case = case.stage in OPEN_STAGES
    extension = getattr(case, "extension", None)
    deferral = getattr(case, "deferral", None)
    deferring = deferral is not None and deferral.status != Deferral.Status.REFUSED
    if open_case and extension is None and not deferring and "handler" in roles:
        actions["extension_ask"] = ExtensionAskForm
    if open_case and extension is not None and not extension.approved_on and "office_head" in roles:
        actions["extension_approve"] = ExtensionApproveForm
    pending = deferral is not None and deferral.status == Deferral.Status.PENDING
    if open_case and pending and "office_head" in roles:
        actions["deferral_approve"] = DeferralApproveForm
        actions["deferral_refuse"] = DeferralRefuseForm
    if open_case and roles & {"registrar", "handler"}:
        actions["withdraw"] = WithdrawForm
    if case.stage == R.Stage.FEE and "office_head" in roles:
        actions["fee_waive"] = FeeWaiveForm
    waiting = case.stage in (R.Stage.CORRECT, R.Stage.CONSULT, R.Stage.FEE)
    if (
        waiting
        and "registrar" in roles
        and any(
            services.notice_is_open(s) for s in case.notice_services.select_related("consultation")
        )
    ):
        # Periods that run from receipt (DOMAIN §3.8): the registrar records each notice's service.
        actions["notice_service"] = NoticeServiceForm.for_case(case)
    return actions


def run_action(name: str, case: InformationRequest, user, data: dict) -> None:
    """Call the one service behind a case-page action."""
    if name == "extension_ask":
        services.extension_ask(
            actor=user, case_id=case.pk, days=data["days"], reason=data["reason"]
        )
    elif name == "extension_approve":
        services.extension_approve(actor=user, case_id=case.pk)
    elif name == "deferral_approve":
        services.deferral_approve(actor=user, case_id=case.pk)
    elif name == "deferral_refuse":
        services.deferral_refuse(actor=user, case_id=case.pk, comment=data["comment"])
    elif name == "withdraw":
        services.request_withdraw(actor=user, case_id=case.pk, on=data["on"], reason=data["reason"])
    elif name == "fee_waive":
        services.fee_waive(actor=user, case_id=case.pk, reason=data["reason"])
    elif name == "notice_service":
        services.notice_record_service(
            actor=user,
            service_id=data["service"],
            method=data["method"],
            served_on=data["served_on"],
            tracking_number=data["tracking_number"],
            proof_id=data["proof"],
        )


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
        form_class = available_actions(case, request.user).get(name)
        if form_class is None:
            messages.error(request, "这项操作现在不能办理：可能已由他人办理，或您没有相应的角色。")
            return HttpResponseRedirect(reverse("requests:cases:detail", args=[case.pk]))
        form = form_class(request.POST)
        detail = reverse("requests:cases:detail", args=[case.pk])
        if form.is_valid():
            try:
                run_action(name, case, request.user, form.cleaned_data)
            except ValidationError as error:
                for field, errors in _error_items(error):
                    form.add_error(field if field in form.fields else None, errors)
            except (PermissionError, services.StaleCase) as error:
                # Someone else acted first: the form may be gone from the page, so say it there.
                messages.error(request, str(error))
                return HttpResponseRedirect(detail)
            except FlowLockFailed:
                messages.warning(request, BUSY)
                return HttpResponseRedirect(detail)
            else:
                messages.success(request, f"已办理：{form.title}。")
                return HttpResponseRedirect(detail)
            case = visible_requests(request.user).get(pk=case.pk)
            if name not in available_actions(case, request.user):
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
            except ValidationError as error:
                for field, errors in _error_items(error):
                    form.add_error(field if field in form.fields else None, errors)
            except (PermissionError, services.StaleCase) as error:
                form.add_error(None, str(error))
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
        kinds = uploadable_kinds(stage=case.stage, roles=user_roles(self.request.user))
        documents = list(case.documents.select_related("created_by").order_by("created_at", "id"))
        context.update(
            case=case,
            tasks=case_tasks(case, self.request.user),
            action_forms={
                name: bound.get(name) or form_class(initial={"on": timezone.localdate()})
                for name, form_class in available_actions(case, self.request.user).items()
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


CHANGED_DUPLICATES = (
    "同一申请人刚刚又有申请登记（可能是其他工作人员登记的），尚未登记；"
    "请核对下列申请，确认不是同一份申请后再勾选“已核对，仍然登记”。"
)


class RegisterView(LoginRequiredMixin, UserPassesTestMixin, TemplateView):
    """Register an application in one form (DOMAIN §3.1 register); duplicates shown first."""

    template_name = "requests_app/register.html"

    def test_func(self) -> bool:
        return is_registrar(self.request.user)

    def _form(self, data=None, files=None) -> RegistrationForm:
        today = timezone.localdate()
        initial = RegistrationForm.defaults(today) | {"token": uuid.uuid4().hex}
        return RegistrationForm(
            data, files, initial=initial, agencies=agencies_of(self.request.user), today=today
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self._form()))

    def post(self, request, *args, **kwargs):
        data = request.POST.copy()
        form = self._form(data, request.FILES)
        if not form.has_token():
            # Only a page from before tokens, or a hand-made request: it cannot be told apart
            # from a repeat, so it is not registered; the form comes back with a fresh token.
            data["token"] = uuid.uuid4().hex
            form.is_valid()
            form.add_error(None, "这份登记表缺少防止重复登记的标记，尚未登记；请核对后再提交一次。")
            return self._render(form)
        token = data["token"]
        earlier = R.objects.filter(submission_token=token).first()
        if earlier is not None:
            return self._already_registered(form, earlier)
        duplicates: list[InformationRequest] = []
        if form.is_valid():
            agency = form.cleaned_data["agency"]
            registration = form.registration()
            duplicates = possible_duplicates(
                agency,
                id_number=registration.id_number,
                credit_code=registration.credit_code,
                applicant_name=registration.applicant_name,
            )
            seen = form.seen_duplicates()
            confirmed = (
                form.cleaned_data["confirm_duplicates"] and {d.pk for d in duplicates} <= seen
            )
            if duplicates and not confirmed:
                if form.cleaned_data["confirm_duplicates"]:
                    form.require_confirmation_again()
                    form.add_error(None, CHANGED_DUPLICATES)
            else:
                try:
                    case = request_register(
                        actor=request.user,
                        agency=agency,
                        data=registration,
                        submission_token=token,
                        known_duplicates=seen if duplicates else set(),
                        attachments=form.attachments(),
                    )
                except DuplicateSubmission as error:
                    return self._already_registered(form, error.case)
                except PossibleDuplicates as error:
                    duplicates = error.cases
                    form.require_confirmation_again()
                    form.add_error(None, CHANGED_DUPLICATES)
                except ValidationError as error:
                    form.add_service_errors(
                        error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
                    )
                except PermissionError as error:
                    form.add_error(None, str(error))
                else:
                    # A receipt date so far back that the reply is already due: say so at once.
                    late = case.due_date is not None and case.due_date < timezone.localdate()
                    notice = "registered_late" if late else "registered"
                    return HttpResponseRedirect(self._case_url(case, notice=notice))
        return self._render(form, duplicates)

    def _render(self, form: RegistrationForm, duplicates=()):
        return self.render_to_response(
            self.get_context_data(form=form, duplicates=list(duplicates)), status=200
        )

    def _already_registered(self, form: RegistrationForm, case: InformationRequest):
        """The same form again (double click, back and resubmit): to the case registered."""
        if visible_requests(self.request.user).filter(pk=case.pk).exists():
            return HttpResponseRedirect(self._case_url(case, notice="resubmitted"))
        form.data = form.data.copy()
        form.data["token"] = uuid.uuid4().hex
        form.is_valid()
        form.add_error(None, "这份登记表已经提交过，不能再次登记。")
        return self._render(form)

    def _case_url(self, case: InformationRequest, *, notice: str) -> str:
        # A notice in the address rather than a session message: it stays on the page (the
        # snackbar of the frame vanishes) and survives a reload.
        return reverse("requests:cases:detail", kwargs={"pk": case.pk}) + f"?notice={notice}"


@login_required
@file_view
def case_document(request, pk: int, document_id: int, fmt: str):
    """A letter or the case file: only for the request roles (403 for the others) of the case's
    agency (404 for other agencies)."""
    require_request_role(request.user)
    case = get_object_or_404(visible_requests(request.user), pk=pk)
    document = get_object_or_404(CaseDocument, pk=document_id, request=case)
    if document.is_upload:
        raise Http404("上传的材料请从材料列表下载。")
    stored = document.docx if fmt == "docx" else document.file
    if not stored:
        raise Http404("没有这种格式的文件。")
    render_if_pending(stored.name)  # a letter whose render after its step's commit failed
    name = f"{case.case_number}-{document.title}.{stored.name.rsplit('.', 1)[-1]}"
    response = FileResponse(stored.open("rb"), filename=name, as_attachment=fmt == "docx")
    return response


@login_required
@file_view
def case_upload_file(request, pk: int, document_id: int):
    """An uploaded file, under its own (made safe) name and the type read from its content.

    Only for the request roles (403 for the others) of the case's agency (404 for other
    agencies). PDFs and images open in the browser; other files are downloaded, so that nothing
    a user uploaded runs as a page of this site.
    """
    require_request_role(request.user)
    case = get_object_or_404(visible_requests(request.user), pk=pk)
    document = get_object_or_404(CaseDocument, pk=document_id, request=case)
    file_type = FILE_TYPES.get(document.file_type)
    if not document.is_upload or file_type is None:
        raise Http404("没有这份材料。")
    return FileResponse(
        document.file.open("rb"),
        filename=document.original_name,
        as_attachment=not file_type.inline,
        content_type=file_type.mime,
    )


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
    name_document_path = path(
        "<int:pk>/named-documents/add/", documents.name_document, name="name_document"
    )
    unname_document_path = path(
        "<int:pk>/named-documents/remove/", documents.unname_document, name="unname_document"
    )


PENDING_NOTICES_SHOWN = 200


class PendingNoticesView(LoginRequiredMixin, UserPassesTestMixin, TemplateView):
    """The agency's notices whose service is not recorded yet (DOMAIN §3.8), for registrars."""

    template_name = "requests_app/pending_notices.html"

    def test_func(self) -> bool:
        return is_registrar(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        notices = list(services.pending_notices(self.request.user)[: PENDING_NOTICES_SHOWN + 1])
        context.update(
            notices=notices[:PENDING_NOTICES_SHOWN],
            truncated=len(notices) > PENDING_NOTICES_SHOWN,
        )
        return context


class PendingNoticesViewset(AppMenuMixin, Viewset):
    """依申请公开 › 待送达的告知书: in the menu of registrars only."""

    title = "待送达的告知书"
    icon = "outgoing_mail"
    app_name = "notices"

    index_path = path("", PendingNoticesView.as_view(), name="index")

    def has_view_permission(self, user, obj=None) -> bool:
        return is_registrar(user)


class RegistrationViewset(AppMenuMixin, Viewset):
    """依申请公开 › 登记申请: in the menu of registrars only."""

    title = "登记申请"
    icon = "note_add"
    app_name = "register"

    index_path = path("", RegisterView.as_view(), name="index")

    def has_view_permission(self, user, obj=None) -> bool:
        return is_registrar(user)
