"""Serializers of the document API: they parse types and say what a field is (for the schema);
the rules are the services' (``attributes_app.services``), whose messages the API returns.

``DocumentSerializer`` is the document as every endpoint answers it (the publication endpoints
reuse it); ``DocumentPushSerializer`` is what OA pushes (``services.oa.OaDocument``).
"""

from __future__ import annotations

import copy
from dataclasses import fields as dataclass_fields
from datetime import date, datetime
from urllib.parse import quote

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from attributes_app import rules
from attributes_app.models import GROUND_CHOICES, Attribute, Document
from attributes_app.services.oa import EXTERNAL_ID, OaDocument
from workflow.api.concurrency import etag_of
from workflow.text_input import LAW, NUL_MESSAGE, PERSON_NAME, REASON, clean_name, strip_bidi
from workflow.text_input import too_long as _too_long

#: A bound on one-line text the services check themselves (a title's limit is theirs): only to
#: keep absurd bodies out of the rules.
ONE_LINE_BOUND = 10_000
MAX_ID = 2**31 - 1


class Text(serializers.CharField):
    """Text as the pages take it: NUL refused naming the field, invisible characters taken out
    (one line: ``clean_name``; longer text: ``strip_bidi``), an optional limit in characters."""

    def __init__(self, *, label: str, limit: int | None = None, one_line: bool = True, **kwargs):
        self.cn_label, self.limit, self.one_line = label, limit, one_line
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": f"{label}应为文字。",
                "null": f"{label}不能为 null。",
                "blank": f"请填写{label}。",
            },
        )
        super().__init__(label=label, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            self.fail("invalid")
        value = str(data)
        if "\x00" in value:
            raise serializers.ValidationError(NUL_MESSAGE.format(label=self.cn_label))
        value = clean_name(value) if self.one_line else strip_bidi(value)
        limit = self.limit or ONE_LINE_BOUND
        if len(value.strip()) > limit:
            raise serializers.ValidationError(_too_long(self.cn_label, limit, len(value.strip())))
        return value


def _date(label: str, help_text: str) -> serializers.DateField:
    return serializers.DateField(
        label=label,
        help_text=help_text,
        required=False,
        allow_null=True,
        error_messages={
            "invalid": f"{label}应为日期，格式为 YYYY-MM-DD（如 2026-03-01）。",
            "datetime": f"{label}应为日期（YYYY-MM-DD），不带时刻。",
        },
    )


def _id(label: str, help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        label=label,
        help_text=help_text,
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        error_messages={
            "invalid": f"{label}应为正整数。",
            "min_value": f"{label}应为正整数。",
            "max_value": f"没有这个{label}。",
            "max_string_length": f"没有这个{label}。",
        },
    )


def _choice(label: str, choices, help_text: str, **kwargs) -> serializers.ChoiceField:
    codes = "、".join(str(c) for c, _ in choices)
    return serializers.ChoiceField(
        label=label,
        choices=choices,
        help_text=help_text,
        required=False,
        allow_null=True,
        error_messages={"invalid_choice": f"{label}应为以下之一：{codes}。"},
        **kwargs,
    )


#: The kinds of document, one name in the schema (``DocumentKindEnum``).
DOCUMENT_KINDS = Document.Kind


class Strict(serializers.Serializer):
    default_error_messages = {"invalid": "请求体应为 JSON 对象（现为 {datatype}）。"}


class DocumentPushSerializer(Strict):
    """What OA pushes of a document. A field left out (or null) keeps its stored value."""

    title = Text(label="文件标题", help_text="新登记时必填；不超过300个字。")
    number = Text(label="文号", help_text="如“晋政办发〔2026〕12号”；本机关内不能重复。")
    kind = _choice("文件类型", Document.Kind.choices, "policy 政策性文件、rule 规章……")
    drafting_unit_id = _id("起草单位编号", "本系统中起草单位的编号（见参考数据接口）。")
    drafting_unit_name = Text(
        label="起草单位名称", help_text="不知道编号时按名称对应本机关的起草单位。"
    )
    drafter_username = Text(
        label="拟稿人用户名",
        help_text="拟稿人在本系统的用户名（须为该起草单位的人员）；空字符串表示清除。",
    )
    drafter_name = Text(
        label="拟稿人姓名", limit=PERSON_NAME, help_text="OA 中拟稿人的姓名，照录。"
    )
    formed_on = _date("成文日期", "成文日期；签发时未填的，以签发日期为成文日期。")
    effective_on = _date("施行日期", "施行日期。")
    secrecy = _choice(
        "密级状态",
        Document.Secrecy.choices,
        "undetermined 未确定、non_secret 非涉密；涉密文件不在本系统办理（422）。",
    )
    catalogue_item_id = _id("公开事项编号", "本机关公开事项目录中的事项编号。")
    attribute = _choice(
        "公开属性",
        Attribute.choices,
        "拟稿时提出的公开属性建议：proactive、on_request 或 withheld。",
    )
    reasons = Text(
        label="不主动公开的理由",
        limit=REASON,
        one_line=False,
        help_text="依申请公开或不予公开时必填（未说明理由的不予发文）。",
    )
    ground = _choice(
        "法律依据",
        GROUND_CHOICES,
        "不主动公开的法律依据（《条例》第十四、十五、十六条等）。",
        allow_blank=True,
    )
    law = Text(label="所依据的法律、法规", limit=LAW, help_text="法律依据为其他法律、法规时填写。")
    signed = serializers.BooleanField(
        label="已签发",
        required=False,
        default=False,
        help_text="起草单位负责人已在 OA 中签发（确认公开属性）。",
        error_messages={"invalid": "已签发应为 true 或 false。"},
    )
    signed_on = _date("签发日期", "签发日期（给出即表示已签发）。")
    issued_on = _date(
        "印发日期", "已印发的，给出印发日期；未确认公开属性等情形不予发文（422 issue_refused）。"
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        # Each serializer binds copies of the declared fields (``bind`` names them and sets their
        # parent); shallow ones do, as a field keeps nothing of the data it checks. DRF's deep
        # copy builds every field again from its arguments, which costs more than the checks of
        # a push.
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}

    def push(self) -> OaDocument:
        names = {f.name for f in dataclass_fields(OaDocument)}
        values = {
            key: value
            for key, value in self.validated_data.items()
            if key in names and (value is not None or key == "signed")
        }
        return OaDocument(**values)


class TextUploadSerializer(Strict):
    file = serializers.FileField(
        label="正式文本",
        help_text="PDF、OFD、DOCX、DOC 或 WPS 文件（按内容识别类型）。",
        error_messages={
            "required": "请上传正式文本（file）。",
            "invalid": "正式文本（file）应为上传的文件（multipart/form-data）。",
            "empty": "正式文本是空文件，请重新选择。",
            "no_name": "正式文本（file）没有文件名。",
            "max_length": "正式文本的文件名太长。",
        },
    )


def _iso_date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _iso_moment(value: datetime | None) -> str | None:
    """As DRF's ``DateTimeField`` writes it: in the site's time zone, ISO 8601."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class PublicationSummarySerializer(serializers.Serializer):
    """The obligation to publish a proactive document (DOMAIN §4.2) and its state."""

    source = serializers.CharField(help_text="来源：drafting、review、determination。")
    start_on = serializers.DateField(help_text="起算日期。")
    due_on = serializers.DateField(allow_null=True, help_text="公开期限（最后一日）。")
    due_at = serializers.DateTimeField(allow_null=True, help_text="期限届满时刻。")
    provisional = serializers.BooleanField(help_text="期限为暂定（日历尚未公布）。")
    explanation = serializers.CharField(help_text="期限如何计算。")
    published = serializers.SerializerMethodField(help_text="是否已公开。")
    published_on = serializers.DateField(allow_null=True, help_text="公开日期。")
    published_late = serializers.BooleanField(help_text="是否逾期公开。")
    url = serializers.CharField(help_text="公开网址。")
    channel = serializers.CharField(help_text="公开渠道。")
    withdrawn_on = serializers.DateField(allow_null=True, help_text="撤销日期。")

    def get_published(self, publication) -> bool:
        return publication.published_on is not None and publication.withdrawn_on is None


class LinksSerializer(serializers.Serializer):
    self = serializers.CharField(help_text="本文件。")
    history = serializers.CharField(help_text="公开属性变更记录。")
    text = serializers.CharField(help_text="上传正式文本（PUT）。")
    external = serializers.CharField(required=False, help_text="按外部编号读取或推送。")


#: The states a publication obligation can exist in: made when a document becomes proactive
#: (awaiting_publication), kept when published, withdrawn when it turns classified.
WITH_PUBLICATION = frozenset({rules.AWAITING_PUBLICATION, rules.PUBLISHED, rules.CLASSIFIED})

NEXT_STEPS = {
    rules.UNDETERMINED: "提出公开属性建议（attribute，不主动公开的须写明理由和依据）。",
    rules.OFFICE_REVIEW: "等待政务公开工作机构审查；审查同意后再推送签发。",
    rules.PROPOSED: "起草单位负责人签发（推送 signed_on）。",
}


def next_step(document: Document) -> str:
    """What the document waits for, in words OA can show its users."""
    state = document.attribute_state
    if state in NEXT_STEPS:
        return NEXT_STEPS[state]
    if state in rules.CONFIRMED_STATES and not document.is_issued:
        return "印发（推送 issued_on；须先上传正式文本并确定密级状态）。"
    if state == rules.AWAITING_PUBLICATION:
        return "在政府网站公开后登记主动公开。"
    return ""


def document_etag(document: Document) -> str:
    """The version of a document (its ``ETag``): it changes whenever the document is saved, so
    every endpoint that answers with ``DocumentSerializer`` sends it and checks ``If-Match``."""
    return etag_of("document", document.pk, document.updated_at.isoformat())


class DocumentSerializer(serializers.Serializer):
    """A document of the register, its attribute and its state, as every endpoint answers it."""

    id = serializers.IntegerField(help_text="本系统中的文件编号。")
    external_system = serializers.CharField(help_text="推送该文件的外部系统代码。")
    external_id = serializers.CharField(
        max_length=EXTERNAL_ID, help_text="文件在外部系统中的编号。"
    )
    title = serializers.CharField(help_text="文件标题。")
    number = serializers.CharField(help_text="文号。")
    kind = serializers.CharField(help_text="文件类型代码。")
    kind_label = serializers.CharField(source="get_kind_display", help_text="文件类型。")
    drafting_unit_id = serializers.IntegerField(help_text="起草单位编号。")
    drafting_unit_name = serializers.CharField(source="drafting_unit.name", help_text="起草单位。")
    drafter_username = serializers.SerializerMethodField(help_text="拟稿人在本系统的用户名。")
    drafter_name = serializers.CharField(help_text="外部系统中拟稿人的姓名。")
    formed_on = serializers.DateField(allow_null=True, help_text="成文日期。")
    effective_on = serializers.DateField(allow_null=True, help_text="施行日期。")
    secrecy = serializers.CharField(help_text="密级状态代码。")
    secrecy_label = serializers.CharField(source="get_secrecy_display", help_text="密级状态。")
    attribute = serializers.CharField(help_text="公开属性代码（未提出时为空）。")
    attribute_label = serializers.CharField(source="get_attribute_display", help_text="公开属性。")
    attribute_state = serializers.CharField(help_text="公开属性状态代码。")
    attribute_state_label = serializers.CharField(
        source="get_attribute_state_display", help_text="公开属性状态。"
    )
    reasons = serializers.CharField(source="attribute_reasons", help_text="不主动公开的理由。")
    ground = serializers.CharField(source="attribute_ground", help_text="法律依据代码。")
    law = serializers.CharField(source="attribute_law", help_text="所依据的法律、法规。")
    legal_basis = serializers.CharField(help_text="法律依据（条文）。")
    mark = serializers.CharField(help_text="印在文件上的公开属性标注。")
    signed = serializers.SerializerMethodField(help_text="公开属性已经起草单位负责人确认（签发）。")
    confirmed_at = serializers.DateTimeField(allow_null=True, help_text="确认（签发）登记时间。")
    issued_on = serializers.DateField(allow_null=True, help_text="印发日期。")
    has_text = serializers.SerializerMethodField(help_text="已上传正式文本。")
    next_step = serializers.SerializerMethodField(help_text="文件等待的下一步。")
    publication = serializers.SerializerMethodField(help_text="主动公开任务（没有时为 null）。")
    created_at = serializers.DateTimeField(help_text="登记时间。")
    updated_at = serializers.DateTimeField(help_text="最后更新时间。")
    links = serializers.SerializerMethodField(help_text="相关接口地址。")

    def to_representation(self, document) -> dict:
        """The fields above, written out: a push answers with one document and a list with up
        to 200, and building them field by field costs more than the push's own queries."""
        return {
            "id": document.pk,
            "external_system": document.external_system,
            "external_id": document.external_id,
            "title": document.title,
            "number": document.number,
            "kind": document.kind,
            "kind_label": document.get_kind_display(),
            "drafting_unit_id": document.drafting_unit_id,
            "drafting_unit_name": document.drafting_unit.name,
            "drafter_username": self.get_drafter_username(document),
            "drafter_name": document.drafter_name,
            "formed_on": _iso_date(document.formed_on),
            "effective_on": _iso_date(document.effective_on),
            "secrecy": document.secrecy,
            "secrecy_label": document.get_secrecy_display(),
            "attribute": document.attribute,
            "attribute_label": document.get_attribute_display(),
            "attribute_state": document.attribute_state,
            "attribute_state_label": document.get_attribute_state_display(),
            "reasons": document.attribute_reasons,
            "ground": document.attribute_ground,
            "law": document.attribute_law,
            "legal_basis": document.legal_basis,
            "mark": document.mark,
            "signed": self.get_signed(document),
            "confirmed_at": _iso_moment(document.confirmed_at),
            "issued_on": _iso_date(document.issued_on),
            "has_text": self.get_has_text(document),
            "next_step": self.get_next_step(document),
            "publication": self.get_publication(document),
            "created_at": _iso_moment(document.created_at),
            "updated_at": _iso_moment(document.updated_at),
            "links": self.get_links(document),
        }

    def get_drafter_username(self, document) -> str:
        return document.drafter.get_username() if document.drafter_id else ""

    def get_signed(self, document) -> bool:
        return document.confirmed_at is not None

    def get_has_text(self, document) -> bool:
        return bool(document.file)

    def get_next_step(self, document) -> str:
        return next_step(document)

    @extend_schema_field(PublicationSummarySerializer(allow_null=True))
    def get_publication(self, document) -> dict | None:
        if document.attribute_state not in WITH_PUBLICATION:
            return None  # no obligation was ever made: spare the query
        try:
            publication = document.publication
        except Document.publication.RelatedObjectDoesNotExist:
            return None
        return {
            "source": publication.source,
            "start_on": _iso_date(publication.start_on),
            "due_on": _iso_date(publication.due_on),
            "due_at": _iso_moment(publication.due_at),
            "provisional": publication.provisional,
            "explanation": publication.explanation,
            "published": publication.published_on is not None and publication.withdrawn_on is None,
            "published_on": _iso_date(publication.published_on),
            "published_late": publication.published_late,
            "url": publication.url,
            "channel": publication.channel,
            "withdrawn_on": _iso_date(publication.withdrawn_on),
        }

    @extend_schema_field(LinksSerializer)
    def get_links(self, document) -> dict[str, str]:
        # One reverse() per serializer, not four per document (lists of 200).
        base = self.context.get("_documents_url")
        if base is None:
            base = reverse("api:documents", request=self.context.get("request"))
            self.context["_documents_url"] = base
        links = {
            "self": f"{base}{document.pk}/",
            "history": f"{base}{document.pk}/history/",
            "text": f"{base}{document.pk}/text/",
        }
        if document.external_id:
            links["external"] = f"{base}external/{quote(document.external_id, safe='')}/"
        return links


class ActorSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=[("client", "接口客户端"), ("user", "工作人员"), ("system", "系统")],
        help_text="client：接口客户端；user：工作人员；system：系统。",
    )
    name = serializers.CharField(help_text="接口客户端名称或工作人员姓名。")


class AttributeChangeSerializer(serializers.Serializer):
    """One change of the attribute or its state: who, when, from, to, why, from what."""

    at = serializers.DateTimeField(help_text="时间。")
    actor = serializers.SerializerMethodField(help_text="操作人。")
    source = serializers.CharField(help_text="依据代码。")
    source_label = serializers.CharField(source="get_source_display", help_text="依据。")
    from_state = serializers.CharField(help_text="变更前状态代码。")
    from_state_label = serializers.CharField(
        source="get_from_state_display", help_text="变更前状态。"
    )
    to_state = serializers.CharField(help_text="变更后状态代码。")
    to_state_label = serializers.CharField(source="get_to_state_display", help_text="变更后状态。")
    from_attribute = serializers.CharField(help_text="变更前公开属性代码。")
    to_attribute = serializers.CharField(help_text="变更后公开属性代码。")
    reason = serializers.CharField(help_text="理由。")
    legal_basis = serializers.CharField(help_text="法律依据。")

    @extend_schema_field(ActorSerializer)
    def get_actor(self, change) -> dict[str, str]:
        clients = self.context.get("clients", {})
        if change.actor_id is None:
            return {"type": "system", "name": "系统"}
        if change.actor_id in clients:
            return {"type": "client", "name": clients[change.actor_id]}
        user = change.actor
        return {"type": "user", "name": user.get_full_name() or user.get_username()}


#: The most documents one batch push may carry.
BATCH_SIZE = 100


class DocumentBatchItemSerializer(DocumentPushSerializer):
    """One document of a batch push: its OA id, the version it updates, and what OA says of it
    (the fields of a single push)."""

    external_id = Text(
        label="外部编号", limit=EXTERNAL_ID, required=True, help_text="文件在外部系统中的编号。"
    )
    if_match = Text(
        label="If-Match",
        limit=200,
        help_text="修改已有文件时必填：读取或上次推送时得到的 ETag（同单个推送的 If-Match 头）。",
    )
    create_only = serializers.BooleanField(
        required=False,
        default=False,
        help_text="为 true 时只新登记（同单个推送的 If-None-Match: *）。",
    )


class DocumentBatchSerializer(Strict):
    documents = serializers.ListField(
        child=DocumentBatchItemSerializer(),
        min_length=1,
        max_length=BATCH_SIZE,
        help_text=f"要推送的文件，1至{BATCH_SIZE}份，外部编号不能重复。",
        error_messages={
            "min_length": "documents 中至少要有一份文件。",
            "max_length": f"一次最多推送{BATCH_SIZE}份文件，请分批推送。",
            "not_a_list": "documents 应为文件的列表。",
            "empty": "documents 中至少要有一份文件。",
        },
    )


class BatchItemErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="错误代码。")
    message = serializers.CharField(help_text="错误说明。")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text="按字段的原因。"
    )


class DocumentBatchResultSerializer(serializers.Serializer):
    external_id = serializers.CharField(help_text="文件在外部系统中的编号。")
    status = serializers.IntegerField(
        help_text="与单个推送相同的状态码：201 新登记，200 更新，4xx 未保存（见 error）。"
    )
    id = serializers.IntegerField(
        allow_null=True, help_text="本系统中的文件编号（未保存时为 null）；详情用读取接口。"
    )
    etag = serializers.CharField(
        allow_null=True, help_text="保存后的 ETag，下次推送时作 if_match（未保存时为 null）。"
    )
    attribute_state = serializers.CharField(
        allow_null=True, help_text="保存后的公开属性状态代码（未保存时为 null）。"
    )
    error = BatchItemErrorSerializer(allow_null=True, help_text="未保存的原因（已保存时为 null）。")


class DocumentBatchAnswerSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="新登记的份数。")
    updated = serializers.IntegerField(help_text="更新（含内容无变化）的份数。")
    failed = serializers.IntegerField(help_text="未保存的份数。")
    results = DocumentBatchResultSerializer(many=True, help_text="按推送顺序，每份文件的结果。")
