"""``/api/v1/submissions/``: online applications a portal or hotline system submits for the
agency's registrar to confirm (Art. 31(3): received on the day both sides confirm).

The serializers only parse types; every rule is the registration's (``services.submissions``),
whose Chinese messages the 422 answer carries field by field.
"""

from __future__ import annotations

from dataclasses import fields

from django.core.validators import ProhibitNullCharactersValidator
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from requests_app.models import InformationRequest as R
from requests_app.models import OnlineSubmission as S
from requests_app.services import OnlineApplication, submission_create
from workflow.api.errors import ApiError
from workflow.api.idempotency import idempotent
from workflow.api.pagination import Pages
from workflow.api.views import IDEMPOTENCY_KEY, ClientView


def _values(choices) -> str:
    return "；".join(f"{value}：{label}" for value, label in choices)


class Text(serializers.CharField):
    """Text as typed: optional, blank allowed, not trimmed nor checked here (the service checks
    NUL, length and what is required, naming the field)."""

    def __init__(self, label: str, help_text: str = "", default: str = "", **kwargs):
        super().__init__(
            label=label,
            help_text=help_text or label,
            required=False,
            default=default,
            allow_blank=True,
            trim_whitespace=False,
            error_messages={"invalid": f"{label}应为文字。"},
            **kwargs,
        )
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]


def _text(name: str, help_text: str = "") -> Text:
    field = R._meta.get_field(name)
    if field.choices and not help_text:
        help_text = f"{field.verbose_name}，可选值：{_values(field.choices)}"
    default = field.default if isinstance(field.default, str) else ""
    return Text(str(field.verbose_name), help_text, default=default)


class ApplicationSerializer(serializers.Serializer):
    """The applicant's particulars and request (《条例》第二十九条), named as in registration."""

    default_error_messages = {"invalid": "请求体应为 JSON 对象，各字段见接口说明。"}

    kind = _text("kind", f"申请类型，默认 disclosure。可选值：{_values(R.Kind.choices)}")
    applicant_kind = _text("applicant_kind", f"必填。{_values(R.ApplicantKind.choices)}")
    applicant_name = _text("applicant_name", "必填：自然人的姓名，或法人、其他组织的名称。")
    organization_kind = _text(
        "organization_kind",
        f"法人或其他组织必填，自然人留空。可选值：{_values(R.OrganizationKind.choices)}",
    )
    id_type = _text("id_type", f"自然人必填。可选值：{_values(R.IdType.choices)}")
    id_number = _text("id_number", "自然人必填；居民身份证号码为18位，会核对校验码。")
    credit_code = _text("credit_code", "法人或其他组织必填：18位统一社会信用代码，会核对校验码。")
    legal_representative = _text("legal_representative", "法人或其他组织必填。")
    contact_person = _text("contact_person")
    phone = _text("phone", "联系电话、电子邮箱、通讯地址至少填写一种。")
    email = _text("email", "选择电子邮件送达（delivery=email）的必填。")
    address = _text("address", "选择邮寄送达（delivery=post）的必填。")
    postcode = _text("postcode", "6位数字。")
    agent_name = _text("agent_name", "由代理人提交的填写，并须有授权委托书。")
    agent_id_number = _text("agent_id_number")
    agent_phone = _text("agent_phone")
    power_of_attorney = serializers.BooleanField(
        label="已提交授权委托书",
        help_text="由代理人提交的，须为 true。",
        required=False,
        default=False,
        error_messages={"invalid": "已提交授权委托书应为 true 或 false。"},
    )
    description = _text(
        "description", "必填：所需政府信息的名称、文号或者便于查询的其他特征性描述。"
    )
    document_names = _text("document_names")
    form_wanted = _text("form_wanted", f"必填（《条例》第四十条）。{_values(R.Form.choices)}")
    delivery = _text("delivery", f"必填。{_values(R.Delivery.choices)}")
    accessibility_needs = _text(
        "accessibility_needs", "申请人有阅读困难或者视听障碍的（第四十三条）。"
    )

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name[:100]: ["没有这个字段。"] for name in unknown[:20]}
                )
        return super().to_internal_value(data)


class SubmissionCreateSerializer(ApplicationSerializer):
    external_ref = Text(
        "来源系统的编号",
        "本系统自己的申请编号（可不填；填写的，同一客户端内不能重复，可用于查询）。",
    )


class SubmissionSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="网上申请的 id。")
    number = serializers.CharField(help_text="网上申请编号，如 网申2026-000017，可告诉申请人。")
    status = serializers.ChoiceField(
        S.Status.choices,
        help_text=f"状态：{_values(S.Status.choices)}。待确认的尚未收到申请（《条例》第三十一条"
        "第（三）项：以双方确认之日为收到申请之日），不计算答复期限。",
    )
    status_label = serializers.CharField(help_text="状态的中文名称。")
    external_ref = serializers.CharField(help_text="来源系统的编号（没有的为空）。")
    source = serializers.CharField(
        allow_null=True, help_text="提交的接口客户端的系统代码；申请人在网上直接提交的为 null。"
    )
    submitted_at = serializers.DateTimeField(help_text="提交时间。")
    submitted_on = serializers.DateField(help_text="提交日期，确认后为案件的到达日期。")
    decided_at = serializers.DateTimeField(allow_null=True, help_text="确认登记或退回的时间。")
    case_id = serializers.IntegerField(allow_null=True, help_text="确认登记后：案件的 id。")
    case_number = serializers.CharField(allow_null=True, help_text="确认登记后：登记编号。")
    receipt_date = serializers.DateField(
        allow_null=True, help_text="确认登记后：收到申请之日（确认之日），答复期限自次日起算。"
    )
    return_reason = serializers.CharField(help_text="退回的：退回理由和应当办理的渠道。")
    application = ApplicationSerializer(help_text="提交的申请人信息和申请内容。")


class SubmissionPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="符合条件的总数。")
    next = serializers.URLField(allow_null=True, help_text="下一页的地址。")
    previous = serializers.URLField(allow_null=True, help_text="上一页的地址。")
    results = SubmissionSerializer(many=True)


def represent(submission: S) -> dict:
    case = submission.case
    return {
        "id": submission.pk,
        "number": submission.number,
        "status": submission.status,
        "status_label": submission.get_status_display(),
        "external_ref": submission.external_ref,
        "source": submission.source.system_code if submission.source else None,
        "submitted_at": timezone.localtime(submission.submitted_at),
        "submitted_on": submission.submitted_on,
        "decided_at": timezone.localtime(submission.decided_at) if submission.decided_at else None,
        "case_id": case.pk if case else None,
        "case_number": case.case_number if case else None,
        "receipt_date": case.receipt_date if case else None,
        "return_reason": submission.return_reason,
        "application": {
            name.name: getattr(submission, name.name) for name in fields(OnlineApplication)
        },
    }


def _url(request, submission: S) -> str:
    return request.build_absolute_uri(reverse("api:submission", kwargs={"pk": submission.pk}))


class ReadOrWrite:
    """Reading needs ``requests:read``; a client that may submit may also follow what it sent."""

    def scope_for(self, request) -> str | None:
        if request.method.lower() not in self.http_method_names:
            return None  # answered 405 by the dispatch
        needed = super().scope_for(request)
        if needed == "requests:read" and "requests:write" in getattr(request.auth, "scopes", ()):
            return "requests:write"
        return needed


STATUS = OpenApiParameter(
    "status", str, enum=list(S.Status.values), description="只列出这一状态的网上申请。"
)
PAGE = OpenApiParameter("page", int, description="页码，从 1 开始。")
PAGE_SIZE = OpenApiParameter("page_size", int, description="每页条数，默认 50，最多 200。")
EXTERNAL_REF = OpenApiParameter("external_ref", str, description="只列出来源系统编号为此值的。")


class SubmissionListView(ReadOrWrite, ClientView):
    """The agency's online submissions: submit one, or list them."""

    scopes = {"GET": "requests:read", "POST": "requests:write"}
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(
        operation_id="submissions_list",
        summary="网上申请列表",
        description="本机关的网上申请，最新提交的在前，可按状态和来源系统编号筛选。",
        parameters=[STATUS, EXTERNAL_REF, PAGE, PAGE_SIZE],
        responses={200: SubmissionPageSerializer},
        tags=["网上申请"],
    )
    def get(self, request):
        submissions = S.objects.filter(agency=self.agency).select_related("case", "source")
        status = request.query_params.get("status", "")
        if status:
            if status not in S.Status.values:
                raise ApiError(
                    422,
                    "invalid",
                    f"状态应为 {'、'.join(S.Status.values)} 之一。",
                    {"status": ["没有这种状态。"]},
                )
            submissions = submissions.filter(status=status)
        external_ref = request.query_params.get("external_ref", "")
        if external_ref:
            submissions = submissions.filter(external_ref=external_ref.replace("\x00", ""))
        pages = Pages()
        page = pages.paginate_queryset(submissions.order_by("-submitted_at", "-id"), request, self)
        return pages.get_paginated_response([represent(s) for s in page])

    @extend_schema(
        operation_id="submissions_create",
        summary="提交网上申请",
        description=(
            "申请人在门户网站、热线等渠道提交的政府信息公开申请。提交后进入本机关登记员的"
            "“网上申请待确认”列表：登记员确认之日为收到申请之日（《条例》第三十一条第（三）项），"
            "此时才登记编号、开始计算答复期限；也可能被退回（如属于咨询、投诉、举报、信访的，"
            "告知通过12345热线等渠道办理）。核对规则与登记页面相同，有误时返回 422 及各字段的说明。"
        ),
        parameters=[IDEMPOTENCY_KEY],
        request=SubmissionCreateSerializer,
        responses={201: SubmissionSerializer},
        tags=["网上申请"],
    )
    def post(self, request, *args, **kwargs):
        return idempotent(request, self.client, lambda: self.create(request, *args, **kwargs))

    def create(self, request, *args, **kwargs) -> Response:
        parsed = SubmissionCreateSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        values = dict(parsed.validated_data)
        external_ref = values.pop("external_ref", "")
        submission = submission_create(
            actor=self.actor,
            agency=self.agency,
            data=OnlineApplication(**values),
            external_ref=external_ref,
        )
        return Response(
            represent(submission), status=201, headers={"Location": _url(request, submission)}
        )


class SubmissionDetailView(ReadOrWrite, ClientView):
    """One online submission of the agency: its status, and its case once confirmed."""

    scopes = {"GET": "requests:read"}
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        operation_id="submissions_retrieve",
        summary="网上申请的状态",
        description=(
            "待确认、已确认登记（给出案件的 id、登记编号和收到申请之日）或已退回（给出退回理由）。"
        ),
        responses={200: SubmissionSerializer},
        tags=["网上申请"],
    )
    def get(self, request, pk: int):
        submission = get_object_or_404(
            S.objects.select_related("case", "source"), pk=pk, agency=self.agency
        )
        return Response(represent(submission))
