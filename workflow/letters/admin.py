"""Admin: agencies edit their own letter templates, validated on save, with a PDF preview."""

from django import forms
from django.contrib import admin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from workflow.admin import AgencyScopedAdmin
from workflow.letters.engine import builtin_source, template_names
from workflow.letters.models import (
    IssuedLetter,
    TemplateOverride,
    TemplateOverrideVersion,
    agency_overrides,
)
from workflow.letters.previews import preview_for, with_agency
from workflow.letters.render import render_letter


class TemplateOverrideForm(forms.ModelForm):
    name = forms.ChoiceField(label="模板", choices=())

    class Meta:
        model = TemplateOverride
        fields = ["agency", "name", "source", "note"]
        widgets = {"source": forms.Textarea(attrs={"rows": 32, "cols": 120, "spellcheck": "false"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].choices = [(name, name) for name in template_names()]


class VersionInline(admin.TabularInline):
    model = TemplateOverrideVersion
    fields = ["version", "note", "created_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TemplateOverride)
class TemplateOverrideAdmin(AgencyScopedAdmin):
    form = TemplateOverrideForm
    list_display = ["agency", "name", "version", "updated_by", "updated_at", "preview_link"]
    list_filter = ["agency"]
    search_fields = ["name", "source"]
    readonly_fields = ["version", "updated_by", "updated_at", "preview_link"]
    inlines = [VersionInline]

    @admin.display(description="预览")
    def preview_link(self, obj: TemplateOverride) -> str:
        if not obj.pk:
            return "保存后可预览（PDF）"
        url = reverse("admin:letters_templateoverride_preview", args=[obj.pk])
        return format_html('<a href="{}" target="_blank">用示例生成 PDF</a>', url)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        name = request.GET.get("name", "reply.txt")
        if name in template_names():
            initial.update(name=name, source=builtin_source(name))
        return initial

    def save_model(self, request, obj, form, change) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("<int:pk>/preview/", preview, name="letters_templateoverride_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk: int) -> HttpResponse:
        """The override's template rendered from its sample, as this agency would issue it."""
        override = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, override):
            return HttpResponse(status=403)
        kind, context = preview_for(override.name)
        context = with_agency(context, override.agency)
        overrides = agency_overrides(override.agency)
        pdf = render_letter(kind, context, "pdf", overrides=overrides, draft=True)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{kind}-preview.pdf"'
        return response


@admin.register(IssuedLetter)
class IssuedLetterAdmin(AgencyScopedAdmin):
    list_display = ["issued_at", "agency", "kind", "number", "template_version", "issued_by"]
    list_filter = ["agency", "kind"]
    search_fields = ["number", "object_id"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
