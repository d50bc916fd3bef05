"""Forms of the process tasks: they parse and check input; the services decide (STYLE.md)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from django import forms
from django.utils import timezone

from requests_app.forms import UploadField, UploadFormMixin, upload_total
from requests_app.models import Consultation, InformationRequest, ReasonsRequest
from requests_app.rules.outcomes import OUTCOMES
from requests_app.services.online_service import served_on_platform
from workflow import text_input as limits
from workflow.text_input import TextRulesMixin

R = InformationRequest
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LINES_HELP = "每行一项。"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class TaskForm(TextRulesMixin, UploadFormMixin, forms.Form):
    """Chinese messages for required fields and dates; ``service_kwargs`` feed the service."""

    def __init__(self, *args, case: InformationRequest, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages.setdefault("required", "请填写此项。")
            field.error_messages["required"] = "请填写此项。"
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = "请按“年-月-日”填写日期，例如2026-03-05。"
                field.widget = DATE
            if isinstance(field, forms.IntegerField):
                field.error_messages["invalid"] = "请填写整数。"

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class EmptyForm(TaskForm):
    pass


class CommentForm(TaskForm):
    comment = forms.CharField(
        label="意见", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReturnForm(TaskForm):
    comment = forms.CharField(
        label="退回意见",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="写明需要承办人修改的内容。",
    )


class CorrectionForm(TaskForm):
    items = forms.CharField(
        label="需要补正的事项",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="一次性列明全部需要补正的事项，" + LINES_HELP,
    )
    period_days = forms.IntegerField(
        label="补正期限（工作日）", required=False, min_value=1, max_value=60
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period_days"].initial = self.case.agency.correction_period_days
        self.fields["period_days"].error_messages.update(
            min_value="补正期限应为1至60个工作日。", max_value="补正期限应为1至60个工作日。"
        )

    def service_kwargs(self) -> dict:
        return {
            "items": _lines(self.cleaned_data["items"]),
            "period_days": self.cleaned_data["period_days"],
        }


class ReasonsAskForm(TaskForm):
    """Art. 35: ask the applicant to explain a volume or frequency clearly beyond reason."""

    grounds = forms.CharField(
        label="数量、频次明显超过合理范围的情况",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="写明事实，如“2026年2月2日至3月5日共提交申请42件，其中35件内容相同”。",
    )
    items = forms.CharField(
        label="需要说明的事项",
        widget=forms.Textarea(attrs={"rows": 3}),
        initial="短期内大量或者反复提交申请的原因\n能否合并申请或者缩小申请范围",
        help_text="只请申请人说明数量、频次明显超过合理范围的理由，不要求说明信息的用途（《条例》第三十五条）。"
        + LINES_HELP,
    )
    how_to_answer = forms.CharField(
        label="说明方式",
        max_length=200,
        initial="书面说明（可当面提交、邮寄或通过电子邮件提交）",
    )
    period_days = forms.IntegerField(
        label="说明期限（工作日）",
        min_value=1,
        max_value=60,
        help_text="《条例》未规定说明理由的期限，默认值由本机关设置。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period_days"].initial = self.case.agency.reasons_period_days
        self.fields["period_days"].error_messages.update(
            min_value="说明期限应为1至60个工作日。", max_value="说明期限应为1至60个工作日。"
        )

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["items"] = _lines(data["items"])
        return data


class ReasonsAnswerForm(TaskForm):
    answered_on = forms.DateField(label="收到说明之日")
    answer = forms.CharField(
        label="申请人说明的理由",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=limits.ANSWER,
        help_text="照录或摘录申请人的书面说明。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answered_on"].initial = timezone.localdate()


class ReasonsFindingForm(TaskForm):
    """One of the three findings on the applicant's reasons (one service, ``reasons_decide``)."""

    finding = ""
    note = forms.CharField(
        label="审查意见", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def service_kwargs(self) -> dict:
        return {"finding": self.finding, **self.cleaned_data}


class ReasonsUnreasonableForm(ReasonsFindingForm):
    finding = ReasonsRequest.Finding.UNREASONABLE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].label = "理由不合理的原因"
        self.fields["note"].help_text = "申请人已说明理由的必填；将写入不予处理告知书。"


class ReasonsReasonableForm(ReasonsFindingForm):
    finding = ReasonsRequest.Finding.REASONABLE


class ReasonsDeferForm(ReasonsFindingForm):
    finding = ReasonsRequest.Finding.DEFERRED
    later_date = forms.DateField(
        label="延迟答复期限", help_text="应晚于现在的答复期限，且为工作日。"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].label = "无法按期答复的理由"
        self.fields["note"].required = True
        self.fields["note"].error_messages["required"] = "请写明无法按期答复的理由。"
        self.fields["note"].help_text = "将写入延迟答复告知书，如“所涉档案约3000页，需逐页审查”。"
        self.order_fields(["later_date", "note"])


class RecordCorrectionForm(TaskForm):
    received_on = forms.DateField(label="收到补正申请之日")
    late_reason = forms.CharField(
        label="逾期补正的正当理由",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="仅在补正期限届满后收到补正时填写。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()


class ConsultationSendForm(TaskForm):
    party = forms.ChoiceField(label="征求对象", choices=Consultation.Party.choices)
    party_name = forms.CharField(label="名称或姓名", max_length=100)
    party_address = forms.CharField(label="地址", max_length=200, required=False)
    matter = forms.CharField(
        label="征求意见的内容", widget=forms.Textarea(attrs={"rows": 3}), max_length=limits.MATTER
    )
    sent_on = forms.DateField(label="发函日期")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sent_on"].initial = timezone.localdate()
        self.fields["party"].error_messages["invalid_choice"] = "请选择第三方或其他机关。"


class ConsultationReplyForm(TaskForm):
    consultation = forms.ModelChoiceField(label="征求意见", queryset=Consultation.objects.none())
    reply = forms.ChoiceField(
        label="答复",
        choices=[(Consultation.Reply.AGREE, "同意公开"), (Consultation.Reply.OBJECT, "不同意公开")],
        widget=forms.RadioSelect,
    )
    replied_on = forms.DateField(label="答复日期")
    reasons = forms.CharField(
        label="意见和理由", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["consultation"]
        field.queryset = self.case.consultations.filter(reply=Consultation.Reply.PENDING)
        field.error_messages["invalid_choice"] = "这项征求意见已经有了答复，请刷新页面。"
        self.fields["replied_on"].initial = timezone.localdate()

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["consultation_id"] = data.pop("consultation").pk
        return data


OUTCOME_CHOICES = [("", "请选择")] + [
    (code, outcome.label)
    for code, outcome in OUTCOMES.items()
    if code not in {"abandoned_no_correction", "abandoned_no_payment"}
]


#: The cells of a withheld part (Art. 37): what is withheld, why, and on which provision.
WITHHELD_COLUMNS = (("description", "不予公开的内容"), ("reason", "理由"), ("basis", "依据"))
MAX_WITHHELD_ROWS = 50

#: Which outcomes each field of the proposal serves; the page shows only those the chosen
#: outcome needs (the full form stays valid without scripts). Fields not listed serve all.
OUTCOME_FIELDS = {
    "withheld": ["partly_disclosed"],
    "objections_withheld": ["partly_disclosed"],
    "provided": ["disclosed", "partly_disclosed"],
    "provide_form": ["disclosed", "partly_disclosed"],
    "provided_files": ["disclosed", "partly_disclosed"],
    "public_interest_reasons": ["disclosed", "partly_disclosed"],
    "where_published": ["already_public"],
    "search_description": ["not_held"],
    "competent_agency": ["not_our_agency"],
    "competent_agency_contact": ["not_our_agency"],
    "special_law": ["withheld_query_matter"],
    "earlier_reply": ["repeat"],
    "proper_channel": ["petition"],
}


class ProposalForm(TaskForm):
    outcome = forms.ChoiceField(label="办理结果", choices=OUTCOME_CHOICES)
    articles = forms.CharField(
        label="所依据的条款",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="如：《中华人民共和国政府信息公开条例》第三十六条第（二）项。" + LINES_HELP,
    )
    reason = forms.CharField(
        label="理由和说明", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    provided = forms.CharField(
        label="提供的政府信息",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=limits.DESCRIPTION,
        help_text=LINES_HELP,
    )
    provide_form = forms.ChoiceField(
        label="提供信息的形式", required=False, choices=[("", "—"), *R.Form.choices]
    )
    # A portal's address can be long; other one-line answers keep the default (``limits.NOTE``).
    where_published = forms.CharField(
        label="公开的途径（已主动公开的）", required=False, max_length=limits.URL
    )
    search_description = forms.CharField(
        label="检索情况（不存在的）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    competent_agency = forms.CharField(label="负责公开的机关（非本机关的）", required=False)
    competent_agency_contact = forms.CharField(label="该机关的联系方式", required=False)
    special_law = forms.CharField(
        label="所依据的法律、行政法规及条款",
        required=False,
        max_length=limits.LAW,
        help_text=(
            "法律、行政法规禁止公开的，写明禁止公开的法律、行政法规及条款（《条例》第十四条）；"
            "行政查询事项，写明对获取有特别规定的法律、行政法规及条款（《条例》第三十六条第（七）项），"
            "例如《不动产登记暂行条例》第二十七条。部门规章、地方性法规不能作为依据。"
        ),
    )
    earlier_reply = forms.CharField(label="此前的答复（重复申请的）", required=False)
    proper_channel = forms.CharField(label="应通过的渠道（信访举报投诉的）", required=False)
    objections_withheld = forms.TypedMultipleChoiceField(
        label="第三方不同意公开的内容已列入不予公开的部分",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="部分公开时，勾选其不同意公开的内容已全部列入不予公开部分的第三方；未勾选的视为不顾其反对决定公开。",
    )
    public_interest_reasons = forms.CharField(
        label="不公开可能对公共利益造成重大影响的理由",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="第三方不同意公开而本机关决定公开的必填（《条例》第三十二条）；批准后将书面告知第三方。",
    )
    no_consultation_reason = forms.CharField(
        label="未征求第三方意见的理由",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="以涉及第三方合法权益为由不予公开（《条例》第十五条）而未征求第三方意见的必填："
        "《条例》第三十二条通常要求先书面征求第三方意见。",
    )
    needs_legal_review = forms.BooleanField(label="涉及重大法律问题，需要法制审核", required=False)
    provided_files = UploadField(kind="provided", label="提供的政府信息（文件）")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].error_messages["invalid_choice"] = "请选择办理结果。"
        # Art. 40: provided in the form the applicant asked for, unless the handler says otherwise.
        self.fields["provide_form"].initial = self.case.form_wanted
        # The withheld parts (Art. 37) as rows of three cells, not one line with separators.
        self.rows = self._row_count()
        for index in range(self.rows):
            for key, label in WITHHELD_COLUMNS:
                self.fields[f"withheld_{index}_{key}"] = forms.CharField(
                    label=f"第{index + 1}项{label}", required=False, max_length=500
                )
        objections = self.case.consultations.filter(
            party=Consultation.Party.THIRD_PARTY, reply=Consultation.Reply.OBJECT
        ).order_by("sent_on", "id")
        if objections:
            self.fields["objections_withheld"].choices = [
                (c.pk, f"{c.party_name}：{c.matter}") for c in objections
            ]
            self.fields["objections_withheld"].error_messages["invalid_choice"] = (
                "所选的第三方意见已不存在，请刷新页面。"
            )
        else:  # Art. 32 only matters when a third party objected
            del self.fields["objections_withheld"]
            del self.fields["public_interest_reasons"]
        if self.case.consultations.filter(party=Consultation.Party.THIRD_PARTY).exists():
            del self.fields["no_consultation_reason"]  # Art. 32: the third party was consulted

    def clean(self):
        data = super().clean()
        upload_total(self, "提供的政府信息（文件）")
        return data

    def files_of(self) -> list:
        return self.cleaned_data.get("provided_files") or []

    def _row_count(self) -> int:
        """Rows typed (all of them come back after an error) and an empty one; at least three.
        Without scripts the spare row is how another part is added."""
        typed = 0
        if self.is_bound:
            pattern = re.compile(re.escape(self.add_prefix("withheld_")) + r"(\d+)_")
            for key in self.data:
                if (match := pattern.match(key)) and int(match.group(1)) < MAX_WITHHELD_ROWS:
                    typed = max(typed, int(match.group(1)) + 1)
        return max(typed + 1, 3) if typed else 3

    def outcome_fields(self) -> dict[str, list[str]]:
        """``OUTCOME_FIELDS`` for the fields this form has (the page's script hides the rest)."""
        return {
            name: outcomes
            for name, outcomes in OUTCOME_FIELDS.items()
            if name in self.fields or name == "withheld"
        }

    def withheld_rows(self) -> list[list]:
        """The bound fields of the withheld-parts table, row by row."""
        return [
            [self[f"withheld_{index}_{key}"] for key, _ in WITHHELD_COLUMNS]
            for index in range(self.rows)
        ]

    def withheld_parts(self) -> list[dict]:
        """The rows with anything typed in them, in order; the service checks each is whole."""
        parts = []
        for index in range(self.rows):
            part = {
                key: (self.cleaned_data.get(f"withheld_{index}_{key}") or "").strip()
                for key, _ in WITHHELD_COLUMNS
            }
            if any(part.values()):
                parts.append(part)
        return parts

    def proposal_data(self) -> dict:
        """The cleaned values as the service's ``Proposal`` takes them."""
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("withheld_")}
        data.pop("provided_files", None)
        data["withheld_parts"] = self.withheld_parts()
        data["articles"] = _lines(data["articles"])
        data["provided"] = _lines(data["provided"])
        return data


class FeeNoticeForm(TaskForm):
    method = forms.ChoiceField(
        label="计收方式",
        choices=[("per_piece", "按件计收"), ("per_page", "按量计收")],
        widget=forms.RadioSelect,
    )
    quantity = forms.IntegerField(label="件数或页数", min_value=1)
    payment_method = forms.CharField(label="缴费方式", help_text="缴款账户、缴费地点等。")
    reduction = forms.IntegerField(label="减免金额（元）", required=False, min_value=0, initial=0)
    reduction_reason = forms.CharField(label="减免理由", required=False)

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["reduction"] = data["reduction"] or 0
        return data


class FeePaidForm(TaskForm):
    paid_on = forms.DateField(label="缴费日期")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()


#: The service method that follows from the delivery the applicant asked for.
SERVICE_FOR_DELIVERY = {
    R.Delivery.COLLECT: "direct",
    R.Delivery.POST: "post",
    R.Delivery.EMAIL: "electronic",
    R.Delivery.ONLINE: "electronic",
}


class ServeForm(TaskForm):
    method = forms.ChoiceField(label="送达方式", widget=forms.RadioSelect, choices=[])
    served_on = forms.DateField(label="送达日期")
    tracking_number = forms.CharField(
        label="邮件号码", required=False, max_length=limits.NUMBER, help_text="邮寄送达时填写。"
    )
    proof_files = UploadField(
        kind="service_proof", label="送达凭证（签收的送达回证、邮寄凭据等的扫描件或照片）"
    )

    def __init__(self, *args, methods: Mapping[str, str] | None = None, **kwargs):
        """``methods``: the service's ways of service (code → label), passed in by the page."""
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = list((methods or {}).items())
        self.fields["method"].error_messages["invalid_choice"] = "请选择送达方式。"
        # The way the applicant chose when applying (DOMAIN §3.8), preselected.
        self.fields["method"].initial = SERVICE_FOR_DELIVERY.get(self.case.delivery)
        self.fields["served_on"].initial = timezone.localdate()
        if served_on_platform(self.case):
            self.fields["served_on"].help_text = (
                "申请人选择在网上平台接收：电子送达时，答复书在登记送达时提供到申请查询页面，"
                "以该日（今天）为送达日期。"
            )

    def clean(self):
        data = super().clean()
        upload_total(self, "送达凭证")
        return data

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("proof_files", None)
        return data

    def files_of(self) -> list:
        return self.cleaned_data.get("proof_files") or []
