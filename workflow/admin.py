"""Administration: agencies, local calendar adjustments, imported notices, the audit log, the
webhooks' delivery log.

Installation-wide things (agencies themselves, the State Council calendar, adjustments for all
agencies, the workflow engine's processes and tasks) belong to superusers. Everyone else with
access to the admin (an agency's 系统管理员) sees and changes only their own agencies' rows, and
another agency's row looks exactly like a missing one (DOMAIN §1).
"""

from dataclasses import replace

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from viewflow.workflow import admin as viewflow_admin
from viewflow.workflow.models import Process, Task

from workflow import (
    account_admin,  # noqa: F401  (users, role groups, login attempts)
    webhooks,
)
from workflow.accounts import access_of, audit_access_change
from workflow.audit import audit
from workflow.cn import cn_date
from workflow.holiday_import import preview_import, read_schedule
from workflow.models import (
    Agency,
    AuditEvent,
    CalendarAdjustment,
    HolidaySchedule,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from workflow.selectors import agencies_of
from workflow.services import (
    calendar_adjustment_delete,
    calendar_adjustment_save,
    holiday_schedule_import,
)
from workflow.text_input import TextRulesMixin


class AgencyForm(TextRulesMixin, forms.ModelForm):
    """The agency's names and contacts as typed text: its name prints on every letter."""

    class Meta:
        model = Agency
        # The admin's fieldsets name every field the page shows; these are the typed ones.
        fields = ["name", "short_name", "office_name", "office_address", "reconsideration_organ"]


class AgencyScopedAdmin(admin.ModelAdmin):
    """Rows of the user's own agencies only, unless the user is a superuser.

    The list, every object page (another agency's object is "not found"), the choices of the
    agency field and the agency filter are all scoped; with ``national_rows_visible`` the rows
    that apply to every agency (no agency) are listed too, read-only.
    """

    agency_field = "agency"
    national_rows_visible = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        scope = Q(**{f"{self.agency_field}__in": agencies_of(request.user)})
        if self.national_rows_visible:
            scope |= Q(**{f"{self.agency_field}__isnull": True})
        return queryset.filter(scope)

    def _national(self, request, obj) -> bool:
        return (
            obj is not None
            and not request.user.is_superuser
            and getattr(obj, f"{self.agency_field}_id") is None
        )

    def has_change_permission(self, request, obj=None):
        return not self._national(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._national(request, obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == self.agency_field and not request.user.is_superuser:
            kwargs["queryset"] = agencies_of(request.user)
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.required = True
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_list_filter(self, request):
        # The filter lists only agencies that occur in the user's rows, not every agency's name.
        return [
            (name, admin.RelatedOnlyFieldListFilter) if name == self.agency_field else name
            for name in super().get_list_filter(request)
        ]


def _superuser(request) -> bool:
    return request.user.is_active and request.user.is_superuser


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    form = AgencyForm
    list_display = ["name", "short_name", "code", "case_number_prefix", "reconsideration_organ"]
    search_fields = ["name", "short_name", "code"]
    filter_horizontal = ["staff"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "code", "staff"]}),
        (
            "文书与编号",
            {
                "fields": [
                    "case_number_prefix",
                    "reply_number_prefix",
                    "notice_number_prefix",
                    "letter_number_prefix",
                    "number_style",
                    "letter_head",
                    "reply_layout",
                    "office_name",
                    "office_phone",
                    "office_address",
                    "office_postcode",
                    "reconsideration_organ",
                    "court",
                    "court_after_reconsideration",
                ]
            },
        ),
        (
            "期限",
            {
                "fields": [
                    "at_risk_days",
                    "correction_period_days",
                    "reasons_period_days",
                    "third_party_wait_days",
                    "postal_receipt_days",
                ]
            },
        ),
        (
            "公开属性与主动公开",
            {
                "fields": [
                    "publication_rule",
                    "publication_working_days",
                    "publication_hours",
                    "publication_at_risk_days",
                    "interpretation_days",
                    "review_applicant_threshold",
                    "review_age_years",
                    "index_number_scheme",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=agencies_of(request.user))

    def has_add_permission(self, request):
        return _superuser(request)

    def has_delete_permission(self, request, obj=None):
        return _superuser(request)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return []
        # An agency's name and code are the installation's; its staff are managed on the users'
        # pages, where an agency's administrator sees only their own agencies' accounts.
        return ["name", "short_name", "code", "staff_list"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        first = dict(fieldsets[0][1])
        first["fields"] = ["name", "short_name", "code", "staff_list"]
        return [(None, first), *fieldsets[1:]]

    @admin.display(description="工作人员")
    def staff_list(self, obj):
        people = obj.staff.filter(api_client__isnull=True).order_by("username")
        return "、".join(user.get_username() for user in people) or "—"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "staff":
            # People only: an API client's account belongs to its agency from its registration
            # to the end (workflow.api.admin) and is kept there by ``save_related``.
            kwargs["queryset"] = db_field.related_model.objects.filter(api_client__isnull=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = [name for name in form.changed_data if name != "staff"]
        if not changed:
            return

        def describe(values) -> str:
            return "；".join(f"{form.fields[n].label}：{values.get(n, '')}" for n in changed)

        audit(
            actor=request.user,
            action="agency_changed" if change else "agency_created",
            obj=obj,
            agency=obj,
            from_state=describe(form.initial)[:200] if change else "",
            to_state=describe(form.cleaned_data)[:200],
            data={"fields": changed},
        )

    def save_related(self, request, form, formsets, change):
        # The staff field is saved here; each person who joins or leaves is an audit event.
        agency = form.instance
        before_ids = set(agency.staff.values_list("pk", flat=True)) if change else set()
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            agency.staff.add(*agency.staff.model.objects.filter(api_client__agency=agency))
            after_ids = set(agency.staff.values_list("pk", flat=True))
            for user in agency.staff.model.objects.filter(pk__in=before_ids ^ after_ids):
                after = access_of(user)
                agencies = (
                    after.agencies | {agency.pk}
                    if user.pk in before_ids
                    else after.agencies - {agency.pk}
                )
                audit_access_change(
                    actor=request.user,
                    user=user,
                    before=replace(after, agencies=agencies),
                    after=after,
                    reason="在机关页面修改工作人员",
                )


class CalendarAdjustmentForm(forms.ModelForm):
    class Meta:
        model = CalendarAdjustment
        fields = ["agency", "day", "kind", "reason"]


def _report_moved(request, moved) -> None:
    if not moved:
        messages.info(request, "没有已保存的期限因此变化。")
        return
    lines = [
        f"{m.label}：{cn_date(m.old_due) if m.old_due else '—'} → "
        f"{cn_date(m.new_due) if m.new_due else '—'}{'（提前，请注意）' if m.earlier else ''}"
        for m in moved
    ]
    messages.warning(request, f"{len(moved)}个期限已重新计算：" + "；".join(lines[:50]))


@admin.register(CalendarAdjustment)
class CalendarAdjustmentAdmin(AgencyScopedAdmin):
    # Adjustments for all agencies (a correction of the national schedule) are listed to every
    # administrator, since they apply to them, but only a superuser makes or changes them.
    national_rows_visible = True
    form = CalendarAdjustmentForm
    list_display = ["day", "kind", "agency_label", "reason", "created_by", "updated_at"]
    list_filter = ["kind", "agency"]
    date_hierarchy = "day"
    search_fields = ["reason"]

    @admin.display(description="适用机关")
    def agency_label(self, obj):
        return obj.agency or "全部机关"

    def save_model(self, request, obj, form, change):
        # Through the service, so that every change is audited and the deadlines move with it.
        try:
            saved, moved = calendar_adjustment_save(
                actor=request.user,
                day=form.cleaned_data["day"],
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                agency=form.cleaned_data["agency"],
                adjustment_id=obj.pk if change else None,
            )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
            return
        obj.pk = saved.pk
        _report_moved(request, moved)

    def delete_model(self, request, obj):
        _report_moved(
            request,
            calendar_adjustment_delete(
                actor=request.user, adjustment_id=obj.pk, reason="在系统管理中删除"
            ),
        )

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class HolidayImportForm(forms.Form):
    text = forms.CharField(
        label="通知原文或年度数据文件内容",
        widget=forms.Textarea(attrs={"rows": 16, "cols": 100}),
        required=False,
        help_text="从中国政府网复制《国务院办公厅关于××××年部分节假日安排的通知》全文粘贴到这里。",
    )
    upload = forms.FileField(label="或上传文件（.txt / .toml，UTF-8）", required=False)
    year = forms.IntegerField(
        label="年度",
        required=False,
        min_value=2004,
        max_value=2100,
        help_text="原文中没有标题时填写",
    )

    def clean(self):
        data = super().clean()
        upload = data.get("upload")
        if upload:
            if upload.size > 200_000:
                raise forms.ValidationError("上传的文件过大：节假日通知不应超过200KB。")
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError("上传的文件不是 UTF-8 编码的文本。") from None
        if not (data.get("text") or "").strip():
            raise forms.ValidationError("请粘贴通知原文或上传文件。")
        try:
            data["schedule"] = read_schedule(
                data["text"], year=data.get("year"), source="粘贴的内容"
            )
        except ValueError as error:
            raise forms.ValidationError(f"无法解析：{error}") from None
        return data


@admin.register(HolidaySchedule)
class HolidayScheduleAdmin(admin.ModelAdmin):
    list_display = ["year", "title", "number", "published", "imported_by", "imported_at"]
    readonly_fields = [f.name for f in HolidaySchedule._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Removing a notice would change the calendar without recomputing anyone's deadlines.
        return False

    def has_import_permission(self, request) -> bool:
        # The State Council calendar is the whole installation's.
        return _superuser(request)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="workflow_holidayschedule_import",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {"can_import": self.has_import_permission(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    def import_view(self, request):
        """Paste (or upload) the notice, see what was parsed and what changes, then confirm."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = HolidayImportForm(request.POST or None, request.FILES or None)
        preview = None
        if request.method == "POST" and form.is_valid():
            schedule = form.cleaned_data["schedule"]
            if request.POST.get("confirm") == "yes":
                result = holiday_schedule_import(
                    actor=request.user, schedule=schedule, source_text=form.cleaned_data["text"]
                )
                messages.success(request, f"已导入{schedule.year}年节假日安排：{schedule.title}。")
                _report_moved(request, result.moved)
                return redirect("admin:workflow_holidayschedule_changelist")
            preview = preview_import(schedule)
            form = HolidayImportForm(
                initial={"text": form.cleaned_data["text"], "year": form.cleaned_data.get("year")}
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "导入国务院节假日安排",
            "form": form,
            "preview": preview,
        }
        return TemplateResponse(request, "admin/workflow/holidayschedule/import.html", context)


@admin.register(AuditEvent)
class AuditEventAdmin(AgencyScopedAdmin):
    list_display = ["at", "actor", "agency", "action", "object_repr", "from_state", "to_state"]
    list_filter = ["action", "agency"]
    search_fields = ["object_repr", "reason", "object_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The engine's processes and tasks are shown, read-only, to superusers only. Deleting one would
# leave a case in a stage with no task to carry it on; the cases' own pages change them.
admin.site.unregister(Process)
admin.site.unregister(Task)


@admin.register(Process)
class ProcessAdmin(viewflow_admin.ProcessAdmin):
    def has_module_permission(self, request):
        return _superuser(request)

    def has_view_permission(self, request, obj=None):
        return _superuser(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Task)
class TaskAdmin(viewflow_admin.TaskAdmin):
    def has_module_permission(self, request):
        return _superuser(request)

    def has_view_permission(self, request, obj=None):
        return _superuser(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# -- webhooks: the endpoints the API clients registered, and the delivery log with each try's
# response code; a delivery can be sent again ("重新发送", with the same event id).


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AgencyScopedAdmin):
    list_display = ["url", "client", "agency", "subscribed", "active", "created_at"]
    list_filter = ["agency", "active"]
    search_fields = ["url", "client__name"]
    fields = [
        "agency",
        "client",
        "url",
        "events",
        "secret_hint",
        "active",
        "inactive_reason",
        "created_at",
        "removed_at",
    ]
    readonly_fields = fields
    list_select_related = ["client", "agency"]

    @admin.display(description="订阅的事件")
    def subscribed(self, obj):
        return "、".join(webhooks.LABELS.get(e, e) for e in obj.events) or "全部事件"

    def has_add_permission(self, request):
        return False  # registered by the client through the API: only it gets the secret

    def has_delete_permission(self, request, obj=None):
        return False  # the delivery log stays


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["at", "status_code", "duration_ms", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(AgencyScopedAdmin):
    list_display = [
        "created_at",
        "event_label",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "delivered_at",
    ]
    list_filter = ["agency", "status", "event_type"]
    search_fields = ["=event_id", "endpoint__url"]
    fields = [
        "agency",
        "endpoint",
        "event_id",
        "event_type",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "created_at",
        "delivered_at",
        "payload",
    ]
    readonly_fields = fields
    inlines = [AttemptInline]
    actions = ["resend"]
    list_select_related = ["endpoint__client"]

    @admin.display(description="事件类型", ordering="event_type")
    def event_label(self, obj):
        return webhooks.LABELS.get(obj.event_type, obj.event_type)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="重新发送", permissions=["view"])
    def resend(self, request, queryset):
        sent = skipped = 0
        for delivery_id in queryset.values_list("pk", flat=True):
            if webhooks.resend(actor=request.user, delivery_id=delivery_id) is None:
                skipped += 1
            else:
                sent += 1
        if sent:
            self.message_user(request, f"已重新发送 {sent} 条事件通知（事件编号不变）。")
        if skipped:
            self.message_user(
                request,
                f"{skipped} 条未重新发送：仍在等待发送，或接收地址已停用。",
                messages.WARNING,
            )
