"""Officers' pages of information requests: the case list, the case page and registration."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView
from viewflow.urls import AppMenuMixin, Viewset

from requests_app import services
from requests_app.flows import case_tasks
from requests_app.forms import (
    CaseFilterForm,
    DeferralApproveForm,
    DeferralRefuseForm,
    ExtensionApproveForm,
    ExtensionAskForm,
    FeeWaiveForm,
    RegistrationForm,
    WithdrawForm,
)
from requests_app.labels import ACTION_LABELS
from requests_app.models import CaseDocument, Deferral, InformationRequest
from requests_app.selectors import case_events, case_list, possible_duplicates, visible_requests
from requests_app.services import request_register
from workflow.models import AuditEvent
from workflow.roles import has_role, user_roles
from workflow.selectors import agencies_of

R = InformationRequest
PAGE_SIZE = 20
#: Registration tokens remembered per session, so that a resubmitted form registers once.
REMEMBERED_TOKENS = 20

STAGE_LABELS = dict(R.Stage.choices)
#: Notices the case page shows after registration (``?notice=``).
NOTICES = {
    "registered": "已登记，登记编号：{case.case_number}。",
    "resubmitted": "这份申请已经登记（{case.case_number}），没有重复登记。",
}


def is_registrar(user) -> bool:
    """Registration is for staff of an agency who hold the registrar role (DOMAIN §1)."""
    if not user.is_authenticated:
        return False
    # Asked by the page and by the menu: remembered on the request's user object.
    if not hasattr(user, "_gk_is_registrar"):
        user._gk_is_registrar = has_role(user, "registrar") and agencies_of(user).exists()
    return user._gk_is_registrar


class CaseListView(LoginRequiredMixin, TemplateView):
    """Every visible case, soonest due first, filtered by a GET form; 20 a page."""

    template_name = "requests_app/case_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        agencies = agencies_of(user)
        handlers = (
            get_user_model()
            .objects.filter(agencies__in=agencies.values("pk"))
            .distinct()
            .order_by("username")
        )
        form = CaseFilterForm(self.request.GET or None, agencies=agencies, handlers=handlers)
        filters = {}
        if form.is_bound:
            form.is_valid()
            filters = form.valid_filters()
        page = Paginator(case_list(user, filters), PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            form=form,
            page=page,
            query=query.urlencode(),
            filtered=any(v for v in filters.values()),
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


class CaseDetailView(LoginRequiredMixin, TemplateView):
    """All facts of one case, its clock and its history. Other agencies' cases are a 404."""

    template_name = "requests_app/case_detail.html"

    def post(self, request, *args, **kwargs):
        """An action outside the tasks (extension, withdrawal, waiver): one service call."""
        case = get_object_or_404(visible_requests(request.user), pk=kwargs["pk"])
        name = kwargs.get("action", "")
        form_class = available_actions(case, request.user).get(name)
        if form_class is None:
            messages.error(request, "这项操作现在不能办理：可能已由他人办理，或您没有相应的角色。")
            return HttpResponseRedirect(reverse("requests:cases:detail", args=[case.pk]))
        form = form_class(request.POST)
        if form.is_valid():
            try:
                run_action(name, case, request.user, form.cleaned_data)
            except ValidationError as error:
                for field, errors in _error_items(error):
                    form.add_error(field if field in form.fields else None, errors)
            except (PermissionError, services.StaleCase) as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"已办理：{form.title}。")
                return HttpResponseRedirect(reverse("requests:cases:detail", args=[case.pk]))
        return self.render_to_response(self.get_context_data(bound={name: form}, **kwargs))

    def get_context_data(self, bound=None, **kwargs):
        context = super().get_context_data(**kwargs)
        case = get_object_or_404(
            visible_requests(self.request.user).select_related(
                "agency", "handler", "created_by", "reasons_request", "deferral"
            ),
            pk=kwargs["pk"],
        )
        bound = bound or {}
        context.update(
            case=case,
            tasks=case_tasks(case, self.request.user),
            action_forms={
                name: bound.get(name) or form_class(initial={"on": timezone.localdate()})
                for name, form_class in available_actions(case, self.request.user).items()
            },
            notice=NOTICES.get(self.request.GET.get("notice", ""), "").format(case=case),
            clock_entries=case.clock_entries.select_related("created_by").order_by("on", "id"),
            reasons=getattr(case, "reasons_request", None),
            deferral=getattr(case, "deferral", None),
            consultations=case.consultations.select_related("disclosure_notice").order_by(
                "sent_on", "id"
            ),
            timeline=_timeline(case),
            documents=case.documents.select_related("created_by").order_by("created_at", "id"),
            same_applicant=possible_duplicates(
                case.agency,
                id_number=case.id_number,
                credit_code=case.credit_code,
                applicant_name=case.applicant_name,
                exclude_pk=case.pk,
            ),
        )
        return context


class RegisterView(LoginRequiredMixin, UserPassesTestMixin, TemplateView):
    """Register an application in one form (DOMAIN §3.1 register); duplicates shown first."""

    template_name = "requests_app/register.html"

    def test_func(self) -> bool:
        return is_registrar(self.request.user)

    def _form(self, data=None) -> RegistrationForm:
        today = timezone.localdate()
        initial = RegistrationForm.defaults(today) | {"token": uuid.uuid4().hex}
        return RegistrationForm(
            data, initial=initial, agencies=agencies_of(self.request.user), today=today
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self._form()))

    def post(self, request, *args, **kwargs):
        form = self._form(request.POST)
        tokens: dict[str, int] = request.session.get("registration_tokens", {})
        token = request.POST.get("token", "")
        if token and token in tokens:
            case = visible_requests(request.user).filter(pk=tokens[token]).first()
            if case is not None:
                return HttpResponseRedirect(self._case_url(case, notice="resubmitted"))
        duplicates: list[InformationRequest] = []
        if form.is_valid():
            data = form.registration()
            agency = form.cleaned_data["agency"]
            duplicates = possible_duplicates(
                agency,
                id_number=data.id_number,
                credit_code=data.credit_code,
                applicant_name=data.applicant_name,
            )
            if not duplicates or form.cleaned_data["confirm_duplicates"]:
                try:
                    case = request_register(actor=request.user, agency=agency, data=data)
                except ValidationError as error:
                    form.add_service_errors(
                        error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
                    )
                except PermissionError as error:
                    form.add_error(None, str(error))
                else:
                    if token:
                        tokens[token] = case.pk
                        request.session["registration_tokens"] = dict(
                            list(tokens.items())[-REMEMBERED_TOKENS:]
                        )
                    return HttpResponseRedirect(self._case_url(case, notice="registered"))
        return self.render_to_response(
            self.get_context_data(form=form, duplicates=duplicates), status=200
        )

    def _case_url(self, case: InformationRequest, *, notice: str) -> str:
        # A notice in the address rather than a session message: it stays on the page (the
        # snackbar of the frame vanishes) and survives a reload.
        return reverse("requests:cases:detail", kwargs={"pk": case.pk}) + f"?notice={notice}"


@login_required
def case_document(request, pk: int, document_id: int, fmt: str):
    """A letter or upload of a case: only for staff of the case's agency (404 for others)."""
    case = get_object_or_404(visible_requests(request.user), pk=pk)
    document = get_object_or_404(CaseDocument, pk=document_id, request=case)
    stored = document.docx if fmt == "docx" else document.file
    if not stored:
        raise Http404("没有这种格式的文件。")
    name = f"{case.case_number}-{document.title}.{stored.name.rsplit('.', 1)[-1]}"
    response = FileResponse(stored.open("rb"), filename=name, as_attachment=fmt == "docx")
    return response


class CaseViewset(AppMenuMixin, Viewset):
    """依申请公开 › 申请台账: the case list and the case pages."""

    title = "申请台账"
    icon = "list_alt"
    app_name = "cases"

    index_path = path("", CaseListView.as_view(), name="index")
    detail_path = path("<int:pk>/", CaseDetailView.as_view(), name="detail")
    action_path = path("<int:pk>/actions/<slug:action>/", CaseDetailView.as_view(), name="action")
    document_path = path(
        "<int:pk>/documents/<int:document_id>.<str:fmt>", case_document, name="document"
    )


class RegistrationViewset(AppMenuMixin, Viewset):
    """依申请公开 › 登记申请: in the menu of registrars only."""

    title = "登记申请"
    icon = "note_add"
    app_name = "register"

    index_path = path("", RegisterView.as_view(), name="index")

    def has_view_permission(self, user, obj=None) -> bool:
        return is_registrar(user)
