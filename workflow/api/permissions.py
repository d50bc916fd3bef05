"""Scopes per endpoint: a view names the scope each HTTP method needs (``scopes``); a client
without it gets a 403 naming the scope. Every object is also looked up within the client's own
agency (``ClientView.agency``), so another agency's id is a 404, never its data."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from workflow.api.scopes import SCOPES


class NeedsScope(BasePermission):
    message = "该接口客户端没有这项权限。"

    def has_permission(self, request, view) -> bool:
        client = request.auth
        if client is None or not hasattr(client, "scopes"):
            return False
        needed = view.scope_for(request)
        if needed is None:
            return True
        if needed not in client.scopes:
            what = SCOPES.get(needed)
            self.message = (
                f"该接口客户端没有“{needed}”（{what}）权限。" if what else "该接口不接受这种请求。"
            )
            return False
        return True
