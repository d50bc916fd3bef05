"""Administration: agencies, local calendar adjustments, imported notices, the audit log."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from workflow.cn import cn_date
from workflow.models import Agency, AuditEvent, CalendarAdjustment, HolidaySchedule
from workflow.services import calendar_adjustment_delete, calendar_adjustment_save


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
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
                    "number_style",
                    "letter_head",
                    "reply_layout",
                    "office_name",
                    "office_phone",
                    "office_address",
                    "office_postcode",
                    "reconsideration_organ",
                    "court",
                ]
            },
        ),
        ("期限", {"fields": ["at_risk_days", "correction_period_days"]}),
    ]


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
class CalendarAdjustmentAdmin(admin.ModelAdmin):
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


@admin.register(HolidaySchedule)
class HolidayScheduleAdmin(admin.ModelAdmin):
    list_display = ["year", "title", "number", "published", "imported_by", "imported_at"]
    readonly_fields = [f.name for f in HolidaySchedule._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
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
