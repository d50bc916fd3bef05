"""Registration of an application (DOMAIN §3.1 register): one form, duplicates shown first."""

from __future__ import annotations

import uuid
from dataclasses import fields

from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView
from viewflow.urls import AppMenuMixin, Viewset

from requests_app.forms import RegistrationForm
from requests_app.models import InformationRequest
from requests_app.selectors import possible_duplicates, visible_requests
from requests_app.services import (
    DuplicateSubmission,
    PossibleDuplicates,
    Registration,
    request_register,
    validate_registration,
)
from workflow.errors import REFUSALS, add_to_form
from workflow.roles import has_role
from workflow.selectors import agencies_of

R = InformationRequest

CHANGED_DUPLICATES = (
    "同一申请人刚刚又有申请登记（可能是其他工作人员登记的），尚未登记；"
    "请核对下列申请，确认不是同一份申请后再勾选“已核对，仍然登记”。"
)


def is_registrar(user) -> bool:
    """Registration is for staff of an agency who hold the registrar role (DOMAIN §1)."""
    if not user.is_authenticated:
        return False
    # Asked by the page and by the menu: remembered on the request's user object.
    if not hasattr(user, "_gk_is_registrar"):
        user._gk_is_registrar = has_role(user, "registrar") and agencies_of(user).exists()
    return user._gk_is_registrar


def registration_of(data: dict) -> Registration:
    """The form's cleaned values as the service takes them."""
    names = {f.name for f in fields(Registration)}
    return Registration(**{k: v for k, v in data.items() if k in names})


class RegisterView(LoginRequiredMixin, UserPassesTestMixin, TemplateView):
    """Register an application in one form (DOMAIN §3.1 register); duplicates shown first."""

    template_name = "requests_app/register.html"

    def test_func(self) -> bool:
        return is_registrar(self.request.user)

    def _form(self, data=None, files=None) -> RegistrationForm:
        today = timezone.localdate()
        initial = RegistrationForm.defaults(today) | {"token": uuid.uuid4().hex}
        return RegistrationForm(
            data,
            files,
            initial=initial,
            agencies=agencies_of(self.request.user),
            # The service's rules, so that the form shows every problem at once.
            check=lambda values: validate_registration(registration_of(values), today=today),
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
            registration = registration_of(form.cleaned_data)
            duplicates = possible_duplicates(
                agency,
                id_number=registration.id_number,
                credit_code=registration.credit_code,
                applicant_name=registration.applicant_name,
            )
            # The same form sent twice at once (a double click reaching two servers): the other
            # copy registered it meanwhile and now shows as an earlier case of the applicant.
            earlier = R.objects.filter(submission_token=token).first() if duplicates else None
            if earlier is not None:
                return self._already_registered(form, earlier)
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
                except (ValidationError, *REFUSALS) as error:
                    add_to_form(form, error)
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


class RegistrationViewset(AppMenuMixin, Viewset):
    """依申请公开 › 登记申请: in the menu of registrars only."""

    title = "登记申请"
    icon = "note_add"
    app_name = "register"

    index_path = path("", RegisterView.as_view(), name="index")

    def has_view_permission(self, user, obj=None) -> bool:
        return is_registrar(user)
