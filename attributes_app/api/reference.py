"""Reference lists of the document register: the client's own agency's drafting units and
catalogue of disclosure items, and the codes a document carries (kinds, attributes and their
grounds, secrecy, validity, states, publication channels).

Units and items are the client's own agency's only: another agency's never appear."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from attributes_app import rules
from attributes_app.models import AttributeState, CatalogueItem, Document, DraftingUnit, Publication
from workflow.api.codes import REFERENCE_ERRORS, ReferenceCodeSerializer, codes
from workflow.api.named_errors import NamedErrorsSerializer
from workflow.api.pagination import Pages
from workflow.api.views import ClientView


class ReferenceAttributeSerializer(ReferenceCodeSerializer):
    mark = serializers.CharField(help_text="印在文件上的标注，如“（此件公开发布）”")


class ReferenceGroundSerializer(ReferenceCodeSerializer):
    article = serializers.CharField(
        help_text="《条例》条款，如“第十五条”；空时为“其他法律、法规的规定”，须写明法律名称和条款"
    )
    withheld = serializers.BooleanField(help_text="可否作为“不予公开”的依据")
    on_request = serializers.BooleanField(help_text="可否作为“依申请公开”的依据")


class ReferenceDocumentCodesSerializer(serializers.Serializer):
    kinds = ReferenceCodeSerializer(many=True, help_text="文件类型")
    attributes = ReferenceAttributeSerializer(many=True, help_text="公开属性")
    attribute_grounds = ReferenceGroundSerializer(
        many=True, help_text="不主动公开（依申请公开、不予公开）的法律依据"
    )
    attribute_states = ReferenceCodeSerializer(many=True, help_text="公开属性的办理状态")
    secrecy = ReferenceCodeSerializer(many=True, help_text="密级状态")
    validity = ReferenceCodeSerializer(many=True, help_text="效力状态")
    publication_channels = ReferenceCodeSerializer(many=True, help_text="主动公开的渠道")


class ReferenceUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = DraftingUnit
        fields = ["id", "name", "active"]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": "起草单位编号（推送文件时使用）"},
            "name": {"help_text": "单位名称"},
            "active": {"help_text": "是否在用；停用的单位不能再登记新文件"},
        }


class ReferenceCatalogueItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = CatalogueItem
        fields = ["id", "name", "content", "legal_basis", "default_attribute", "publication_days"]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": "事项编号（推送文件时使用）"},
            "name": {"help_text": "事项名称"},
            "content": {"help_text": "公开内容"},
            "legal_basis": {"help_text": "公开依据"},
            "default_attribute": {"help_text": "默认公开属性（代码见 reference/document-codes）"},
            "publication_days": {
                "help_text": (
                    "公开时限（自信息形成或者变更之日起的工作日数）；null 时按本机关的主动公开期限"
                )
            },
        }


class UnitQuery(NamedErrorsSerializer):
    active = serializers.BooleanField(
        label="是否在用", required=False, allow_null=True, default=None
    )


class ItemQuery(NamedErrorsSerializer):
    q = serializers.CharField(label="名称关键词", required=False, allow_blank=True, max_length=100)


def documentcodes() -> dict[str, list[dict]]:
    return {
        "kinds": codes(Document.Kind),
        "attributes": [
            {"code": code, "label": label, "mark": rules.attribute_mark(code)}
            for code, label in rules.ATTRIBUTE_LABELS.items()
        ],
        "attribute_grounds": [
            {
                "code": ground.code,
                "label": ground.label,
                "article": ground.article,
                "withheld": ground.withheld,
                "on_request": ground.on_request,
            }
            for ground in rules.GROUNDS.values()
        ],
        "attribute_states": codes(AttributeState),
        "secrecy": codes(Document.Secrecy),
        "validity": codes(Document.Validity),
        "publication_channels": codes(Publication.Channel),
    }


class ReferenceListView(ClientView):
    """A paginated list of the client's own agency's reference rows."""

    scopes = {"GET": "reference:read"}
    http_method_names = ["get", "head", "options"]
    serializer_class: type[serializers.Serializer]

    def rows(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def listed(self, request):
        pages = Pages()
        page = pages.paginate_queryset(self.rows(), request, view=self)
        return pages.get_paginated_response(self.serializer_class(page, many=True).data)


def paginated(name: str, serializer_class) -> serializers.Serializer:
    """The schema of one page of a list (``workflow.api.pagination.Pages``)."""
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(help_text="总条数"),
            "next": serializers.URLField(allow_null=True, help_text="下一页的地址"),
            "previous": serializers.URLField(allow_null=True, help_text="上一页的地址"),
            "results": serializer_class(many=True),
        },
    )


_PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="页码，从 1 开始"),
    OpenApiParameter("page_size", int, description="每页条数，默认 50，至多 200"),
]


class UnitListView(ReferenceListView):
    serializer_class = ReferenceUnitSerializer

    @extend_schema(
        operation_id="reference_units",
        summary="本机关的起草单位",
        description="本机关的起草单位（编号和名称），推送文件时用编号指明起草单位。"
        "只列本机关的单位。需要 reference:read 权限。",
        parameters=[
            OpenApiParameter("active", bool, description="true 只列在用的单位；false 只列停用的"),
            *_PAGE_PARAMETERS,
        ],
        responses={
            200: paginated("ReferenceUnitPage", ReferenceUnitSerializer),
            **REFERENCE_ERRORS,
        },
        tags=["参考数据"],
    )
    def get(self, request):
        self.query = UnitQuery(data=request.query_params)
        self.query.is_valid(raise_exception=True)
        return self.listed(request)

    def rows(self):
        units = DraftingUnit.objects.filter(agency=self.agency).order_by("name", "id")
        active = self.query.validated_data.get("active")
        if active is not None:
            units = units.filter(active=active)
        return units


class CatalogueItemListView(ReferenceListView):
    serializer_class = ReferenceCatalogueItemSerializer

    @extend_schema(
        operation_id="reference_catalogue_items",
        summary="本机关的公开事项目录",
        description="本机关政务公开事项标准目录中的事项：名称、公开内容、公开依据、默认公开属性"
        "和公开时限。只列本机关的事项。需要 reference:read 权限。",
        parameters=[
            OpenApiParameter("q", str, description="按事项名称中的关键词筛选"),
            *_PAGE_PARAMETERS,
        ],
        responses={
            200: paginated("ReferenceCatalogueItemPage", ReferenceCatalogueItemSerializer),
            **REFERENCE_ERRORS,
        },
        tags=["参考数据"],
    )
    def get(self, request):
        self.query = ItemQuery(data=request.query_params)
        self.query.is_valid(raise_exception=True)
        return self.listed(request)

    def rows(self):
        items = CatalogueItem.objects.filter(agency=self.agency).order_by("name", "id")
        words = self.query.validated_data.get("q", "").strip()
        if words:
            items = items.filter(name__contains=words)
        return items


class DocumentCodesView(ClientView):
    scopes = {"GET": "reference:read"}
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        operation_id="reference_document_codes",
        summary="文件登记所用的代码",
        description="推送和读取文件时使用的代码及中文名称：文件类型、公开属性（及印在文件上的标注）、"
        "不主动公开的法律依据、公开属性的办理状态、密级状态、效力状态和主动公开的渠道。"
        "需要 reference:read 权限。",
        responses={200: ReferenceDocumentCodesSerializer, **REFERENCE_ERRORS},
        tags=["参考数据"],
    )
    def get(self, request):
        return Response(documentcodes())
