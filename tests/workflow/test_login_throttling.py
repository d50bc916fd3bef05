"""Login throttling (issue #10, point 3): wrong passwords lock the account after a few tries and
the address after many, on the site's and the admin's login alike; the lock lifts after the
cool-off or when unlocked, and unlocking is audited."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from workflow.models import AuditEvent

SITE = "/accounts/login/"
ADMIN = "/admin/login/"


def _login(path, username, password, ip="10.0.0.1"):
    client = Client(REMOTE_ADDR=ip)
    response = client.post(path, {"username": username, "password": password})
    return response, client


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.GONGKAI_LOGIN_FAILURE_LIMIT_PER_ADDRESS = 30
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    # Many logins: a fast hasher (the personas are made after this fixture).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize("path", [SITE, ADMIN])
def test_five_wrong_passwords_lock_the_account(path, admin_user):
    for _ in range(4):
        response, _ = _login(path, "sysadmin", "wrong")
        assert response.status_code == 200  # the form again, saying the password is wrong
    response, _ = _login(path, "sysadmin", "wrong")
    assert response.status_code == 429
    response, client = _login(path, "sysadmin", "pw")
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录已暂时锁定" in page and "15分钟后再试" in page
    assert not _logged_in(client)


def test_the_account_stays_locked_from_another_address(handler):
    for n in range(5):
        _login(SITE, "handler", "wrong", ip=f"10.0.0.{n + 1}")
    response, client = _login(SITE, "handler", "pw", ip="10.9.9.9")
    assert response.status_code == 429
    assert not _logged_in(client)


def test_colleagues_behind_one_address_are_not_locked_by_one_persons_typos(
    handler, registrar, office_head
):
    # One office NAT: someone's five typos lock their own account, not their colleagues'.
    for _ in range(5):
        _login(SITE, "handler", "wrong")
    response, client = _login(SITE, "registrar", "pw")
    assert response.status_code == 302
    assert _logged_in(client)


def test_many_guesses_from_one_address_lock_the_address(handler, office_head):
    for n in range(30):
        _login(SITE, f"guess{n}", "wrong", ip="10.6.6.6")  # never 5 for one name
    response, client = _login(SITE, "office_head", "pw", ip="10.6.6.6")
    assert response.status_code == 429
    assert not _logged_in(client)
    elsewhere, client = _login(SITE, "office_head", "pw", ip="10.7.7.7")
    assert elsewhere.status_code == 302


def test_the_lock_lifts_after_the_cool_off(handler):
    for _ in range(5):
        _login(SITE, "handler", "wrong")
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response, client = _login(SITE, "handler", "pw")
    assert response.status_code == 302
    assert _logged_in(client)


def test_a_superuser_unlocks_in_the_admin_audited(client, superuser, handler):
    for _ in range(5):
        _login(SITE, "handler", "wrong")
    attempt = AccessAttempt.objects.get(username="handler")
    client.force_login(superuser)
    response = client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "unlock", "_selected_action": [attempt.pk]},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="handler").exists()
    event = AuditEvent.objects.get(action="login_unlocked")
    assert (event.actor, event.object_repr, event.to_state) == (
        superuser,
        "账号 handler",
        "已解除锁定",
    )
    response, _ = _login(SITE, "handler", "pw")
    assert response.status_code == 302


def test_the_unlock_command_is_audited(handler):
    for _ in range(5):
        _login(SITE, "handler", "wrong")
    call_command("unlock_login", username="handler", reason="本人电话确认")
    event = AuditEvent.objects.get(action="login_unlocked")
    assert event.actor is None
    assert event.reason == "本人电话确认"
    response, _ = _login(SITE, "handler", "pw")
    assert response.status_code == 302
