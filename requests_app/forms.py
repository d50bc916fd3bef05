"""Forms of the information request pages: registration and the case list's filters.

Forms parse and check what was typed; the registration itself is ``request_register``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from requests_app.models import CaseDocument, Challenge, InformationRequest, NoticeService
from requests_app.rules.outcomes import OUTCOMES
from requests_app.selectors import FLAGS
from requests_app.services.challenges import ChallengeInput
from requests_app.uploads import (
    KIND_LABELS,
    REGISTRATION_KINDS,
    UPLOAD_RULES,
    accept_attribute,
    accepted_text,
    accepted_text_for,
    check_files,
    check_total,
)
from workflow import text_input as limits
from workflow.cn import cn_date
from workflow.forms import DateField, QuickSelect
from workflow.text_input import TextRulesMixin

R = InformationRequest

CHOICE_ERRORS = {
    "required": "请选择一项。",
    "invalid_choice": "请从列表中选择一项（“%(value)s”不是可选项）。",
}

#: Fields only a person has, and fields only an organisation has: the other kind's are cleared,
#: so that a value left in a hidden field does not block or pollute the registration.
PERSON_FIELDS = ("id_type", "id_number")
ORGANIZATION_FIELDS = ("organization_kind", "credit_code", "legal_representative")


def _text(label: str, max_length: int, *, required: bool = False, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        error_messages={"required": f"请填写{label}。"},
        **kwargs,
    )


def _choice(label: str, choices, *, required: bool = True, **kwargs) -> forms.ChoiceField:
    if not required:
        choices = [("", "—"), *choices]
    return forms.ChoiceField(
        label=label, choices=choices, required=required, error_messages=CHOICE_ERRORS, **kwargs
    )


# -- file uploads ----------------------------------------------------------------------------------


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class UploadField(forms.FileField):
    """Several files for one kind of case material, checked by ``uploads.check_files``.

    Cleans to the list of uploaded files (empty when none was chosen and the field is optional).
    Without ``kind`` the form checks the files itself (the case page lets the user pick the kind).
    """

    is_upload = True

    def __init__(self, *, kind: str | None = None, label: str | None = None, **kwargs):
        self.kind = kind
        kwargs.setdefault("required", False)
        if kind is not None:
            kwargs.setdefault("help_text", accepted_text(kind))
        super().__init__(
            label=label or KIND_LABELS.get(kind, "文件"), widget=MultipleFileInput, **kwargs
        )
        self.widget.attrs["multiple"] = True
        if kind is not None:
            self.widget.attrs["accept"] = accept_attribute(kind)

    def clean(self, data, initial=None):
        files = [f for f in (data or []) if f]
        if not files:
            if self.required:
                raise ValidationError("请选择要上传的文件。", code="required")
            return []
        if self.kind is not None:
            check_files(self.kind, files, label="")
        return files


class UploadFormMixin:
    """Forms with file fields: say when files chosen in a failed submission must be chosen again
    (a browser never fills a file input in again)."""

    def upload_fields(self):
        return [self[name] for name, f in self.fields.items() if isinstance(f, UploadField)]

    @property
    def files_to_choose_again(self) -> bool:
        return bool(self.is_bound and any(f.data for f in self.upload_fields()))


def upload_total(form: forms.Form, label: str = "所附材料") -> None:
    """The files of all the form's upload fields together stay under the per-upload total."""
    sizes = [
        f.size
        for name, field in form.fields.items()
        if isinstance(field, UploadField)
        for f in form.cleaned_data.get(name) or []
    ]
    try:
        check_total(sizes, label=label)
    except ValidationError as error:
        form.add_error(None, error)


class CaseUploadForm(TextRulesMixin, UploadFormMixin, forms.Form):
    """The case page's upload box: the kinds the user's role and the case's stage allow."""

    kind = forms.ChoiceField(label="材料类别", error_messages=CHOICE_ERRORS)
    files = UploadField(label="文件", required=True)
    title = forms.CharField(
        label="材料名称（可不填）",
        max_length=limits.FILE_NAME,
        required=False,
        help_text="不填时以材料类别为名称，如“申请书扫描件”。",
    )

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, KIND_LABELS[k]) for k in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]
        self.fields["files"].help_text = accepted_text_for(kinds)
        extensions = {ext for k in kinds for ext in accept_attribute(k).split(",")}
        self.fields["files"].widget.attrs["accept"] = ",".join(sorted(extensions))

    def clean(self):
        data = super().clean()
        kind, files = data.get("kind"), data.get("files")
        if kind in UPLOAD_RULES and files:
            try:
                check_files(kind, files, label="")
            except ValidationError as error:
                self.add_error("files", error)
        return data


TOKEN = re.compile(r"[0-9a-f]{32}")


class RegistrationForm(TextRulesMixin, UploadFormMixin, forms.Form):
    """One form for a walk-in application (DOMAIN §3.1 register, §3.2 receipt date)."""

    agency = forms.ModelChoiceField(
        label="受理机关",
        queryset=None,
        empty_label=None,
        error_messages={"required": "请选择受理机关。", "invalid_choice": "请选择您所在的机关。"},
    )
    kind = _choice("申请类型", R.Kind.choices, widget=forms.RadioSelect)
    channel = _choice("提交方式", R.Channel.choices)
    arrival_date = DateField(label="到达日期", help_text="申请送到本机关的日期。")
    receipt_date = DateField(
        label="收到申请之日",
        help_text=(
            "依《条例》第三十一条确定：当面提交为提交之日，邮寄为签收之日，"
            "平常信函、互联网、传真为双方确认之日。答复期限为自收到申请之日起20个工作日"
            "（《条例》第三十三条），收到申请的当日不计入，自次日起算。"
        ),
    )
    late_receipt_reason = _text(
        "收到申请之日晚于到达日期的理由",
        300,
        help_text="平常信函应当于到达当日与申请人确认；确认之日晚于到达日期的，写明原因。",
    )
    applicant_kind = _choice("申请人类型", R.ApplicantKind.choices, widget=forms.RadioSelect)
    applicant_name = _text("申请人姓名或名称", limits.NAME, required=True)
    id_type = _choice("证件类型", R.IdType.choices, required=False)
    id_number = _text("证件号码", 40, help_text="居民身份证号码为18位，会核对校验码。")
    organization_kind = _choice("组织类别", R.OrganizationKind.choices, required=False)
    credit_code = _text("统一社会信用代码", 18, help_text="18位，会核对校验码。")
    legal_representative = _text("法定代表人或负责人", 50)
    contact_person = _text("联系人", 50)
    phone = _text("联系电话", 40)
    email = forms.EmailField(
        label="电子邮箱",
        max_length=254,
        required=False,
        error_messages={"invalid": "请输入有效的电子邮箱地址，例如 zhang@example.com。"},
    )
    address = _text("通讯地址", 200)
    postcode = forms.RegexField(
        label="邮政编码",
        regex=r"^\d{6}$",
        required=False,
        error_messages={"invalid": "邮政编码为6位数字。"},
    )
    agent_name = _text("代理人姓名", 50)
    agent_id_number = _text("代理人证件号码", 40)
    agent_phone = _text("代理人联系电话", 40)
    power_of_attorney = forms.BooleanField(label="已核验授权委托书", required=False)
    description = forms.CharField(
        label="所需政府信息的描述",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=limits.DESCRIPTION,
        help_text="政府信息的名称、文号或者便于查询的其他特征性描述（《条例》第二十九条）。",
    )
    document_names = forms.CharField(
        label="文件名称、文号（如有）",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=limits.REASON,
    )
    form_wanted = _choice("获取信息的方式", R.Form.choices, help_text="《条例》第四十条。")
    delivery = _choice("送达方式", R.Delivery.choices)
    accessibility_needs = _text(
        "需要的必要帮助", 200, help_text="申请人有阅读困难或者视听障碍的（《条例》第四十三条）。"
    )
    application_files = UploadField(kind="application")
    id_proof_files = UploadField(kind="id_proof")
    confirm_duplicates = forms.BooleanField(label="已核对，仍然登记", required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args,
        agencies,
        check: Callable[[dict], dict[str, str]],
        **kwargs,
    ):
        """``check`` is the registration service's validation of the cleaned values (field →
        message), passed in by the page: the form does not import the services."""
        super().__init__(*args, **kwargs)
        self.check = check
        self.fields["agency"].queryset = agencies
        listed = list(agencies)
        if len(listed) == 1:
            self.fields["agency"].widget = forms.HiddenInput()
            self.fields["agency"].initial = listed[0].pk

    @classmethod
    def defaults(cls, today: date) -> dict:
        """What a walk-in usually is: handed in today by a person showing a resident ID card,
        who comes back for the reply (no e-mail address to ask for)."""
        return {
            "kind": R.Kind.DISCLOSURE,
            "channel": R.Channel.IN_PERSON,
            "arrival_date": today,
            "receipt_date": today,
            "applicant_kind": R.ApplicantKind.PERSON,
            "id_type": R.IdType.RESIDENT_ID,
            "form_wanted": R.Form.ELECTRONIC,
            "delivery": R.Delivery.COLLECT,
        }

    def clean(self):
        data = super().clean()
        cleared = ORGANIZATION_FIELDS if data.get("applicant_kind") == "person" else ()
        if data.get("applicant_kind") == "organization":
            cleared = PERSON_FIELDS
        for name in cleared:
            if name in data:
                data[name] = ""
            self.errors.pop(name, None)
        if data.get("delivery") == R.Delivery.EMAIL and "email" in data and not data["email"]:
            self.add_error("email", "选择电子邮件送达的，请填写电子邮箱。")
        if data.get("delivery") == R.Delivery.POST and "address" in data and not data["address"]:
            self.add_error("address", "选择邮寄送达的，请填写通讯地址。")
        if not self.errors:
            # The service's rules, so that every problem is shown at once, under its field.
            for name, message in self.check(data).items():
                self.add_error(name if name in self.fields else None, message)
        upload_total(self)
        return data

    def has_token(self) -> bool:
        """The form carries a one-time submission token (every form this site renders does)."""
        return bool(TOKEN.fullmatch(self.data.get("token", "")))

    def attachments(self) -> dict[str, list]:
        """The files handed in with the application, by kind, as the service takes them."""
        return {kind: self.cleaned_data.get(f"{kind}_files") or [] for kind in REGISTRATION_KINDS}

    def seen_duplicates(self) -> set[int]:
        """The same applicant's cases shown to the registrar when they confirmed."""
        return {int(v) for v in self.data.getlist("seen_duplicates") if v.isdigit()}

    def require_confirmation_again(self) -> None:
        """Untick "已核对，仍然登记": the list of the applicant's cases changed."""
        self.data = self.data.copy()
        self.data.pop("confirm_duplicates", None)

    def person_fields(self):
        return [self[name] for name in PERSON_FIELDS]

    def organization_fields(self):
        return [self[name] for name in (*ORGANIZATION_FIELDS, "contact_person")]

    def contact_fields(self):
        return [self[name] for name in ("phone", "email", "address", "postcode")]

    def agent_fields(self):
        return [
            self[name]
            for name in ("agent_name", "agent_id_number", "agent_phone", "power_of_attorney")
        ]

    def agent_has_values_or_errors(self) -> bool:
        return any(f.errors or (self.is_bound and f.value()) for f in self.agent_fields())


class CaseFilterForm(TextRulesMixin, forms.Form):
    """The case list's filters (GET). Invalid values are reported; the valid ones still apply."""

    show = forms.ChoiceField(
        label="范围",
        choices=[("open", "未办结"), ("closed", "已办结"), ("all", "全部")],
        required=False,
        error_messages=CHOICE_ERRORS,
        widget=QuickSelect,
    )
    q = forms.CharField(
        label="搜索",
        required=False,
        max_length=limits.SEARCH,
        widget=forms.TextInput(attrs={"placeholder": "登记编号、申请人或申请内容"}),
    )
    agency = forms.ChoiceField(
        label="机关", required=False, error_messages=CHOICE_ERRORS, widget=QuickSelect
    )
    stage = _choice("办理阶段", R.Stage.choices, required=False, widget=QuickSelect)
    flags = forms.MultipleChoiceField(
        label="期限状态",
        required=False,
        choices=[(code, label) for code, (label, _) in FLAGS.items()],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "请从列表中选择期限状态。"},
        help_text="符合任一项即列出。",
    )
    handler = forms.ChoiceField(
        label="承办人", required=False, error_messages=CHOICE_ERRORS, widget=QuickSelect
    )
    channel = _choice("提交方式", R.Channel.choices, required=False, widget=QuickSelect)
    outcome = _choice(
        "办理结果",
        [("open", "尚未办结"), *((code, o.label) for code, o in OUTCOMES.items())],
        required=False,
        widget=QuickSelect,
    )
    applicant_kind = _choice(
        "申请人类型", R.ApplicantKind.choices, required=False, widget=QuickSelect
    )
    received_from = DateField(label="收到申请之日（起）", required=False)
    received_to = DateField(label="收到申请之日（止）", required=False)
    challenged = forms.BooleanField(
        label="有复议/诉讼",
        required=False,
        help_text="只列出登记了行政复议或行政诉讼的申请；未选范围时列出全部（含已办结的）。",
    )

    def __init__(self, *args, agencies, handlers, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = list(agencies)
        if len(agencies) > 1:
            self.fields["agency"].choices = [("", "—"), *((str(a.pk), a.name) for a in agencies)]
        else:
            del self.fields["agency"]
        self.fields["handler"].choices = [
            ("", "—"),
            ("none", "未指定"),
            *((str(user.pk), user.get_full_name() or user.get_username()) for user in handlers),
        ]

    def clean(self):
        data = super().clean()
        first, last = data.get("received_from"), data.get("received_to")
        if first and last and first > last:
            self.add_error("received_to", "“止”日期不能早于“起”日期。")
            data.pop("received_to", None)
        return data

    def valid_filters(self) -> dict:
        """The filters that parsed; call after ``is_valid()``."""
        return {k: v for k, v in self.cleaned_data.items() if k not in self.errors}


# -- actions on the case page, outside the process's tasks --------------------------------------

REQUIRED = {"required": "请填写这一项。"}


class ExtensionAskForm(TextRulesMixin, forms.Form):
    title = "申请延长答复期限（《条例》第三十三条第二款）"
    submit_label = "提交延期申请"
    days = forms.IntegerField(
        label="延长工作日数",
        min_value=1,
        max_value=20,
        initial=20,
        error_messages={
            "required": "请填写延长的工作日数。",
            "min_value": "至少延长1个工作日。",
            "max_value": "延长的期限最长不得超过20个工作日。",
            "invalid": "请填写整数。",
        },
    )
    reason = forms.CharField(
        label="延期理由",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=limits.REASON,
        error_messages=REQUIRED,
    )


class ExtensionApproveForm(forms.Form):
    title = "批准延期"
    submit_label = "同意延期并出具延期答复告知书"


class DeferralApproveForm(forms.Form):
    title = "批准延迟答复（《条例》第三十五条）"
    submit_label = "同意并出具延迟答复告知书"


class DeferralRefuseForm(TextRulesMixin, forms.Form):
    title = "不批准延迟答复"
    submit_label = "不批准"
    comment = forms.CharField(label="不批准的理由", max_length=200, error_messages=REQUIRED)


class WithdrawForm(TextRulesMixin, forms.Form):
    title = "登记申请人撤回申请"
    submit_label = "登记撤回"
    on = DateField(label="撤回日期")
    reason = forms.CharField(label="撤回方式和说明", max_length=200, error_messages=REQUIRED)


class FeeWaiveForm(TextRulesMixin, forms.Form):
    title = "免收信息处理费"
    submit_label = "免收"
    reason = forms.CharField(label="免收理由", max_length=200, error_messages=REQUIRED)


class NoticeServiceForm(TextRulesMixin, forms.Form):
    """Record the service of a notice whose period runs from its receipt (DOMAIN §3.8)."""

    title = "登记文书送达"
    submit_label = "登记送达"
    service = forms.TypedChoiceField(
        label="文书", coerce=int, error_messages={"required": "请选择送达的文书。"}
    )
    method = forms.ChoiceField(
        label="送达方式",
        choices=NoticeService.Method.choices,
        error_messages={"required": "请选择送达方式。"},
    )
    served_on = DateField(label="送达日期（直接送达为签收之日，邮寄为交邮之日）")
    tracking_number = forms.CharField(
        label="邮件号码（邮寄送达必填）", max_length=60, required=False
    )
    proof = forms.TypedChoiceField(
        label="送达凭证（先在“上传材料”中上传）", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, case: InformationRequest, notices, **kwargs):
        """``notices``: the case's notices whose service may still be recorded (or corrected),
        chosen by the page (the services decide which are open)."""
        initial = kwargs.pop("initial", None) or {}
        kwargs["initial"] = {"served_on": timezone.localdate(), **initial}
        kwargs["initial"].pop("on", None)
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", "请选择")] + [
            (s.pk, f"{s}，{cn_date(s.issued_on)}发出" + ("（已送达，更正）" if s.served_on else ""))
            for s in notices
        ]
        proofs = case.documents.filter(kind=CaseDocument.Kind.SERVICE_PROOF).order_by("-id")
        self.fields["proof"].choices = [("", "不选择")] + [
            (d.pk, f"{d.title}（{d.original_name}）") for d in proofs
        ]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "service_id": data["service"],
            "method": data["method"],
            "served_on": data["served_on"],
            "tracking_number": data["tracking_number"],
            "proof_id": data["proof"],
        }


# -- reconsiderations and lawsuits about a case (services.challenges) ---------------------------


class ChallengeForm(TextRulesMixin, UploadFormMixin, forms.Form):
    """A 行政复议 or 行政诉讼 about a case: added from the case page, completed when it ends."""

    C = Challenge

    kind = _choice("类别", Challenge.Kind.choices)
    follows = forms.TypedChoiceField(
        label="所针对的行政复议（复议后起诉的）",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages=CHOICE_ERRORS,
    )
    body = _text(
        "复议机关或人民法院",
        100,
        required=True,
        help_text="如“孝义市人民政府”“孝义市人民法院”。",
    )
    number = _text("案号", 80, help_text="行政复议决定书或裁判文书上的案号；立案前可暂不填。")
    filed_on = DateField(
        label="申请或起诉日期",
        help_text="申请人提出行政复议申请或提起诉讼的日期，以材料所载为准。",
        error_messages={"required": "请填写申请或起诉日期。"},
    )
    claim = forms.CharField(
        label="申请人的请求",
        required=False,
        max_length=limits.REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    result = _choice(
        "结果",
        Challenge.Result.choices,
        help_text="维持；纠正（撤销、变更、确认违法、责令履行或责令重新答复）；"
        "其他结果（驳回、终止、撤回等）；尚未审结。",
    )
    detail = _choice(
        "结果内容",
        Challenge.Detail.choices,
        required=False,
        help_text="结果为纠正或其他结果时选择；维持或尚未审结的不选。",
    )
    concluded_on = DateField(
        label="审结日期",
        required=False,
        help_text="行政复议决定书或裁判文书的日期；尚未审结的不填。",
    )
    decision_received_on = DateField(
        label="本机关收到决定或判决之日",
        required=False,
        help_text="责令重新答复的填写：保存后本案即回到“提出办理意见”，"
        "重新答复期限自收到之日起计算，收到当日不计入。",
    )
    new_reply_days = forms.IntegerField(
        label="重新答复期限（工作日）",
        required=False,
        min_value=1,
        max_value=60,
        help_text="按决定或判决写明的期限填写；未写明的不填，为20个工作日。",
        error_messages={
            "min_value": "重新答复期限至少为1个工作日。",
            "max_value": "重新答复期限最多填写60个工作日。",
            "invalid": "请填写整数。",
        },
    )
    application_files = UploadField(kind=CaseDocument.Kind.CHALLENGE_APPLICATION)
    decision_files = UploadField(kind=CaseDocument.Kind.CHALLENGE_DECISION)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, reconsiderations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["follows"].choices = [
            ("", "—"),
            *(
                (
                    c.pk,
                    f"{c.body}{'（' + c.number + '）' if c.number else ''}，"
                    f"{cn_date(c.filed_on)}申请",
                )
                for c in reconsiderations
            ),
        ]

    def clean(self):
        data = super().clean()
        upload_total(self, "所附材料")
        return data

    def challenge_input(self):
        """The service's input (``services.challenges.ChallengeInput``)."""
        data = self.cleaned_data
        return ChallengeInput(
            kind=data["kind"],
            body=data["body"],
            number=data.get("number", ""),
            filed_on=data["filed_on"],
            claim=data.get("claim", ""),
            follows_id=data.get("follows"),
            result=data["result"],
            detail=data.get("detail", ""),
            concluded_on=data.get("concluded_on"),
            decision_received_on=data.get("decision_received_on"),
            new_reply_days=data.get("new_reply_days"),
        )
