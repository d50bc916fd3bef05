"""Throttling of logins (django-axes): lock an account after a few wrong passwords, and an
address after many, whichever comes first; unlocking is an audited act.

An office's civil servants usually reach the system through one NAT address, so the address
limit is well above the account limit: one person mistyping their password locks only their own
account, while someone trying many accounts from one address is stopped too.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import Sum
from django.template.response import TemplateResponse
from django.utils import timezone

from workflow.audit import audit


def _failures(**lookup) -> int:
    attempts = AccessAttempt.objects.filter(**lookup)
    cool_off = settings.AXES_COOLOFF_TIME
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LoginThrottle(AxesDatabaseHandler):
    """Axes' database handler (shared by every process and server), counting the failures of an
    account and of an address separately, each against its own limit."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        by_account = _failures(username=username) if username else 0
        by_address = _failures(ip_address=request.axes_ip_address)
        if by_address >= settings.GONGKAI_LOGIN_FAILURE_LIMIT_PER_ADDRESS:
            return max(by_account, get_failure_limit(request, credentials))
        return by_account

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        # A successful login clears that account's failures only: colleagues behind the same
        # address logging in must not wipe the address's count of someone else's guesses.
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def login_unlock(*, actor, username: str = "", ip_address: str = "", reason: str = "") -> int:
    """Clear the failed logins of an account (from any address) or of an address; audited.

    Returns how many records of failures were cleared."""
    if not (username or ip_address):
        raise ValueError("login_unlock needs a username or an address")
    count = reset(username=username or None, ip=ip_address or None)
    target = f"账号 {username}" if username else f"地址 {ip_address}"
    audit(
        actor=actor,
        action="login_unlocked",
        object_type="axes.accessattempt",
        object_id=username or ip_address,
        object_repr=target,
        from_state="登录已锁定" if count else "无失败记录",
        to_state="已解除锁定",
        reason=reason or "解除登录锁定",
        data={"username": username, "ip_address": ip_address, "cleared": count},
    )
    return count


def lockout_response(request, original_response=None, credentials=None):
    """The page shown instead of the login form while an account or address is locked."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = TemplateResponse(
        request,
        "registration/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
    return response.render()
