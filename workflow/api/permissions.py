"""Scopes per endpoint: a view names the scope each HTTP method needs (``scopes``); a client
without it gets a 403 naming the scope. Every object is also looked up within the client's own
agency (``ClientView.agency``), so another agency's id is a 404, never its data."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from workflow.api.scopes import SCOPES

#: What ``scope_for`` says of a method the view handles but names no scope for: refused.
NO_SCOPE = "__none__"


class NeedsScope(BasePermission):
    message = "该接口客户端没有这项权限。"

    def has_permission(self, request, view) -> bool:
        client = request.auth
        if client is None or not hasattr(client, "scopes"):
            return False
        scope_for = getattr(view, "scope_for", None)
        if scope_for is None:
            # A view that is not a ClientView but left the default permission: nobody.
            return False
        needed = scope_for(request)
        if needed is None:
            return True
        if needed not in SCOPES:  # a method the view names no scope for
            self.message = "该接口不接受这种请求方法。"
            return False
        if needed not in client.scopes:
            if needed in SCOPES:
                self.message = f"该接口客户端没有“{needed}”（{SCOPES[needed]}）权限。"
            else:
                self.message = "该接口不接受这种调用。"
            return False
        return True
