"""The schema's conventions, applied to every endpoint so that none can forget them: the
security, the scope each method needs (in the description and as ``x-scope``), and the error
answers in the one shape (``{code, message, fields}``, ``workflow.api.errors``) each operation
can give (the token scheme itself is ``workflow.api.auth.ClientTokenScheme``). An endpoint
still declares its own successes, and may describe an error more precisely: what it declares is
kept, given the error shape when it names none."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent

from workflow.api.scopes import SCOPES

ERROR_SCHEMA = {
    "type": "object",
    "description": "错误的统一格式。",
    "properties": {
        "code": {
            "type": "string",
            "description": "错误代码（英文），如 invalid、not_found，见 docs/api.md。",
        },
        "message": {"type": "string", "description": "错误说明（中文），与页面上的提示相同。"},
        "fields": {
            "type": "object",
            "description": "各字段的错误说明：字段名 → 说明列表（没有字段错误时为空对象）。",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["code", "message", "fields"],
}

#: Status → what it means here (the codes are listed in ``workflow.api.errors``).
ERRORS = {
    400: "请求体不是有效的 JSON（parse_error）。",
    401: "缺少令牌，或令牌无效、已吊销、已过期，或来源地址不在允许范围内（not_authenticated）。",
    403: "接口客户端没有所需的权限范围，或业务规则不允许这一步（permission_denied）。",
    404: "没有找到，或不属于本机关（not_found）。",
    409: (
        "对象已被他人处理，或使用同一 Idempotency-Key 的调用仍在办理"
        "（conflict、idempotency_conflict）。"
    ),
    412: "If-Match 给出的版本已过期，请重新读取（precondition_failed）。",
    415: "请求体格式不受支持（unsupported_media_type）。",
    422: "输入有误，各字段的说明见 fields（invalid 等）。",
    428: "缺少 Idempotency-Key 或 If-Match 头（precondition_required）。",
    429: "调用过于频繁，Retry-After 头给出等待的秒数（throttled）。",
}

WRITES = ("POST", "PUT", "PATCH", "DELETE")


#: The Chinese group of an operation whose view names none, by the path's first part.
TAGS = {
    "requests": "依申请公开案件",
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema with the API's security, scopes and error answers."""

    def is_public(self) -> bool:
        return not self.view.get_authenticators()

    def scope(self) -> str | None:
        scopes = getattr(self.view, "scopes", None) or {}
        return scopes.get(self.method)

    def get_auth(self):
        if self.is_public():
            return [{}]  # no token needed
        auths = []
        for requirement in super().get_auth():
            if requirement and requirement not in auths:
                auths.append(requirement)
        return auths

    def get_tags(self) -> list[str]:
        tags = super().get_tags()
        return [TAGS.get(tag, tag) for tag in tags]

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        # After ``super()``: ``extend_schema(description=…)`` replaces ``get_description``.
        scope = None if self.is_public() else self.scope()
        if self.is_public():
            note = "公开接口，无需令牌（按来源地址限制调用频率）。"
        elif scope in SCOPES:
            note = f"所需权限范围：`{scope}`（{SCOPES[scope]}）。"
            operation["x-scope"] = scope
        else:
            note = ""
        if note:
            description = operation.get("description", "")
            operation["description"] = f"{description}\n\n{note}" if description else note
        component = ResolvedComponent(
            name="Error", type=ResolvedComponent.SCHEMA, object="Error", schema=ERROR_SCHEMA
        )
        registry.register_on_missing(component)
        if self.is_public():
            # Whatever the view said (``extend_schema(auth=[])`` would inherit the token).
            operation["security"] = [{}]

        def error():
            return {"application/json": {"schema": dict(component.ref)}}

        responses = operation.setdefault("responses", {})
        for status, response in responses.items():
            if not str(status).startswith("4"):
                continue
            if "content" not in response:
                response["content"] = error()
            if not response.get("description") and int(status) in ERRORS:
                response["description"] = ERRORS[int(status)]
        for status in self.error_statuses(operation):
            responses.setdefault(str(status), {"description": ERRORS[status], "content": error()})
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def error_statuses(self, operation) -> list[int]:
        parameters = operation.get("parameters", [])
        statuses = {429}
        if not self.is_public():
            statuses |= {401, 403}
        if any(p["in"] == "path" for p in parameters) or any(
            p["name"] == "page" for p in parameters
        ):
            statuses.add(404)
        if parameters or "requestBody" in operation:
            statuses.add(422)
        if "requestBody" in operation:
            statuses |= {400, 415}
        if self.method == "POST" and not self.is_public():
            statuses |= {409, 422, 428}  # the Idempotency-Key
        elif self.method in WRITES and not self.is_public():
            statuses |= {409, 422}
        if any(p["in"] == "header" and p["name"] == "If-Match" for p in parameters):
            statuses |= {412, 428}
        return sorted(statuses)
