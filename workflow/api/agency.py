"""The client's own agency: its names and the contacts, remedies and periods its letters use.
A client sees its own agency only (there is no list of agencies)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from workflow.api.codes import REFERENCE_ERRORS
from workflow.api.views import ClientView
from workflow.models import Agency


class ParentAgencySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="上级人民政府的机关代码")
    name = serializers.CharField(help_text="上级人民政府的名称")


class OwnAgencySerializer(serializers.ModelSerializer):
    parent = ParentAgencySerializer(
        read_only=True, allow_null=True, help_text="上级人民政府，没有则为 null"
    )

    class Meta:
        model = Agency
        fields = [
            "code",
            "name",
            "short_name",
            "parent",
            "office_name",
            "office_phone",
            "office_address",
            "office_postcode",
            "reconsideration_organ",
            "court",
            "court_after_reconsideration",
            "case_number_prefix",
            "reply_number_prefix",
            "notice_number_prefix",
            "letter_number_prefix",
            "number_style",
            "letter_head",
            "reply_layout",
            "at_risk_days",
            "correction_period_days",
            "reasons_period_days",
            "postal_receipt_days",
            "third_party_wait_days",
            "publication_rule",
            "publication_working_days",
            "publication_hours",
            "publication_at_risk_days",
            "interpretation_days",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "code": {"help_text": "机关代码（英文字母、数字或连字符）"},
            "name": {"help_text": "机关名称"},
            "short_name": {"help_text": "简称"},
            "office_name": {"help_text": "政府信息公开工作机构（文书落款、联系方式所用）"},
            "office_phone": {"help_text": "政府信息公开工作机构的联系电话"},
            "office_address": {"help_text": "通讯地址"},
            "office_postcode": {"help_text": "邮政编码"},
            "reconsideration_organ": {"help_text": "文书告知的行政复议机关"},
            "court": {"help_text": "文书告知的管辖法院"},
            "court_after_reconsideration": {
                "help_text": (
                    "复议机关改变原行政行为时的管辖法院；空时文书写“依法向人民法院提起行政诉讼”"
                )
            },
            "case_number_prefix": {"help_text": "登记编号前缀，如 孝政信申"},
            "reply_number_prefix": {"help_text": "答复书文号前缀；空时为登记编号前缀加“复”"},
            "notice_number_prefix": {"help_text": "告知书文号前缀；空时为登记编号前缀加“告”"},
            "letter_number_prefix": {"help_text": "征求意见函文号前缀；空时为登记编号前缀加“函”"},
            "number_style": {"help_text": "编号样式：plain 〔2026〕17号；with_di 〔2026〕第17号"},
            "letter_head": {"help_text": "文书版头：letter 信函格式；plain 无版头"},
            "reply_layout": {
                "help_text": "答复文书样式：single 统一使用答复书；separate 按结果使用单独的告知书"
            },
            "at_risk_days": {"help_text": "剩余工作日不多于此数时答复期限标为临期"},
            "correction_period_days": {"help_text": "补正期限默认值（工作日）"},
            "reasons_period_days": {
                "help_text": "说明理由期限默认值（工作日，《条例》第三十五条）"
            },
            "postal_receipt_days": {
                "help_text": (
                    "邮寄送达时以交邮之日后第几个工作日推定为收到之日；null 时以登记的送达日期为准"
                )
            },
            "third_party_wait_days": {
                "help_text": "不顾第三方反对决定公开的，书面告知第三方后至少等待的工作日数"
            },
            "publication_rule": {
                "help_text": (
                    "主动公开期限规则：working_days 自成文之日起若干个工作日；"
                    "hours 自印发之时起若干小时"
                )
            },
            "publication_working_days": {"help_text": "主动公开期限（工作日）"},
            "publication_hours": {"help_text": "主动公开期限（小时）"},
            "publication_at_risk_days": {"help_text": "公开临期提醒（工作日）"},
            "interpretation_days": {
                "help_text": "政策解读期限（工作日）；0 表示解读材料与文件同步审签、同时公开"
            },
        }


class OwnAgencyView(ClientView):
    scopes = {"GET": "reference:read"}
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        operation_id="reference_agency",
        summary="本机关",
        description="接口客户端所属机关的名称、政府信息公开工作机构的联系方式、文书告知的复议机关和"
        "法院、编号前缀和期限设置。只能读取本机关，不提供其他机关的信息。"
        "需要 reference:read 权限。",
        responses={200: OwnAgencySerializer, **REFERENCE_ERRORS},
        tags=["参考数据"],
    )
    def get(self, request):
        agency = Agency.objects.select_related("parent").get(pk=self.agency.pk)
        return Response(OwnAgencySerializer(agency).data)
