"""Publication endpoints for the website's CMS (DOMAIN §4.2): record that a proactive document
was published (the deadline closes), that its page was taken down (the duty opens again), its
policy interpretation; read one document's obligation, and the list of what awaits publication.

Each write calls one service (``attributes_app.services``): the rules and their Chinese messages
are the services'; the serializers here only parse types.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.reverse import reverse

from attributes_app import selectors, services
from attributes_app.models import Document, Publication
from workflow.api.pagination import Pages
from workflow.api.views import IDEMPOTENCY_KEY, ClientView
from workflow.text_input import NUL_MESSAGE

#: Reading publications needs either scope: the register's readers and the CMS itself.
READ_SCOPES = ("documents:read", "publication:write")
WRITE_SCOPE = "publication:write"

DOCUMENT_ID = OpenApiParameter(
    "document_id", int, OpenApiParameter.PATH, description="文件在本系统中的编号。"
)
ERRORS = {
    403: OpenApiResponse(description="没有所需权限（permission_denied）。"),
    404: OpenApiResponse(description="本机关没有这份文件（not_found）。"),
    409: OpenApiResponse(description="文件当前的状态不允许这一步（conflict），message 说明原因。"),
    422: OpenApiResponse(description="输入有误（invalid），fields 逐项说明。"),
}
CHANNELS = "、".join(f"{code}（{label}）" for code, label in Publication.Channel.choices)


def _text(label: str, **kwargs) -> serializers.CharField:
    return serializers.CharField(
        error_messages={
            "required": f"请填写{label}。",
            "blank": f"请填写{label}。",
            "null": f"请填写{label}。",
            "invalid": f"{label}应为文字。",
            "null_characters_not_allowed": NUL_MESSAGE.format(label=label),
        },
        **kwargs,
    )


def _date(label: str, **kwargs) -> serializers.DateField:
    return serializers.DateField(
        error_messages={
            "invalid": f"{label}应为 YYYY-MM-DD 格式的日期。",
            "datetime": f"{label}应为日期（YYYY-MM-DD），不带时刻。",
            "null": f"{label}应为 YYYY-MM-DD 格式的日期，不填为今天。",
        },
        **kwargs,
    )


# -- input ---------------------------------------------------------------------------------------


class PublishInput(serializers.Serializer):
    url = _text("公开网址", help_text="公开页面的完整网址，以 http:// 或 https:// 开头。")
    channel = _text(
        "公开渠道",
        required=False,
        default=Publication.Channel.PORTAL,
        help_text=f"公开渠道代码：{CHANNELS}。不填为 portal。",
    )
    published_on = _date(
        "公开日期", required=False, help_text="公开日期（YYYY-MM-DD），不填为今天。"
    )


class WithdrawalInput(serializers.Serializer):
    reason = _text("撤下原因", help_text="撤下公开页面的原因（如：发布的文本有误，撤下更正）。")
    withdrawn_on = _date(
        "撤下日期", required=False, help_text="撤下日期（YYYY-MM-DD），不填为今天。"
    )


class InterpretationInput(serializers.Serializer):
    title = _text("解读材料的标题", help_text="政策解读的标题。")
    url = _text("解读网址", help_text="解读页面的完整网址，以 http:// 或 https:// 开头。")
    published_on = _date(
        "解读公开日期", required=False, help_text="解读的公开日期（YYYY-MM-DD），不填为今天。"
    )


class ListQuery(serializers.Serializer):
    due_before = _date(
        "期限截止日（due_before）", required=False, help_text="只列公开期限在这一天或之前的。"
    )
    overdue = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true 只列已逾期的（已公开的：逾期公开的），false 只列未逾期的。",
        error_messages={"invalid": "overdue 应为 true 或 false。"},
    )
    published = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="不填或 false：待公开的文件（工作清单）；true：已公开的文件。",
        error_messages={"invalid": "published 应为 true 或 false。"},
    )


# -- output --------------------------------------------------------------------------------------


class WithdrawalOutput(serializers.Serializer):
    withdrawn_on = serializers.DateField(help_text="公开页面撤下的日期。")
    reason = serializers.CharField(help_text="撤下原因。")
    url = serializers.CharField(help_text="撤下前的公开网址。")
    channel = serializers.CharField(help_text="撤下前的公开渠道代码。")
    published_on = serializers.DateField(allow_null=True, help_text="撤下前的公开日期。")
    published_late = serializers.BooleanField(help_text="撤下前的那次公开是否逾期。")


class InterpretationOutput(serializers.Serializer):
    due_on = serializers.DateField(allow_null=True, help_text="解读期限（文件公开后起算）。")
    due_at = serializers.DateTimeField(allow_null=True, help_text="解读期限届满的时刻。")
    is_overdue = serializers.BooleanField(help_text="解读是否已逾期未公开。")
    explanation = serializers.CharField(help_text="解读期限的计算说明。")
    title = serializers.CharField(help_text="已公开的解读标题。")
    url = serializers.CharField(help_text="已公开的解读网址。")
    published_on = serializers.DateField(allow_null=True, help_text="解读公开日期。")
    late = serializers.BooleanField(help_text="解读是否逾期公开。")


class PublicationOutput(serializers.Serializer):
    document_id = serializers.IntegerField(help_text="文件编号。")
    title = serializers.CharField(help_text="文件标题。")
    number = serializers.CharField(help_text="文号。")
    kind = serializers.CharField(help_text="文件类型代码（policy 为政策性文件）。")
    attribute = serializers.CharField(help_text="公开属性代码（proactive 为主动公开）。")
    attribute_state = serializers.CharField(help_text="公开属性状态代码。")
    attribute_state_label = serializers.CharField(help_text="公开属性状态（中文）。")
    required = serializers.BooleanField(help_text="是否有主动公开的义务（主动公开且已确认）。")
    due_on = serializers.DateField(allow_null=True, help_text="公开期限的最后一天。")
    due_at = serializers.DateTimeField(allow_null=True, help_text="公开期限届满的时刻。")
    provisional = serializers.BooleanField(help_text="期限是否为暂定（节假日安排尚未公布）。")
    is_overdue = serializers.BooleanField(help_text="是否已逾期未公开。")
    is_at_risk = serializers.BooleanField(help_text="是否临近期限。")
    explanation = serializers.CharField(help_text="期限的计算说明；撤下过公开页面的，说明其影响。")
    published_on = serializers.DateField(allow_null=True, help_text="公开日期；未公开为空。")
    url = serializers.CharField(help_text="公开网址。")
    channel = serializers.CharField(help_text="公开渠道代码。")
    published_late = serializers.BooleanField(help_text="是否逾期公开（公开日期晚于期限）。")
    cancelled_on = serializers.DateField(
        allow_null=True, help_text="文件转为涉密、撤销公开任务的日期。"
    )
    withdrawals = WithdrawalOutput(many=True, help_text="撤下过的公开记录，先后为序。")
    interpretation = InterpretationOutput(
        allow_null=True, help_text="政策解读（仅政策性文件；其他文件为空）。"
    )


class PublicationRow(serializers.Serializer):
    document_id = serializers.IntegerField(help_text="文件编号。")
    title = serializers.CharField(source="document.title", help_text="文件标题。")
    number = serializers.CharField(source="document.number", help_text="文号。")
    drafting_unit = serializers.CharField(
        source="document.drafting_unit.name", help_text="起草单位。"
    )
    issued_on = serializers.DateField(
        source="document.issued_on", allow_null=True, help_text="印发日期；未印发为空。"
    )
    due_on = serializers.DateField(allow_null=True, help_text="公开期限的最后一天。")
    due_at = serializers.DateTimeField(allow_null=True, help_text="公开期限届满的时刻。")
    provisional = serializers.BooleanField(help_text="期限是否为暂定。")
    is_overdue = serializers.BooleanField(help_text="是否已逾期（未公开的）。")
    is_at_risk = serializers.BooleanField(help_text="是否临近期限。")
    explanation = serializers.CharField(help_text="期限的计算说明。")
    withdrawal = serializers.CharField(
        source="withdrawal_reason",
        help_text="最近一次撤下公开页面的记录（撤下后待重新公开的）；没有为空。",
    )
    published_on = serializers.DateField(allow_null=True, help_text="公开日期。")
    url = serializers.CharField(help_text="公开网址。")
    channel = serializers.CharField(help_text="公开渠道代码。")
    published_late = serializers.BooleanField(help_text="是否逾期公开。")
    document_url = serializers.SerializerMethodField(help_text="本文件公开情况的接口地址。")

    def get_document_url(self, publication: Publication) -> str:
        return reverse(
            "api:document-publication",
            kwargs={"document_id": publication.document_id},
            request=self.context.get("request"),
        )


class PublicationPage(serializers.Serializer):
    count = serializers.IntegerField(help_text="总数。")
    next = serializers.CharField(allow_null=True, help_text="下一页的地址。")
    previous = serializers.CharField(allow_null=True, help_text="上一页的地址。")
    results = PublicationRow(many=True)


def publication_state(document: Document, *, now: datetime | None = None) -> dict[str, Any]:
    """The publication obligation of ``document`` and where it stands, as the API returns it."""
    now = now or timezone.now()
    publication = Publication.objects.filter(document=document).first()
    state: dict[str, Any] = {
        "document_id": document.pk,
        "title": document.title,
        "number": document.number,
        "kind": document.kind,
        "attribute": document.attribute,
        "attribute_state": document.attribute_state,
        "attribute_state_label": document.get_attribute_state_display(),
        "required": False,
        "due_on": None,
        "due_at": None,
        "provisional": False,
        "is_overdue": False,
        "is_at_risk": False,
        "explanation": "该文件的公开属性不是已确认的主动公开，没有主动公开的期限。",
        "published_on": None,
        "url": "",
        "channel": "",
        "published_late": False,
        "cancelled_on": None,
        "withdrawals": [],
        "interpretation": None,
    }
    if publication is None:
        return state
    withdrawals = selectors.publication_withdrawals(document)
    flags = selectors.publication_flags(publication, now=now)
    state.update(
        required=publication.withdrawn_on is None,
        due_on=publication.due_on,
        due_at=publication.due_at,
        provisional=publication.provisional,
        is_overdue=flags.overdue,
        is_at_risk=flags.at_risk,
        explanation=selectors.publication_explanation(
            publication, now=now, withdrawal=withdrawals[-1] if withdrawals else None
        )
        or "本机关按小时计算主动公开期限，自印发之时起算；文件印发后即有期限。",
        published_on=publication.published_on,
        url=publication.url,
        channel=publication.channel,
        published_late=publication.published_late,
        cancelled_on=publication.withdrawn_on,
        withdrawals=[
            {
                "withdrawn_on": w.withdrawn_on,
                "reason": w.reason,
                "url": w.url,
                "channel": w.channel,
                "published_on": w.published_on,
                "published_late": w.published_late,
            }
            for w in withdrawals
        ],
    )
    if publication.withdrawn_on is not None:
        state["explanation"] = "文件已转为涉密，撤销主动公开任务。"
    if publication.interpretation_required:
        interpretation_overdue = (
            publication.interpretation_published_on is None
            and publication.interpretation_due_at is not None
            and now >= publication.interpretation_due_at
        )
        state["interpretation"] = {
            "due_on": publication.interpretation_due_on,
            "due_at": publication.interpretation_due_at,
            "is_overdue": interpretation_overdue,
            "explanation": publication.interpretation_explanation
            or "政策解读的期限自文件公开之日起算。",
            "title": publication.interpretation_title,
            "url": publication.interpretation_url,
            "published_on": publication.interpretation_published_on,
            "late": publication.interpretation_late,
        }
    return state


# -- views ---------------------------------------------------------------------------------------


class PublicationView(ClientView):
    """A method the view does not serve needs no scope: it is answered 405 (``ClientView``
    would ask for a scope named "__none__", which no client holds and no message names)."""

    def scope_for(self, request) -> str | None:
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        if method not in self.scopes or method.lower() not in self.http_method_names:
            return None
        return super().scope_for(request)


class ReadEitherScope:
    """GET needs ``documents:read`` or ``publication:write``: the one the client holds is asked
    for (a client holding neither is told the first)."""

    def scope_for(self, request) -> str | None:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            held = getattr(request.auth, "scopes", None) or []
            return next((s for s in READ_SCOPES if s in held), READ_SCOPES[0])
        return super().scope_for(request)  # type: ignore[misc]


class DocumentView(PublicationView):
    def document(self) -> Document:
        """The document of the URL, within the client's agency (another agency's is a 404)."""
        return get_object_or_404(
            Document.objects.select_related("agency", "drafting_unit"),
            pk=self.kwargs["document_id"],
            agency=self.agency,
        )

    def state_response(self, document: Document, status_code: int = status.HTTP_200_OK):
        document.refresh_from_db()
        response = Response(PublicationOutput(publication_state(document)).data, status=status_code)
        if status_code == status.HTTP_201_CREATED:
            response["Location"] = reverse(
                "api:document-publication",
                kwargs={"document_id": document.pk},
                request=self.request,
            )
        return response


class DocumentPublicationView(ReadEitherScope, DocumentView):
    """One proactive document's publication: its obligation and deadline, and its record."""

    scopes = {"GET": "documents:read", "POST": WRITE_SCOPE}

    @extend_schema(
        operation_id="document_publication_read",
        summary="读取文件的主动公开义务和公开情况",
        description="公开期限、是否逾期或临期、计算说明、公开记录、撤下记录、政策解读。"
        "需要 documents:read 或 publication:write 权限。",
        parameters=[DOCUMENT_ID],
        responses={200: PublicationOutput, 403: ERRORS[403], 404: ERRORS[404]},
        tags=["主动公开"],
    )
    def get(self, request, document_id: int):
        return self.state_response(self.document())

    @extend_schema(
        operation_id="document_publication_record",
        summary="登记主动公开（公开期限随之办结）",
        description="网站发布后回调：公开网址、渠道和日期。须已印发、经保密审查同意公开；"
        "晚于公开期限的记为逾期公开。政策性文件随后起算政策解读期限。",
        parameters=[DOCUMENT_ID, IDEMPOTENCY_KEY],
        request=PublishInput,
        responses={201: PublicationOutput, **ERRORS},
        tags=["主动公开"],
    )
    def create(self, request, document_id: int):
        document = self.document()
        data = _parsed(PublishInput, request)
        services.document_publish(
            actor=self.actor,
            document_id=document.pk,
            url=data["url"],
            channel=data["channel"],
            published_on=data.get("published_on"),
        )
        return self.state_response(document, status.HTTP_201_CREATED)


class PublicationWithdrawalView(DocumentView):
    """The published page was taken down: the document awaits publication again."""

    scopes = {"POST": WRITE_SCOPE}

    @extend_schema(
        operation_id="document_publication_withdraw",
        summary="登记撤下公开页面（文件重新列入待公开）",
        description="主动公开的文件应当持续公开：公开页面撤下的（发布错误、版本更替），文件重新列入"
        "待公开，公开期限不重新计算，原期限已届满的即为逾期，重新公开为逾期公开；原公开记录保留在"
        "变更记录中。撤下原因必填。",
        parameters=[DOCUMENT_ID, IDEMPOTENCY_KEY],
        request=WithdrawalInput,
        responses={201: PublicationOutput, **ERRORS},
        tags=["主动公开"],
    )
    def create(self, request, document_id: int):
        document = self.document()
        data = _parsed(WithdrawalInput, request)
        services.publication_withdraw(
            actor=self.actor,
            document_id=document.pk,
            reason=data["reason"],
            on=data.get("withdrawn_on"),
        )
        return self.state_response(document, status.HTTP_201_CREATED)


class InterpretationView(DocumentView):
    """The policy interpretation (政策解读) of a published policy document."""

    scopes = {"POST": WRITE_SCOPE}

    @extend_schema(
        operation_id="document_interpretation_record",
        summary="登记政策解读的公开",
        description="政策性文件公开后，登记其解读材料的标题、网址和公开日期（与文件互相链接）。",
        parameters=[DOCUMENT_ID, IDEMPOTENCY_KEY],
        request=InterpretationInput,
        responses={201: PublicationOutput, **ERRORS},
        tags=["主动公开"],
    )
    def create(self, request, document_id: int):
        document = self.document()
        data = _parsed(InterpretationInput, request)
        services.interpretation_record(
            actor=self.actor,
            document_id=document.pk,
            title=data["title"],
            url=data["url"],
            published_on=data.get("published_on"),
        )
        return self.state_response(document, status.HTTP_201_CREATED)


class PublicationListView(ReadEitherScope, PublicationView):
    """The CMS's work list: proactive documents awaiting publication, soonest deadline first."""

    scopes = {"GET": "documents:read"}
    http_method_names = ["get", "head", "options"]
    serializer_class = PublicationRow  # for the schema: the rows of a page

    @extend_schema(
        operation_id="publication_list",
        summary="待公开文件清单（主动公开期限）",
        description="本机关确定主动公开、尚未公开的文件，按公开期限先后排列；撤下公开页面后待重新"
        "公开的也在其中。published=true 列已公开的。"
        "需要 documents:read 或 publication:write 权限。",
        parameters=[ListQuery],
        responses={200: PublicationPage, 403: ERRORS[403], 422: ERRORS[422]},
        tags=["主动公开"],
    )
    def get(self, request):
        query = ListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = selectors.publication_list(
            self.actor,
            published=query.validated_data.get("published"),
            overdue=query.validated_data.get("overdue"),
            due_before=query.validated_data.get("due_before"),
        )
        pages = Pages()
        page = pages.paginate_queryset(rows, request, view=self)
        data = PublicationRow(page, many=True, context={"request": request}).data
        return pages.get_paginated_response(data)


def _parsed(serializer_class, request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
