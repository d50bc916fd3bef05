"""Idempotency keys (issue #15 §2): every POST carries ``Idempotency-Key``; the same key with
the same body gets the first answer again and creates nothing; with another body it is refused;
an error answer keeps nothing, so the corrected call may use the same key; keys are forgotten
after ``GONGKAI_API_IDEMPOTENCY_DAYS`` days, daily (``run_dispatcher`` and Celery beat)."""

import io
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tests.api import urls_for_tests
from tests.api.conftest import Caller
from tests.api.urls_for_tests import things
from workflow.api.idempotency import forget_old_keys
from workflow.models import IdempotencyRecord

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.urls_for_tests")]

URL = "/api/v1/test/things/"


def test_the_same_call_again_gets_the_same_answer_and_creates_nothing(api, agency):
    first = api.post(URL, {"title": "关于公布2026年重点工作的通知"}, key="k-1")
    again = api.post(URL, {"title": "关于公布2026年重点工作的通知"}, key="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert things(agency).count() == 1


def test_the_same_key_with_another_body_is_refused(api, agency):
    api.post(URL, {"title": "甲"}, key="k-1")
    response = api.post(URL, {"title": "乙"}, key="k-1")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "idempotency_conflict"
    assert "另一次内容不同的调用" in body["message"]
    assert "Idempotency-Key" in body["fields"]
    assert things(agency).count() == 1


def test_a_post_without_a_key_is_a_428_and_creates_nothing(api, agency):
    response = api.post(URL, {"title": "甲"}, key=None)
    assert response.status_code == 428
    body = response.json()
    assert body["code"] == "precondition_required"
    assert "Idempotency-Key" in body["message"] and "Idempotency-Key" in body["fields"]
    assert things(agency).count() == 0


def test_an_error_answer_keeps_nothing_so_the_corrected_call_may_reuse_the_key(api, agency):
    refused = api.post(URL, {"title": ""}, key="k-1")
    assert refused.status_code == 422
    assert not IdempotencyRecord.objects.exists()
    corrected = api.post(URL, {"title": "改正后的标题"}, key="k-1")
    assert corrected.status_code == 201
    assert "Idempotent-Replayed" not in corrected
    replayed = api.post(URL, {"title": "改正后的标题"}, key="k-1")
    assert replayed["Idempotent-Replayed"] == "true"
    assert things(agency).count() == 1


def test_keys_are_each_clients_own(api, make_client, agency):
    _, token = make_client(agency, name="网站内容管理系统", system_code="cms")
    assert api.post(URL, {"title": "甲"}, key="k-1").status_code == 201
    second = Caller(token).post(URL, {"title": "甲"}, key="k-1")
    assert second.status_code == 201 and "Idempotent-Replayed" not in second
    assert things(agency).count() == 2


def test_an_upload_is_the_same_call_only_with_the_same_file(api, agency):
    def upload(content: bytes, key: str = "k-file"):
        return api.post(
            URL,
            {"title": "正式文本", "file": SimpleUploadedFile("正文.pdf", content)},
            format="multipart",
            key=key,
        )

    first = upload(b"%PDF-1.4 one")
    assert first.status_code == 201
    assert upload(b"%PDF-1.4 one")["Idempotent-Replayed"] == "true"
    assert upload(b"%PDF-1.4 two").json()["code"] == "idempotency_conflict"
    assert things(agency).count() == 1


def test_a_get_needs_no_key(api):
    assert api.get(URL).status_code == 200


# -- forgetting old keys ----------------------------------------------------------------------


def test_keys_older_than_the_keeping_time_are_forgotten(api, agency, settings):
    settings.GONGKAI_API_IDEMPOTENCY_DAYS = 7
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False):
        api.post(URL, {"title": "旧"}, key="old")
    with time_machine.travel("2026-03-08 09:00 +0800", tick=False):
        api.post(URL, {"title": "新"}, key="new")
    with time_machine.travel("2026-03-09 09:00:01 +0800", tick=False):
        assert forget_old_keys() == 1
        assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
        # A forgotten key is a new call.
        again = api.post(URL, {"title": "旧"}, key="old")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert things(agency).count() == 3


def test_the_command_forgets_old_keys(api, settings):
    settings.GONGKAI_API_IDEMPOTENCY_DAYS = 7
    api.post(URL, {"title": "旧"}, key="old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(days=8))
    out = io.StringIO()
    call_command("forget_idempotency_keys", stdout=out)
    assert "已删除1条超过7天的接口幂等记录" in out.getvalue()
    assert not IdempotencyRecord.objects.exists()


def test_the_daily_dispatcher_forgets_old_keys(api):
    api.post(URL, {"title": "旧"}, key="old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(days=30))
    out = io.StringIO()
    call_command("run_dispatcher", "--once", stdout=out)
    assert "接口幂等记录" in out.getvalue()
    assert not IdempotencyRecord.objects.exists()


def test_celery_beat_forgets_old_keys_daily(api):
    from config.celery import app
    from workflow.tasks import forget_idempotency_keys

    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["forget-idempotency-keys"]
    assert entry["task"] == "workflow.forget_idempotency_keys" in app.tasks
    assert entry["schedule"] == crontab(minute=45, hour=0)
    api.post(URL, {"title": "旧"}, key="old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(days=30))
    assert forget_idempotency_keys() == 1


# -- two calls with one key at the same moment (PostgreSQL) ------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the second call waiting on the first's key row is PostgreSQL's unique index lock",
)
def test_two_calls_with_one_key_at_once_create_once(api, agency):
    """The second call's insert of the key waits on the first's uncommitted row; when the first
    commits it finds the answer and replays it."""
    answers: dict[str, object] = {}

    def call(name: str) -> None:
        try:
            answers[name] = Caller(api.token).post(URL, {"title": "同时"}, key="same")
        finally:
            connection.close()

    urls_for_tests.create_started.clear()
    urls_for_tests.create_may_finish.clear()
    try:
        first = threading.Thread(target=call, args=("first",))
        first.start()
        assert urls_for_tests.create_started.wait(timeout=10)
        second = threading.Thread(target=call, args=("second",))
        second.start()
        _wait_for_a_lock_wait()
    finally:
        urls_for_tests.create_may_finish.set()
    first.join(timeout=20)
    second.join(timeout=20)
    a, b = answers["first"], answers["second"]
    assert a.status_code == b.status_code == 201
    assert a.json() == b.json()
    assert b["Idempotent-Replayed"] == "true"
    assert things(agency).count() == 1
    assert IdempotencyRecord.objects.count() == 1


def _wait_for_a_lock_wait() -> None:
    """Until another connection waits for a lock (the second call's insert of the key)."""
    from django.db import connections

    with connections["default"].cursor() as cursor:
        for _ in range(200):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)  # polling for the lock wait, not travelling in time
    raise AssertionError("the second call never waited for the first's key")
