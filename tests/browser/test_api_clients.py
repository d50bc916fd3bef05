"""An agency's administrator registers an API client in the admin, in the browser, under the
Content Security Policy (the page fixture fails on anything it blocks): the token is shown once
in a field to copy, and revoking asks for a reason (issue #15 §2)."""

import pytest

from tests.browser.test_admin_site import _admin_login, _admin_role_as_migrated
from workflow.api.clients import client_of_token
from workflow.models import ApiClient, AuditEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_registers_a_client_copies_the_token_and_revokes_it(
    page, live_server, admin_user, agency, shot
):
    _admin_role_as_migrated()
    _admin_login(page, live_server, "sysadmin", "pw")
    page.goto(f"{live_server.url}/admin/workflow/apiclient/add/")
    page.select_option("select[name=agency]", label=agency.name)
    page.fill("input[name=name]", "办公自动化（OA）系统")
    page.fill("input[name=system_code]", "oa")
    page.check("input[name=scopes][value='documents:write']")
    page.fill("textarea[name=ip_allow_list]", "10.1.2.0/24")
    shot("1-add")
    page.click("input[name=_save]")
    page.wait_for_load_state("networkidle")
    token_field = page.locator("#api-token")
    token = token_field.input_value()
    assert token_field.get_attribute("readonly") is not None
    client = ApiClient.objects.get()
    assert client_of_token(token) == client
    assert "只显示这一次" in page.content()
    shot("2-token")
    page.reload()
    page.wait_for_load_state("networkidle")
    assert token not in page.content()
    page.click("#revoke-client")
    page.fill("textarea[name=reason]", "系统停用")
    shot("3-revoke")
    page.click("#confirm-revoke")
    page.wait_for_load_state("networkidle")
    client.refresh_from_db()
    assert client.revoked_at is not None
    assert AuditEvent.objects.get(action="api_client_revoked").reason == "系统停用"
    shot("4-revoked")
