"""API clients and their tokens: made, shown once, kept hashed, rotated, revoked (audited).

A token reads ``gk_<prefix>_<secret>``: the prefix finds the client (an index, not a secret), the
whole token is compared by its SHA-256 in constant time. Tokens are 256-bit random, so a plain
SHA-256 is the right hash (a slow password hash protects guessable secrets, not random ones).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from workflow.api.scopes import SCOPES
from workflow.audit import audit
from workflow.models import Agency, ApiClient
from workflow.roles import has_role
from workflow.selectors import agencies_of
from workflow.text_input import NUL_MESSAGE, too_long

TOKEN_START = "gk_"
_PREFIX = re.compile(r"[0-9a-f]{12}")
#: At most this many lines in an allow-list (it is read on every call).
MAX_NETWORKS = 100


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    prefix = secrets.token_hex(6)
    return prefix, f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"


@dataclass(kw_only=True)
class ClientData:
    name: str
    system_code: str
    scopes: list[str]
    ip_allow_list: str = ""
    expires_at: datetime | None = None
    rate: int = 600


def networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The allow-list's networks (one address or network a line); ValueError names a bad line."""
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            found.append(ipaddress.ip_network(line, strict=False))
    return found


def client_problems(
    data: ClientData, *, now: datetime, kept_expiry: datetime | None = None
) -> dict[str, str]:
    """What is wrong with ``data``, by field, in Chinese. ``kept_expiry`` is the client's
    current expiry: kept as it is, it need not lie ahead (an expired client may be renamed)."""
    errors: dict[str, str] = {}
    name = data.name.strip()
    if not name:
        errors["name"] = "请填写接入系统的名称。"
    elif "\x00" in name:
        errors["name"] = NUL_MESSAGE.format(label="接入系统名称")
    elif len(name) > 100:
        errors["name"] = too_long("接入系统名称", 100, len(name))
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,39}", data.system_code):
        errors["system_code"] = "系统代码应为 1 至 40 个小写英文字母、数字或连字符，如 oa。"
    unknown = [s for s in data.scopes if s not in SCOPES]
    if unknown:
        errors["scopes"] = "没有这些权限范围：" + "、".join(unknown) + "。"
    elif not data.scopes:
        errors["scopes"] = "请至少选择一项权限范围。"
    if "\x00" in data.ip_allow_list:
        errors["ip_allow_list"] = NUL_MESSAGE.format(label="允许的来源地址")
    elif len(data.ip_allow_list.splitlines()) > MAX_NETWORKS:
        errors["ip_allow_list"] = f"允许的来源地址最多{MAX_NETWORKS}行，请合并为网段。"
    else:
        try:
            networks(data.ip_allow_list)
        except ValueError as error:
            errors["ip_allow_list"] = (
                f"允许的来源地址应为每行一个 IP 地址或网段（如 10.1.2.0/24）：{error}。"
            )
    # The admin's fields hold whole seconds: the same expiry, typed back, is the kept one.
    expiry_changed = (
        kept_expiry is None
        or data.expires_at is None
        or abs(data.expires_at - kept_expiry) >= timedelta(seconds=1)
    )
    if data.expires_at is not None and expiry_changed and data.expires_at <= now:
        errors["expires_at"] = "有效期应晚于现在。"
    if not 1 <= data.rate <= 100_000:
        errors["rate"] = "每分钟调用上限应在 1 到 100000 之间。"
    return errors


def _check_actor(actor, agency_id: int) -> None:
    """Only a superuser, or a 系统管理员 of the client's agency, manages its API clients
    (``actor`` None is the installation itself: a command run by its operator)."""
    if actor is None or actor.is_superuser:
        return
    mine = set(agencies_of(actor).values_list("pk", flat=True))
    if not has_role(actor, "admin") or agency_id not in mine:
        raise PermissionDenied("只能由本机关的系统管理员管理本机关的接口客户端。")


def client_create(*, actor, agency: Agency, data: ClientData) -> tuple[ApiClient, str]:
    """Register a client of ``agency``; returns it and its token (shown once, never again)."""
    _check_actor(actor, agency.pk)
    now = timezone.now()
    errors = client_problems(data, now=now)
    if errors:
        raise ValidationError(errors)
    prefix, token = _new_token()
    with transaction.atomic():
        user = get_user_model().objects.create(
            username=f"api-{prefix}",
            first_name=f"接口：{data.name.strip()}"[:150],
            is_active=True,
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        agency.staff.add(user)
        client = ApiClient.objects.create(
            agency=agency,
            name=data.name.strip(),
            system_code=data.system_code,
            scopes=sorted(set(data.scopes)),
            ip_allow_list=data.ip_allow_list.strip(),
            expires_at=data.expires_at,
            rate=data.rate,
            user=user,
            token_prefix=prefix,
            token_hash=_hash(token),
            created_by=actor,
            created_at=now,
        )
        audit(
            actor=actor,
            action="api_client_created",
            obj=client,
            agency=agency,
            to_state="、".join(client.scopes),
            reason=f"登记接口客户端“{client.name}”",
            at=now,
        )
    return client, token


#: What ``client_update`` changes, with the labels its audit event names them by.
_CHANGEABLE = {
    "name": "名称",
    "system_code": "系统代码",
    "scopes": "权限范围",
    "ip_allow_list": "允许的来源地址",
    "expires_at": "有效期至",
    "rate": "每分钟调用上限",
}
REVOKED_MESSAGE = "该接口客户端已被吊销，不能再修改或重新生成令牌；需要接入时请另行登记。"


def _values(client: ApiClient) -> dict[str, object]:
    return {
        "name": client.name,
        "system_code": client.system_code,
        "scopes": list(client.scopes),
        "ip_allow_list": client.ip_allow_list,
        "expires_at": client.expires_at.isoformat() if client.expires_at else None,
        "rate": client.rate,
    }


def client_update(*, actor, client_id: int, data: ClientData) -> ApiClient:
    """Change a client's name, scopes, allow-list, expiry or rate (its token stays); the audit
    event names each changed field with its old and new value."""
    now = timezone.now()
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client_id)
        _check_actor(actor, client.agency_id)
        if client.revoked_at is not None:
            raise ValidationError(REVOKED_MESSAGE)
        errors = client_problems(data, now=now, kept_expiry=client.expires_at)
        if errors:
            raise ValidationError(errors)
        before = _values(client)
        client.name = data.name.strip()
        client.system_code = data.system_code
        client.scopes = sorted(set(data.scopes))
        client.ip_allow_list = data.ip_allow_list.strip()
        client.expires_at = data.expires_at
        client.rate = data.rate
        client.save()
        after = _values(client)
        changed = [field for field in _CHANGEABLE if before[field] != after[field]]
        if "name" in changed:
            client.user.first_name = f"接口：{client.name}"[:150]
            client.user.save(update_fields=["first_name"])
        if changed:
            audit(
                actor=actor,
                action="api_client_changed",
                obj=client,
                agency=client.agency,
                from_state=", ".join(before["scopes"])[:200],
                to_state=", ".join(after["scopes"])[:200],
                reason=f"修改接口客户端“{client.name}”："
                + "、".join(_CHANGEABLE[field] for field in changed),
                data={
                    "fields": changed,
                    "from": {field: before[field] for field in changed},
                    "to": {field: after[field] for field in changed},
                },
                at=now,
            )
    return client


def token_rotate(*, actor, client_id: int) -> tuple[ApiClient, str]:
    """A new token for the client; the old one stops working at once."""
    now = timezone.now()
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client_id)
        _check_actor(actor, client.agency_id)
        if client.revoked_at is not None:
            raise ValidationError(REVOKED_MESSAGE)
        prefix, token = _new_token()
        client.token_prefix = prefix
        client.token_hash = _hash(token)
        client.save(update_fields=["token_prefix", "token_hash"])
        audit(
            actor=actor,
            action="api_token_rotated",
            obj=client,
            agency=client.agency,
            reason=f"重新生成接口客户端“{client.name}”的令牌，原令牌作废",
            at=now,
        )
    return client, token


def client_revoke(*, actor, client_id: int, reason: str = "") -> ApiClient:
    """Revoke the client: its token stops working at once; the record and its history stay."""
    now = timezone.now()
    if "\x00" in reason:
        raise ValidationError({"reason": NUL_MESSAGE.format(label="吊销理由")})
    if len(reason.strip()) > 200:
        raise ValidationError({"reason": too_long("吊销理由", 200, len(reason.strip()))})
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client_id)
        _check_actor(actor, client.agency_id)
        if client.revoked_at is None:
            client.revoked_at = now
            client.save(update_fields=["revoked_at"])
            audit(
                actor=actor,
                action="api_client_revoked",
                obj=client,
                agency=client.agency,
                from_state="有效",
                to_state="已吊销",
                reason=reason.strip() or f"吊销接口客户端“{client.name}”",
                at=now,
            )
    return client


def client_of_token(token: str) -> ApiClient | None:
    """The client whose token this is (revoked or expired ones too: the caller says why not)."""
    if not token.startswith(TOKEN_START) or len(token) > 200:
        return None
    prefix = token[len(TOKEN_START) :].split("_", 1)[0]
    if not _PREFIX.fullmatch(prefix):
        return None  # never a query with what a stranger typed (a NUL fails on PostgreSQL)
    try:
        # ``get`` on the unique prefix: ``first()`` would add the model's ordering, whose join
        # costs more to build than the lookup takes (this runs on every call).
        client = ApiClient.objects.select_related("agency", "user").get(token_prefix=prefix)
    except ApiClient.DoesNotExist:
        return None
    if not hmac.compare_digest(client.token_hash, _hash(token)):
        return None
    return client


def client_of(user) -> ApiClient | None:
    """The API client ``user`` acts for, or None for a person (read once per user object)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_gongkai_api_client"):
        user._gongkai_api_client = ApiClient.objects.filter(user_id=user.pk).first()
    return user._gongkai_api_client


def has_scope(user, scope: str) -> bool:
    """Whether ``user`` is an API client holding ``scope`` (people hold no scopes)."""
    client = client_of(user)
    return client is not None and scope in client.scopes
