"""The roles of DOMAIN §1. Each is a Django group named by its code; the label is for people."""

ROLES: dict[str, str] = {
    "registrar": "登记人员",
    "handler": "承办人",
    "office_head": "政务公开工作机构负责人",
    "legal_reviewer": "法制审核人员",
    "drafter": "拟稿人",
    "drafting_unit_head": "起草单位负责人",
    "secrecy_reviewer": "保密审查人员",
    "admin": "系统管理员",
}

#: The roles that handle information requests (DOMAIN §1, §3.1) and so may read a case with the
#: applicant's personal data: its pages, lists, tasks, uploads and letters. Others (drafters, unit
#: heads, the secrecy reviewer) see of a case only what a document's attribute needs, never the
#: applicant (PIPL Art. 6: the minimum necessary).
REQUEST_ROLES: frozenset[str] = frozenset(
    {"registrar", "handler", "office_head", "legal_reviewer", "admin"}
)

#: Model permissions of the engine each role holds (later apps add their own in migrations).
ROLE_PERMISSIONS: dict[str, list[str]] = {
    "admin": [
        # Their own agencies' accounts (workflow.account_admin); agencies themselves and the
        # State Council calendar are the superusers'.
        "auth.add_user",
        "auth.change_user",
        "auth.view_user",
        "workflow.change_agency",
        "workflow.view_agency",
        "workflow.add_calendaradjustment",
        "workflow.change_calendaradjustment",
        "workflow.delete_calendaradjustment",
        "workflow.view_calendaradjustment",
        "workflow.view_holidayschedule",
        "workflow.view_auditevent",
        # Their own agencies' API clients (workflow.api.admin); never deleted, only revoked.
        "workflow.add_apiclient",
        "workflow.change_apiclient",
        "workflow.view_apiclient",
        # Their agencies' webhooks: endpoints and the delivery log (workflow.webhook_admin).
        "workflow.view_webhookendpoint",
        "workflow.view_webhookdelivery",
    ],
}


def user_roles(user) -> set[str]:
    """The role codes ``user`` holds (all of them for a superuser), read once per user object."""
    cached = getattr(user, "_gongkai_roles", None)
    if cached is None:
        if not getattr(user, "is_authenticated", False):
            cached = set()
        elif user.is_superuser:
            cached = set(ROLES)
        else:
            cached = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user._gongkai_roles = cached
    return cached


def has_role(user, role: str) -> bool:
    """Whether ``user`` holds ``role`` (DOMAIN §1); services check it, not only the pages."""
    return role in user_roles(user)


def has_request_role(user) -> bool:
    """Whether ``user`` holds one of ``REQUEST_ROLES``: the one question before any case data."""
    return bool(user_roles(user) & REQUEST_ROLES)
