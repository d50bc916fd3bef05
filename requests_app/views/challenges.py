"""The reconsiderations and lawsuits about a case (行政复议、行政诉讼): the records' section of the
case page, and the page that adds or completes a record with its application and decision.

For the legal reviewer and the office head of the case's agency (``permissions`` step
``challenge``); other agencies' cases and records are a 404. Saving calls one service
(``services.challenge_record`` or ``services.challenge_update``).
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView
from viewflow.workflow.exceptions import FlowLockFailed

from requests_app import permissions, services
from requests_app.forms import ChallengeForm
from requests_app.models import Challenge, InformationRequest
from requests_app.selectors import require_request_role, visible_requests
from requests_app.services.challenges import has_ended
from requests_app.views.tasks import BUSY
from workflow.cn import cn_date
from workflow.errors import REFUSALS, add_to_form

C = Challenge


def challenge_section(case: InformationRequest, user) -> dict:
    """What the case page's 行政复议、行政诉讼 section shows and offers to ``user``."""
    challenges = list(
        case.challenges.select_related("follows", "created_by")
        .prefetch_related("documents")
        .order_by("filed_on", "id")
    )
    for challenge in challenges:  # the earlier handling's service date, for the page
        served = (challenge.earlier or {}).get("served_on")
        challenge.earlier_served_on = date.fromisoformat(served) if served else None
    may_edit = permissions.may(user, case, "challenge")
    return {
        "challenges": challenges,
        "may_edit": may_edit,
        "may_add": may_edit and has_ended(case),
    }


def _case(request, pk: int) -> InformationRequest:
    require_request_role(request.user)
    case = get_object_or_404(visible_requests(request.user).select_related("agency"), pk=pk)
    refusal = permissions.refusal(request.user, case, "challenge")
    if refusal:
        raise PermissionDenied(refusal)
    return case


def _initial(challenge: Challenge) -> dict:
    return {
        "kind": challenge.kind,
        "follows": challenge.follows_id,
        "body": challenge.body,
        "number": challenge.number,
        "filed_on": challenge.filed_on,
        "claim": challenge.claim,
        "result": challenge.result,
        "detail": challenge.detail,
        "concluded_on": challenge.concluded_on,
        "decision_received_on": challenge.decision_received_on,
        "new_reply_days": challenge.new_reply_days,
        "version": challenge.version,
    }


class ChallengeView(TemplateView):
    """Add a record (``challenge_id`` absent) or change one, with its uploads."""

    template_name = "requests_app/challenge_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        self.case = _case(request, kwargs["pk"])
        self.challenge = None
        if "challenge_id" in kwargs:
            self.challenge = get_object_or_404(
                Challenge, pk=kwargs["challenge_id"], request=self.case
            )
        return super().dispatch(request, *args, **kwargs)

    def _form(self, data=None, files=None) -> ChallengeForm:
        reconsiderations = self.case.challenges.filter(kind=C.Kind.RECONSIDERATION)
        if self.challenge is not None:
            reconsiderations = reconsiderations.exclude(pk=self.challenge.pk)
            initial = _initial(self.challenge)
        else:
            initial = {"body": self.case.agency.reconsideration_organ, "result": "pending"}
        return ChallengeForm(
            data, files, initial=initial, reconsiderations=reconsiderations.order_by("filed_on")
        )

    def _detail_url(self) -> str:
        return reverse("requests:cases:detail", args=[self.case.pk]) + "#challenges"

    def get(self, request, *args, **kwargs):
        if self.challenge is None and not has_ended(self.case):
            messages.error(request, _NOT_ENDED.format(case=self.case))
            return HttpResponseRedirect(self._detail_url())
        return self.render_to_response(self.get_context_data(form=self._form()))

    def post(self, request, *args, **kwargs):
        form = self._form(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            common = {
                "actor": request.user,
                "data": form.challenge_input(),
                "application_files": data["application_files"],
                "decision_files": data["decision_files"],
            }
            reopened_before = self.challenge.reopened_at if self.challenge else None
            try:
                if self.challenge is None:
                    challenge = services.challenge_record(case_id=self.case.pk, **common)
                else:
                    challenge = services.challenge_update(
                        challenge_id=self.challenge.pk,
                        version=data.get("version") or 0,
                        **common,
                    )
            except (ValidationError, *REFUSALS, services.StaleCase) as error:
                add_to_form(form, error)
            except FlowLockFailed:
                form.add_error(None, BUSY)
            else:
                messages.success(request, _saved(challenge, newly_reopened=not reopened_before))
                return HttpResponseRedirect(self._detail_url())
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            case=self.case,
            challenge=self.challenge,
            documents=list(self.challenge.documents.order_by("created_at", "id"))
            if self.challenge
            else [],
        )
        return context


_NOT_ENDED = (
    "{case.case_number}尚未办结：答复送达（或撤回、视为放弃申请的告知送达）后"
    "才能登记行政复议、行政诉讼。"
)


def _saved(challenge: Challenge, *, newly_reopened: bool) -> str:
    words = (
        f"已保存：{challenge.get_kind_display()}（{challenge.body}），"
        f"{challenge.get_result_display()}。"
    )
    if challenge.reopened_at is not None and newly_reopened:
        case = InformationRequest.objects.get(pk=challenge.request_id)
        due = f"，重新答复期限为{cn_date(case.due_date)}" if case.due_date else ""
        words += f"本案已按责令重新答复回到“提出办理意见”，由承办人重新办理{due}。"
    return words
