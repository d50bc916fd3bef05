"""The document register for the agency's OA system (DOMAIN §4.1): push a document by its OA id
(``PUT /documents/external/{external_id}/``), upload its final text, read it, its list and its
attribute history. Every write goes through ``attributes_app.services`` with the client's user
as the actor; every object is looked up within the client's agency (another agency's: 404).

A client holding ``documents:write`` may also read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import PurePath
from typing import ClassVar

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response

from attributes_app import text_files
from attributes_app.api.serializers import (
    AttributeChangeSerializer,
    DocumentBatchAnswerSerializer,
    DocumentBatchItemSerializer,
    DocumentBatchSerializer,
    DocumentPushSerializer,
    DocumentSerializer,
    TextUploadSerializer,
    document_etag,
)
from attributes_app.models import HAS_EXTERNAL_ID, AttributeChange, AttributeState, Document
from attributes_app.services import IssueRefused, document_attach_text
from attributes_app.services.oa import (
    EXTERNAL_ID,
    document_upsert,
    documents_locked,
    external_id_problem,
    one_or_none,
)
from workflow.api.concurrency import require_if_match, require_tag
from workflow.api.errors import ApiError, exception_handler
from workflow.api.pagination import Pages
from workflow.api.views import IDEMPOTENCY_KEY, ClientView
from workflow.models import ApiClient
from workflow.text_input import FILE_NAME, clean_name, too_long

READ, WRITE = "documents:read", "documents:write"

ERROR = OpenApiResponse(description="错误：{code, message, fields}。")


def _documents(agency):
    return Document.objects.filter(agency=agency).select_related(
        "drafting_unit", "drafter", "publication"
    )


class DocumentView(ClientView):
    """A document endpoint: reading needs ``documents:read`` (or ``documents:write``)."""

    # Only the methods each view defines (ClientView brings ``post`` for its idempotent creates).
    http_method_names: ClassVar[list[str]] = ["get", "head", "options"]

    def scope_for(self, request):
        if request.method.lower() not in self.http_method_names:
            return None  # answered 405 by the dispatch (the frame would look up "__none__")
        needed = super().scope_for(request)
        client = request.auth
        if needed == READ and WRITE in getattr(client, "scopes", ()):
            return WRITE
        return needed

    def body(self) -> dict:
        """The request's body, parsed; one too big for the site is a 413, not a 500."""
        try:
            return self.request.data
        except RequestDataTooBig:
            raise ApiError(
                413,
                "payload_too_large",
                "请求体过大。文件标题、理由等文字都有字数上限，正式文本请通过上传接口提交。",
            ) from None

    def answer(self, document: Document, *, status: int = 200) -> Response:
        data = DocumentSerializer(document, context={"request": self.request}).data
        return Response(data, status=status, headers={"ETag": document_etag(document)})

    def _external_id(self, external_id: str) -> str:
        problem = external_id_problem(external_id)
        if problem:
            raise ApiError(422, "invalid", problem, {"external_id": [problem]})
        return external_id


EXTERNAL_ID_PARAMETER = OpenApiParameter(
    "external_id",
    str,
    OpenApiParameter.PATH,
    description=f"文件在外部系统（OA）中的编号，不超过{EXTERNAL_ID}个字。",
)
IF_MATCH_OR_NONE = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="修改已有文件时必填：读取或上次推送时得到的 ETag；已被他人修改时返回 412。",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="填 * 表示只新登记：该编号的文件已存在时返回 412，不作修改。",
)


def push_precondition(if_match: str, if_none_match: str) -> Callable[[Document | None], None]:
    """What a push checks of the stored document, under its lock: ``If-Match`` names its
    current version (or is absent for a new one), ``If-None-Match: *`` only registers."""
    if_match, create_only = if_match.strip(), if_none_match.strip() == "*"

    def precondition(document: Document | None) -> None:
        if document is None:
            if if_match:
                # If-Match names a version of something that does not exist (RFC 9110).
                raise ApiError(
                    412,
                    "precondition_failed",
                    "If-Match 所指的文件不存在（该外部编号尚未登记）；新登记时请不要带 If-Match。",
                    {"If-Match": ["文件不存在。"]},
                )
            return
        if create_only:
            raise ApiError(
                412,
                "precondition_failed",
                "该外部编号的文件已经登记；要修改时请去掉 If-None-Match，并在 If-Match 中"
                "给出读取时的 ETag。",
                {"If-None-Match": ["文件已存在。"]},
                headers={"ETag": document_etag(document)},
            )
        require_tag(if_match, document_etag(document))

    return precondition


class ExternalDocumentView(DocumentView):
    """A document by its id in the client's system (``ApiClient.system_code``)."""

    http_method_names: ClassVar[list[str]] = ["get", "put", "head", "options"]

    scopes = {"GET": READ, "PUT": WRITE}

    @extend_schema(
        operation_id="document_external_read",
        summary="按外部编号读取文件",
        parameters=[EXTERNAL_ID_PARAMETER],
        responses={200: DocumentSerializer, 404: ERROR},
        tags=["文件（OA）"],
    )
    def get(self, request, external_id: str):
        external_id = self._external_id(external_id)
        document = one_or_none(
            _documents(self.agency).filter(
                HAS_EXTERNAL_ID, external_system=self.client.system_code, external_id=external_id
            )
        )
        if document is None:
            raise Http404
        return self.answer(document)

    @extend_schema(
        operation_id="document_push",
        summary="推送文件（按外部编号新登记或更新）",
        description=(
            "OA 推送文件的现状：标题、文号、类型、起草单位、拟稿人、日期、密级状态、公开属性建议"
            "及理由和依据、签发（signed_on）、印发（issued_on）。"
            "未给出（或为 null）的字段保持不变；"
            "公开属性和各步骤只向前推进。新登记返回 201，更新返回 200；更新须带 If-Match。"
            "任何一项不符合规则时整个推送都不保存（422，按字段给出原因），可改正后重新推送；"
            "不予发文时返回 422 issue_refused，并记录这次不予发文。内容没有变化的推送不作任何修改。"
            "政策性文件拟不主动公开的，attribute_state 为 office_review，待政务公开工作机构审查。"
        ),
        parameters=[EXTERNAL_ID_PARAMETER, IF_MATCH_OR_NONE, IF_NONE_MATCH],
        request=DocumentPushSerializer,
        responses={
            200: DocumentSerializer,
            201: DocumentSerializer,
            403: ERROR,
            409: ERROR,
            412: ERROR,
            422: ERROR,
            428: ERROR,
        },
        tags=["文件（OA）"],
    )
    def put(self, request, external_id: str):
        external_id = self._external_id(external_id)
        serializer = DocumentPushSerializer(data=self.body())
        serializer.is_valid(raise_exception=True)
        precondition = push_precondition(
            request.headers.get("If-Match", ""), request.headers.get("If-None-Match", "")
        )

        try:
            document, created = document_upsert(
                actor=self.actor,
                agency=self.agency,
                system_code=self.client.system_code,
                external_id=external_id,
                data=serializer.push(),
                precondition=precondition,
            )
        except IssueRefused as refusal:
            message = refusal.messages[0]
            raise ApiError(422, "issue_refused", message, {"issued_on": [message]}) from None
        # The services' own copy is what was saved: answered without reading it again.
        return self.answer(document, status=201 if created else 200)


class DocumentBatchView(DocumentView):
    """Many documents pushed in one call (``POST /documents/batch/``): each item is what a
    single push (``ExternalDocumentView.put``) says of one document and goes through the same
    ``document_upsert``, so it is checked, saved and audited exactly as that push would be.

    Per-item results, not all or nothing: an item that breaks a rule keeps nothing of itself
    (its own savepoint is rolled back) and is answered with the error a single push would get,
    while the others are saved; one bad document does not hold up the rest of the batch. The
    whole batch is one transaction (one commit) and runs once per ``Idempotency-Key``: a retry
    gets the same answer. A fault of the system (500, database busy) keeps nothing.

    Each result names the document's id, its new ETag and attribute state, not the whole
    document (a batch is for throughput; the single reads give the rest)."""

    scopes = {"POST": WRITE}
    http_method_names: ClassVar[list[str]] = ["post", "options"]

    @extend_schema(
        operation_id="document_push_batch",
        summary="批量推送文件（每次最多100份）",
        description=(
            "documents 中的每一项与单个推送（PUT /documents/external/{external_id}/）的请求体相同，"
            "另加 external_id、if_match（修改已有文件时必填，即单个推送的 If-Match 头）和 "
            "create_only（即 If-None-Match: *）。每一项单独检查、单独保存、单独记录审计；"
            "不符合规则的项不保存，在 results 中按单个推送的状态码和错误说明返回，"
            "其余各项照常保存。"
            "整批只办理一次（Idempotency-Key），重试时返回相同结果。"
        ),
        parameters=[IDEMPOTENCY_KEY],
        request=DocumentBatchSerializer,
        responses={200: DocumentBatchAnswerSerializer, 403: ERROR, 422: ERROR, 428: ERROR},
        tags=["文件（OA）"],
    )
    def create(self, request):
        serializer = DocumentBatchSerializer(data=self.body())
        serializer.is_valid(raise_exception=True)
        items = serializer.validated_data["documents"]
        seen: set[str] = set()
        for index, item in enumerate(items):
            if item["external_id"] in seen:
                message = f"第{index + 1}份文件的外部编号“{item['external_id']}”在本批中重复。"
                field = f"documents.{index}.external_id"
                raise ApiError(422, "invalid", message, {field: [message]})
            seen.add(item["external_id"])
        # The batch's stored documents, read and locked at once (not one query per item).
        locked = documents_locked(
            agency=self.agency, system_code=self.client.system_code, external_ids=seen
        )
        results = [self._push_one(item, locked) for item in items]
        counts = Counter(result["status"] for result in results)
        answer = {
            "created": counts[201],
            "updated": counts[200],
            "failed": len(results) - counts[201] - counts[200],
            "results": results,
        }
        return Response(answer)

    def _push_one(self, item: dict, locked: dict[str, Document]) -> dict:
        external_id = item["external_id"]
        push = DocumentBatchItemSerializer(data={})
        push._validated_data = item
        try:
            document, created = document_upsert(
                actor=self.actor,
                agency=self.agency,
                system_code=self.client.system_code,
                external_id=external_id,
                data=push.push(),
                precondition=push_precondition(
                    item.get("if_match") or "", "*" if item.get("create_only") else ""
                ),
                locked=locked,
            )
        except Exception as error:
            if isinstance(error, IssueRefused):
                message = error.messages[0]
                error = ApiError(422, "issue_refused", message, {"issued_on": [message]})
            answer = exception_handler(error, {"request": self.request, "view": self})
            if answer is None or answer.status_code >= 500:
                raise  # a fault, not a refusal: the whole batch keeps nothing
            return {
                "external_id": external_id,
                "status": answer.status_code,
                "id": None,
                "etag": None,
                "attribute_state": None,
                "error": answer.data,
            }
        return {
            "external_id": external_id,
            "status": 201 if created else 200,
            "id": document.pk,
            "etag": document_etag(document),
            "attribute_state": document.attribute_state,
            "error": None,
        }


class DocumentDetailView(DocumentView):
    scopes = {"GET": READ}

    @extend_schema(
        operation_id="document_read",
        summary="读取文件",
        responses={200: DocumentSerializer, 404: ERROR},
        tags=["文件（OA）"],
    )
    def get(self, request, pk: int):
        document = one_or_none(_documents(self.agency).filter(pk=pk))
        if document is None:
            raise Http404
        return self.answer(document)


class DocumentListView(DocumentView):
    scopes = {"GET": READ}
    pagination_class = Pages

    @extend_schema(
        operation_id="document_list",
        summary="文件列表",
        parameters=[
            OpenApiParameter(
                "attribute_state",
                str,
                description="公开属性状态，可给多个（逗号分隔）："
                + "、".join(AttributeState.values),
            ),
            OpenApiParameter(
                "updated_since",
                OpenApiTypes.DATETIME,
                description=(
                    "只列出此时刻以后更新的文件（ISO 8601，如 2026-03-01T08:00:00+08:00）。"
                ),
            ),
            OpenApiParameter(
                "external_id",
                str,
                many=True,
                description="只列出这些外部编号的文件（本客户端系统的编号，可重复给出）。",
            ),
            OpenApiParameter("page", int, description="页码。"),
            OpenApiParameter("page_size", int, description="每页条数，不超过200。"),
        ],
        responses={200: DocumentSerializer(many=True), 422: ERROR},
        tags=["文件（OA）"],
    )
    def get(self, request):
        documents = _documents(self.agency).order_by("-updated_at", "-id")
        errors: dict[str, list[str]] = {}
        states = [s for s in request.query_params.get("attribute_state", "").split(",") if s]
        if states:
            unknown = [s for s in states if s not in AttributeState.values]
            if unknown:
                errors["attribute_state"] = [
                    "公开属性状态应为以下之一：" + "、".join(AttributeState.values) + "。"
                ]
            documents = documents.filter(attribute_state__in=states)
        since = request.query_params.get("updated_since", "")
        if since:
            try:
                moment = parse_datetime(since.replace(" ", "+"))
            except ValueError:
                moment = None
            if moment is None or moment.tzinfo is None:
                errors["updated_since"] = [
                    "updated_since 应为带时区的 ISO 8601 时刻，如 2026-03-01T08:00:00+08:00。"
                ]
            else:
                documents = documents.filter(updated_at__gte=moment)
        ids = [i for value in request.query_params.getlist("external_id") for i in value.split(",")]
        if ids:
            if len(ids) > 200 or any(external_id_problem(i) for i in ids):
                errors["external_id"] = [
                    f"external_id 最多给出200个，每个不超过{EXTERNAL_ID}个字，不含空字符。"
                ]
            documents = documents.filter(
                HAS_EXTERNAL_ID, external_system=self.client.system_code, external_id__in=ids
            )
        if errors:
            message = next(iter(errors.values()))[0]
            raise ApiError(422, "invalid", message, errors)
        pages = Pages()
        page = pages.paginate_queryset(documents, request, view=self)
        data = DocumentSerializer(page, many=True, context={"request": request}).data
        return pages.get_paginated_response(data)


class DocumentHistoryView(DocumentView):
    scopes = {"GET": READ}

    @extend_schema(
        operation_id="document_history",
        summary="公开属性变更记录",
        description="每次公开属性或其状态的变更：谁（接口客户端显示为客户端名称）、何时、由何到何、理由、依据。",
        responses={200: AttributeChangeSerializer(many=True), 404: ERROR},
        tags=["文件（OA）"],
    )
    def get(self, request, pk: int):
        if not Document.objects.filter(pk=pk, agency=self.agency).exists():
            raise Http404
        changes = list(
            AttributeChange.objects.filter(document_id=pk)
            .select_related("actor")
            .order_by("at", "id")
        )
        actor_ids = {c.actor_id for c in changes if c.actor_id}
        clients = dict(
            ApiClient.objects.filter(user_id__in=actor_ids).values_list("user_id", "name")
        )
        data = AttributeChangeSerializer(changes, many=True, context={"clients": clients}).data
        return Response(data)


class DocumentTextView(DocumentView):
    scopes = {"PUT": WRITE}
    http_method_names: ClassVar[list[str]] = ["put", "options"]

    @extend_schema(
        operation_id="document_text_upload",
        summary="上传正式文本",
        description=(
            "multipart/form-data 的 file 字段：PDF、OFD、DOCX、DOC 或 WPS 文件，"
            "与拟稿页面的检查相同"
            "（按内容识别类型，大小有上限）。已有正式文本的予以替换。可带 If-Match。"
        ),
        parameters=[IF_MATCH_OR_NONE],
        request={"multipart/form-data": TextUploadSerializer},
        responses={200: DocumentSerializer, 404: ERROR, 409: ERROR, 412: ERROR, 422: ERROR},
        tags=["文件（OA）"],
    )
    def put(self, request, pk: int):
        serializer = TextUploadSerializer(data=self.body())
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        name = clean_name(PurePath(str(upload.name).replace("\x00", "")).name)
        if len(name) > FILE_NAME:
            raise ValidationError({"file": too_long("正式文本的文件名", FILE_NAME, len(name))})
        upload.name = name
        problem = text_files.problem(upload)
        if problem:
            raise ValidationError({"file": problem})
        with transaction.atomic():
            document = one_or_none(
                Document.objects.select_for_update(of=("self",)).filter(pk=pk, agency=self.agency)
            )
            if document is None:
                raise Http404
            if request.headers.get("If-Match", "").strip():
                require_if_match(request, document_etag(document))
            document = document_attach_text(actor=self.actor, document_id=document.pk, file=upload)
        return self.answer(document)


__all__ = [
    "DocumentBatchView",
    "DocumentDetailView",
    "DocumentHistoryView",
    "DocumentListView",
    "DocumentTextView",
    "ExternalDocumentView",
    "document_etag",
]
