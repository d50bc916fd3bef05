"""Drafting pages of the document register: a new draft with its proposed attribute, an older
document entered after it was issued, and a draft's particulars changed before it is issued.

A ``ValidationError`` comes back under its field with what was typed; a refusal (the role, or
someone acted first) is said plainly.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from attributes_app import forms as f
from attributes_app import lists, rules, selectors, services, text_files
from attributes_app.drafting import document_draft
from attributes_app.guidance import ATTRIBUTE_GUIDES, GROUND_GUIDES
from attributes_app.models import AttributeState, Document
from attributes_app.views.base import DRAFT_ROLES, OLDER_ROLES, RolePageMixin, document_url
from workflow.errors import REFUSALS, NotAllowed, Stale, add_to_form
from workflow.roles import has_role, user_roles

S = AttributeState


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
                add_to_form(form, error, fields=form.service_fields)
            except (*REFUSALS, services.StaleDocument) as error:
                add_to_form(form, error)
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
                add_to_form(form, error, fields=form.service_fields)
            except (Stale, services.StaleDocument) as error:
                messages.warning(request, str(error))
                return HttpResponseRedirect(document_url(document))
            except NotAllowed as error:
                add_to_form(form, error)
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
