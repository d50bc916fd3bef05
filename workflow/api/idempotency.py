"""Idempotency keys: every POST carries ``Idempotency-Key`` (any text up to 200 characters the
caller makes unique, e.g. a UUID). The first call with a key runs; a later call with the same key
and the same body gets the first answer again (``Idempotent-Replayed: true``) and changes
nothing; the same key with another body is refused (422 ``idempotency_conflict``), and while the
first call is still running the second waits for it (PostgreSQL) or is told to retry (409).

The key and the answer are kept in the same transaction as what the call changed, so a call that
failed (an error answer, a lost connection) left neither behind and may simply be sent again.
Keys are kept ``GONGKAI_API_IDEMPOTENCY_DAYS`` days (``forget_old_keys``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from workflow.api.errors import ApiError
from workflow.models import IdempotencyRecord

HEADER = "Idempotency-Key"
KEPT_HEADERS = ("Location", "ETag")


def fingerprint(request) -> str:
    """What the call asked: method, path, query and body (for an upload: its fields and each
    file's name, size and SHA-256, without holding the body twice)."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n".encode())
    content_type = request.content_type or ""
    if content_type.startswith("multipart/"):
        for key in sorted(request.data.keys()):
            for value in request.data.getlist(key):
                if hasattr(value, "read"):
                    file_hash = hashlib.sha256()
                    for chunk in value.chunks():
                        file_hash.update(chunk)
                    value.seek(0)
                    digest.update(
                        f"{key}={value.name}:{value.size}:{file_hash.hexdigest()}\n".encode()
                    )
                else:
                    digest.update(f"{key}={value}\n".encode())
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _key(request) -> str:
    key = request.headers.get(HEADER, "").strip()
    if not key:
        raise ApiError(
            428,
            "precondition_required",
            f"新增类的调用（POST）请在 {HEADER} 头中给出本次调用的唯一标识（如 UUID），"
            "重试时沿用同一标识，以免重复登记。",
            {HEADER: ["请填写。"]},
        )
    if len(key) > 200:
        raise ApiError(
            422, "invalid", f"{HEADER} 不能超过 200 个字符。", {HEADER: ["不能超过 200 个字符。"]}
        )
    if not key.isprintable():
        raise ApiError(
            422,
            "invalid",
            f"{HEADER} 中有控制字符，请只用可见字符（如 UUID）。",
            {HEADER: ["有控制字符。"]},
        )
    return key


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(record.body, status=record.status)
    for name, value in record.headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(request, client, run: Callable[[], Response]) -> Response:
    """Run ``run`` once per (client, key); the same answer for a repeated call."""
    key = _key(request)
    print_ = fingerprint(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    client=client,
                    key=key,
                    method=request.method,
                    path=request.path[:500],
                    fingerprint=print_,
                    created_at=timezone.now(),
                )
        except IntegrityError:
            record = None
        if record is None:
            earlier = IdempotencyRecord.objects.filter(client=client, key=key).first()
            if earlier is None or earlier.status is None:
                raise ApiError(
                    409,
                    "idempotency_conflict",
                    f"使用同一 {HEADER} 的调用正在办理，请稍后重试。",
                    headers={"Retry-After": "1"},
                )
            if earlier.fingerprint != print_:
                raise ApiError(
                    422,
                    "idempotency_conflict",
                    f"这个 {HEADER} 已用于另一次内容不同的调用；新的调用请使用新的标识。",
                    {HEADER: ["已用于另一次调用。"]},
                )
            return _replay(earlier)
        response = run()
        if response.status_code >= 400:
            # An error answer keeps nothing: the transaction is rolled back, key and all.
            transaction.set_rollback(True)
            return response
        record.status = response.status_code
        record.body = json.loads(JSONRenderer().render(response.data) or b"null")
        record.headers = {name: response[name] for name in KEPT_HEADERS if name in response}
        record.save(update_fields=["status", "body", "headers"])
        return response


def forget_old_keys(now=None) -> int:
    """Delete the keys older than ``GONGKAI_API_IDEMPOTENCY_DAYS`` days; returns how many."""
    now = now or timezone.now()
    cut = now - timedelta(days=settings.GONGKAI_API_IDEMPOTENCY_DAYS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cut).delete()
    return deleted
