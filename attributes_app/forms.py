"""Forms of the document register's pages. They parse and check what was typed (the pure rules of
``attributes_app.rules`` included, so that every problem shows at once under its field); the
state changes are the services'."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.validators import MaxValueValidator

from attributes_app import catalogue, older_sheet, rules, text_files
from attributes_app.guidance import GROUND_CHOICES
from attributes_app.models import (
    AttributeState,
    CatalogueItem,
    Document,
    DraftingUnit,
    Publication,
    ReviewItem,
    SecrecyReview,
)
from attributes_app.services import (
    CatalogueItemData,
    DocumentData,
    ReviewDecision,
    ReviewProposal,
)
from workflow import text_input as limits
from workflow.forms import DateField
from workflow.text_input import TextRulesMixin

CHOICE_ERRORS = {
    "required": "请选择一项。",
    "invalid_choice": "请从列表中选择一项（“%(value)s”不是可选项）。",
}
MODEL_CHOICE_ERRORS = {
    "required": "请选择一项。",
    "invalid_choice": "请从列表中选择一项。",
}
ATTRIBUTE_CHOICES = [
    (code, f"{label} {rules.ATTRIBUTE_MARKS[code]}")
    for code, label in rules.ATTRIBUTE_LABELS.items()
]


def text(label: str, max_length: int, *, required: bool = False, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        error_messages={"required": f"请填写{label}。"},
        **kwargs,
    )


def long_text(
    label: str,
    *,
    required: bool = False,
    rows: int = 3,
    max_length: int = limits.REASON,
    **kwargs,
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": f"请填写{label}。"},
        **kwargs,
    )


def choice(label: str, choices, *, required: bool = True, blank: str = "—", **kwargs):
    if not required:
        choices = [("", blank), *choices]
    return forms.ChoiceField(
        label=label, choices=choices, required=required, error_messages=CHOICE_ERRORS, **kwargs
    )


class ServiceErrorsMixin:
    """A form a service's ``ValidationError`` comes back to (``workflow.errors.add_to_form``):
    its messages go under the fields of the same name, unknown keys on top."""

    #: service field name -> form field name, where they differ
    service_fields: dict[str, str] = {}


# -- the attribute proposal ----------------------------------------------------------------------


class AttributeFieldsMixin:
    """The attribute, its legal ground, the named law and the reasons, checked together."""

    def add_attribute_fields(self, *, required: bool = True) -> None:
        self.fields["attribute"] = forms.ChoiceField(
            label="公开属性",
            choices=ATTRIBUTE_CHOICES if required else [("", "暂不提出"), *ATTRIBUTE_CHOICES],
            required=required,
            widget=forms.RadioSelect,
            error_messages={
                **CHOICE_ERRORS,
                "required": "请选择公开属性：主动公开、依申请公开或不予公开。",
            },
        )
        self.fields["ground"] = choice(
            "不主动公开的法律依据",
            GROUND_CHOICES,
            required=False,
            blank="—请选择—",
            help_text="依申请公开或不予公开时必选。",
        )
        self.fields["law"] = text(
            "所依据的法律、法规及条款",
            300,
            help_text=(
                "法律依据选“其他法律、法规的规定”时填写名称和条款，例如《中华人民共和国档案法》"
                "第二十七条。不予公开的，只能依据法律或者行政法规（《条例》第十四条），"
                "地方性法规、规章不能作为不予公开的依据。"
            ),
        )
        self.fields["reasons"] = long_text(
            "不主动公开的理由",
            help_text="依申请公开或不予公开时必填：说明文件为什么不主动公开。",
        )

    def check_attribute(self, data: dict, kind: str) -> None:
        attribute = data.get("attribute")
        if not attribute or any(self.has_error(f) for f in ("ground", "law", "reasons")):
            return
        for name, message in rules.attribute_problems(
            kind=kind,
            attribute=attribute,
            reasons=data.get("reasons", ""),
            ground=data.get("ground", ""),
            law=data.get("law", ""),
        ).items():
            self.add_error(name, message)

    def proposal_kwargs(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            "attribute": data["attribute"],
            "reasons": data.get("reasons", ""),
            "ground": data.get("ground", ""),
            "law": data.get("law", ""),
        }


# -- the document's particulars --------------------------------------------------------------


class DocumentForm(TextRulesMixin, ServiceErrorsMixin, AttributeFieldsMixin, forms.Form):
    """Drafting a document: its particulars, the final text, and the proposed attribute.

    ``propose``: whether the attribute is part of this form (a drafter's new draft); an edit of
    the particulars leaves it out.
    """

    service_fields = {"drafting_unit_id": "drafting_unit", "catalogue_item_id": "catalogue_item"}

    drafting_unit = forms.ModelChoiceField(
        label="起草单位",
        queryset=DraftingUnit.objects.none(),
        empty_label="—请选择—",
        error_messages=MODEL_CHOICE_ERRORS,
    )
    title = text("文件标题", 300, required=True)
    number = text("文号", 60, help_text="印发时编定的，可以暂不填写。")
    kind = choice(
        "文件类型",
        Document.Kind.choices,
        widget=forms.RadioSelect,
        help_text=(
            "政策性文件拟不主动公开的，须经政务公开工作机构审查并同时准备政策解读；"
            "行政规范性文件一律主动公开（《条例》第二十条第（一）项）。"
        ),
    )
    formed_on = DateField(
        label="成文日期",
        required=False,
        help_text="可以不填：负责人签发时以签发之日为成文日期。主动公开的期限自成文之日起算。",
    )
    effective_on = DateField(label="施行日期", required=False)
    catalogue_item = forms.ModelChoiceField(
        label="对应的公开事项（如有）",
        queryset=CatalogueItem.objects.none(),
        required=False,
        empty_label="—不对应目录中的事项—",
        error_messages=MODEL_CHOICE_ERRORS,
        help_text="文件属于公开事项目录中的事项的，按该事项的默认公开属性和时限办理。",
    )
    text_file = forms.FileField(
        label="正式文本",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": text_files.ACCEPT}),
        help_text=(
            f"PDF、OFD、DOCX、DOC或WPS文件，不超过{text_files.max_bytes() // text_files.MB}MB；"
            "可以以后再上传。"
        ),
        error_messages={"invalid": "没有收到文件，请重新选择。", "empty": "这是空文件。"},
    )
    kept_text = forms.CharField(widget=forms.HiddenInput, required=False)
    secrecy = forms.ChoiceField(
        label="密级状态",
        choices=[
            (Document.Secrecy.UNDETERMINED, "尚未确定（确定前不能印发）"),
            (Document.Secrecy.NON_SECRET, "非涉密"),
        ],
        required=False,
        widget=forms.RadioSelect,
        error_messages=CHOICE_ERRORS,
        help_text="涉密文件不在本系统办理，由保密审查人员转为涉密文件。",
    )

    def __init__(self, *args, units, catalogue, propose: bool, kept_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["drafting_unit"].queryset = units
        self.fields["catalogue_item"].queryset = catalogue
        self.kept_name = kept_name
        self.propose = propose
        if not getattr(self, "older", False):
            self.initial.setdefault("secrecy", Document.Secrecy.UNDETERMINED)
        if propose:
            self.add_attribute_fields(required=True)

    def clean_text_file(self):
        upload = self.cleaned_data.get("text_file")
        if upload:
            problem = text_files.problem(upload)
            if problem:
                raise forms.ValidationError(problem)
        return upload

    def clean(self):
        data = super().clean()
        if self.propose and data.get("kind"):
            self.check_attribute(data, data["kind"])
        return data

    def document_data(self) -> DocumentData:
        data = self.cleaned_data
        return DocumentData(
            title=data["title"],
            drafting_unit_id=data["drafting_unit"].pk,
            kind=data["kind"],
            number=data.get("number", ""),
            formed_on=data.get("formed_on"),
            effective_on=data.get("effective_on"),
            catalogue_item_id=data["catalogue_item"].pk if data.get("catalogue_item") else None,
            secrecy=data.get("secrecy") or Document.Secrecy.UNDETERMINED,
        )

    def catalogue_defaults(self) -> dict[str, dict[str, str]]:
        """Each catalogue item's default attribute and time limit, for the page's hint."""
        return {
            str(item.pk): {
                "attribute": item.default_attribute,
                "text": item.get_default_attribute_display()
                + (f"，{item.publication_days}个工作日内公开" if item.publication_days else ""),
            }
            for item in self.fields["catalogue_item"].queryset
        }


class OlderDocumentForm(DocumentForm):
    """Registering an older document, issued before it was entered here: its dates, secrecy
    status and validity. It has no attribute: the drafting unit determines one by letter when it
    is needed (DOMAIN §4.4), and until then it is listed as "no attribute yet"."""

    older = True
    service_fields = {
        **DocumentForm.service_fields,
        "validity_changed_on": "validity_changed_on",
    }

    issued_on = DateField(label="印发日期", help_text="版记中的印发日期。")
    secrecy = choice(
        "密级状态",
        [
            (Document.Secrecy.NON_SECRET, "非涉密"),
            (Document.Secrecy.UNDETERMINED, "未确定密级（将列入“既未定密也未确定公开属性”清单）"),
        ],
        widget=forms.RadioSelect,
        help_text="涉密文件不在本系统登记。",
    )
    validity = choice("效力状态", Document.Validity.choices, widget=forms.RadioSelect)
    validity_changed_on = DateField(
        label="修改、失效或废止日期", required=False, help_text="效力状态不是“有效”时填写。"
    )
    validity_note = text("效力说明", 300, help_text="例如：被孝政发〔2020〕3号文件废止。")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("propose", False)
        super().__init__(*args, **kwargs)
        self.fields["formed_on"].required = True
        self.fields["formed_on"].help_text = "文件落款的日期。"
        self.fields["number"].help_text = "没有文号的（如会议纪要）可以不填。"
        self.fields["text_file"].help_text = self.fields["text_file"].help_text.replace(
            "可以以后再上传。", "可以以后再上传；加注公开属性须在认定公开属性之后。"
        )
        self.initial.setdefault("secrecy", Document.Secrecy.NON_SECRET)
        self.initial.setdefault("validity", Document.Validity.IN_FORCE)

    def document_data(self) -> DocumentData:
        data = self.cleaned_data
        document = super().document_data()
        document.issued_on = data["issued_on"]
        document.secrecy = data["secrecy"]
        document.validity = data["validity"]
        document.validity_changed_on = data.get("validity_changed_on")
        document.validity_note = data.get("validity_note", "")
        return document


class OlderImportForm(TextRulesMixin, forms.Form):
    """The spreadsheet of older documents to check (``attributes_app.older_import``): for which
    agency, when the officer works for several, and the file itself."""

    agency = forms.ModelChoiceField(
        label="导入到哪个机关",
        queryset=None,
        empty_label=None,
        error_messages=MODEL_CHOICE_ERRORS,
    )
    file = forms.FileField(
        label="文件清单",
        widget=forms.ClearableFileInput(attrs={"accept": older_sheet.ACCEPT}),
        error_messages={
            "required": "请选择要导入的文件清单（.xlsx或.csv）。",
            "invalid": "没有收到文件，请重新选择。",
            "empty": "这是空文件，请重新选择。",
        },
    )

    def __init__(self, *args, agencies, max_mb: int, max_rows: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.several = agencies.count() > 1
        self.only = None if self.several else agencies.first()
        if not self.several:
            self.fields["agency"].widget = forms.HiddenInput()
            self.fields["agency"].required = False
        self.max_mb = max_mb
        help_text = f"按模板填写的Excel工作簿（.xlsx）或CSV文件，不超过{max_mb}MB、{max_rows}行。"
        self.fields["file"].help_text = help_text

    def clean_agency(self):
        agency = self.cleaned_data.get("agency") or self.only
        if agency is None:
            raise forms.ValidationError("您还没有所属的机关，不能导入。")
        return agency

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_mb * text_files.MB:
            raise forms.ValidationError(
                f"“{upload.name}”有{upload.size / text_files.MB:.1f}MB，"
                f"超过了{self.max_mb}MB的上限。请分成几个文件分批导入。"
            )
        return upload


class ProposalForm(TextRulesMixin, ServiceErrorsMixin, AttributeFieldsMixin, forms.Form):
    title = "提出公开属性建议"
    submit_label = "提交建议"

    def __init__(self, *args, document: Document, **kwargs):
        super().__init__(*args, **kwargs)
        self.document = document
        self.add_attribute_fields(required=True)

    def clean(self):
        data = super().clean()
        self.check_attribute(data, self.document.kind)
        return data


class DeterminationForm(ProposalForm):
    """The answer by letter (公函). No date field: the letter is dated the day it is issued, so
    its number and date stay in the same order as the agency's other letters."""

    title = "认定公开属性（公函）"
    submit_label = "认定并出具公函"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reasons"].label = "认定理由"
        self.fields["reasons"].required = True
        self.fields["reasons"].error_messages["required"] = "请写明认定的理由。"


# -- actions on a document page -------------------------------------------------------------------


class OpinionForm(TextRulesMixin, ServiceErrorsMixin, forms.Form):
    opinion = long_text("审查意见", rows=2)


class OfficeApproveForm(OpinionForm):
    title = "政务公开工作机构审查：同意"
    submit_label = "同意不主动公开"


class OfficeReturnForm(OpinionForm):
    title = "政务公开工作机构审查：退回"
    submit_label = "退回拟稿人"
    danger = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opinion"].required = True
        self.fields["opinion"].error_messages["required"] = "退回时请写明审查意见，供拟稿人修改。"


class ConfirmForm(TextRulesMixin, ServiceErrorsMixin, forms.Form):
    title = "签发：确认公开属性"
    submit_label = "确认公开属性"
    formed_on = DateField(
        label="成文日期", required=False, help_text="不填则为已登记的成文日期，或者今天。"
    )
    comment = long_text("签发意见", rows=2)


class SendBackForm(TextRulesMixin, ServiceErrorsMixin, forms.Form):
    title = "退回公开属性建议"
    submit_label = "退回拟稿人"
    danger = True
    comment = long_text("退回意见", required=True, rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].error_messages["required"] = "退回时请写明意见，供拟稿人修改。"


class IssueForm(TextRulesMixin, ServiceErrorsMixin, forms.Form):
    title = "登记印发"
    submit_label = "登记印发"
    issued_on = DateField(label="印发日期", required=False, help_text="不填为今天。")
    number = text("文号", 60, help_text="已登记的可以不填。")


class SecrecyReviewForm(TextRulesMixin, ServiceErrorsMixin, forms.Form):
    title = "保密审查"
    submit_label = "记录审查意见"
    conclusion = choice("审查结论", SecrecyReview.Conclusion.choices, widget=forms.RadioSelect)
    opinion = long_text("审查意见", required=True, rows=2)
    reviewed_on = DateField(label="审查日期", required=False, help_text="不填为今天。")


class PublishForm(TextRulesMixin, ServiceErrorsMixin, forms.Form):
    title = "登记主动公开"
    submit_label = "登记公开"
    url = text(
        "公开网址",
        500,
        required=True,
        help_text="公开页面的完整网址，以 http:// 或 https:// 开头。",
    )
    channel = choice("公开渠道", Publication.Channel.choices, initial=Publication.Channel.PORTAL)
    published_on = DateField(label="公开日期", required=False, help_text="不填为今天。")


class WithdrawPublicationForm(TextRulesMixin, ServiceErrorsMixin, forms.Form):
    title = "撤下公开页面"
    submit_label = "登记撤下，重新列入待公开"
    danger = True
    reason = long_text(
        "撤下原因", required=True, rows=2, help_text="如：发布的文本有误，已撤下更正；版本更替等。"
    )
    withdrawn_on = DateField(label="撤下日期", required=False, help_text="不填为今天。")


class InterpretationForm(TextRulesMixin, ServiceErrorsMixin, forms.Form):
    title = "登记政策解读"
    submit_label = "登记解读"
    # ``title`` names the form's heading, so the service's ``title`` is ``interpretation_title``.
    service_fields = {"title": "interpretation_title", "url": "interpretation_url"}
    interpretation_title = text("解读材料标题", 300, required=True)
    interpretation_url = text("解读网址", 500, required=True)
    published_on = DateField(label="解读公开日期", required=False, help_text="不填为今天。")


class ClassifyForm(TextRulesMixin, ServiceErrorsMixin, forms.Form):
    title = "转为涉密文件"
    submit_label = "转为涉密文件并移出本系统"
    danger = True
    reason = long_text("转为涉密的依据", required=True, rows=2, help_text="定密决定的文号等。")
    on = DateField(label="转为涉密日期", required=False, help_text="不填为今天。")


class ValidityForm(TextRulesMixin, ServiceErrorsMixin, forms.Form):
    title = "登记效力状态"
    submit_label = "登记"
    validity = choice("效力状态", Document.Validity.choices)
    changed_on = DateField(label="修改、失效或废止日期", required=False)
    note = text("说明", 300, help_text="例如：被某某文件废止。")


class ProcessDecisionForm(TextRulesMixin, ServiceErrorsMixin, forms.Form):
    title = "登记过程性信息所涉决定已作出"
    submit_label = "登记"
    decided_on = DateField(label="决定作出日期")
    note = text("说明", 300)


class AttachInterpretationForm(ServiceErrorsMixin, forms.Form):
    title = "上传政策解读材料"
    submit_label = "上传"
    interpretation_file = forms.FileField(
        label="政策解读材料",
        widget=forms.ClearableFileInput(attrs={"accept": text_files.ACCEPT}),
        error_messages={"required": "请选择文件。", "empty": "这是空文件。"},
        help_text="本机关规定解读材料与文件同步审签：PDF、OFD、DOCX、DOC或WPS文件；已有的将被替换。",
    )

    def clean_interpretation_file(self):
        upload = self.cleaned_data["interpretation_file"]
        problem = text_files.problem(upload)
        if problem:
            raise forms.ValidationError(problem)
        return upload


class AttachTextForm(TextRulesMixin, ServiceErrorsMixin, forms.Form):
    title = "上传正式文本"
    submit_label = "上传"
    text_file = forms.FileField(
        label="正式文本",
        widget=forms.ClearableFileInput(attrs={"accept": text_files.ACCEPT}),
        error_messages={"required": "请选择文件。", "empty": "这是空文件。"},
        help_text="PDF、OFD、DOCX、DOC或WPS文件；已有的正式文本将被替换。",
    )

    def clean_text_file(self):
        upload = self.cleaned_data["text_file"]
        problem = text_files.problem(upload)
        if problem:
            raise forms.ValidationError(problem)
        return upload


# -- lists -------------------------------------------------------------------------------------


class RegisterFilterForm(TextRulesMixin, forms.Form):
    """The register's filters (GET). Invalid values are reported; the valid ones still apply."""

    q = text("搜索", 100, widget=forms.TextInput(attrs={"placeholder": "标题、文号或索引号"}))
    agency = forms.ChoiceField(label="机关", required=False, error_messages=CHOICE_ERRORS)
    drafting_unit = forms.ChoiceField(
        label="起草单位", required=False, error_messages=CHOICE_ERRORS
    )
    kind = choice("文件类型", Document.Kind.choices, required=False)
    attribute = choice(
        "公开属性", [*rules.ATTRIBUTE_LABELS.items(), ("none", "尚未确定")], required=False
    )
    state = choice("办理状态", AttributeState.choices, required=False)
    validity = choice("效力状态", Document.Validity.choices, required=False)
    year = forms.TypedChoiceField(
        label="成文年度", required=False, coerce=int, empty_value=None, error_messages=CHOICE_ERRORS
    )

    def __init__(self, *args, agencies, units, years, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = list(agencies)
        if len(agencies) > 1:
            self.fields["agency"].choices = [("", "—"), *((str(a.pk), a.name) for a in agencies)]
        else:
            del self.fields["agency"]
        self.fields["drafting_unit"].choices = [
            ("", "—"),
            *(
                (str(u.pk), f"{u.name}（{u.agency.short_name or u.agency.name}）")
                if len(agencies) > 1
                else (str(u.pk), u.name)
                for u in units
            ),
        ]
        self.fields["year"].choices = [("", "—"), *((str(y), f"{y}年") for y in years)]

    def valid_filters(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in self.errors}


# -- the yearly review ----------------------------------------------------------------------------


class ReviewOpenForm(TextRulesMixin, forms.Form):
    agency = forms.ModelChoiceField(
        label="机关", queryset=None, empty_label=None, error_messages=MODEL_CHOICE_ERRORS
    )
    year = forms.IntegerField(
        label="复核年度",
        min_value=2000,
        error_messages={
            "required": "请填写复核年度。",
            "invalid": "复核年度请填写四位数的年份，例如 2026。",
            "min_value": "复核年度应在2000年以后。",
        },
        help_text="复核截至该年年底的全部依申请公开和不予公开的文件。",
    )

    def __init__(self, *args, agencies, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["year"].validators.append(
            MaxValueValidator(today.year, message=f"复核年度不能晚于今年（{today.year}年）。")
        )
        self.fields["year"].initial = today.year
        if len(agencies) == 1:
            self.fields["agency"].widget = forms.HiddenInput()
            self.fields["agency"].initial = agencies[0].pk


VERDICT_CHOICES = list(rules.VERDICT_LABELS.items())


class ReviewProposalForm(TextRulesMixin, ServiceErrorsMixin, forms.Form):
    """A drafting unit's proposal on reviewed documents: keep, or change with reasons."""

    verdict = choice("意见", VERDICT_CHOICES, widget=forms.RadioSelect)
    attribute = forms.ChoiceField(
        label="变更为",
        choices=ATTRIBUTE_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        error_messages=CHOICE_ERRORS,
    )
    ground = choice("不主动公开的法律依据", GROUND_CHOICES, required=False, blank="—请选择—")
    law = text("所依据的法律、法规及条款", 300)
    reasons = long_text("理由", required=True, rows=3)

    def clean(self):
        data = super().clean()
        if data.get("verdict") == rules.CHANGE and not data.get("attribute"):
            self.add_error("attribute", "变更的，请选择变更后的公开属性。")
        return data

    def proposal(self) -> ReviewProposal:
        data = self.cleaned_data
        change = data["verdict"] == rules.CHANGE
        return ReviewProposal(
            verdict=data["verdict"],
            reasons=data["reasons"],
            attribute=data.get("attribute", "") if change else "",
            ground=data.get("ground", "") if change else "",
            law=data.get("law", "") if change else "",
        )


class ReviewDecisionForm(TextRulesMixin, ServiceErrorsMixin, forms.Form):
    """The legal office's decision, shared by every selected item."""

    verdict = choice("决定", VERDICT_CHOICES, widget=forms.RadioSelect)
    attribute = forms.ChoiceField(
        label="变更为",
        choices=ATTRIBUTE_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        error_messages=CHOICE_ERRORS,
    )
    reason_code = forms.ChoiceField(
        label="理由类别",
        choices=[("", "—请选择—"), *rules.REVIEW_REASONS.items()],
        error_messages={**CHOICE_ERRORS, "required": "请选择理由类别。"},
        help_text="复核报告按理由类别统计维持和变更的件数。",
    )
    reasons = long_text("决定理由", required=True, rows=3)
    ground = choice("不主动公开的法律依据", GROUND_CHOICES, required=False, blank="—请选择—")
    law = text("所依据的法律、法规及条款", 300)

    def clean(self):
        data = super().clean()
        verdict = data.get("verdict")
        if verdict == rules.CHANGE and not data.get("attribute"):
            self.add_error("attribute", "变更的，请选择变更后的公开属性。")
        elif verdict and not self.has_error("reason_code") and "reasons" in data:
            for name, message in rules.review_verdict_problems(
                kind=rules.OTHER_KIND,
                current="",
                verdict=verdict,
                attribute=data.get("attribute", "") if verdict == rules.CHANGE else "",
                reason_code=data.get("reason_code", ""),
                reasons=data.get("reasons", ""),
                ground=data.get("ground", ""),
                law=data.get("law", ""),
            ).items():
                self.add_error(name if name in self.fields else None, message)
        return data

    def decision(self) -> ReviewDecision:
        data = self.cleaned_data
        change = data["verdict"] == rules.CHANGE
        return ReviewDecision(
            verdict=data["verdict"],
            reason_code=data["reason_code"],
            reasons=data["reasons"],
            attribute=data.get("attribute", "") if change else "",
            ground=data.get("ground", "") if change else "",
            law=data.get("law", "") if change else "",
        )


REVIEW_SIGNALS = list(rules.SIGNAL_LABELS.items())


class ReviewItemFilterForm(TextRulesMixin, forms.Form):
    """Filters of a review's items (GET): signal, unit, the unit's proposal, the decision."""

    q = text("搜索", 100, widget=forms.TextInput(attrs={"placeholder": "标题或文号"}))
    signal = choice(
        "提示", [("any", "有任一提示"), *REVIEW_SIGNALS, ("none", "无提示")], required=False
    )
    drafting_unit = forms.ChoiceField(
        label="起草单位", required=False, error_messages=CHOICE_ERRORS
    )
    status = choice("进度", ReviewItem.Status.choices, required=False)
    proposal = choice("起草单位意见", [("none", "尚未提出"), *VERDICT_CHOICES], required=False)
    decision = choice("决定", [("none", "尚未决定"), *VERDICT_CHOICES], required=False)
    attribute = choice(
        "复核时的公开属性",
        [
            (rules.ON_REQUEST, rules.ATTRIBUTE_LABELS[rules.ON_REQUEST]),
            (rules.WITHHELD, rules.ATTRIBUTE_LABELS[rules.WITHHELD]),
        ],
        required=False,
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["drafting_unit"].choices = [("", "—"), *((str(u.pk), u.name) for u in units)]

    def valid_filters(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in self.errors}


class CatalogueItemForm(TextRulesMixin, forms.Form):
    """An item of the catalogue with the standard columns (``attributes_app.catalogue``)."""

    area = forms.ChoiceField(label="领域", error_messages=CHOICE_ERRORS)
    first_level = forms.CharField(label="一级事项", max_length=limits.NAME)
    name = forms.CharField(label="二级事项", max_length=200)
    content = forms.CharField(label="公开内容（要素）", widget=forms.Textarea(attrs={"rows": 4}))
    legal_basis = forms.CharField(label="公开依据", widget=forms.Textarea(attrs={"rows": 3}))
    time_limit = forms.CharField(
        label="公开时限",
        max_length=limits.NOTE,
        required=False,
        help_text="按标准目录的写法，例如：自信息形成或者变更之日起20个工作日内。"
        "只填工作日数时自动生成。",
    )
    publication_days = forms.IntegerField(
        label="公开时限（工作日，可不填）",
        required=False,
        min_value=1,
        max_value=60,
        help_text="关联这个事项的文件按这个期限主动公开；比本机关的期限长时仍按本机关的期限。",
        error_messages={
            "invalid": "请填写整数。",
            "min_value": "公开时限至少为1个工作日。",
            "max_value": "公开时限最多为60个工作日。",
        },
    )
    body = forms.CharField(label="公开主体", max_length=limits.NOTE)
    channels = forms.MultipleChoiceField(
        label="公开渠道和载体",
        choices=list(catalogue.CHANNELS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "请至少选择一个公开渠道和载体。",
            "invalid_choice": "请从列表中选择（“%(value)s”不是可选项）。",
        },
    )
    audience = forms.ChoiceField(
        label="公开对象",
        choices=list(catalogue.AUDIENCES.items()),
        widget=forms.RadioSelect,
        error_messages=CHOICE_ERRORS,
    )
    default_attribute = forms.ChoiceField(
        label="公开方式",
        choices=list(catalogue.METHODS.items()),
        widget=forms.RadioSelect,
        error_messages=CHOICE_ERRORS,
        help_text="关联这个事项的文件以此为默认的公开属性建议。",
    )
    levels = forms.MultipleChoiceField(
        label="公开层级",
        choices=list(catalogue.LEVELS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "请至少选择一个公开层级。",
            "invalid_choice": "请从列表中选择（“%(value)s”不是可选项）。",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "请选择领域")] + [
            (name, name) for name in catalogue.pilot_areas()
        ]

    @staticmethod
    def initial_of(item: CatalogueItem) -> dict:
        return {
            "area": item.area,
            "first_level": item.first_level,
            "name": item.name,
            "content": item.content,
            "legal_basis": item.legal_basis,
            "time_limit": item.time_limit,
            "publication_days": item.publication_days,
            "body": item.body,
            "channels": list(item.channels or ()),
            "audience": item.audience,
            "default_attribute": item.default_attribute,
            "levels": [
                code
                for code, chosen in (
                    ("county", item.level_county),
                    ("township", item.level_township),
                )
                if chosen
            ],
        }

    def to_data(self) -> CatalogueItemData:
        data = self.cleaned_data
        return CatalogueItemData(
            area=data["area"],
            first_level=data["first_level"],
            name=data["name"],
            content=data["content"],
            legal_basis=data["legal_basis"],
            time_limit=data["time_limit"],
            publication_days=data["publication_days"],
            body=data["body"],
            channels=data["channels"],
            audience=data["audience"],
            default_attribute=data["default_attribute"],
            level_county="county" in data["levels"],
            level_township="township" in data["levels"],
        )


class CatalogueImportForm(TextRulesMixin, forms.Form):
    """The filled-in catalogue template to check."""

    file = forms.FileField(
        label="公开事项目录表格",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        help_text="按模板填写的Excel工作簿（.xlsx），不超过5MB。",
        error_messages={
            "required": "请选择要导入的表格（.xlsx）。",
            "invalid": "没有收到文件，请重新选择。",
            "empty": "这是空文件，请重新选择。",
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * text_files.MB:
            raise forms.ValidationError(
                f"“{upload.name}”有{upload.size / text_files.MB:.1f}MB，超过了5MB的上限。"
            )
        return upload


class CataloguePublishForm(TextRulesMixin, forms.Form):
    note = forms.CharField(
        label="发布说明（可不填）",
        max_length=limits.NOTE,
        required=False,
        help_text="例如：按2026年机构职能调整更新社会救助领域事项。",
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
