"""Pages of the document register (公开属性): drafting, the register and each document's page
with the actions its state and the user's role allow, the disclosure office's lists.

Views are thin: they authorise, validate a form and call one service. Every page and download is
scoped to the user's agencies (another agency's document is a 404); every action is checked
again by its service. A ``ValidationError`` comes back under its field with what was typed; a
``StaleDocument`` (someone acted first) is said plainly; a refusal to issue (不予发文) is shown
with its reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView
from viewflow.urls import AppMenuMixin, Viewset

from attributes_app import forms as f
from attributes_app import lists, rules, selectors, services, text_files
from attributes_app.determinations import determination_answer
from attributes_app.drafting import document_draft
from attributes_app.exports import export_refusal
from attributes_app.guidance import ATTRIBUTE_GUIDES, GROUND_GUIDES
from attributes_app.models import AttributeState, Document, Publication
from workflow.downloads import file_view
from workflow.roles import has_role, user_roles
from workflow.selectors import agencies_of

S = AttributeState
PAGE_SIZE = 20

#: Who sees which page (DOMAIN §1); services check every action again.
REGISTER_ROLES = frozenset(
    {
        "drafter",
        "drafting_unit_head",
        "office_head",
        "legal_reviewer",
        "secrecy_reviewer",
        "handler",
        "admin",
    }
)
WORK_ROLES = frozenset({"drafter", "drafting_unit_head", "office_head", "secrecy_reviewer"})
OFFICE_ROLES = frozenset({"office_head"})
ERROR_LIST_ROLES = frozenset({"office_head", "legal_reviewer"})
DRAFT_ROLES = frozenset({"drafter", "drafting_unit_head"})
OLDER_ROLES = frozenset({"drafter", "drafting_unit_head", "office_head"})


def may_see(user, roles: frozenset[str]) -> bool:
    """A menu entry and its page: the user holds one of ``roles``. No query beyond the user's
    roles, read once per request (every page below is scoped to the user's agencies)."""
    return user.is_authenticated and bool(user_roles(user) & roles)


class RolePageMixin(LoginRequiredMixin):
    """Login first; then one of ``roles`` or 403."""

    roles: frozenset[str] = frozenset()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_see(request.user, self.roles):
            raise PermissionDenied("您没有查看这个页面的角色。")
        return super().dispatch(request, *args, **kwargs)


def page_of(request, queryset, size: int = PAGE_SIZE):
    page = Paginator(queryset, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def document_url(document) -> str:
    return reverse("attributes:documents:detail", kwargs={"pk": document.pk})


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


# -- drafting --------------------------------------------------------------------------------------


class DraftView(RolePageMixin, TemplateView):
    """起草文件: the draft's particulars, its final text, and the proposed attribute explained.

    A file chosen on a form that comes back with errors is kept (``text_files.keep``) so that it
    need not be chosen again.
    """

    template_name = "attributes_app/draft.html"
    roles = DRAFT_ROLES
    form_class = f.DocumentForm
    page_title = "起草文件"

    def _units(self):
        return lists.draftable_units(self.request.user)

    def _form_kwargs(self) -> dict:
        return {"propose": "drafter" in user_roles(self.request.user)}

    def _save(self, form, file) -> Document:
        unit = form.cleaned_data["drafting_unit"]
        return document_draft(
            actor=self.request.user,
            agency=unit.agency,
            data=form.document_data(),
            proposal=form.proposal_kwargs() if form.propose else None,
            file=file,
        )

    def _saved_message(self, document: Document) -> str:
        return _drafted_message(document)

    def _form(self, data=None, files=None) -> f.DocumentForm:
        user = self.request.user
        units = self._units()
        token = (data or {}).get("kept_text", "")
        form = self.form_class(
            data,
            files,
            units=units,
            catalogue=lists.catalogue_of(user),
            kept_name=text_files.kept_name(self.request, token),
            initial={"kind": rules.OTHER_KIND},
            **self._form_kwargs(),
        )
        if not data:
            only = list(units[:2])
            if len(only) == 1:
                form.initial["drafting_unit"] = only[0].pk
        return form

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self._form()))

    def post(self, request, *args, **kwargs):
        form = self._form(request.POST, request.FILES)
        valid = form.is_valid()
        upload = form.cleaned_data.get("text_file") if hasattr(form, "cleaned_data") else None
        token = request.POST.get("kept_text", "")
        if valid:
            file = upload or text_files.take(request, token)
            try:
                document = self._save(form, file)
            except ValidationError as error:
                form.add_service_error(error)
            except (PermissionError, services.StaleDocument) as error:
                form.add_error(None, str(error))
            else:
                if file is not None and not upload:
                    text_files.forget(request, token)
                messages.success(request, self._saved_message(document))
                return HttpResponseRedirect(document_url(document))
        if upload and not form.has_error("text_file"):
            # Keep the chosen file: the browser cannot put it back into the file field.
            new_token = text_files.keep(request, upload)
            data = request.POST.copy()
            data["kept_text"] = new_token
            errors = form.errors
            form = self._form(data, None)
            form._errors = errors
            form.kept_name = text_files.kept_name(request, new_token)
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = kwargs["form"]
        context.update(
            attribute_guides=ATTRIBUTE_GUIDES,
            ground_guides=GROUND_GUIDES,
            catalogue_defaults=form.catalogue_defaults(),
            title=self.page_title,
        )
        return context


class OlderDocumentView(DraftView):
    """登记已印发的文件: an older document entered after it was issued — its particulars, dates,
    secrecy status and validity, and its final text. It has no attribute until its drafting
    unit determines one by letter (DOMAIN §4.4)."""

    roles = OLDER_ROLES
    form_class = f.OlderDocumentForm
    page_title = "登记已印发的文件"

    def _units(self):
        user = self.request.user
        if has_role(user, "office_head"):
            return lists.agency_units(user).filter(active=True)
        return lists.draftable_units(user)

    def _form_kwargs(self) -> dict:
        return {}

    def _saved_message(self, document: Document) -> str:
        return (
            "已登记。该文件还没有公开属性：需要时（例如有人申请公开），"
            f"由{document.drafting_unit.name}的负责人以公函认定公开属性。"
        )


def _drafted_message(document: Document) -> str:
    if document.attribute_state == S.OFFICE_REVIEW:
        return "文稿已登记。政策性文件拟不主动公开，已送政务公开工作机构审查。"
    if document.attribute_state == S.PROPOSED:
        return "文稿已登记，公开属性建议已提交起草单位负责人确认。"
    return "文稿已登记。"


class EditView(RolePageMixin, TemplateView):
    """修改文稿: a draft's particulars before it is issued (not its attribute)."""

    template_name = "attributes_app/draft.html"
    roles = DRAFT_ROLES

    def _document(self) -> Document:
        return get_object_or_404(
            selectors.visible_documents(self.request.user), pk=self.kwargs["pk"]
        )

    def _form(self, document, data=None) -> f.DocumentForm:
        user = self.request.user
        return f.DocumentForm(
            data,
            units=lists.draftable_units(user),
            catalogue=lists.catalogue_of(user),
            propose=False,
            initial={
                "drafting_unit": document.drafting_unit_id,
                "title": document.title,
                "number": document.number,
                "kind": document.kind,
                "formed_on": document.formed_on,
                "effective_on": document.effective_on,
                "catalogue_item": document.catalogue_item_id,
                "secrecy": document.secrecy,
            },
        )

    def get(self, request, *args, **kwargs):
        document = self._document()
        return self.render_to_response(
            self.get_context_data(form=self._form(document), document=document)
        )

    def post(self, request, *args, **kwargs):
        document = self._document()
        form = self._form(document, request.POST)
        if form.is_valid():
            try:
                services.document_update(
                    actor=request.user, document_id=document.pk, data=form.document_data()
                )
            except ValidationError as error:
                form.add_service_error(error)
            except PermissionError as error:
                form.add_error(None, str(error))
            except services.StaleDocument as error:
                messages.warning(request, str(error))
                return HttpResponseRedirect(document_url(document))
            else:
                messages.success(request, "已保存修改。")
                return HttpResponseRedirect(document_url(document))
        return self.render_to_response(self.get_context_data(form=form, document=document))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            catalogue_defaults=kwargs["form"].catalogue_defaults(),
            title=f"修改文稿：{kwargs['document'].title}",
        )
        return context


# -- the document page and its actions ---------------------------------------------------------


@dataclass
class Situation:
    """What the page knows when deciding which actions to offer."""

    document: Document
    user: object
    transitions: set[str]
    publication: Publication | None

    def can(self, action: str) -> bool:
        return selectors.can(self.user, action, self.document)


@dataclass(frozen=True)
class DocumentAction:
    form_class: type
    available: Callable[[Situation], bool]
    call: Callable  # (form, document, user): the one service call
    done: str | Callable[[object], str]  # the success message, or made from the call's result
    help: str = ""


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


def _awaiting_secrecy_review(s: Situation) -> bool:
    doc = s.document
    return doc.attribute_state == S.AWAITING_PUBLICATION or (
        doc.attribute_state in (S.PROPOSED, S.OFFICE_REVIEW) and doc.attribute == rules.PROACTIVE
    )


def _interpretation_due(s: Situation) -> bool:
    p = s.publication
    return bool(
        p
        and p.interpretation_required
        and p.published_on
        and not p.interpretation_published_on
        and s.can("interpretation")
    )


ACTIONS: dict[str, DocumentAction] = {
    "propose": DocumentAction(
        f.ProposalForm,
        lambda s: "propose" in s.transitions,
        lambda form, doc, user: services.attribute_propose(
            actor=user, document_id=doc.pk, **form.proposal_kwargs()
        ),
        "公开属性建议已提交。",
        "依申请公开、不予公开的，须写明理由和法律依据；政策性文件拟不主动公开的，先送政务公开工作机构审查。",
    ),
    "office_approve": DocumentAction(
        f.OfficeApproveForm,
        lambda s: "office_approve" in s.transitions,
        lambda form, doc, user: services.attribute_office_approve(
            actor=user, document_id=doc.pk, opinion=form.cleaned_data["opinion"]
        ),
        "已审查同意，送起草单位负责人确认。",
        "政策性文件拟依申请公开或不予公开，须经政务公开工作机构审查后才能签发。",
    ),
    "office_return": DocumentAction(
        f.OfficeReturnForm,
        lambda s: "office_return" in s.transitions,
        lambda form, doc, user: services.attribute_office_return(
            actor=user, document_id=doc.pk, opinion=form.cleaned_data["opinion"]
        ),
        "已退回拟稿人。",
    ),
    "confirm": DocumentAction(
        f.ConfirmForm,
        lambda s: "confirm" in s.transitions,
        lambda form, doc, user: services.attribute_confirm(
            actor=user,
            document_id=doc.pk,
            formed_on=form.cleaned_data.get("formed_on"),
            comment=form.cleaned_data.get("comment", ""),
        ),
        "公开属性已确认（签发）。",
        "确认后文件可以印发；主动公开的文件自成文之日起计算公开期限。",
    ),
    "send_back": DocumentAction(
        f.SendBackForm,
        lambda s: "send_back" in s.transitions,
        lambda form, doc, user: services.attribute_send_back(
            actor=user, document_id=doc.pk, comment=form.cleaned_data["comment"]
        ),
        "已退回拟稿人。",
    ),
    "issue": DocumentAction(
        f.IssueForm,
        lambda s: _not_issued(s) and s.can("issue"),
        _issue_call,
        "已登记印发。",
        "没有提出公开属性、尚未确认，或者不主动公开却没有理由和依据的，不予发文。",
    ),
    "secrecy_review": DocumentAction(
        f.SecrecyReviewForm,
        lambda s: _awaiting_secrecy_review(s) and s.can("secrecy_review"),
        lambda form, doc, user: services.secrecy_review_record(
            actor=user,
            document_id=doc.pk,
            conclusion=form.cleaned_data["conclusion"],
            opinion=form.cleaned_data["opinion"],
            reviewed_on=form.cleaned_data.get("reviewed_on"),
        ),
        "已记录保密审查意见。",
        "拟公开的文件须先经保密审查；审查结论为“不同意公开”的，不能公开。",
    ),
    "publish": DocumentAction(
        f.PublishForm,
        lambda s: "publish" in s.transitions,
        lambda form, doc, user: services.document_publish(
            actor=user,
            document_id=doc.pk,
            url=form.cleaned_data["url"],
            channel=form.cleaned_data["channel"],
            published_on=form.cleaned_data.get("published_on"),
        ),
        "已登记主动公开。",
        "须已印发并经保密审查同意公开。",
    ),
    "interpretation": DocumentAction(
        f.InterpretationForm,
        _interpretation_due,
        lambda form, doc, user: services.interpretation_record(
            actor=user,
            document_id=doc.pk,
            title=form.cleaned_data["interpretation_title"],
            url=form.cleaned_data["interpretation_url"],
            published_on=form.cleaned_data.get("published_on"),
        ),
        "已登记政策解读。",
    ),
    "determine": DocumentAction(
        f.DeterminationForm,
        # A document transferred to the archives is used under the Archives Law: no determination.
        lambda s: (
            "determine" in s.transitions and s.document.is_issued and s.document.archived is None
        ),
        # The answer by letter: the 公函 is numbered and kept, and every open request naming
        # the document gets a copy (DOMAIN §4.4).
        lambda form, doc, user: determination_answer(
            actor=user, document_id=doc.pk, **form.proposal_kwargs()
        ),
        lambda determination: (
            f"已认定公开属性，公开属性认定函{determination.letter.number}已出具。"
        ),
        "已印发而没有公开属性的文件，由起草单位以公函向政务公开工作机构认定公开属性并说明理由；"
        "公函由系统编号出具，并送入涉及该文件的申请。",
    ),
    "validity": DocumentAction(
        f.ValidityForm,
        lambda s: (
            s.document.is_issued
            and s.document.attribute_state != S.CLASSIFIED
            and s.can("validity")
        ),
        lambda form, doc, user: services.document_set_validity(
            actor=user,
            document_id=doc.pk,
            validity=form.cleaned_data["validity"],
            changed_on=form.cleaned_data.get("changed_on"),
            note=form.cleaned_data.get("note", ""),
        ),
        "已登记效力状态。",
        "失效、废止的文件在年度复核中提示清理，清理结果向社会公布。",
    ),
    "process_decision": DocumentAction(
        f.ProcessDecisionForm,
        lambda s: (
            s.document.attribute_ground == rules.PROCESS_INFO
            and s.document.attribute_state == S.RESTRICTED
            and not s.document.process_decided_on
            and s.can("process_decision")
        ),
        lambda form, doc, user: services.document_record_process_decision(
            actor=user,
            document_id=doc.pk,
            decided_on=form.cleaned_data["decided_on"],
            note=form.cleaned_data.get("note", ""),
        ),
        "已登记。年度复核将提示重新评估是否公开。",
        "以过程性信息为由不主动公开的，相关决定作出后，不主动公开的理由可能已不存在（《条例》第十六条第二款）。",
    ),
    "attach_text": DocumentAction(
        f.AttachTextForm,
        lambda s: s.document.attribute_state != S.CLASSIFIED and s.can("attach_text"),
        lambda form, doc, user: services.document_attach_text(
            actor=user, document_id=doc.pk, file=form.cleaned_data["text_file"]
        ),
        "已上传正式文本。",
    ),
    "attach_interpretation": DocumentAction(
        f.AttachInterpretationForm,
        lambda s: (
            rules.needs_interpretation_with_document(
                s.document.kind, s.document.agency.interpretation_days
            )
            and s.document.attribute_state != S.CLASSIFIED
            and s.can("attach_text")
        ),
        lambda form, doc, user: services.document_attach_interpretation(
            actor=user, document_id=doc.pk, file=form.cleaned_data["interpretation_file"]
        ),
        "已上传政策解读材料。",
        "本机关规定政策性文件的解读材料与文件同步审签、同时公开；没有解读材料的，不予发文（退文）。",
    ),
    "classify": DocumentAction(
        f.ClassifyForm,
        lambda s: "classify" in s.transitions,
        lambda form, doc, user: services.document_mark_classified(
            actor=user,
            document_id=doc.pk,
            reason=form.cleaned_data["reason"],
            on=form.cleaned_data.get("on"),
        ),
        "已转为涉密文件：正式文本已从本系统删除，只保留登记信息。",
        "文件属于国家秘密的，按涉密文件管理，移出本系统（正式文本将被删除）。",
    ),
}


def available_actions(document: Document, user, publication) -> list[str]:
    situation = Situation(
        document=document,
        user=user,
        transitions={name for name, _ in selectors.available_transitions(user, document)},
        publication=publication,
    )
    return [name for name, action in ACTIONS.items() if action.available(situation)]


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
                form.add_service_error(error)
            except services.StaleDocument as error:
                messages.warning(request, str(error))
                return HttpResponseRedirect(document_url(document))
            except PermissionError as error:
                form.add_error(None, str(error))
                status = 403
            else:
                done = action.done(result) if callable(action.done) else action.done
                messages.success(request, done)
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
            error_case=document.is_issued
            and document.secrecy == Document.Secrecy.UNDETERMINED
            and document.attribute_state == S.UNDETERMINED
            and transfer is None,
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
    return FileResponse(document.file.open("rb"), filename=name, as_attachment=not inline)


# -- the disclosure office's lists --------------------------------------------------------------


class WorkView(RolePageMixin, TemplateView):
    """待办文件: what waits for the user by role (DOMAIN §4.1)."""

    template_name = "attributes_app/work.html"
    roles = WORK_ROLES
    LIMIT = 50

    SECTIONS = {
        "to_propose": ("待提出公开属性建议", "本单位尚未提出公开属性建议（或被退回）的文稿。"),
        "to_confirm": ("待签发确认", "本单位拟稿人已提出建议，待您签发时确认公开属性。"),
        "office_review": ("待公开办审查", "政策性文件拟依申请公开或不予公开，须先经审查。"),
        "secrecy_review": ("待保密审查", "已确定主动公开、尚未经保密审查同意的文件。"),
    }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sections = []
        for key, queryset in selectors.awaiting_action(self.request.user).items():
            title, help_text = self.SECTIONS[key]
            rows = list(queryset.order_by("pk")[: self.LIMIT + 1])
            sections.append(
                {
                    "key": key,
                    "title": title,
                    "help": help_text,
                    "rows": rows[: self.LIMIT],
                    "more": len(rows) > self.LIMIT,
                }
            )
        context.update(sections=sections, can_draft=may_see(self.request.user, DRAFT_ROLES))
        return context


class OfficeReviewView(RolePageMixin, TemplateView):
    """公开办审查: policy documents proposed non-proactive, waiting for the office's review."""

    template_name = "attributes_app/office_review.html"
    roles = OFFICE_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, query = page_of(self.request, lists.office_review_queue(self.request.user))
        context.update(page=page, query=query)
        return context


class PublicationsView(RolePageMixin, TemplateView):
    """公开期限: proactive documents not yet published (overdue, at risk, or all), and
    interpretations not yet published, soonest deadline first (DOMAIN §4.2)."""

    template_name = "attributes_app/publications.html"
    roles = OFFICE_ROLES
    SHOW = {
        "overdue": "已逾期",
        "at_risk": "临期",
        "all": "全部待公开",
        "interpretation": "待发布政策解读",
    }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        show = self.request.GET.get("show", "overdue")
        if show not in self.SHOW:
            show = "overdue"
        now = timezone.now()
        if show == "interpretation":
            tasks = selectors.interpretation_tasks(user, now=now)
        else:
            tasks = selectors.publication_tasks(user, now=now, only=None if show == "all" else show)
        page, query = page_of(self.request, tasks)
        counts = {
            "overdue": selectors.publication_tasks(user, now=now, only="overdue").count(),
            "at_risk": selectors.publication_tasks(user, now=now, only="at_risk").count(),
        }
        context.update(page=page, query=query, show=show, tabs=self.SHOW, counts=counts, now=now)
        return context


class ErrorListView(RolePageMixin, TemplateView):
    """既不确定密级也不确定公开属性: issued documents with neither (DOMAIN §4.1)."""

    template_name = "attributes_app/errors.html"
    roles = ERROR_LIST_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, query = page_of(self.request, selectors.documents_in_error(self.request.user))
        context.update(page=page, query=query)
        return context


# -- viewsets (menu entries of the 公开属性 application) -----------------------------------


class _RoleViewset(AppMenuMixin, Viewset):
    roles: frozenset[str] = frozenset()

    def has_view_permission(self, user, obj=None) -> bool:
        return may_see(user, self.roles)


class WorkViewset(_RoleViewset):
    title = "待办文件"
    icon = "assignment"
    app_name = "work"
    roles = WORK_ROLES

    index_path = path("", WorkView.as_view(), name="index")


class DocumentViewset(_RoleViewset):
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


class OfficeReviewViewset(_RoleViewset):
    title = "公开办审查"
    icon = "fact_check"
    app_name = "office"
    roles = OFFICE_ROLES

    index_path = path("", OfficeReviewView.as_view(), name="index")


class PublicationsViewset(_RoleViewset):
    title = "主动公开期限"
    icon = "alarm"
    app_name = "publications"
    roles = OFFICE_ROLES

    index_path = path("", PublicationsView.as_view(), name="index")


class ErrorListViewset(_RoleViewset):
    title = "未定密级和属性"
    icon = "report_problem"
    app_name = "errors"
    roles = ERROR_LIST_ROLES

    index_path = path("", ErrorListView.as_view(), name="index")
