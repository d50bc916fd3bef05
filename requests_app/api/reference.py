"""Reference lists of information requests: the outcome codes (DOMAIN §3.6) with their articles
and annual-report rows, and the codes an integrator sends when it registers a request (channels,
applicant kinds, id types, forms, delivery …) or reads one back (stages, clock events).

They are the code base's own lists (``requests_app.rules.outcomes.OUTCOMES``, the model's
choices), never a copy: a code added there appears here."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from requests_app.annual_report.structure import TABLE3_ROWS
from requests_app.dashboard import FAMILY_LABELS
from requests_app.models import ClockEntry, InformationRequest
from requests_app.rules.outcomes import OUTCOMES, default_articles
from workflow.api.codes import REFERENCE_ERRORS, ReferenceCodeSerializer, codes
from workflow.api.views import ClientView
from workflow.clock import PAUSE_REASONS

R = InformationRequest
ROW_LABELS = {row.key: row.label for row in TABLE3_ROWS}


class ReferencePauseReasonSerializer(ReferenceCodeSerializer):
    basis = serializers.CharField(help_text="暂停计时的依据")


class ReferenceOutcomeSerializer(ReferenceCodeSerializer):
    basis = serializers.CharField(
        help_text="主要依据（《条例》条款，如“第三十六条第（二）项”）；没有固定依据时为空"
    )
    articles = serializers.ListField(
        child=serializers.CharField(),
        help_text="答复文书默认引用的条款（全称；不予公开的另引第三十六条第（三）项）",
    )
    family = serializers.CharField(help_text="结果类别代码")
    family_label = serializers.CharField(help_text="结果类别：予以公开、不予公开、无法提供……")
    refusal = serializers.BooleanField(
        help_text="是否属于依据第十四条至第十六条的不予公开（复议前置）"
    )
    notice_title = serializers.CharField(help_text="按结果使用单独告知书时的文书标题")
    report_row = serializers.CharField(help_text="年度报告表三的行号，如“三（三）1”")
    report_row_label = serializers.CharField(help_text="年度报告表三该行的名称")


class ReferenceRequestCodesSerializer(serializers.Serializer):
    kinds = ReferenceCodeSerializer(many=True, help_text="申请类型")
    channels = ReferenceCodeSerializer(many=True, help_text="提交方式")
    applicant_kinds = ReferenceCodeSerializer(many=True, help_text="申请人类型")
    organization_kinds = ReferenceCodeSerializer(
        many=True, help_text="组织类别（法人或其他组织；年度报告的五栏）"
    )
    id_types = ReferenceCodeSerializer(many=True, help_text="证件类型")
    forms = ReferenceCodeSerializer(many=True, help_text="获取信息的方式（《条例》第四十条）")
    deliveries = ReferenceCodeSerializer(many=True, help_text="送达方式")
    stages = ReferenceCodeSerializer(many=True, help_text="办理阶段")
    clock_events = ReferenceCodeSerializer(many=True, help_text="计时事件的类型")
    pause_reasons = ReferencePauseReasonSerializer(many=True, help_text="暂停计时的理由及其依据")


def outcome_list() -> list[dict]:
    return [
        {
            "code": outcome.code,
            "label": outcome.label,
            "basis": outcome.basis,
            "articles": default_articles(outcome.code),
            "family": outcome.family,
            "family_label": FAMILY_LABELS.get(outcome.family, outcome.family),
            "refusal": outcome.refusal,
            "notice_title": outcome.notice_title,
            "report_row": outcome.report_row,
            "report_row_label": ROW_LABELS.get(outcome.report_row, ""),
        }
        for outcome in OUTCOMES.values()
    ]


def requestcodes() -> dict[str, list[dict[str, str]]]:
    return {
        "kinds": codes(R.Kind),
        "channels": codes(R.Channel),
        "applicant_kinds": codes(R.ApplicantKind),
        "organization_kinds": codes(R.OrganizationKind),
        "id_types": codes(R.IdType),
        "forms": codes(R.Form),
        "deliveries": codes(R.Delivery),
        "stages": codes(R.Stage),
        "clock_events": codes(ClockEntry.Kind),
        "pause_reasons": [
            {"code": code, "label": words, "basis": basis}
            for code, (words, basis) in PAUSE_REASONS.items()
        ],
    }


class OutcomeListView(ClientView):
    scopes = {"GET": "reference:read"}
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        operation_id="reference_outcomes",
        summary="办理结果代码",
        description="依申请公开的办理结果（《条例》第三十六条至第三十九条等）：代码、中文名称、"
        "依据条款、结果类别和年度报告表三的行。需要 reference:read 权限。",
        responses={200: ReferenceOutcomeSerializer(many=True), **REFERENCE_ERRORS},
        tags=["参考数据"],
    )
    def get(self, request):
        return Response(outcome_list())


class RequestCodesView(ClientView):
    scopes = {"GET": "reference:read"}
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        operation_id="reference_request_codes",
        summary="申请登记所用的代码",
        description="登记和读取政府信息公开申请时使用的代码及中文名称：申请类型、提交方式、"
        "申请人类型、组织类别、证件类型、获取信息的方式、送达方式、办理阶段、计时事件和"
        "暂停计时的理由。需要 reference:read 权限。",
        responses={200: ReferenceRequestCodesSerializer, **REFERENCE_ERRORS},
        tags=["参考数据"],
    )
    def get(self, request):
        return Response(requestcodes())
