"""Type errors that name their field: DRF's own messages ("日期格式错误……") prefixed with the
Chinese label of the field they concern ("受理日期：日期格式错误……", "计时事件第3项的日期：……"),
so that a message read alone still says what to correct. Serializers only parse types; the rules
are the services' (their messages name the field already)."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail


def _named(detail, field, where: str):
    if isinstance(detail, dict):
        children = getattr(field, "fields", None) or {}
        item = getattr(field, "child", None)
        named = {}
        for key, value in detail.items():
            if isinstance(key, int) and item is not None:  # a list's item, by its index
                named[key] = _named(value, item, f"{where}第{key + 1}项的")
                continue
            child = children.get(key)
            if child is None:  # non_field_errors: about ``field`` itself
                named[key] = _named(value, None, where)
            else:
                named[key] = _named(value, child, f"{where}{child.label or key}")
        return named
    if isinstance(detail, list):
        child = getattr(field, "child", None)
        if child is not None and any(isinstance(item, dict) for item in detail):
            return [
                _named(item, child, f"{where}第{index + 1}项的") if item else item
                for index, item in enumerate(detail)
            ]
        return [_named(item, None, where) for item in detail]
    text = str(detail)
    label = where.removesuffix("的")
    if label and not text.startswith(f"{label}："):
        text = f"{label}：{text}"
    return ErrorDetail(text, code=getattr(detail, "code", None))


class NamedErrorsSerializer(serializers.Serializer):
    """A serializer whose type errors begin with the field's Chinese label (named once, by the
    outermost serializer)."""

    def run_validation(self, data=serializers.empty):
        if self.parent is not None:
            return super().run_validation(data)
        try:
            return super().run_validation(data)
        except serializers.ValidationError as error:
            raise serializers.ValidationError(_named(error.detail, self, "")) from None
