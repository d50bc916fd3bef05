"""Forms of the engine's own pages."""

from datetime import date

from django import forms
from django.forms import formset_factory
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from workflow.clock import MAX_EXTENSION_DAYS, PAUSE_REASONS


class DateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {
        "invalid": "请输入有效的日期，格式为 年-月-日，例如 2026-03-05。",
        "required": "请填写这个日期。",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"])
        super().__init__(**kwargs)


class DeadlineForm(forms.Form):
    agency = forms.ChoiceField(label="按哪个机关的日历计算", required=False)
    receipt_date = DateField(label="收到申请之日", help_text="收到申请当日不计入期限。")
    correction_date = DateField(
        label="收到补正申请之日（如有）",
        required=False,
        help_text="收到补正后的申请，答复期限自该日起重新计算（《条例》第三十条）。",
    )
    extension_date = DateField(label="延期告知日期（如有）", required=False)
    extension_days = forms.IntegerField(
        label="延长的工作日数",
        required=False,
        min_value=1,
        max_value=MAX_EXTENSION_DAYS,
        error_messages={
            "min_value": "延长的工作日数至少为1。",
            "max_value": (
                f"延长的期限最长不得超过{MAX_EXTENSION_DAYS}个工作日（《条例》第三十三条第二款）。"
            ),
            "invalid": "延长的工作日数请填写整数。",
        },
    )
    today = DateField(label="计算截至日期", help_text="默认今天；用于计算已用和剩余的工作日。")

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "全国统一安排（不含本地调整）")]
        choices += [(str(a.pk), a.name) for a in agencies]
        self.fields["agency"].choices = choices

    def clean(self):
        data = super().clean()
        if bool(data.get("extension_date")) != bool(data.get("extension_days")):
            self.add_error(
                "extension_days" if data.get("extension_date") else "extension_date",
                "延期需要同时填写告知日期和延长的工作日数。",
            )
        receipt = data.get("receipt_date")
        correction = data.get("correction_date")
        if receipt and correction and correction < receipt:
            self.add_error("correction_date", "收到补正申请之日不能早于收到申请之日。")
        return data


class PauseForm(forms.Form):
    reason = forms.ChoiceField(
        label="暂停原因",
        required=False,
        choices=[("", "—")] + [(k, v[0]) for k, v in PAUSE_REASONS.items() if k != "correction"],
    )
    start = DateField(label="暂停开始（发函或发出缴费通知之日）", required=False)
    end = DateField(label="恢复计时（收到最后答复、期限届满或缴费之日）", required=False)

    def clean(self):
        data = super().clean()
        if data.get("start") or data.get("end") or data.get("reason"):
            if not data.get("reason"):
                self.add_error("reason", "请选择暂停原因。")
            if not data.get("start"):
                self.add_error("start", "请填写暂停开始日期。")
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "恢复计时日期不能早于暂停开始日期。")
        return data

    @property
    def used(self) -> bool:
        return bool(self.cleaned_data.get("start"))


PauseFormSet = formset_factory(PauseForm, extra=3, max_num=10)


def default_today() -> date:
    from django.utils import timezone

    return timezone.localdate()


class QuickSelect(forms.Select):
    """Django's ``<select>``, written out in Python instead of one template per option.

    The same HTML as ``forms.Select``; a filter form with fifty options renders in a tenth of
    the time, which a list page shown on every visit notices.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group_name, options, _ in widget["optgroups"]:
            rendered = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((o["value"], flatatt(o["attrs"]), o["label"]) for o in options),
            )
            if group_name:
                rendered = format_html('<optgroup label="{}">{}</optgroup>', group_name, rendered)
            parts.append(rendered)
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            mark_safe("".join(parts)),
        )
