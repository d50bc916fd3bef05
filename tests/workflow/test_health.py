"""``/healthz`` for load balancers: no login, JSON, 200 when every check passes and 503 naming the
failed check otherwise, without addresses, passwords or exception messages."""

import socket

import pytest
from django.db import OperationalError

from workflow import health

SECRET_TEXT = "connection to server at 10.1.2.3 failed: password=hunter2"


def _broken(*args, **kwargs):
    raise OperationalError(SECRET_TEXT)


def _service_listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.django_db
def test_healthz_answers_ok_without_login(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "storage"}
    for result in body["checks"].values():
        assert result["ok"] is True
        assert isinstance(result["ms"], float) and result["ms"] >= 0


@pytest.mark.django_db
def test_the_storage_probe_leaves_no_file(client, settings):
    assert client.get("/healthz").status_code == 200

    probes = settings.MEDIA_ROOT / "healthz"
    assert not probes.exists() or not any(probes.iterdir())


@pytest.mark.django_db
@pytest.mark.parametrize("check", ["check_database", "check_cache", "check_storage"])
def test_a_failed_check_is_a_503_that_names_it_and_nothing_else(client, monkeypatch, check):
    monkeypatch.setattr(health, check, _broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    name = check.removeprefix("check_")
    assert body["checks"][name] == {"ok": False, "error": "OperationalError", "ms": 0.0} | {
        "ms": body["checks"][name]["ms"]
    }
    assert all(result["ok"] for key, result in body["checks"].items() if key != name)
    text = response.content.decode()
    assert "10.1.2.3" not in text and "hunter2" not in text


@pytest.mark.django_db
def test_the_failure_is_in_the_log_with_its_details(client, monkeypatch, caplog):
    monkeypatch.setattr(health, "check_database", _broken)

    client.get("/healthz")

    failed = [r for r in caplog.records if r.name == "workflow.health"]
    assert failed and failed[0].getMessage() == "health check database failed"
    assert SECRET_TEXT in str(failed[0].exc_info[1])


@pytest.mark.django_db
def test_only_get_and_head(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


@pytest.mark.django_db
def test_an_unreachable_broker_fails_the_check_quickly(client, monkeypatch):
    pytest.importorskip("kombu", reason="kombu (Celery's client library) is not installed")
    # Nothing listens on port 1: refused at once.
    monkeypatch.setenv("CELERY_BROKER_URL", "amqp://guest:secret@127.0.0.1:1//")

    response = client.get("/healthz")

    assert response.status_code == 503
    broker = response.json()["checks"]["broker"]
    assert broker["ok"] is False and broker["ms"] < 10_000
    assert "secret" not in response.content.decode()


@pytest.mark.django_db
def test_a_reachable_broker_passes(client, monkeypatch):
    pytest.importorskip("kombu", reason="kombu (Celery's client library) is not installed")
    if not _service_listening("127.0.0.1", 5672):
        pytest.skip("no RabbitMQ on 127.0.0.1:5672")
    monkeypatch.setenv("CELERY_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")

    response = client.get("/healthz")

    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["broker"]["ok"] is True


def test_without_a_broker_there_is_no_broker_check(monkeypatch):
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)

    assert list(health.checks()) == ["database", "cache", "storage"]
