"""待保密审查的申请答复: the secrecy review of information proposed for disclosure (Art. 17 ¶2).

The secrecy reviewer holds no request role (workflow.roles.REQUEST_ROLES), so these pages show
of a case only what the review needs: its number, the proposed outcome and grounds, the
information to be provided (with its files) and the withheld parts; never the applicant.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.views.generic import TemplateView
from viewflow.urls import AppMenuMixin, Viewset
from viewflow.workflow.exceptions import FlowLockFailed

from requests_app import services
from requests_app.models import CaseDocument, InformationRequest, SecrecyReview
from requests_app.selectors import secrecy_review_cases
from requests_app.uploads import FILE_TYPES
from workflow.downloads import file_view, stored_file_response
from workflow.errors import REFUSALS, add_to_form
from workflow.roles import user_roles
from workflow.selectors import agencies_of

#: Who opens these pages: the secrecy reviewer, and the office head, who records the review
#: when the agency has no secrecy reviewer.
SECRECY_PAGE_ROLES = frozenset({"secrecy_reviewer", "office_head"})

BUSY = "这件申请正在由他人办理，请稍后再试。"


def may_open(user) -> bool:
    return user.is_authenticated and bool(user_roles(user) & SECRECY_PAGE_ROLES)


class SecrecyReviewForm(forms.Form):
    conclusion = forms.ChoiceField(
        label="审查结论",
        choices=SecrecyReview.Conclusion.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择审查结论。", "invalid_choice": "请选择审查结论。"},
    )
    opinion = forms.CharField(
        label="审查意见",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="如：经审查，拟公开的信息不涉及国家秘密，同意公开。不同意公开的，写明涉密的内容，办理意见将退回承办人修改。",
        error_messages={"required": "请写明保密审查意见（《条例》第十七条第二款）。"},
    )


class _SecrecyPage(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_open(request.user):
            raise PermissionDenied("您没有查看这个页面的角色。")
        return super().dispatch(request, *args, **kwargs)


class SecrecyListView(_SecrecyPage, TemplateView):
    template_name = "requests_app/secrecy_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cases"] = secrecy_review_cases(self.request.user)
        return context


def _own_case(user, pk: int) -> InformationRequest:
    """A case of the user's agencies (another agency's case: 404, like a missing one)."""
    return get_object_or_404(
        InformationRequest.objects.select_related("agency"),
        pk=pk,
        agency__in=agencies_of(user).values("pk"),
    )


class SecrecyReviewView(_SecrecyPage, TemplateView):
    template_name = "requests_app/secrecy_review.html"

    def _waiting(self, pk: int) -> InformationRequest | None:
        _own_case(self.request.user, pk)
        return secrecy_review_cases(self.request.user).filter(pk=pk).first()

    def _gone(self):
        messages.info(
            self.request,
            "这件申请的办理意见现在不需要您记录保密审查意见（可能已经审查、已退回或已批准）。",
        )
        return HttpResponseRedirect(reverse("secrecy:replies:index"))

    def get(self, request, *args, **kwargs):
        case = self._waiting(kwargs["pk"])
        if case is None:
            return self._gone()
        return self.render_to_response(self._context(case, SecrecyReviewForm()))

    def post(self, request, *args, **kwargs):
        case = self._waiting(kwargs["pk"])
        if case is None:
            agency = _own_case(request.user, kwargs["pk"]).agency
            refusal = services.secrecy_review_refusal(request.user, agency)
            if refusal:
                messages.error(request, refusal)
                return HttpResponseRedirect(reverse("secrecy:replies:index"))
            return self._gone()
        form = SecrecyReviewForm(request.POST)
        if form.is_valid():
            passed = form.cleaned_data["conclusion"] == SecrecyReview.Conclusion.CLEARED
            try:
                services.decision_record_secrecy_review(
                    actor=request.user,
                    case_id=case.pk,
                    passed=passed,
                    opinion=form.cleaned_data["opinion"],
                )
            except ValidationError as error:
                add_to_form(form, error)
            except (*REFUSALS, services.StaleCase) as error:
                messages.error(request, str(error))
                return HttpResponseRedirect(reverse("secrecy:replies:index"))
            except FlowLockFailed:
                messages.warning(request, BUSY)
                return HttpResponseRedirect(request.path)
            else:
                messages.success(
                    request,
                    f"已记录{case.case_number}的保密审查意见："
                    + ("通过，可以报批。" if passed else "不同意公开，办理意见已退回承办人修改。"),
                )
                return HttpResponseRedirect(reverse("secrecy:replies:index"))
        return self.render_to_response(self._context(case, form))

    def _context(self, case, form):
        decision = case.decision
        return self.get_context_data(
            case=case,
            decision=decision,
            provided=(decision.details or {}).get("provided", []),
            files=case.documents.filter(kind=CaseDocument.Kind.PROVIDED).order_by("pk"),
            form=form,
            by_office_head="secrecy_reviewer" not in user_roles(self.request.user),
        )


@file_view
def secrecy_file(request, pk: int, document_id: int):
    """A file of the information to be provided, for its secrecy review (no other upload)."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    if not may_open(request.user):
        raise PermissionDenied("您没有查看这个页面的角色。")
    _own_case(request.user, pk)
    case = get_object_or_404(secrecy_review_cases(request.user), pk=pk)
    document = get_object_or_404(
        CaseDocument, pk=document_id, request=case, kind=CaseDocument.Kind.PROVIDED
    )
    file_type = FILE_TYPES.get(document.file_type)
    if file_type is None:
        raise Http404("没有这份材料。")
    return stored_file_response(
        document.file,
        filename=document.original_name,
        as_attachment=not file_type.inline,
        content_type=file_type.mime,
    )


class SecrecyReviewViewset(AppMenuMixin, Viewset):
    """保密审查 › 待保密审查的申请答复."""

    title = "待保密审查的申请答复"
    icon = "verified_user"
    app_name = "replies"

    def has_view_permission(self, user, obj=None) -> bool:
        return may_open(user)

    index_path = path("", SecrecyListView.as_view(), name="index")
    review_path = path("<int:pk>/", SecrecyReviewView.as_view(), name="review")
    file_path = path("<int:pk>/files/<int:document_id>/", secrecy_file, name="file")
