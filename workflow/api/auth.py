"""Who calls: ``Authorization: Bearer gk_…``, one client of one agency (``workflow.api.clients``).

A revoked, expired or unknown token, or a call from outside the client's allow-list, is a 401
with the reason in Chinese; the client's user becomes ``request.user`` and the client
``request.auth``, so the services and the audit log see the client as the actor.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from workflow.api.clients import client_of_token, networks
from workflow.models import ApiClient

#: ``last_used_at`` is written at most this often per client (not on every call).
LAST_USED_EVERY = timedelta(minutes=1)


def client_address(request) -> str:
    """The caller's address as the site sees it (behind the proxy: ``REMOTE_ADDR`` is set by the
    web server from the trusted proxy's header, see docs/web-servers.md)."""
    return request.META.get("REMOTE_ADDR", "")


def _allowed(ip, allowed) -> bool:
    if ip is None:
        return False
    # An IPv4 caller seen through an IPv6 socket (``::ffff:10.1.2.3``) is its IPv4 address.
    mapped = getattr(ip, "ipv4_mapped", None)
    return any(ip in net or (mapped is not None and mapped in net) for net in allowed)


class ClientTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        try:
            header = get_authorization_header(request).split()
        except UnicodeError:
            # Not a Latin-1 header (a WSGI server never hands one over; a test client may).
            raise exceptions.AuthenticationFailed("令牌无效。") from None
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Authorization 头应为“Bearer 令牌”，令牌中不能有空格。"
            )
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("令牌无效。") from None
        client = client_of_token(token)
        if client is None:
            raise exceptions.AuthenticationFailed("令牌无效，或已被重新生成。")
        now = timezone.now()
        if client.revoked_at is not None:
            raise exceptions.AuthenticationFailed("该接口客户端已被吊销。")
        if client.expires_at is not None and client.expires_at <= now:
            raise exceptions.AuthenticationFailed("该接口客户端已过有效期。")
        if not client.user.is_active:
            raise exceptions.AuthenticationFailed("该接口客户端的操作账号已停用。")
        address = client_address(request)
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            ip = None
        allowed = networks(client.ip_allow_list)
        if allowed and not _allowed(ip, allowed):
            raise exceptions.AuthenticationFailed(
                f"来源地址 {ip or '未知'} 不在该接口客户端允许的地址范围内。"
            )
        if client.last_used_at is None or now - client.last_used_at >= LAST_USED_EVERY:
            # Written at most once a minute; a concurrent call may write the same again.
            ApiClient.objects.filter(pk=client.pk).update(
                last_used_at=now, last_used_ip=str(ip) if ip else None
            )
        user = client.user
        user._gongkai_api_client = client
        user._gongkai_roles = set()
        return user, client

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


class ClientTokenScheme(OpenApiAuthenticationExtension):
    """The token in the schema: ``Authorization: Bearer gk_…`` (the ``ClientToken`` scheme)."""

    target_class = ClientTokenAuthentication
    name = "ClientToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "gk_…"}
