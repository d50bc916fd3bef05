"""API clients in the admin (issue #15 §2): an agency's 系统管理员 registers its own agency's
clients (a superuser any agency's); the token is shown once; changes, a new token and revocation
go through the services and are audited; nothing is deleted. A client's own account is no
person's: no password, no page, not in the accounts' admin."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.api.conftest import Caller
from tests.conftest import _persona
from workflow.api.admin import TOKEN_SESSION_KEY
from workflow.api.clients import (
    ClientData,
    client_create,
    client_of_token,
    client_revoke,
    client_update,
    token_rotate,
)
from workflow.models import ApiClient, AuditEvent

pytestmark = pytest.mark.django_db

ADD = "admin:workflow_apiclient_add"
LIST = "admin:workflow_apiclient_changelist"


def url(name: str, client: ApiClient | None = None) -> str:
    return reverse(f"admin:workflow_apiclient_{name}", args=[client.pk] if client else [])


def logged_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def token_on(page) -> str:
    found = re.search(r'id="api-token" value="(gk_[^"]+)"', page.content.decode())
    assert found, page.content.decode()[:3000]
    return found.group(1)


def form(agency, **changes) -> dict:
    return {
        "agency": agency.pk,
        "name": "办公自动化（OA）系统",
        "system_code": "oa",
        "scopes": ["documents:write", "documents:read"],
        "ip_allow_list": "10.1.2.0/24",
        "expires_at_0": "",
        "expires_at_1": "",
        "rate": "600",
        **changes,
    }


@pytest.fixture
def other_admin(django_user_model, other_agency):
    user = _persona(django_user_model, "admin-fenyang", other_agency, "admin")
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def ours(superuser, agency) -> ApiClient:
    client, _ = client_create(
        actor=superuser,
        agency=agency,
        data=ClientData(name="网站内容管理系统", system_code="cms", scopes=["publication:write"]),
    )
    return client


# -- registering: the token once ---------------------------------------------------------------


def test_agency_admin_registers_a_client_and_sees_the_token_once(admin_user, agency):
    browser = logged_in(admin_user)
    response = browser.post(reverse(ADD), form(agency))
    client = ApiClient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("token", client)
    page = browser.get(response["Location"])
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert "只显示这一次" in page.content.decode()
    token = token_on(page)
    assert client_of_token(token) == client
    assert token not in client.token_hash and client.token_hash  # only its digest is kept
    # Not shown again: the page leads back to the client, without the token.
    again = browser.get(url("token", client), follow=True)
    assert token not in again.content.decode()
    assert "令牌只在生成时显示一次" in again.content.decode()
    assert TOKEN_SESSION_KEY not in browser.session
    assert (client.agency, client.created_by, client.scopes) == (
        agency,
        admin_user,
        ["documents:read", "documents:write"],
    )
    event = AuditEvent.objects.get(action="api_client_created")
    assert (event.actor, event.agency, event.object_id) == (admin_user, agency, str(client.pk))


def test_the_token_page_works_with_the_new_token(admin_user, agency):
    browser = logged_in(admin_user)
    page = browser.post(reverse(ADD), form(agency, ip_allow_list=""), follow=True)
    response = Caller(token_on(page)).get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404  # authenticated or not, the address is unknown
    assert client_of_token(token_on(page)).agency == agency


def test_the_add_form_shows_the_services_messages_by_field(admin_user, agency):
    browser = logged_in(admin_user)
    response = browser.post(
        reverse(ADD),
        form(
            agency,
            system_code="OA 系统",
            scopes=[],
            ip_allow_list="10.1.2.0/24\n不是地址",
            rate="0",
            expires_at_0="2020-01-01",
            expires_at_1="00:00:00",
        ),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "系统代码应为" in errors["system_code"][0]
    assert errors["scopes"]  # required
    assert "允许的来源地址应为每行一个" in errors["ip_allow_list"][0]
    assert "有效期应晚于现在" in errors["expires_at"][0]
    assert errors["rate"] == ["每分钟调用上限应在 1 到 100000 之间。"]
    assert not ApiClient.objects.exists()


def test_markup_and_nul_in_the_name_are_refused_or_kept_as_text(admin_user, agency):
    browser = logged_in(admin_user)
    refused = browser.post(reverse(ADD), form(agency, name="OA\x00系统"))
    assert refused.status_code == 200 and not ApiClient.objects.exists()
    assert "U+0000" in str(refused.context["adminform"].form.errors["name"])
    browser.post(reverse(ADD), form(agency, name="<script>alert(1)</script>"))
    page = browser.get(reverse(LIST)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_the_scopes_are_checkboxes_with_their_chinese_labels(admin_user):
    page = logged_in(admin_user).get(reverse(ADD)).content.decode()
    assert page.count('type="checkbox" name="scopes"') == 7
    assert "推送文件（登记、修改、提出公开属性建议" in page


def test_an_agency_admin_registers_only_for_their_own_agency(admin_user, agency, other_agency):
    browser = logged_in(admin_user)
    page = browser.get(reverse(ADD))
    assert other_agency.name not in page.content.decode()
    assert page.context["adminform"].form.initial["agency"] == agency.pk
    response = browser.post(reverse(ADD), form(other_agency))
    assert response.status_code == 200
    assert "agency" in response.context["adminform"].form.errors
    assert not ApiClient.objects.exists()


def test_a_superuser_registers_for_any_agency(superuser, other_agency):
    browser = logged_in(superuser)
    page = browser.post(reverse(ADD), form(other_agency), follow=True)
    assert client_of_token(token_on(page)).agency == other_agency


# -- scoping -----------------------------------------------------------------------------------


def test_another_agencys_admin_sees_nothing_of_our_clients(ours, other_admin):
    browser = logged_in(other_admin)
    listing = browser.get(reverse(LIST)).content.decode()
    assert ours.name not in listing
    for name in ("change", "token", "rotate", "revoke"):
        response = browser.get(url(name, ours))
        assert (response.status_code, response["Location"]) == (302, reverse("admin:index")), name
    for name in ("rotate", "revoke"):
        browser.post(url(name, ours), {"reason": "试图吊销"})
    ours.refresh_from_db()
    assert ours.revoked_at is None
    assert not AuditEvent.objects.filter(action__in=["api_token_rotated", "api_client_revoked"])


def test_lists_show_own_clients_and_a_superuser_all(ours, superuser, admin_user, other_admin):
    theirs, _ = client_create(
        actor=superuser,
        agency=other_admin.agencies.get(),
        data=ClientData(name="汾阳OA", system_code="oa", scopes=["documents:write"]),
    )
    mine = logged_in(admin_user).get(reverse(LIST)).content.decode()
    assert url("change", ours) in mine and url("change", theirs) not in mine
    everything = logged_in(superuser).get(reverse(LIST)).content.decode()
    assert url("change", ours) in everything and url("change", theirs) in everything


def test_an_officer_who_may_open_the_admin_has_no_client_pages(handler, ours):
    handler.is_staff = True
    handler.save()
    browser = logged_in(handler)
    assert browser.get(reverse(LIST)).status_code == 403
    assert browser.get(url("revoke", ours)).status_code == 403
    assert browser.post(url("rotate", ours)).status_code == 403


def test_the_admin_role_may_add_change_and_view_clients_but_not_delete():
    codenames = set(
        Group.objects.get(name="admin")
        .permissions.filter(content_type__model="apiclient")
        .values_list("codename", flat=True)
    )
    assert codenames == {"add_apiclient", "change_apiclient", "view_apiclient"}
    assert Permission.objects.filter(codename="delete_apiclient").exists()


# -- changing, a new token, revoking -----------------------------------------------------------


def test_a_change_goes_through_the_service_and_names_what_changed(admin_user, ours):
    browser = logged_in(admin_user)
    page = browser.get(url("change", ours)).content.decode()
    for fact in ("最近调用时间", "最近调用地址", "登记人", "登记时间", "gk_" + ours.token_prefix):
        assert fact in page, fact
    response = browser.post(
        url("change", ours),
        form(ours.agency, name="网站群", system_code="cms", scopes=["publication:write"]),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    ours.refresh_from_db()
    assert (ours.name, ours.ip_allow_list, ours.agency) == ("网站群", "10.1.2.0/24", ours.agency)
    event = AuditEvent.objects.get(action="api_client_changed")
    assert event.actor == admin_user
    assert event.data["fields"] == ["name", "ip_allow_list"]
    assert event.data["to"]["ip_allow_list"] == "10.1.2.0/24"
    assert ours.user.first_name == "接口：网站群"


def test_an_expired_client_may_be_renamed_keeping_its_expiry(admin_user, ours):
    expired = timezone.now() - timedelta(days=1)
    ApiClient.objects.filter(pk=ours.pk).update(expires_at=expired)
    local = timezone.localtime(expired)
    response = logged_in(admin_user).post(
        url("change", ours),
        form(
            ours.agency,
            name="网站群",
            system_code="cms",
            scopes=["publication:write"],
            expires_at_0=f"{local:%Y-%m-%d}",
            expires_at_1=f"{local:%H:%M:%S}",
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    ours.refresh_from_db()
    assert ours.name == "网站群"


def test_a_new_token_is_shown_once_and_the_old_one_stops(admin_user, agency):
    browser = logged_in(admin_user)
    old = token_on(browser.post(reverse(ADD), form(agency), follow=True))
    client = client_of_token(old)
    confirm = browser.get(url("rotate", client))
    assert "原来的令牌" in confirm.content.decode() and "立即作废" in confirm.content.decode()
    page = browser.post(url("rotate", client), follow=True)
    new = token_on(page)
    assert new != old
    assert client_of_token(old) is None and client_of_token(new) == client
    event = AuditEvent.objects.get(action="api_token_rotated")
    assert (event.actor, event.agency) == (admin_user, agency)


def test_revoking_needs_a_reason_and_is_audited(admin_user, ours):
    browser = logged_in(admin_user)
    change = browser.get(url("change", ours)).content.decode()
    assert url("rotate", ours) in change and url("revoke", ours) in change
    refused = browser.post(url("revoke", ours), {"reason": ""})
    assert refused.status_code == 200 and refused.context["form"].errors["reason"]
    ours.refresh_from_db()
    assert ours.revoked_at is None
    response = browser.post(url("revoke", ours), {"reason": "令牌可能泄露"})
    assert response.status_code == 302
    ours.refresh_from_db()
    assert ours.revoked_at is not None
    event = AuditEvent.objects.get(action="api_client_revoked")
    assert (event.actor, event.reason, event.to_state) == (admin_user, "令牌可能泄露", "已吊销")


def test_a_revoked_client_is_shown_read_only_and_gets_no_new_token(admin_user, ours, superuser):
    client_revoke(actor=superuser, client_id=ours.pk, reason="系统停用")
    browser = logged_in(admin_user)
    page = browser.get(url("change", ours))
    html = page.content.decode()
    assert page.status_code == 200
    assert "已吊销" in html and "吊销时间" in html
    assert url("rotate", ours) not in html and 'name="_save"' not in html
    assert browser.post(url("change", ours), form(ours.agency, name="复活")).status_code == 403
    refused = browser.post(url("rotate", ours), follow=True)
    assert "已被吊销，不能重新生成令牌" in refused.content.decode()
    assert not AuditEvent.objects.filter(action="api_token_rotated").exists()
    assert ApiClient.objects.get(pk=ours.pk).name == "网站内容管理系统"


def test_clients_are_never_deleted(superuser, admin_user, ours):
    for user in (superuser, admin_user):
        browser = logged_in(user)
        delete = reverse("admin:workflow_apiclient_delete", args=[ours.pk])
        assert browser.get(delete).status_code == 403
        assert browser.post(delete, {"post": "yes"}).status_code == 403
        listing = browser.get(reverse(LIST)).content.decode()
        assert "delete_selected" not in listing
    assert ApiClient.objects.filter(pk=ours.pk).exists()


def test_last_use_is_shown(admin_user, ours):
    ApiClient.objects.filter(pk=ours.pk).update(
        last_used_at=timezone.now(), last_used_ip="10.1.2.7"
    )
    assert "10.1.2.7" in logged_in(admin_user).get(url("change", ours)).content.decode()


# -- the client's own account is no person's ---------------------------------------------------


def test_the_clients_account_has_no_password_and_cannot_log_in(ours):
    user = ours.user
    assert not user.has_usable_password()
    for path in ("/accounts/login/", "/admin/login/"):
        browser = Client()
        for password in ("", "!", user.password, "pw"):
            browser.post(path, {"username": user.username, "password": password})
            assert "_auth_user_id" not in browser.session, (path, password)


def test_a_forced_session_of_the_clients_account_opens_no_page(ours, agency):
    browser = logged_in(ours.user)
    for path in ("/", "/admin/", reverse(LIST)):
        response = browser.get(path)
        assert response.status_code == 403, path
        assert "接口客户端的账号不能登录页面" in response.content.decode()
        assert "Content-Security-Policy" in response
        browser = logged_in(ours.user)
    browser.get("/")
    assert "_auth_user_id" not in browser.session  # the session is ended
    assert browser.get("/").status_code == 302  # to the login page


def test_a_person_named_like_a_client_still_uses_the_pages(django_user_model, agency):
    person = _persona(django_user_model, "api-zhang", agency, "registrar")
    response = logged_in(person).get("/")
    assert response.status_code == 302 and "login" not in response["Location"]


def test_the_clients_account_is_not_in_the_accounts_admin(ours, superuser, admin_user):
    for user in (superuser, admin_user):
        browser = logged_in(user)
        listing = browser.get(reverse("admin:auth_user_changelist")).content.decode()
        assert ours.user.username not in listing
        for name in ("auth_user_change", "auth_user_history"):
            response = browser.get(reverse(f"admin:{name}", args=[ours.user.pk]))
            assert response.status_code == 302 and response["Location"] == reverse("admin:index")
        password = browser.post(
            reverse("admin:auth_user_password_change", args=[ours.user.pk]),
            {"password1": "Xk2!pass-word-9", "password2": "Xk2!pass-word-9"},
        )
        assert password.status_code == 404
    ours.user.refresh_from_db()
    assert not ours.user.has_usable_password() and not ours.user.groups.exists()


def test_saving_the_agencys_staff_keeps_the_clients_account(superuser, ours, agency, registrar):
    browser = logged_in(superuser)
    page = browser.get(reverse("admin:workflow_agency_change", args=[agency.pk])).content.decode()
    assert ours.user.username not in page
    data = {
        field.name: getattr(agency, field.name)
        for field in agency._meta.fields
        if field.name not in {"id", "parent"} and getattr(agency, field.name) is not None
    }
    data["staff"] = [registrar.pk]
    response = browser.post(reverse("admin:workflow_agency_change", args=[agency.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert set(agency.staff.all()) == {registrar, ours.user}


# -- the services refuse what the pages do not offer --------------------------------------------


def test_only_the_agencys_admin_or_a_superuser_manages_its_clients(
    ours, other_admin, handler, admin_user, agency
):
    data = ClientData(name="OA", system_code="oa", scopes=["documents:write"])
    for actor in (other_admin, handler, ours.user):
        with pytest.raises(PermissionDenied):
            client_create(actor=actor, agency=agency, data=data)
        with pytest.raises(PermissionDenied):
            client_update(actor=actor, client_id=ours.pk, data=data)
        with pytest.raises(PermissionDenied):
            token_rotate(actor=actor, client_id=ours.pk)
        with pytest.raises(PermissionDenied):
            client_revoke(actor=actor, client_id=ours.pk, reason="越权")
    ours.refresh_from_db()
    assert (ours.name, ours.revoked_at) == ("网站内容管理系统", None)
    assert ApiClient.objects.count() == 1
    client_revoke(actor=admin_user, client_id=ours.pk, reason="停用")


def test_a_revoked_client_is_neither_changed_nor_given_a_token(ours, superuser):
    client_revoke(actor=superuser, client_id=ours.pk, reason="停用")
    data = ClientData(name="复活", system_code="cms", scopes=["publication:write"])
    with pytest.raises(ValidationError, match="已被吊销"):
        client_update(actor=superuser, client_id=ours.pk, data=data)
    with pytest.raises(ValidationError, match="已被吊销"):
        token_rotate(actor=superuser, client_id=ours.pk)
    before = AuditEvent.objects.count()
    client_revoke(actor=superuser, client_id=ours.pk, reason="再次吊销")  # nothing more to do
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"ip_allow_list": "10.0.0.1\x00"}, "ip_allow_list", "U+0000"),
        (
            {"ip_allow_list": "\n".join(f"10.0.{n}.1" for n in range(101))},
            "ip_allow_list",
            "最多100行",
        ),
        ({"scopes": ["documents:write", "admin:all"]}, "scopes", "admin:all"),
        ({"name": "名" * 101}, "name", "不能超过100个字"),
        ({"system_code": "oa\x00"}, "system_code", "系统代码应为"),
    ],
)
def test_the_services_rules_by_field(superuser, agency, changes, field, says):
    values = {"name": "OA", "system_code": "oa", "scopes": ["documents:write"], **changes}
    with pytest.raises(ValidationError) as raised:
        client_create(actor=superuser, agency=agency, data=ClientData(**values))
    assert says in raised.value.message_dict[field][0]
    assert not ApiClient.objects.exists()


def test_a_revocation_reason_with_nul_is_refused(ours, superuser):
    with pytest.raises(ValidationError) as raised:
        client_revoke(actor=superuser, client_id=ours.pk, reason="泄露\x00")
    assert "U+0000" in raised.value.message_dict["reason"][0]
    ours.refresh_from_db()
    assert ours.revoked_at is None
