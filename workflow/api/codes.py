"""Lists of codes with their Chinese labels, as the reference endpoints give them."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

#: The refusals of a reference endpoint (for its schema).
REFERENCE_ERRORS = {
    401: OpenApiResponse(description="没有令牌，或令牌无效、已吊销、已过期。"),
    403: OpenApiResponse(description="接口客户端没有 reference:read 权限。"),
}


class ReferenceCodeSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="代码（调用时使用）")
    label = serializers.CharField(help_text="中文名称（页面和文书所用）")


def codes(choices) -> list[dict[str, str]]:
    """``[{code, label}]`` of a ``TextChoices`` class, in its order."""
    return [{"code": code, "label": str(label)} for code, label in choices.choices]
