"""Several web servers (docs/web-servers.md): gunicorn's settings, the PostgreSQL connection pool,
and what the processes share through Redis (a job's progress, sessions).

The Redis tests use ``GONGKAI_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/15``) and skip,
saying why, when no Redis answers there. Each uses its own key prefix and removes its keys."""

import json
import os
import re
import runpy
import subprocess
import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CASES = "/requests/cases/"
REDIS_URL = os.environ.get("GONGKAI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _settings_with(names: list[str], **env) -> dict:
    """The settings' values under the given environment, read in a fresh process."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GONGKAI_", "REDIS_URL", "DATABASE_URL"))
    }
    code = (
        "import json, config.settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}, default=str))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1]}
    return json.loads(out.stdout)


# -- settings ------------------------------------------------------------------------------------

PG = "postgres://gongkai@db.example:5432/gongkai"


def test_the_pool_is_off_by_default():
    database = _settings_with(["DATABASES"], DATABASE_URL=PG)["DATABASES"]["default"]

    assert "pool" not in database.get("OPTIONS", {})
    assert database["CONN_MAX_AGE"] == 60


def test_the_pool_setting_gives_django_its_pool_options():
    database = _settings_with(
        ["DATABASES"],
        DATABASE_URL=PG,
        GONGKAI_DB_POOL="1",
        GONGKAI_DB_POOL_MIN_SIZE="3",
        GONGKAI_DB_POOL_MAX_SIZE="12",
        GONGKAI_DB_POOL_TIMEOUT="7",
    )["DATABASES"]["default"]

    assert database["OPTIONS"]["pool"] == {"min_size": 3, "max_size": 12, "timeout": 7}
    # Django refuses a pool with persistent connections.
    assert database["CONN_MAX_AGE"] == 0
    assert database["CONN_HEALTH_CHECKS"] is True


def test_the_pool_has_sensible_defaults_and_needs_postgresql():
    database = _settings_with(["DATABASES"], DATABASE_URL=PG, GONGKAI_DB_POOL="1")["DATABASES"]
    assert database["default"]["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 8, "timeout": 10}

    refused = _settings_with(["DATABASES"], GONGKAI_DB_POOL="1")
    assert "GONGKAI_DB_POOL needs PostgreSQL" in refused["error"]


def test_redis_is_the_cache_with_a_prefix_and_timeouts():
    cache = _settings_with(["CACHES"], REDIS_URL="redis://cache.example:6379/3")["CACHES"]
    assert cache["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.example:6379/3",
        "KEY_PREFIX": "gongkai",
        "TIMEOUT": 300,
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
    }


def test_sessions_stay_in_the_database_unless_asked_and_need_redis_for_the_cache():
    names = ["SESSION_ENGINE"]
    assert _settings_with(names, REDIS_URL="redis://x:6379/0")["SESSION_ENGINE"] is None
    cached = _settings_with(names, REDIS_URL="redis://x:6379/0", GONGKAI_SESSIONS="cache")
    assert cached["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert (
        "GONGKAI_SESSIONS=cache needs REDIS_URL"
        in _settings_with(names, GONGKAI_SESSIONS="cache")["error"]
    )
    assert "must be db or cache" in _settings_with(names, GONGKAI_SESSIONS="redis")["error"]


def test_the_log_format_chooses_the_formatter():
    def formatter(**env):
        logging = _settings_with(["LOGGING"], **env)["LOGGING"]
        return logging["handlers"]["console"]["formatter"]

    assert formatter() == "text"
    assert formatter(GONGKAI_LOG_FORMAT="json") == "json"
    assert "must be text or json" in _settings_with(["LOGGING"], GONGKAI_LOG_FORMAT="xml")["error"]


# -- gunicorn ------------------------------------------------------------------------------------


def _gunicorn_conf(monkeypatch, **env) -> dict:
    for name in list(os.environ):
        if name.startswith("GUNICORN_") or name == "GONGKAI_UPLOAD_MAX_TOTAL_MB":
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))


def test_gunicorn_defaults_fit_the_largest_upload(monkeypatch):
    conf = _gunicorn_conf(monkeypatch)

    assert conf["bind"] == ["127.0.0.1:8000"]
    assert conf["worker_class"] == "gthread" and conf["threads"] == 4
    assert 3 <= conf["workers"] <= 8
    # 100 MB at about 1 MB/s, plus a minute for the work after it.
    assert conf["timeout"] == 160 and conf["graceful_timeout"] == 160
    assert conf["max_requests"] == 1000 and conf["max_requests_jitter"] == 100
    assert "%({x-request-id}o)s" in conf["access_log_format"]


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    conf = _gunicorn_conf(
        monkeypatch,
        GUNICORN_BIND="0.0.0.0:8080, unix:/run/gongkai.sock",
        GUNICORN_WORKERS="3",
        GUNICORN_THREADS="8",
        GONGKAI_UPLOAD_MAX_TOTAL_MB="500",
        GUNICORN_MAX_REQUESTS="0",
        GUNICORN_FORWARDED_ALLOW_IPS="10.0.0.2",
    )

    assert conf["bind"] == ["0.0.0.0:8080", "unix:/run/gongkai.sock"]
    assert (conf["workers"], conf["threads"]) == (3, 8)
    assert conf["timeout"] == 560
    assert (conf["max_requests"], conf["max_requests_jitter"]) == (0, 0)
    assert conf["forwarded_allow_ips"] == "10.0.0.2"


def test_gunicorn_refuses_a_number_that_is_not_one(monkeypatch):
    with pytest.raises(SystemExit, match="GUNICORN_WORKERS must be a whole number"):
        _gunicorn_conf(monkeypatch, GUNICORN_WORKERS="many")


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_gunicorn_serves_the_site_with_the_request_id_in_its_access_log(tmp_path, log_format):
    """The command of the docs, on a port of its own, with an empty SQLite database."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GONGKAI_", "GUNICORN_", "REDIS_URL", "DATABASE_URL", "CELERY_"))
    }
    env.update(
        GUNICORN_BIND="127.0.0.1:0",
        GUNICORN_WORKERS="2",
        GONGKAI_VAR_DIR=str(tmp_path),
        GUNICORN_ACCESS_LOG=str(tmp_path / "access.log"),
        GUNICORN_ERROR_LOG=str(tmp_path / "error.log"),
        GONGKAI_LOG_FORMAT=log_format,
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
    )
    try:
        port = None
        deadline = time.monotonic() + 90
        while port is None and time.monotonic() < deadline and server.poll() is None:
            log = (tmp_path / "error.log").read_text() if (tmp_path / "error.log").exists() else ""
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log)
            port = int(found.group(1)) if found else None
            if port is None:
                time.sleep(0.2)
        assert port, "gunicorn did not start"
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/healthz", headers={"X-Request-ID": "gunicorn-check-1"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 200
            assert response.headers["X-Request-ID"] == "gunicorn-check-1"
            assert json.loads(response.read())["status"] == "ok"
        # The access log is written after the response is sent.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            access = (tmp_path / "access.log").read_text()
            if "request_id=gunicorn-check-1" in access:
                break
            time.sleep(0.1)
        if log_format == "text":
            assert '"GET /healthz HTTP/1.1" 200' in access
            assert "request_id=gunicorn-check-1" in access
        else:
            [line] = [json.loads(text) for text in access.splitlines()]
            assert '"GET /healthz HTTP/1.1" 200' in line["message"]
            assert line["logger"] == "gunicorn.access"
            assert line["request_id"] == "gunicorn-check-1"
            assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", "200")
            started = json.loads((tmp_path / "error.log").read_text().splitlines()[0])
            assert started["message"].startswith("Starting gunicorn")
    finally:
        server.terminate()
        server.wait(timeout=60)


# -- the PostgreSQL pool -------------------------------------------------------------------------


@pytest.fixture
def pooled_connection():
    """The test database's connection switched to Django's pool for one test."""
    saved = (connection.settings_dict["CONN_MAX_AGE"], dict(connection.settings_dict["OPTIONS"]))
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 0
    connection.settings_dict["OPTIONS"]["pool"] = {"min_size": 1, "max_size": 4, "timeout": 10}
    try:
        yield connection
    finally:
        connection.close()
        connection.close_pool()
        connection.settings_dict["CONN_MAX_AGE"] = saved[0]
        connection.settings_dict["OPTIONS"] = saved[1]


# Skipped before the transactional database is set up (and emptied again) for nothing.
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the connection pool is PostgreSQL's (run with DATABASE_URL=postgres://…)",
)
@pytest.mark.django_db(transaction=True)
def test_pages_are_served_through_the_pool(pooled_connection, live_server, client, handler):
    from django.conf import settings

    client.force_login(handler)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    def fetch(path: str) -> int:
        request = urllib.request.Request(live_server.url + path, headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status

    # The live server's threads, eight requests at once, share a pool of four connections.
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(fetch, [CASES] * 4 + ["/healthz"] * 4))

    assert statuses == [200] * 8
    stats = pooled_connection.pool.get_stats()
    assert stats["pool_max"] == 4
    assert stats["requests_num"] >= 8


# -- Redis: what separate processes share --------------------------------------------------------


@pytest.fixture(scope="module")
def redis_url():
    try:
        import redis
    except ImportError:
        pytest.skip("the redis package is not installed")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis at GONGKAI_TEST_REDIS_URL ({type(error).__name__})")
    return REDIS_URL


@pytest.fixture
def prefix(redis_url):
    import redis

    name = f"gongkai-test-{uuid.uuid4().hex}"
    yield name
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{name}:*"):
        client.delete(key)


def _in_process(code: str, **env) -> str:
    """Run ``code`` in a fresh Django process with the given environment; its standard output."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GONGKAI_", "REDIS_URL", "DATABASE_URL"))
    }
    script = "import django, os\nos.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'\n"
    script += "django.setup()\n" + code
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


REPORT = """
from types import SimpleNamespace
from workflow.jobs import progress_reporter
progress_reporter(SimpleNamespace(pk=4242))(37)
"""

READ = """
from workflow.jobs import progress_of
from workflow.models import Job
print(progress_of(Job(pk=4242, status=Job.Status.RUNNING, total=100)))
"""


def test_a_job_s_progress_reported_in_one_process_is_seen_by_another(redis_url, prefix):
    env = {"REDIS_URL": redis_url, "GONGKAI_CACHE_PREFIX": prefix}

    _in_process(REPORT, **env)

    assert _in_process(READ, **env) == "37"


def test_without_redis_another_process_sees_no_progress():
    # Why several processes need REDIS_URL: the default cache is each process's own.
    _in_process(REPORT)

    assert _in_process(READ) == "None"


def test_the_progress_key_has_the_prefix_and_expires(redis_url, prefix):
    import redis

    _in_process(REPORT, REDIS_URL=redis_url, GONGKAI_CACHE_PREFIX=prefix)

    [key] = redis.Redis.from_url(redis_url).keys(f"{prefix}:*")
    assert key.decode() == f"{prefix}:1:gongkai:job-progress:4242"
    assert 0 < redis.Redis.from_url(redis_url).ttl(key) <= 120 * 60


@pytest.mark.django_db
def test_sessions_in_redis_log_in_and_out(client, settings, handler, redis_url, prefix):
    import redis

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

    login = client.post("/accounts/login/", {"username": "handler", "password": "pw"})
    assert login.status_code == 302
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    keys = [k.decode() for k in redis.Redis.from_url(redis_url).keys(f"{prefix}:*")]
    assert any(key.endswith(session_key) for key in keys)
    assert client.get(CASES).status_code == 200

    client.post("/accounts/logout/")

    assert not redis.Redis.from_url(redis_url).keys(f"{prefix}:*{session_key}")
    assert client.get(CASES).url.startswith("/accounts/login/")
