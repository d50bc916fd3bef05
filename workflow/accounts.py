"""Who works for which agency, in which roles: changes of accounts, each one audited.

``django_admin_log`` only says that a user row was changed; the audit log says what changed in a
person's access (agencies, roles, whether they may log in or open the admin), from what to what,
and is read by the administrators of the agencies concerned.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone

from workflow.audit import audit, audit_bulk, audit_row
from workflow.models import Agency
from workflow.roles import ROLES
from workflow.selectors import agencies_of


@dataclass(frozen=True)
class Access:
    """What a person may reach: the agencies they work for and the roles they hold."""

    agencies: frozenset[int]
    roles: frozenset[str]
    is_active: bool
    is_staff: bool
    is_superuser: bool


def access_of(user) -> Access:
    """The access ``user`` has now, read from the database (not from cached relations)."""
    if user.pk is None:
        return Access(frozenset(), frozenset(), False, False, False)
    return Access(
        agencies=frozenset(Agency.objects.filter(staff=user).values_list("pk", flat=True)),
        roles=frozenset(Group.objects.filter(user=user).values_list("name", flat=True)),
        is_active=user.is_active,
        is_staff=user.is_staff,
        is_superuser=user.is_superuser,
    )


def _roles_text(roles: frozenset[str]) -> str:
    order = list(ROLES)
    ranked = sorted(
        roles, key=lambda code: (order.index(code) if code in ROLES else len(order), code)
    )
    return "、".join(ROLES.get(code, code) for code in ranked) or "（无角色）"


def _flags_text(access: Access) -> str:
    parts = ["可以登录" if access.is_active else "已停用"]
    if access.is_staff:
        parts.append("可进入系统管理")
    if access.is_superuser:
        parts.append("超级用户")
    return "，".join(parts)


def audit_access_change(
    *, actor, user, before: Access | None, after: Access, reason: str = ""
) -> int:
    """Write the audit events of one change of ``user``'s access; return how many.

    ``before`` is None when the account has just been created.
    Joining or leaving an agency is recorded under that agency; a change of roles or of the
    account's flags under every agency the person worked for before or after, so that each
    agency's administrators see it in their own log.
    """
    created = before is None
    if before is None:  # a new account
        before = Access(frozenset(), frozenset(), False, False, False)
    now = timezone.now()
    label = user.get_username()
    common = {"actor": actor, "obj": user, "object_repr": label, "at": now, "reason": reason}
    rows = []
    for agency_id in sorted(after.agencies - before.agencies):
        rows.append(
            audit_row(
                action="staff_added",
                agency=agency_id,
                from_state="",
                to_state="本机关工作人员",
                **common,
            )
        )
    for agency_id in sorted(before.agencies - after.agencies):
        rows.append(
            audit_row(
                action="staff_removed",
                agency=agency_id,
                from_state="本机关工作人员",
                to_state="",
                **common,
            )
        )
    concerned = sorted(before.agencies | after.agencies) or [None]
    if before.roles != after.roles:
        for agency_id in concerned:
            rows.append(
                audit_row(
                    action="roles_changed",
                    agency=agency_id,
                    from_state=_roles_text(before.roles),
                    to_state=_roles_text(after.roles),
                    data={"from": sorted(before.roles), "to": sorted(after.roles)},
                    **common,
                )
            )
    if created or _flags_text(before) != _flags_text(after):
        for agency_id in concerned:
            rows.append(
                audit_row(
                    action="account_created" if created else "account_changed",
                    agency=agency_id,
                    from_state="" if created else _flags_text(before),
                    to_state=_flags_text(after),
                    **common,
                )
            )
    return audit_bulk(rows)


def audit_password_set(*, actor, user) -> int:
    """An administrator set ``user``'s password: recorded under each of the person's agencies."""
    now = timezone.now()
    agencies = sorted(access_of(user).agencies) or [None]
    return audit_bulk(
        audit_row(
            actor=actor,
            action="password_set",
            obj=user,
            object_repr=user.get_username(),
            agency=agency_id,
            to_state="管理员设置了新密码",
            at=now,
        )
        for agency_id in agencies
    )


def audit_role_permissions(*, actor, group, before: set[str], after: set[str]) -> None:
    """A superuser changed what a role (group) may do in the admin and the pages' menus."""
    audit(
        actor=actor,
        action="role_permissions_changed",
        obj=group,
        object_repr=ROLES.get(group.name, group.name),
        from_state="、".join(sorted(before))[:200],
        to_state="、".join(sorted(after))[:200],
        data={"added": sorted(after - before), "removed": sorted(before - after)},
    )


def manageable_users(actor, users: QuerySet) -> QuerySet:
    """The accounts ``actor`` may manage: all for a superuser; for an agency's administrator,
    the accounts that work only for agencies the administrator works for, never a superuser.

    Never an API client's own account (``ApiClient.user``): it is no person's, holds no role
    and no password, and is managed on the client's page (``workflow.api.admin``)."""
    users = users.filter(api_client__isnull=True)
    if actor.is_superuser:
        return users
    mine = list(agencies_of(actor).values_list("pk", flat=True))
    return (
        users.filter(is_superuser=False, agencies__in=mine)
        .exclude(agencies__in=Agency.objects.exclude(pk__in=mine))
        .distinct()
    )


def check_access_grant(*, actor, agencies: set[int], roles: set[str]) -> None:
    """An agency's administrator may grant only the project's roles (``roles``: the ones being
    granted), to people who work only for their own agencies (``agencies``)."""
    if actor.is_superuser:
        return
    mine = set(agencies_of(actor).values_list("pk", flat=True))
    if not agencies or not agencies <= mine:
        raise PermissionDenied("只能管理本机关的工作人员。")
    if not roles <= set(ROLES):
        raise PermissionDenied("只能授予本系统的角色。")
