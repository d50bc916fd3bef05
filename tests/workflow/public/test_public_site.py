"""The public side's frame: its own URL space without staff sessions, its Chinese error pages,
its rate limits and its query codes."""

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import path

from config import urls as config_urls
from workflow.public import codes
from workflow.public.throttle import Throttled, throttle

pytestmark = pytest.mark.django_db


def test_agency_list_and_home(client, agency, other_agency):
    page = client.get("/public/")
    assert page.status_code == 200
    body = page.content.decode()
    assert agency.name in body and other_agency.name in body
    found = client.get("/public/", {"q": agency.name})
    assert agency.name in found.content.decode()
    assert other_agency.name not in found.content.decode()
    home = client.get(f"/public/{agency.code}/")
    assert home.status_code == 200
    assert f"{agency.name}政府信息公开" in home.content.decode()


def test_hostile_search_is_escaped(client, agency):
    page = client.get("/public/", {"q": "<script>alert(1)</script>\x00"})
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.content.decode()


def test_unknown_agency_gets_the_public_404_in_chinese(client):
    page = client.get("/public/no-such-agency/")
    assert page.status_code == 404
    body = page.content.decode()
    assert "没有找到这个机关的公开页面" in body
    assert 'class="site-header"' in body  # the public frame, not the staff lock screen


def test_a_staff_session_is_not_valid_on_the_public_side(client, registrar, agency):
    client.force_login(registrar)
    assert client.get("/").status_code in (200, 302)
    page = client.get(f"/public/{agency.code}/")
    assert page.status_code == 200
    assert page.wsgi_request.user.is_anonymous
    assert settings.SESSION_COOKIE_NAME not in page.cookies
    # The staff session itself is untouched: the colleague is still signed in on the staff side.
    assert client.get("/").wsgi_request.user == registrar


def test_public_pages_carry_the_policy_without_inline_script(client, agency):
    page = client.get(f"/public/{agency.code}/")
    directives = dict(
        part.strip().split(" ", 1) for part in page["Content-Security-Policy"].split(";")
    )
    assert directives["script-src"] == "'self'"
    assert "<script>" not in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"


def throttled_view(request):
    throttle(request, scope="test", limit=2, window=60)
    from django.http import HttpResponse

    return HttpResponse("ok")


urlpatterns = [path("public/throttled/", throttled_view), *config_urls.urlpatterns]


@override_settings(ROOT_URLCONF=__name__)
def test_over_the_limit_is_the_429_page_with_retry_after(client):
    from django.core.cache import cache

    cache.clear()
    assert client.get("/public/throttled/").status_code == 200
    assert client.get("/public/throttled/").status_code == 200
    page = client.get("/public/throttled/")
    assert page.status_code == 429
    assert "操作太频繁" in page.content.decode()
    assert 1 <= int(page["Retry-After"]) <= 61


def test_throttled_counts_minutes_up():
    assert Throttled(61).retry_minutes == 2
    assert Throttled(0).retry_after == 1


def test_query_codes_are_kept_hashed_and_checked_loosely_on_form():
    code = codes.new_query_code()
    assert len(code) == 14 and code.count("-") == 2
    assert not set(code.replace("-", "")) & set("01OIL")
    stored = codes.hash_query_code(code)
    assert code not in stored and codes.normalize(code) not in stored
    assert codes.query_code_matches(stored, code)
    assert codes.query_code_matches(stored, code.lower().replace("-", " "))
    assert not codes.query_code_matches(stored, codes.new_query_code())
    assert not codes.query_code_matches("", code)
    assert not codes.query_code_matches(stored, "")


def test_query_codes_survive_a_key_rotation(settings):
    code = codes.new_query_code()
    stored = codes.hash_query_code(code)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-this-test-only-0123456789"
    assert codes.query_code_matches(stored, code)
    assert codes.hash_query_code(code) != stored


@pytest.mark.parametrize(
    "make_error, status, words",
    [("bad_request", 400, "请求有误"), ("csrf", 403, "页面已经过期"), ("server", 500, "系统出错")],
)
def test_error_pages_in_chinese(client, agency, make_error, status, words):
    from workflow import middleware

    request = client.get(f"/public/{agency.code}/").wsgi_request
    if make_error == "bad_request":
        response = middleware.bad_request(request, Exception())
    elif make_error == "csrf":
        response = middleware.csrf_failure(request)
    else:
        response = middleware.server_error(request)
    assert response.status_code == status
    assert words in response.content.decode()


def test_a_cache_that_is_down_does_not_turn_the_public_side_away(monkeypatch, caplog):
    from workflow.public import throttle as module

    def down(*args, **kwargs):
        raise ConnectionError("cache server unreachable")

    monkeypatch.setattr(module.cache, "add", down)
    assert module.hit(scope="apply", key="1.2.3.4", limit=0, window=60) == 0
    assert "cache is unavailable" in caplog.text


def test_an_agency_cannot_take_a_public_side_address_as_its_code(agency):
    from django.core.exceptions import ValidationError

    agency.code = "captcha"
    with pytest.raises(ValidationError) as error:
        agency.full_clean()
    assert "保留地址" in error.value.message_dict["code"][0]
