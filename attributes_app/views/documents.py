"""The document register (文件登记簿) and each document's page with the actions its state and
the user's role allow.

A ``ValidationError`` comes back under its field with what was typed; a ``Stale`` refusal
(someone acted first) is said plainly; a refusal to issue (不予发文) is shown with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.views.generic import TemplateView

from attributes_app import forms as f
from attributes_app import lists, rules, selectors, services
from attributes_app.exports import export_refusal
from attributes_app.flows import TRANSITION_ACTIONS, AttributeFlow
from attributes_app.guidance import ATTRIBUTE_GUIDES, GROUND_GUIDES
from attributes_app.models import AttributeState, Document, Publication
from attributes_app.services import determination_answer
from attributes_app.views.base import (
    DRAFT_ROLES,
    OFFICE_ROLES,
    OLDER_ROLES,
    REGISTER_ROLES,
    RolePageMixin,
    RoleViewset,
    document_url,
    may_see,
    page_of,
)
from attributes_app.views.drafting import DraftView, EditView, OlderDocumentView
from workflow.actions import PageAction
from workflow.downloads import file_view, stored_file_response
from workflow.errors import NotAllowed, Stale, add_to_form
from workflow.selectors import agencies_of

S = AttributeState


# -- the register --------------------------------------------------------------------------------


class RegisterView(RolePageMixin, TemplateView):
    """文件登记簿: every visible document, filtered and searched, 20 a page."""

    template_name = "attributes_app/register.html"
    roles = REGISTER_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        agencies = list(agencies_of(user))
        form = f.RegisterFilterForm(
            self.request.GET or None,
            agencies=agencies,
            units=lists.agency_units(user),
            years=lists.register_years(user),
        )
        filters = {}
        if form.is_bound:
            form.is_valid()
            filters = form.valid_filters()
        page, query = page_of(self.request, lists.register(user, filters))
        context.update(
            form=form,
            page=page,
            query=query,
            filtered=any(v for v in filters.values()),
            many_agencies=len(agencies) > 1,
            can_draft=may_see(user, DRAFT_ROLES),
            can_register_older=may_see(user, OLDER_ROLES),
            can_import_older=may_see(user, OFFICE_ROLES),
        )
        return context


# -- the document page and its actions ---------------------------------------------------------


@dataclass
class Situation:
    """What the page knows when deciding which actions to offer: the document's state (the
    attribute transitions its state allows, its publication) and, through ``can``, the user's
    roles by the permission table (``attributes_app.permissions``), each step asked once."""

    document: Document
    user: object
    #: The attribute transitions the document's state allows now, whoever asks.
    transitions: set[str]
    publication: Publication | None
    _answers: dict[str, bool] = field(default_factory=dict, repr=False)

    def can(self, step: str) -> bool:
        if step not in self._answers:
            self._answers[step] = selectors.can(self.user, step, self.document)
        return self._answers[step]

    def offers(self, action: PageAction) -> bool:
        """The state allows ``action`` and the permission table gives its step to the user."""
        return action.available(self) and (not action.step or self.can(action.step))


def _transitions(document: Document) -> set[str]:
    """The attribute transitions the document's state allows (the role is asked by step)."""
    flow = AttributeFlow(document)
    return {
        name
        for name in TRANSITION_ACTIONS
        if getattr(flow, name).can_proceed(check_conditions=False)
    }


def _transition(name: str):
    """The state part of an action that is an attribute transition of ``flows``."""
    return lambda s: name in s.transitions


def _issue_call(form, document, user):
    data = form.cleaned_data
    services.document_issue(
        actor=user,
        document_id=document.pk,
        issued_on=data.get("issued_on"),
        number=data.get("number") or None,
    )


def _not_issued(s: Situation) -> bool:
    return not s.document.is_issued and s.document.attribute_state != S.CLASSIFIED


def _issued(s: Situation) -> bool:
    return s.document.is_issued and s.document.attribute_state != S.CLASSIFIED


def _not_classified(s: Situation) -> bool:
    return s.document.attribute_state != S.CLASSIFIED


def _awaiting_secrecy_review(s: Situation) -> bool:
    doc = s.document
    return doc.attribute_state == S.AWAITING_PUBLICATION or (
        doc.attribute_state in (S.PROPOSED, S.OFFICE_REVIEW) and doc.attribute == rules.PROACTIVE
    )


def _interpretation_due(s: Situation) -> bool:
    p = s.publication
    return bool(
        p and p.interpretation_required and p.published_on and not p.interpretation_published_on
    )


def _process_decision_due(s: Situation) -> bool:
    doc = s.document
    return (
        doc.attribute_ground == rules.PROCESS_INFO
        and doc.attribute_state == S.RESTRICTED
        and not doc.process_decided_on
    )


def _interpretation_with_document(s: Situation) -> bool:
    doc = s.document
    return (
        rules.needs_interpretation_with_document(doc.kind, doc.agency.interpretation_days)
        and doc.attribute_state != S.CLASSIFIED
    )


def _determinable(s: Situation) -> bool:
    # A document transferred to the archives is used under the Archives Law: no determination.
    doc = s.document
    return "determine" in s.transitions and doc.is_issued and doc.archived is None


#: The document page's actions, in the order the page shows them. ``step`` is the permission
#: table's action (``attributes_app.permissions.ACTIONS``); ``available`` the state part. The
#: label is the form's title, which the page shows.
ACTIONS: dict[str, PageAction] = {
    "propose": PageAction(
        label=f.ProposalForm.title,
        form_class=f.ProposalForm,
        step="propose",
        available=_transition("propose"),
        call=lambda form, doc, user: services.attribute_propose(
            actor=user, document_id=doc.pk, **form.proposal_kwargs()
        ),
        done="公开属性建议已提交。",
        help="依申请公开、不予公开的，须写明理由和法律依据；政策性文件拟不主动公开的，先送政务公开工作机构审查。",
    ),
    "office_approve": PageAction(
        label=f.OfficeApproveForm.title,
        form_class=f.OfficeApproveForm,
        step="office_review",
        available=_transition("office_approve"),
        call=lambda form, doc, user: services.attribute_office_approve(
            actor=user, document_id=doc.pk, opinion=form.cleaned_data["opinion"]
        ),
        done="已审查同意，送起草单位负责人确认。",
        help="政策性文件拟依申请公开或不予公开，须经政务公开工作机构审查后才能签发。",
    ),
    "office_return": PageAction(
        label=f.OfficeReturnForm.title,
        form_class=f.OfficeReturnForm,
        step="office_review",
        available=_transition("office_return"),
        call=lambda form, doc, user: services.attribute_office_return(
            actor=user, document_id=doc.pk, opinion=form.cleaned_data["opinion"]
        ),
        done="已退回拟稿人。",
        danger=True,
    ),
    "confirm": PageAction(
        label=f.ConfirmForm.title,
        form_class=f.ConfirmForm,
        step="confirm",
        available=_transition("confirm"),
        call=lambda form, doc, user: services.attribute_confirm(
            actor=user,
            document_id=doc.pk,
            formed_on=form.cleaned_data.get("formed_on"),
            comment=form.cleaned_data.get("comment", ""),
        ),
        done="公开属性已确认（签发）。",
        help="确认后文件可以印发；主动公开的文件自成文之日起计算公开期限。",
    ),
    "send_back": PageAction(
        label=f.SendBackForm.title,
        form_class=f.SendBackForm,
        step="return",
        available=_transition("send_back"),
        call=lambda form, doc, user: services.attribute_send_back(
            actor=user, document_id=doc.pk, comment=form.cleaned_data["comment"]
        ),
        done="已退回拟稿人。",
        danger=True,
    ),
    "issue": PageAction(
        label=f.IssueForm.title,
        form_class=f.IssueForm,
        step="issue",
        available=_not_issued,
        call=_issue_call,
        done="已登记印发。",
        help="没有提出公开属性、尚未确认，或者不主动公开却没有理由和依据的，不予发文。",
    ),
    "secrecy_review": PageAction(
        label=f.SecrecyReviewForm.title,
        form_class=f.SecrecyReviewForm,
        step="secrecy_review",
        available=_awaiting_secrecy_review,
        call=lambda form, doc, user: services.secrecy_review_record(
            actor=user,
            document_id=doc.pk,
            conclusion=form.cleaned_data["conclusion"],
            opinion=form.cleaned_data["opinion"],
            reviewed_on=form.cleaned_data.get("reviewed_on"),
        ),
        done="已记录保密审查意见。",
        help="拟公开的文件须先经保密审查；审查结论为“不同意公开”的，不能公开。",
    ),
    "publish": PageAction(
        label=f.PublishForm.title,
        form_class=f.PublishForm,
        step="publish",
        available=_transition("publish"),
        call=lambda form, doc, user: services.document_publish(
            actor=user,
            document_id=doc.pk,
            url=form.cleaned_data["url"],
            channel=form.cleaned_data["channel"],
            published_on=form.cleaned_data.get("published_on"),
        ),
        done="已登记主动公开。",
        help="须已印发并经保密审查同意公开。",
    ),
    "withdraw_publication": PageAction(
        label=f.WithdrawPublicationForm.title,
        form_class=f.WithdrawPublicationForm,
        step="withdraw_publication",
        available=_transition("withdraw"),
        call=lambda form, doc, user: services.publication_withdraw(
            actor=user,
            document_id=doc.pk,
            reason=form.cleaned_data["reason"],
            on=form.cleaned_data.get("withdrawn_on"),
        ),
        done="已登记撤下公开页面：文件重新列入待公开，公开期限不重新计算。",
        help="主动公开的文件应当持续公开。公开页面撤下的，文件重新列入待公开，原公开记录保留在变更记录中；"
        "原公开期限已届满的，重新公开为逾期公开。",
        danger=True,
    ),
    "interpretation": PageAction(
        label=f.InterpretationForm.title,
        form_class=f.InterpretationForm,
        step="interpretation",
        available=_interpretation_due,
        call=lambda form, doc, user: services.interpretation_record(
            actor=user,
            document_id=doc.pk,
            title=form.cleaned_data["interpretation_title"],
            url=form.cleaned_data["interpretation_url"],
            published_on=form.cleaned_data.get("published_on"),
        ),
        done="已登记政策解读。",
    ),
    "determine": PageAction(
        label=f.DeterminationForm.title,
        form_class=f.DeterminationForm,
        step="determine",
        available=_determinable,
        # The answer by letter: the 公函 is numbered and kept, and every open request naming
        # the document gets a copy (DOMAIN §4.4).
        call=lambda form, doc, user: determination_answer(
            actor=user, document_id=doc.pk, **form.proposal_kwargs()
        ),
        done=lambda determination: (
            f"已认定公开属性，公开属性认定函{determination.letter.number}已出具。"
        ),
        help="已印发而没有公开属性的文件，由起草单位以公函向政务公开工作机构认定公开属性并说明理由；"
        "公函由系统编号出具，并送入涉及该文件的申请。",
    ),
    "validity": PageAction(
        label=f.ValidityForm.title,
        form_class=f.ValidityForm,
        step="validity",
        available=_issued,
        call=lambda form, doc, user: services.document_set_validity(
            actor=user,
            document_id=doc.pk,
            validity=form.cleaned_data["validity"],
            changed_on=form.cleaned_data.get("changed_on"),
            note=form.cleaned_data.get("note", ""),
        ),
        done="已登记效力状态。",
        help="失效、废止的文件在年度复核中提示清理，清理结果向社会公布。",
    ),
    "process_decision": PageAction(
        label=f.ProcessDecisionForm.title,
        form_class=f.ProcessDecisionForm,
        step="process_decision",
        available=_process_decision_due,
        call=lambda form, doc, user: services.document_record_process_decision(
            actor=user,
            document_id=doc.pk,
            decided_on=form.cleaned_data["decided_on"],
            note=form.cleaned_data.get("note", ""),
        ),
        done="已登记。年度复核将提示重新评估是否公开。",
        help="以过程性信息为由不主动公开的，相关决定作出后，不主动公开的理由可能已不存在（《条例》第十六条第二款）。",
    ),
    "attach_text": PageAction(
        label=f.AttachTextForm.title,
        form_class=f.AttachTextForm,
        step="attach_text",
        available=_not_classified,
        call=lambda form, doc, user: services.document_attach_text(
            actor=user, document_id=doc.pk, file=form.cleaned_data["text_file"]
        ),
        done="已上传正式文本。",
    ),
    "attach_interpretation": PageAction(
        label=f.AttachInterpretationForm.title,
        form_class=f.AttachInterpretationForm,
        step="attach_text",
        available=_interpretation_with_document,
        call=lambda form, doc, user: services.document_attach_interpretation(
            actor=user, document_id=doc.pk, file=form.cleaned_data["interpretation_file"]
        ),
        done="已上传政策解读材料。",
        help="本机关规定政策性文件的解读材料与文件同步审签、同时公开；没有解读材料的，不予发文（退文）。",
    ),
    "classify": PageAction(
        label=f.ClassifyForm.title,
        form_class=f.ClassifyForm,
        step="classify",
        available=_transition("classify"),
        call=lambda form, doc, user: services.document_mark_classified(
            actor=user,
            document_id=doc.pk,
            reason=form.cleaned_data["reason"],
            on=form.cleaned_data.get("on"),
        ),
        done="已转为涉密文件：正式文本已从本系统删除，只保留登记信息。",
        help="文件属于国家秘密的，按涉密文件管理，移出本系统（正式文本将被删除）。",
        danger=True,
    ),
}


def available_actions(document: Document, user, publication) -> list[str]:
    situation = Situation(
        document=document,
        user=user,
        transitions=_transitions(document),
        publication=publication,
    )
    return [name for name, action in ACTIONS.items() if situation.offers(action)]


def _publication(document: Document) -> Publication | None:
    try:
        return document.publication
    except Publication.DoesNotExist:
        return None


class DocumentView(RolePageMixin, TemplateView):
    """One document: its facts, attribute and state, deadlines explained, secrecy reviews,
    publication, interpretation, the history of every attribute change, and its actions."""

    template_name = "attributes_app/document.html"
    roles = REGISTER_ROLES

    def _document(self) -> Document:
        return get_object_or_404(
            selectors.visible_documents(self.request.user).select_related(
                "agency",
                "drafting_unit",
                "drafter",
                "catalogue_item",
                "proposed_by",
                "office_reviewed_by",
                "confirmed_by",
                "issued_by",
                "classified_by",
                "created_by",
                "archive_transfer__recorded_by",
            ),
            pk=self.kwargs["pk"],
        )

    def post(self, request, *args, **kwargs):
        document = self._document()
        name = kwargs.get("action", "")
        if name not in available_actions(document, request.user, _publication(document)):
            messages.error(
                request, "这项操作现在不能办理：可能已由他人办理，或者您没有相应的角色。"
            )
            return HttpResponseRedirect(document_url(document))
        action = ACTIONS[name]
        if action.form_class is f.ProposalForm or issubclass(action.form_class, f.ProposalForm):
            form = action.form_class(request.POST, document=document, prefix=name)
        else:
            form = action.form_class(request.POST, request.FILES, prefix=name)
        status = 200
        if form.is_valid():
            try:
                result = action.call(form, document, request.user)
            except services.IssueRefused as error:
                form.add_error(None, error.messages[0])
                form.refused = True
            except ValidationError as error:
                add_to_form(form, error, fields=form.service_fields)
            except (Stale, services.StaleDocument) as error:
                messages.warning(request, str(error))
                return HttpResponseRedirect(document_url(document))
            except NotAllowed as error:
                add_to_form(form, error)
                status = 403
            else:
                messages.success(request, action.message(result))
                return HttpResponseRedirect(document_url(document))
        context = self.get_context_data(bound={name: form}, **kwargs)
        return self.render_to_response(context, status=status)

    def get_context_data(self, bound=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        document = self._document()
        publication = _publication(document)
        bound = bound or {}
        forms = {}
        for name in available_actions(document, user, publication):
            action = ACTIONS[name]
            form = bound.get(name)
            if form is None:
                if issubclass(action.form_class, f.ProposalForm):
                    form = action.form_class(
                        document=document,
                        prefix=name,
                        initial=selectors.proposal_defaults(document),
                    )
                else:
                    form = action.form_class(prefix=name)
            forms[name] = (action, form)
        # A form the service would refuse is not offered: the page says why instead (the
        # refused form stays when it was just sent, with what was typed and the refusal).
        issue_refusal = services.issue_refusal_of(document) if "issue" in forms else None
        if issue_refusal and "issue" not in bound:
            del forms["issue"]
        now = timezone.now()
        transfer = document.archived
        withdrawals = selectors.publication_withdrawals(document) if publication else []
        context.update(
            document=document,
            publication=publication,
            publication_flags=selectors.publication_flags(publication, now=now)
            if publication
            else None,
            interpretation_flags=_interpretation_flags(publication, now),
            secrecy_reviews=list(
                document.secrecy_reviews.select_related("reviewer").order_by("reviewed_on", "id")
            ),
            history=list(selectors.attribute_history(document)),
            withdrawals=withdrawals,
            republication_note=selectors.republication_note(publication, withdrawals[-1], now=now)
            if publication and withdrawals
            else "",
            events=list(selectors.document_events(document)),
            review_items=list(
                document.review_items.select_related("review").order_by("-review__year")
            ),
            request_links=list(
                document.request_links.select_related("request").order_by("created_at")
            ),
            action_forms=forms,
            issue_refusal=issue_refusal,
            interpretation_with_document=rules.needs_interpretation_with_document(
                document.kind, document.agency.interpretation_days
            ),
            attribute_guides=ATTRIBUTE_GUIDES,
            ground_guides=GROUND_GUIDES,
            can_edit=not document.is_issued
            and document.attribute_state != S.CLASSIFIED
            and selectors.can(user, "update", document),
            error_case=selectors.is_in_error(document),
            marked_refusal=export_refusal(document) if document.file else None,
            archive_transfer=transfer,
            can_archive=document.is_issued
            and document.attribute_state != S.CLASSIFIED
            and selectors.can(user, "archive_transfer", document),
        )
        return context


def _interpretation_flags(publication, now):
    if not publication or not publication.interpretation_required:
        return None
    if publication.interpretation_published_on or not publication.interpretation_due_at:
        return rules.DeadlineFlags(at_risk=False, overdue=False)
    return rules.deadline_flags(
        due_at=publication.interpretation_due_at,
        at_risk_from=publication.interpretation_at_risk_from,
        now=now,
        today=timezone.localtime(now).date(),
    )


@login_required
@file_view
def document_text(request, pk: int):
    """The final text: only for staff of the document's agency holding a register role."""
    if not may_see(request.user, REGISTER_ROLES):
        raise PermissionDenied
    document = get_object_or_404(selectors.visible_documents(request.user), pk=pk)
    if not document.file:
        raise Http404("这份文件没有上传正式文本。")
    name = document.file.name.rsplit("/", 1)[-1]
    inline = name.lower().endswith(".pdf")
    return stored_file_response(document.file, filename=name, as_attachment=not inline)


# -- the menu entry ----------------------------------------------------------------------------


class DocumentViewset(RoleViewset):
    title = "文件登记簿"
    icon = "folder_open"
    app_name = "documents"
    roles = REGISTER_ROLES

    index_path = path("", RegisterView.as_view(), name="index")
    draft_path = path("new/", DraftView.as_view(), name="new")
    older_path = path("older/", OlderDocumentView.as_view(), name="older")
    detail_path = path("<int:pk>/", DocumentView.as_view(), name="detail")
    edit_path = path("<int:pk>/edit/", EditView.as_view(), name="edit")
    action_path = path("<int:pk>/actions/<slug:action>/", DocumentView.as_view(), name="action")
    text_path = path("<int:pk>/text/", document_text, name="text")
