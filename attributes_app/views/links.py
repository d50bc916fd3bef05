"""Small pages and files of the attributes side that the register's pages link to:

- the drafting units' determinations that requests wait for, and the answer form (DOMAIN §4.4);
- a determination's letter (公函), PDF or DOCX;
- a document's final text with its attribute mark (DOMAIN §4.1);
- recording a document's transfer to the archives;
- a closed yearly review's report and list of changes, PDF, DOCX or CSV (DOMAIN §4.3).

Every view is scoped: a document, review or letter of another agency is a 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.views.generic import TemplateView
from viewflow.urls import AppMenuMixin, Viewset

from attributes_app import permissions, rules
from attributes_app.archives import (
    document_cancel_archive_transfer,
    document_record_archive_transfer,
)
from attributes_app.exports import ExportRefused, marked_text
from attributes_app.letters import (
    review_changes_context,
    review_changes_csv,
    review_report_context,
)
from attributes_app.models import (
    GROUND_CHOICES,
    ArchiveTransfer,
    Attribute,
    DeterminationLetter,
    DocumentRequestLink,
)
from attributes_app.selectors import (
    determinations_waiting,
    open_requests,
    visible_documents,
    visible_reviews,
    waiting_requests,
)
from attributes_app.services import StaleDocument, determination_answer
from attributes_app.views.base import REGISTER_ROLES, may_see
from workflow.downloads import file_view, stored_file_response
from workflow.errors import NotAllowed, Stale, add_to_form
from workflow.letters.contexts import MissingLetterElements
from workflow.letters.issuing import render_if_pending
from workflow.letters.models import agency_overrides
from workflow.letters.render import (
    CONTENT_TYPES,
    UnprintableCharacters,
    build_letter,
    render_structure,
)
from workflow.roles import has_request_role, has_role
from workflow.selectors import agencies_of
from workflow.spreadsheets import CSV_CONTENT_TYPE
from workflow.text_input import TextRulesMixin

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DETERMINATION_ROLES = ("drafting_unit_head", "office_head")
#: What the determination pages load and show of a case waiting for it: no applicant data.
CASE_FACTS = ("id", "case_number", "receipt_date", "due_date", "description")
REVIEW_FILE_ROLES = ("legal_reviewer", "office_head")


class _ChineseForm(TextRulesMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = "请填写此项。"
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = "请按“年-月-日”填写日期，例如2026-03-05。"
            if isinstance(field, forms.ChoiceField):
                field.error_messages["invalid_choice"] = "请从列表中选择。"


def _roles(user, roles) -> bool:
    return any(has_role(user, role) for role in roles)


# -- determinations ---------------------------------------------------------------------------


class DeterminationForm(_ChineseForm):
    attribute = forms.ChoiceField(
        label="认定的公开属性", choices=Attribute.choices, widget=forms.RadioSelect
    )
    reasons = forms.CharField(
        label="认定理由",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="写明认定的理由；依申请公开、不予公开的，写明不主动公开的具体理由。",
    )
    ground = forms.ChoiceField(
        label="法律依据",
        choices=[("", "请选择（依申请公开、不予公开时必选）"), *GROUND_CHOICES],
        required=False,
    )
    law = forms.CharField(
        label="所依据的法律、法规",
        max_length=300,
        required=False,
        help_text="法律依据选“其他法律、法规的规定”时，写明名称和条款。",
    )


class DeterminationListView(LoginRequiredMixin, TemplateView):
    """The determinations waiting for the user's units (or, for the office, for all units)."""

    template_name = "attributes_app/links/determinations.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Others (a handler following a case) are told who determines; they see no list.
        context["for_units"] = _roles(self.request.user, DETERMINATION_ROLES)
        documents = list(determinations_waiting(self.request.user))
        cases: dict[int, list] = {}
        for link in (
            DocumentRequestLink.objects.filter(
                document__in=documents, request__in=open_requests().values("pk")
            )
            .select_related("request")
            .only("document", "request", *(f"request__{name}" for name in CASE_FACTS))
            .order_by("created_at", "pk")
        ):
            cases.setdefault(link.document_id, []).append(link.request)
        context["rows"] = [(document, cases.get(document.pk, [])) for document in documents]
        # A unit head sees the case number and due date, not the case (its applicant).
        context["can_open_cases"] = has_request_role(self.request.user)
        return context


class DeterminationView(LoginRequiredMixin, TemplateView):
    """One document's determination: the requests waiting, the form for the unit's head."""

    template_name = "attributes_app/links/determination.html"

    def document(self):
        return get_object_or_404(
            visible_documents(self.request.user).select_related("agency", "drafting_unit"),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        document = self.document()
        determination = document.determinations.select_related("letter").order_by("-pk").first()
        context.update(
            document=document,
            # What the determination needs of each case, never its applicant (PIPL Art. 6).
            waiting=list(waiting_requests(document).only(*CASE_FACTS)),
            can_open_cases=has_request_role(self.request.user),
            undetermined=document.attribute_state == rules.UNDETERMINED,
            can_answer=permissions.can(
                self.request.user, "determine", agency=document.agency, unit=document.drafting_unit
            ),
            determination=determination,
            letter=getattr(determination, "letter", None) if determination else None,
            form=form or DeterminationForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        document = self.document()
        form = DeterminationForm(request.POST)
        status = 200
        if form.is_valid():
            data = form.cleaned_data
            try:
                determination = determination_answer(
                    actor=request.user,
                    document_id=document.pk,
                    attribute=data["attribute"],
                    reasons=data["reasons"],
                    ground=data["ground"],
                    law=data["law"],
                )
            except ValidationError as error:
                add_to_form(form, error)
            except NotAllowed as error:
                add_to_form(form, error)
                status = 403
            except (Stale, StaleDocument) as error:
                add_to_form(form, error)
                status = 409
            else:
                label = rules.ATTRIBUTE_LABELS[determination.attribute]
                messages.success(
                    request,
                    f"已认定《{document.title}》为{label}，公开属性认定函"
                    f"{determination.letter.number}已出具。",
                )
                return HttpResponseRedirect(
                    reverse("attributes:determinations:detail", args=[document.pk])
                )
        return self.render_to_response(self.get_context_data(form=form), status=status)


@login_required
@file_view
def determination_letter(request, pk: int, fmt: str):
    """The kept 公函 of a determination, for staff of its agency (404 for others)."""
    letter = get_object_or_404(
        DeterminationLetter.objects.select_related("determination__document"),
        determination_id=pk,
        agency__in=agencies_of(request.user),
    )
    stored = letter.docx if fmt == "docx" else letter.file if fmt == "pdf" else None
    if not stored:
        raise Http404("没有这种格式的文件。")
    render_if_pending(stored.name)  # a letter whose render after the answer's commit failed
    return stored_file_response(
        stored,
        filename=f"{letter.number}.{fmt}",
        as_attachment=fmt == "docx",
        content_type=CONTENT_TYPES[fmt],
    )


# -- the marked text and the archives --------------------------------------------------------


@login_required
@file_view
def document_marked_text(request, pk: int):
    """The final text with its attribute mark, or a page saying why not (不予导出): for the
    register's roles, like the document page and the unmarked text."""
    if not may_see(request.user, REGISTER_ROLES):
        raise PermissionDenied
    document = get_object_or_404(visible_documents(request.user), pk=pk)
    try:
        marked = marked_text(document)
    except ExportRefused as error:
        return render(
            request,
            "attributes_app/links/refused.html",
            {"document": document, "message": str(error)},
            status=409,
        )
    response = HttpResponse(marked.data, content_type=marked.content_type)
    response["Content-Disposition"] = content_disposition_header(True, marked.filename)
    return response


class ArchiveTransferForm(_ChineseForm):
    transferred_on = forms.DateField(label="移交日期", widget=DATE)
    archive_name = forms.CharField(label="接收的档案馆", max_length=100)


class ArchiveCancelForm(_ChineseForm):
    reason = forms.CharField(label="取消的理由", widget=forms.Textarea(attrs={"rows": 2}))


class ArchiveTransferView(LoginRequiredMixin, TemplateView):
    """Record, correct or cancel a document's transfer to the archives."""

    template_name = "attributes_app/links/archive.html"
    FORMS = {"record": ArchiveTransferForm, "cancel": ArchiveCancelForm}

    def document(self):
        return get_object_or_404(
            visible_documents(self.request.user).select_related("agency", "drafting_unit"),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, bound=None, **kwargs):
        context = super().get_context_data(**kwargs)
        document = self.document()
        transfer = ArchiveTransfer.objects.filter(document=document).first()
        initial = (
            {"transferred_on": transfer.transferred_on, "archive_name": transfer.archive_name}
            if transfer
            else {}
        )
        bound = bound or {}
        context.update(
            document=document,
            transfer=transfer,
            can_record=permissions.can(
                self.request.user,
                "archive_transfer",
                agency=document.agency,
                unit=document.drafting_unit,
            ),
            record_form=bound.get("record") or ArchiveTransferForm(initial=initial),
            cancel_form=bound.get("cancel") or ArchiveCancelForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        document = self.document()
        action = request.POST.get("_action", "record")
        if action not in self.FORMS:
            action = "record"
        form = self.FORMS[action](request.POST)
        status = 200
        if form.is_valid():
            try:
                if action == "record":
                    document_record_archive_transfer(
                        actor=request.user, document_id=document.pk, **form.cleaned_data
                    )
                else:
                    document_cancel_archive_transfer(
                        actor=request.user, document_id=document.pk, **form.cleaned_data
                    )
            except ValidationError as error:
                add_to_form(form, error)
            except NotAllowed as error:
                add_to_form(form, error)
                status = 403
            except (Stale, StaleDocument) as error:
                add_to_form(form, error)
                status = 409
            else:
                done = "已登记移交档案馆。" if action == "record" else "已取消移交档案馆的记录。"
                messages.success(request, done)
                return HttpResponseRedirect(
                    reverse("attributes:document_files:archive", args=[document.pk])
                )
        return self.render_to_response(self.get_context_data(bound={action: form}), status=status)


# -- the yearly review's report and list of changes ---------------------------------------------

REVIEW_FILES = {
    "report": ("review_report", ("pdf", "docx")),
    "changes": ("review_changes", ("pdf", "docx", "csv")),
}


@login_required
@file_view
def review_file(request, pk: int, kind: str, fmt: str):
    """A closed review's report or list of changes (legal office and disclosure office)."""
    review = get_object_or_404(visible_reviews(request.user), pk=pk)
    if kind not in REVIEW_FILES or fmt not in REVIEW_FILES[kind][1]:
        raise Http404("没有这种文件。")
    if not _roles(request.user, REVIEW_FILE_ROLES):
        raise PermissionDenied("复核报告和调整目录由法制机构和政务公开工作机构出具。")
    letter_kind = REVIEW_FILES[kind][0]
    try:
        if fmt == "csv":
            body = review_changes_csv(review)
            content_type = CSV_CONTENT_TYPE
        else:
            context = (
                review_report_context(review)
                if kind == "report"
                else review_changes_context(review)
            )
            letter = build_letter(letter_kind, context, overrides=agency_overrides(review.agency))
            body = render_structure(letter, fmt)
            content_type = CONTENT_TYPES[fmt]
    except (ValidationError, MissingLetterElements, UnprintableCharacters) as error:
        reasons = error.messages if isinstance(error, ValidationError) else [str(error)]
        return render(
            request,
            "attributes_app/links/refused.html",
            {"review": review, "message": "；".join(reasons)},
            status=409,
        )
    label = "年度复核报告" if kind == "report" else "公开属性调整目录"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        fmt != "pdf", f"{review.agency.name}{review.year}年度{label}.{fmt}"
    )
    return response


# -- viewsets ------------------------------------------------------------------------------------


class DeterminationViewset(AppMenuMixin, Viewset):
    """公开属性 › 待认定公开属性: the units' determinations that requests wait for."""

    title = "待认定公开属性"
    icon = "gavel"
    app_name = "determinations"

    index_path = path("", DeterminationListView.as_view(), name="index")
    detail_path = path("<int:pk>/", DeterminationView.as_view(), name="detail")
    letter_path = path("letters/<int:pk>.<str:fmt>", determination_letter, name="letter")

    def has_view_permission(self, user, obj=None) -> bool:
        return user.is_authenticated and _roles(user, DETERMINATION_ROLES)


class DocumentFilesViewset(Viewset):
    """A document's marked text and its transfer to the archives (linked from its page)."""

    app_name = "document_files"

    marked_path = path("<int:pk>/marked/", document_marked_text, name="marked")
    archive_path = path("<int:pk>/archive/", ArchiveTransferView.as_view(), name="archive")


class ReviewFilesViewset(Viewset):
    """A closed review's report and list of changes (linked from the review's page)."""

    app_name = "review_files"

    file_path = path("<int:pk>/<slug:kind>.<str:fmt>", review_file, name="file")
