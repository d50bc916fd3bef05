"""An agency's administrator in the admin site, in the browser: the login is throttled like the
site's, the pages work under the Content Security Policy (the page fixture fails on anything it
blocks), and an officer is added to the agency with a role (issue #10, points 2, 3 and 9)."""

import pytest
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import expect

from workflow.models import AuditEvent
from workflow.roles import ROLE_PERMISSIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _admin_login(page, live_server, username, password):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("input[type=submit]")
    page.wait_for_load_state("networkidle")


def _admin_role_as_migrated():
    """A transactional test before this one flushed the rows the migrations wrote (the roles'
    permissions); give the admin role back what the migrations grant it."""
    group = Group.objects.get_or_create(name="admin")[0]
    for dotted in ROLE_PERMISSIONS["admin"]:
        app_label, codename = dotted.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def test_agency_admin_adds_an_officer_with_a_role(
    page, live_server, admin_user, agency, django_user_model, shot
):
    _admin_role_as_migrated()
    handler_role = Group.objects.get_or_create(name="handler")[0]
    _admin_login(page, live_server, "sysadmin", "pw")
    page.goto(f"{live_server.url}/admin/auth/user/add/")
    page.fill("input[name=username]", "newclerk")
    page.fill("input[name=password1]", "Zq8!long-enough-pass")
    page.fill("input[name=password2]", "Zq8!long-enough-pass")
    # The admin's two-list widgets: choose, then move to the right-hand list.
    page.select_option("#id_agencies_from", label=agency.name)
    page.click("#id_agencies_add")
    page.select_option("#id_groups_from", value=str(handler_role.pk))
    page.click("#id_groups_add")
    shot("1-add")
    page.click("input[name=_save]")
    page.wait_for_load_state("networkidle")
    user = django_user_model.objects.get(username="newclerk")
    assert list(user.agencies.all()) == [agency]
    assert list(user.groups.all()) == [handler_role]
    assert AuditEvent.objects.filter(action="staff_added", actor=admin_user).exists()
    page.goto(f"{live_server.url}/admin/workflow/calendaradjustment/add/")
    choices = page.locator("select[name=agency] option").all_inner_texts()
    assert [c for c in choices if c != "---------"] == [agency.name]  # no "all agencies" either
    shot("2-adjustment")


def test_the_admin_login_locks_after_five_wrong_passwords(page, live_server, admin_user, shot):
    for _ in range(5):
        _admin_login(page, live_server, "sysadmin", "wrong")
    _admin_login(page, live_server, "sysadmin", "pw")
    expect(page.locator("text=登录已暂时锁定").first).to_be_visible()
    shot("locked")
