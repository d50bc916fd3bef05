"""Production security settings (issue #10, point 9): HTTPS and HSTS on when DEBUG is off, a
Content Security Policy without inline scripts, an idle session timeout, sessions that end with
the browser, and no password reset by e-mail where no mail server is configured."""

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import time_machine
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]
NAMES = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_AGE",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    "SESSION_SAVE_EVERY_REQUEST",
    "AXES_IPWARE_META_PRECEDENCE_ORDER",
]


def _settings_with(**env) -> dict:
    """The settings module's values under the given environment, read in a fresh process."""
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    code = (
        "import json, config.settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {NAMES!r}}}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_production_settings_are_https_only():
    values = _settings_with(DEBUG="0", SECRET_KEY="x" * 50)
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31_536_000
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["AXES_IPWARE_META_PRECEDENCE_ORDER"] == ["REMOTE_ADDR"]


def test_https_settings_can_be_overridden_and_a_proxy_named():
    values = _settings_with(
        DEBUG="0",
        SECRET_KEY="x" * 50,
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        GONGKAI_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["AXES_IPWARE_META_PRECEDENCE_ORDER"][0] == "HTTP_X_FORWARDED_FOR"


def test_development_settings_do_not_force_https():
    values = _settings_with(DEBUG="1")
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0


def test_sessions_end_with_the_browser_and_after_thirty_idle_minutes_by_default():
    values = _settings_with(DEBUG="1")
    assert values["SESSION_COOKIE_AGE"] == 30 * 60
    assert values["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
    assert values["SESSION_SAVE_EVERY_REQUEST"] is True
    assert _settings_with(DEBUG="1", GONGKAI_SESSION_IDLE_MINUTES="10")["SESSION_COOKIE_AGE"] == 600


def test_every_page_sends_a_csp_without_inline_scripts(client, handler):
    client.force_login(handler)
    for url in ("/accounts/login/", "/", "/admin/login/"):
        policy = client.get(url)["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]*)", policy).group(1)
        assert script_src.split() == ["'self'"], url


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)
URL_SCRIPT = re.compile(r"href\s*=\s*[\"']\s*javascript:", re.I)


def test_no_template_has_inline_script_that_the_csp_would_block():
    # The CSP allows scripts only from the site's own files: behaviour goes in static/*.js.
    problems = []
    for folder in ("workflow", "requests_app", "attributes_app"):
        for path in (ROOT / folder).rglob("templates/**/*.html"):
            text = path.read_text(encoding="utf-8")
            for pattern in (INLINE_SCRIPT, INLINE_HANDLER, URL_SCRIPT):
                for match in pattern.finditer(text):
                    problems.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert not problems, "\n".join(problems)


def test_an_idle_session_ends_after_the_timeout(client, handler):
    client.force_login(handler)
    start = timezone.now()
    page = "/requests/cases/"
    with time_machine.travel(start + timedelta(minutes=25)):
        assert client.get(page).status_code == 200
    with time_machine.travel(start + timedelta(minutes=50)):  # 25 idle minutes: still in
        response = client.get(page)
        assert response.status_code == 200
        assert response.cookies["sessionid"]["max-age"] == ""  # ends with the browser
    with time_machine.travel(start + timedelta(minutes=81)):  # 31 idle minutes: out
        response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith(django_settings.LOGIN_URL)


def test_without_mail_there_is_no_password_reset(client, settings, handler):
    settings.GONGKAI_PASSWORD_RESET_BY_EMAIL = False
    login = client.get("/accounts/login/").content.decode()
    assert reverse("password_reset") not in login
    assert "忘记密码请联系本机关的系统管理员" in login
    for name in ("password_reset", "password_reset_done", "password_reset_complete"):
        page = client.get(reverse(name))
        assert page.status_code == 404
        assert "联系本机关的系统管理员" in page.content.decode()
    sent = client.post(reverse("password_reset"), {"email": "someone@example.com"})
    assert sent.status_code == 404  # never "a mail was sent"


def test_with_mail_the_reset_link_is_offered(client, settings):
    settings.GONGKAI_PASSWORD_RESET_BY_EMAIL = True
    login = client.get("/accounts/login/").content.decode()
    assert reverse("password_reset") in login
    assert client.get(reverse("password_reset")).status_code == 200
