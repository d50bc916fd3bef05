"""One shape for every error the API returns: ``{"code", "message", "fields"}``.

``message`` is the Chinese sentence the pages show; ``fields`` maps a field to its messages (the
services' own: the API adds no rules of its own). Codes:

| code | status | when |
|---|---|---|
| ``invalid`` | 422 | the input breaks a rule (a service's or the request's shape) |
| ``issue_refused`` | 422 | 不予发文: the document may not be issued (its reasons in ``message``) |
| ``parse_error`` | 400 | the body is not JSON (or not the declared form) |
| ``not_authenticated`` | 401 | no token; a wrong, revoked or expired one; a refused address |
| ``permission_denied`` | 403 | the client lacks the scope, or the service refuses the step |
| ``not_found`` | 404 | no such object in the client's agency |
| ``method_not_allowed`` | 405 | |
| ``not_acceptable`` / ``unsupported_media_type`` | 406 / 415 | |
| ``conflict`` | 409 | someone acted first (the object moved on) |
| ``idempotency_conflict`` | 409 / 422 | the key's first call still runs, or it had another body |
| ``precondition_failed`` | 412 | ``If-Match`` names an older version |
| ``precondition_required`` | 428 | an update without ``If-Match`` |
| ``too_large`` | 413 | the body is larger than the site accepts |
| ``throttled`` | 429 | too many calls; ``Retry-After`` says when to call again |
| ``server_error`` | 500 | |
| ``busy`` | 503 | the database was busy: nothing was saved; ``Retry-After`` says when to retry |

An address under ``/api/`` that names no endpoint is a 404 in the same shape
(``api_not_found``, Django's ``handler404``), and so is an error outside the views (``handler500``).
"""

from __future__ import annotations

import logging
import math

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    ValidationError,
)
from django.http import Http404, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from workflow.errors import (
    RETRY_AFTER,
    GongkaiError,
    NotAllowed,
    Stale,
    database_busy,
    form_errors,
)

logger = logging.getLogger(__name__)

GENERIC = {
    400: "请求格式不正确。",
    401: "请提供有效的接口令牌（Authorization: Bearer …）。",
    403: "没有权限。",
    404: "没有找到，或不属于本机关。",
    405: "不支持这种请求方法。",
    406: "只能返回 JSON。",
    409: "对象已被他人处理，请重新读取后再操作。",
    412: "对象已被修改，If-Match 所给的版本已过期，请重新读取。",
    415: "请求体格式不受支持，请使用 application/json（上传文件时用 multipart/form-data）。",
    422: "输入有误，请按各字段的说明修改。",
    428: "修改时请在 If-Match 头中给出读取时的 ETag，以免覆盖他人的修改。",
    429: "调用过于频繁，请稍后再试。",
}


class ApiError(exceptions.APIException):
    """An error with its own code and status (``precondition_failed`` …)."""

    def __init__(self, status_code: int, code: str, message: str, fields=None, headers=None):
        super().__init__(message, code)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.headers = headers or {}


def body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": message, "fields": fields or {}}


def _drf_fields(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested ``detail`` flattened to ``field`` / ``field.sub`` → messages."""
    found: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = str(key) if key not in ("non_field_errors", "__all__") else ""
            path = f"{prefix}.{name}" if prefix and name else (prefix or name)
            for field, messages in _drf_fields(value, path).items():
                found.setdefault(field, []).extend(messages)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                path = f"{prefix}.{index}" if prefix else str(index)
                for field, messages in _drf_fields(value, path).items():
                    found.setdefault(field, []).extend(messages)
            else:
                found.setdefault(prefix, []).append(str(value))
    else:
        found.setdefault(prefix, []).append(str(detail))
    return found


def _split(fields: dict[str, list[str]]) -> tuple[str, dict[str, list[str]]]:
    general = fields.pop("", [])
    messages = general + [m for ms in fields.values() for m in ms]
    return (messages[0] if messages else GENERIC[422]), fields


def exception_handler(exc, context):
    """DRF's exception handler: every error in the one shape."""
    headers: dict[str, str] = {}
    if isinstance(exc, ApiError):
        set_rollback()
        response = Response(body(exc.code, exc.message, exc.fields), status=exc.status_code)
        for key, value in exc.headers.items():
            response[key] = value
        return response
    if isinstance(exc, ValidationError):
        set_rollback()
        fields = {(field or ""): [str(m) for m in messages] for field, messages in form_errors(exc)}
        code = getattr(exc, "api_code", "invalid")
        message, fields = _split(fields)
        return Response(body(code, message, fields), status=422)
    if isinstance(exc, NotAllowed | PermissionDenied):
        set_rollback()
        return Response(body("permission_denied", str(exc) or GENERIC[403]), status=403)
    if isinstance(exc, Stale):
        set_rollback()
        return Response(body("conflict", str(exc)), status=409)
    if isinstance(exc, GongkaiError):
        set_rollback()
        return Response(body("invalid", str(exc)), status=422)
    if isinstance(exc, Http404):
        # A view's own reason (``Http404("没有这份告知书。")``) is said; Django's English is not.
        reason = str(exc)
        return Response(
            body("not_found", reason if _is_chinese(reason) else GENERIC[404]), status=404
        )
    if isinstance(exc, exceptions.ValidationError):
        set_rollback()
        message, fields = _split(_drf_fields(exc.detail))
        return Response(body("invalid", message, fields), status=422)
    if isinstance(exc, exceptions.APIException):
        set_rollback()
        code = {
            400: "parse_error",
            401: "not_authenticated",
            403: "permission_denied",
            404: "not_found",
            405: "method_not_allowed",
            406: "not_acceptable",
            415: "unsupported_media_type",
            429: "throttled",
        }.get(exc.status_code, "error")
        if isinstance(exc, exceptions.Throttled):
            wait = max(1, math.ceil(exc.wait or 1))
            headers["Retry-After"] = str(wait)
            message = f"调用过于频繁，请在 {wait} 秒后再试。"
        elif isinstance(exc, exceptions.NotAuthenticated):
            message = GENERIC[401]
        elif isinstance(exc, exceptions.AuthenticationFailed):
            message = str(exc.detail)
        elif isinstance(exc, exceptions.MethodNotAllowed):
            message = GENERIC[405]
        elif isinstance(exc, exceptions.PermissionDenied):
            message = str(exc.detail) if _is_chinese(str(exc.detail)) else GENERIC[403]
        elif isinstance(exc, exceptions.ParseError):
            request = context.get("request")
            content_type = getattr(request, "content_type", "") or ""
            message = (
                "上传的表单（multipart/form-data）无法解析。"
                if content_type.startswith("multipart/")
                else "请求体不是有效的 JSON。"
            )
        elif isinstance(exc, exceptions.NotFound):
            # "没有这一页。" (``Pages``) and a view's own Chinese reason are said as they are.
            message = str(exc.detail) if _is_chinese(str(exc.detail)) else GENERIC[404]
        else:
            message = GENERIC.get(exc.status_code, str(exc.detail))
        auth_header = getattr(exc, "auth_header", None)
        response = Response(body(code, message), status=exc.status_code, headers=headers)
        if exc.status_code == 401:
            response["WWW-Authenticate"] = auth_header or 'Bearer realm="api"'
        return response
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent):
        return Response(body("too_large", TOO_LARGE), status=413)
    if isinstance(exc, SuspiciousOperation):
        logger.warning("API: suspicious request refused: %s", exc)
        return Response(body("parse_error", GENERIC[400]), status=400)
    if database_busy(exc):
        set_rollback()
        logger.warning("API: database busy")
        response = Response(body("busy", BUSY), status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    # Anything else is a defect: logged with its traceback, answered in the one shape.
    logger.exception("API error", exc_info=exc)
    set_rollback()
    return Response(body("server_error", SERVER_ERROR), status=500)


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


SERVER_ERROR = "服务器内部错误，已记录，请稍后再试。"
TOO_LARGE = "请求体过大，超过了本系统接受的大小。"
BUSY = "系统正忙，本次调用没有保存任何内容，请稍后重试。"


def not_found_response(request) -> JsonResponse:
    """An address under ``/api/`` that names no endpoint (``handler404``)."""
    return JsonResponse(
        body("api_not_found", "没有这个接口地址，请对照接口文档（/api/v1/docs/）。"), status=404
    )


def server_error_response(request) -> JsonResponse:
    """An error outside the API's views (``handler500``), in the one shape."""
    return JsonResponse(body("server_error", SERVER_ERROR), status=500)
