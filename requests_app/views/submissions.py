"""网上申请待确认: the online applications the registrar confirms (registering the case, received
today: Art. 31(3)) or returns with a reason."""

from __future__ import annotations

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView, View
from viewflow.urls import AppMenuMixin, Viewset

from requests_app.models import OnlineSubmission, SubmissionDocument
from requests_app.selectors import pending_submissions, possible_duplicates, visible_submissions
from requests_app.services import (
    PossibleDuplicates,
    SubmissionStale,
    submission_confirm,
    submission_return,
)
from requests_app.services.submissions import RETURN_REASONS
from requests_app.uploads import FILE_TYPES
from requests_app.views.registration import CHANGED_DUPLICATES, is_registrar
from workflow import text_input as limits
from workflow.calendar import CalendarRangeError, get_calendar
from workflow.downloads import protect, stored_file_response
from workflow.errors import REFUSALS, add_to_form
from workflow.text_input import TextRulesMixin

S = OnlineSubmission
LIST_SHOWN = 200
RECENT_SHOWN = 20
#: Art. 33: the reply is due 20 working days after the day of receipt.
REPLY_DAYS = 20
OTHER = "other"
SEE_DUPLICATES = (
    "同一申请人已有申请登记：请核对下列申请，确认不是同一份申请后勾选“已核对，仍然登记”。"
)


class ConfirmForm(forms.Form):
    confirm_duplicates = forms.BooleanField(label="已核对，仍然登记", required=False)

    def seen_duplicates(self) -> set[int]:
        return {int(v) for v in self.data.getlist("seen_duplicates") if v.isdigit()}


class ReturnForm(TextRulesMixin, forms.Form):
    preset = forms.ChoiceField(
        label="退回的原因",
        choices=[(str(i), label) for i, (label, _) in enumerate(RETURN_REASONS)]
        + [(OTHER, "其他原因（在下面写明）")],
        widget=forms.RadioSelect,
        required=False,
    )
    reason = forms.CharField(
        label="告知申请人的退回理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=limits.REASON,
        help_text="申请人会看到这段话；请写明为什么不作为政府信息公开申请登记，以及应当通过什么渠道办理。"
        "选择了上面的原因而这里不填的，使用该原因的标准说法。",
    )

    def reason_text(self) -> str:
        written = (self.cleaned_data.get("reason") or "").strip()
        preset = self.cleaned_data.get("preset") or ""
        if written or not preset.isdigit():
            return written
        return RETURN_REASONS[int(preset)][1]


class RegistrarMixin(LoginRequiredMixin, UserPassesTestMixin):
    def test_func(self) -> bool:
        return is_registrar(self.request.user)


class SubmissionListView(RegistrarMixin, TemplateView):
    """The agency's online applications awaiting confirmation, oldest first."""

    template_name = "requests_app/submission_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        pending = list(
            pending_submissions(user).annotate(document_count=Count("documents"))[: LIST_SHOWN + 1]
        )
        recent = (
            visible_submissions(user)
            .exclude(status=S.Status.PENDING)
            .select_related("case", "decided_by")
            .order_by("-decided_at", "-id")[:RECENT_SHOWN]
        )
        returned = self.request.GET.get("returned", "")
        context.update(
            submissions=pending[:LIST_SHOWN],
            truncated=len(pending) > LIST_SHOWN,
            recent=list(recent),
            today=timezone.localdate(),
            returned=(
                visible_submissions(user).filter(pk=returned, status=S.Status.RETURNED).first()
                if returned.isdigit()
                else None
            ),
        )
        return context


class SubmissionDetailView(RegistrarMixin, TemplateView):
    """Everything submitted, the applicant's earlier cases, and the two decisions."""

    template_name = "requests_app/submission_detail.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and is_registrar(request.user):
            self.submission = get_object_or_404(
                visible_submissions(request.user).select_related(
                    "agency", "source", "case", "decided_by"
                ),
                pk=kwargs["pk"],
            )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self._render(ConfirmForm(), ReturnForm())

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "return":
            return self._return(ReturnForm(request.POST))
        return self._confirm(ConfirmForm(request.POST))

    def _duplicates(self):
        s = self.submission
        return possible_duplicates(
            s.agency,
            id_number=s.id_number,
            credit_code=s.credit_code,
            applicant_name=s.applicant_name,
        )

    def _also_pending(self) -> list[OnlineSubmission]:
        """The same applicant's other submissions still waiting (sent twice?)."""
        s = self.submission
        if s.id_number or s.credit_code:
            same = Q(id_number=s.id_number) if s.id_number else Q()
            if s.credit_code:
                same |= Q(credit_code=s.credit_code)
        else:
            same = Q(applicant_name=s.applicant_name)
        others = pending_submissions(self.request.user).filter(same, agency=s.agency)
        return list(others.exclude(pk=s.pk)[:10])

    def _confirm(self, form: ConfirmForm):
        form.is_valid()
        duplicates = self._duplicates() if self.submission.status == S.Status.PENDING else []
        seen = form.seen_duplicates()
        if duplicates and not (
            form.cleaned_data.get("confirm_duplicates") and {d.pk for d in duplicates} <= seen
        ):
            form.add_error(
                None,
                CHANGED_DUPLICATES
                if form.cleaned_data.get("confirm_duplicates")
                else SEE_DUPLICATES,
            )
            return self._render(form, ReturnForm(), duplicates=duplicates)
        try:
            case = submission_confirm(
                actor=self.request.user,
                submission_id=self.submission.pk,
                known_duplicates=seen if duplicates else set(),
            )
        except PossibleDuplicates as error:
            form.add_error(None, CHANGED_DUPLICATES)
            return self._render(form, ReturnForm(), duplicates=error.cases)
        except (ValidationError, *REFUSALS) as error:
            add_to_form(form, error)
            # Someone else decided first: the page shows what they did (409, as the API says).
            status = 409 if isinstance(error, SubmissionStale) else 200
            return self._render(form, ReturnForm(), status=status)
        url = reverse("requests:cases:detail", kwargs={"pk": case.pk})
        return HttpResponseRedirect(f"{url}?notice=registered")

    def _return(self, form: ReturnForm):
        if form.is_valid():
            try:
                submission_return(
                    actor=self.request.user,
                    submission_id=self.submission.pk,
                    reason=form.reason_text(),
                )
            except (ValidationError, *REFUSALS) as error:
                add_to_form(form, error)
            else:
                url = reverse("requests:submissions:index")
                return HttpResponseRedirect(f"{url}?returned={self.submission.pk}")
        return self._render(ConfirmForm(), form, returning=True)

    def _render(self, confirm_form, return_form, *, duplicates=None, returning=False, status=200):
        self.submission.refresh_from_db()
        submission = self.submission
        today = timezone.localdate()
        pending = submission.status == S.Status.PENDING
        try:
            due = get_calendar(submission.agency).add_working_days(today, REPLY_DAYS)
        except CalendarRangeError:
            due = None
        context = self.get_context_data(
            submission=submission,
            pending=pending,
            duplicates=(self._duplicates() if duplicates is None and pending else duplicates or []),
            also_pending=self._also_pending() if pending else [],
            confirm_form=confirm_form,
            return_form=return_form,
            returning=returning or bool(return_form.errors),
            today=today,
            due=due,
            return_reasons=RETURN_REASONS,
            documents=list(submission.documents.all()),
        )
        return self.render_to_response(context, status=status)


class SubmissionFileView(RegistrarMixin, View):
    """A file the applicant attached, under its own (made safe) name and the type read from its
    content; PDFs and images open in the browser, other files are downloaded (as a case's)."""

    def get(self, request, pk: int, document_id: int):
        submission = get_object_or_404(visible_submissions(request.user), pk=pk)
        document = get_object_or_404(SubmissionDocument, pk=document_id, submission=submission)
        file_type = FILE_TYPES[document.file_type]
        return protect(
            stored_file_response(
                document.file,
                filename=document.original_name,
                as_attachment=not file_type.inline,
                content_type=file_type.mime,
            )
        )


class SubmissionViewset(AppMenuMixin, Viewset):
    """依申请公开 › 网上申请待确认: in the menu of registrars only, with the count waiting."""

    title = "网上申请待确认"
    icon = "cloud_download"
    app_name = "submissions"

    index_path = path("", SubmissionListView.as_view(), name="index")
    detail_path = path("<int:pk>/", SubmissionDetailView.as_view(), name="detail")
    file_path = path("<int:pk>/files/<int:document_id>/", SubmissionFileView.as_view(), name="file")

    def has_view_permission(self, user, obj=None) -> bool:
        return is_registrar(user)
