"""Accounts, agencies and the calendar in the admin: an agency's administrator acts only within
their own agencies, grants only the project's roles, and every change of access is audited
(issue #10, point 2; DOMAIN §1)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tests.conftest import _persona, d
from tests.workflow.test_services import _schedule_2027
from workflow.models import AuditEvent, CalendarAdjustment
from workflow.services import calendar_adjustment_save, holiday_schedule_import

PASSWORD = "Zq8!long-enough-pass"


@pytest.fixture
def other_admin(django_user_model, other_agency):
    user = _persona(django_user_model, "admin-fenyang", other_agency, "admin")
    user.is_staff = True
    user.save()
    return user


def _add_user(client, **changes):
    data = {
        "username": "newclerk",
        "usable_password": "true",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "agencies": [],
        "groups": [],
        **changes,
    }
    return client.post(reverse("admin:auth_user_add"), data)


def test_agency_admin_adds_an_officer_to_their_agency_audited(
    client, django_user_model, admin_user, agency
):
    client.force_login(admin_user)
    handler = Group.objects.get(name="handler")
    response = _add_user(client, agencies=[agency.pk], groups=[handler.pk])
    assert response.status_code == 302, response.content.decode()[:2000]
    user = django_user_model.objects.get(username="newclerk")
    assert list(user.agencies.all()) == [agency]
    assert list(user.groups.all()) == [handler]
    assert not user.is_staff and not user.is_superuser
    events = {e.action: e for e in AuditEvent.objects.filter(object_id=str(user.pk))}
    assert set(events) == {"staff_added", "roles_changed", "account_created"}
    assert all(e.actor == admin_user and e.agency == agency for e in events.values())
    assert (events["roles_changed"].from_state, events["roles_changed"].to_state) == (
        "（无角色）",
        "承办人",
    )


def test_agency_admin_cannot_put_anyone_in_another_agency(
    client, django_user_model, admin_user, other_agency
):
    client.force_login(admin_user)
    response = _add_user(client, agencies=[other_agency.pk])
    assert response.status_code == 200
    assert "agencies" in response.context["adminform"].form.errors
    assert not django_user_model.objects.filter(username="newclerk").exists()
    assert not AuditEvent.objects.exists()


def test_agency_admin_must_name_an_agency_for_a_new_account(client, django_user_model, admin_user):
    client.force_login(admin_user)
    response = _add_user(client)
    assert response.status_code == 200
    assert not django_user_model.objects.filter(username="newclerk").exists()


def test_agency_admin_grants_only_the_projects_roles(client, django_user_model, admin_user, agency):
    powerful = Group.objects.create(name="everything")
    powerful.permissions.add(*Permission.objects.all())
    client.force_login(admin_user)
    response = _add_user(client, agencies=[agency.pk], groups=[powerful.pk])
    assert response.status_code == 200
    assert "groups" in response.context["adminform"].form.errors
    assert not django_user_model.objects.filter(username="newclerk").exists()


def _change_data(user, agency, **changes):
    return {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "agencies": [agency.pk],
        "groups": [g.pk for g in user.groups.all()],
        **changes,
    }


def test_agency_admin_cannot_make_a_superuser_or_give_model_permissions(
    client, handler, admin_user, agency
):
    client.force_login(admin_user)
    url = reverse("admin:auth_user_change", args=[handler.pk])
    response = client.post(
        url,
        _change_data(
            handler,
            agency,
            is_superuser="on",
            is_staff="on",
            user_permissions=[Permission.objects.get(codename="add_agency").pk],
        ),
    )
    assert response.status_code == 302
    handler.refresh_from_db()
    assert not handler.is_superuser
    assert not handler.is_staff
    assert not handler.user_permissions.exists()


def test_granting_the_admin_role_opens_the_admin_and_is_audited(
    client, handler, admin_user, agency
):
    client.force_login(admin_user)
    url = reverse("admin:auth_user_change", args=[handler.pk])
    roles = [Group.objects.get(name="handler").pk, Group.objects.get(name="admin").pk]
    assert client.post(url, _change_data(handler, agency, groups=roles)).status_code == 302
    handler.refresh_from_db()
    assert handler.is_staff
    event = AuditEvent.objects.get(action="roles_changed", object_id=str(handler.pk))
    assert (event.actor, event.agency) == (admin_user, agency)
    assert (event.from_state, event.to_state) == ("承办人", "承办人、系统管理员")
    flags = AuditEvent.objects.get(action="account_changed", object_id=str(handler.pk))
    assert (flags.from_state, flags.to_state) == ("可以登录", "可以登录，可进入系统管理")


def test_deactivating_an_account_is_audited(client, handler, admin_user, agency):
    client.force_login(admin_user)
    url = reverse("admin:auth_user_change", args=[handler.pk])
    data = _change_data(handler, agency)
    del data["is_active"]
    assert client.post(url, data).status_code == 302
    handler.refresh_from_db()
    assert not handler.is_active
    event = AuditEvent.objects.get(action="account_changed")
    assert (event.from_state, event.to_state) == ("可以登录", "已停用")


def test_an_officer_of_two_agencies_is_managed_only_by_a_superuser(
    client, handler, admin_user, other_agency
):
    # Roles are the person's in every agency they work for: no single agency decides them.
    other_agency.staff.add(handler)
    client.force_login(admin_user)
    page = client.get(reverse("admin:auth_user_change", args=[handler.pk]))
    assert page.status_code == 302 and page["Location"] == reverse("admin:index")


def test_agency_admin_cannot_add_themselves_to_another_agency(
    client, admin_user, agency, other_agency, outsider
):
    client.force_login(admin_user)
    # Not through the other agency's page: it does not exist for them.
    page = client.post(
        reverse("admin:workflow_agency_change", args=[other_agency.pk]),
        {"name": other_agency.name, "code": other_agency.code, "staff": [admin_user.pk]},
    )
    assert page["Location"] == reverse("admin:index")
    # Nor by editing their own account: the other agency is not a choice.
    own = client.post(
        reverse("admin:auth_user_change", args=[admin_user.pk]),
        _change_data(admin_user, agency, agencies=[agency.pk, other_agency.pk]),
    )
    assert own.status_code == 200
    # Nor by pulling the other agency's officer into their own agency's staff list.
    client.post(
        reverse("admin:workflow_agency_change", args=[agency.pk]),
        {"name": agency.name, "code": agency.code, "staff": [admin_user.pk, outsider.pk]},
    )
    assert list(other_agency.staff.all()) == [outsider]
    assert list(admin_user.agencies.all()) == [agency]
    assert not outsider.agencies.filter(pk=agency.pk).exists()
    assert not AuditEvent.objects.filter(action="staff_added").exists()


def test_superuser_changes_an_agencys_staff_audited(client, superuser, agency, outsider):
    client.force_login(superuser)
    page = client.get(reverse("admin:workflow_agency_change", args=[agency.pk]))
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None and name != "staff"
    }
    data["staff"] = [outsider.pk]
    response = client.post(reverse("admin:workflow_agency_change", args=[agency.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(action="staff_added")
    assert (event.actor, event.agency, event.object_id) == (superuser, agency, str(outsider.pk))
    assert event.to_state == "本机关工作人员"


# -- the calendar: local days are the agency's, the national schedule the installation's ---------


def test_agency_admin_cannot_adjust_the_calendar_of_all_agencies(client, admin_user, other_agency):
    client.force_login(admin_user)
    url = reverse("admin:workflow_calendaradjustment_add")
    for agency_value in ("", other_agency.pk):
        response = client.post(
            url, {"agency": agency_value, "day": "2026-03-04", "kind": "off", "reason": "停电"}
        )
        assert response.status_code == 200
        assert "agency" in response.context["adminform"].form.errors
    assert not CalendarAdjustment.objects.exists()


def test_services_refuse_calendar_changes_beyond_the_actors_agencies(
    admin_user, other_agency, agency
):
    with pytest.raises(PermissionDenied):
        calendar_adjustment_save(
            actor=admin_user, day=d("2026-03-04"), kind="off", reason="x", agency=None
        )
    with pytest.raises(PermissionDenied):
        calendar_adjustment_save(
            actor=admin_user, day=d("2026-03-04"), kind="off", reason="x", agency=other_agency
        )
    with pytest.raises(PermissionDenied):
        holiday_schedule_import(actor=admin_user, schedule=_schedule_2027())
    assert not CalendarAdjustment.objects.exists()
    assert not AuditEvent.objects.exists()


def test_national_adjustment_is_shown_read_only_to_an_agency_admin(client, admin_user, superuser):
    adjustment, _ = calendar_adjustment_save(
        actor=superuser, day=d("2026-03-04"), kind="off", reason="更正", agency=None
    )
    client.force_login(admin_user)
    url = reverse("admin:workflow_calendaradjustment_change", args=[adjustment.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    client.post(url, {"agency": "", "day": "2026-03-05", "kind": "working", "reason": "改"})
    adjustment.refresh_from_db()
    assert (adjustment.day, adjustment.kind) == (d("2026-03-04"), "off")


def test_setting_a_password_in_the_admin_is_audited(client, handler, admin_user, agency):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[handler.pk]),
        {"password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    handler.refresh_from_db()
    assert handler.check_password(PASSWORD)
    event = AuditEvent.objects.get(action="password_set")
    assert (event.actor, event.agency, event.object_id) == (admin_user, agency, str(handler.pk))


def test_changing_what_a_role_may_do_is_audited(client, superuser):
    role = Group.objects.get(name="handler")
    added = Permission.objects.get(codename="view_agency")
    client.force_login(superuser)
    response = client.post(
        reverse("admin:auth_group_change", args=[role.pk]),
        {
            "name": "handler",
            "permissions": [*role.permissions.values_list("pk", flat=True), added.pk],
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="role_permissions_changed")
    assert (event.actor, event.object_repr) == (superuser, "承办人")
    assert event.data["added"] == ["view_agency"]


def test_changing_the_agencys_settings_is_audited(client, admin_user, agency):
    client.force_login(admin_user)
    url = reverse("admin:workflow_agency_change", args=[agency.pk])
    form = client.get(url).context["adminform"].form
    data = {n: v for n, v in form.initial.items() if n in form.fields and v is not None}
    data["office_phone"] = "0358-7654321"
    assert client.post(url, data).status_code == 302
    event = AuditEvent.objects.get(action="agency_changed")
    assert (event.actor, event.agency) == (admin_user, agency)
    assert (event.from_state, event.to_state) == ("联系电话：", "联系电话：0358-7654321")
