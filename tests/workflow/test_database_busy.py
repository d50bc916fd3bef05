"""A busy database never gives a 500 (issue #10, point 5): the connection waits for the lock, and a
request that still cannot get it is told in Chinese that nothing was saved and to try again."""

import sqlite3

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from workflow.models import Agency

pytestmark = pytest.mark.urls("tests.workflow.busy_urls")


def assert_busy_page(response):
    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "系统繁忙" in page and "没有保存任何内容" in page and "重新提交" in page


def test_sqlite_waits_for_the_lock_before_giving_up():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite only")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["timeout"] >= 20 and options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]


@pytest.mark.django_db
def test_a_locked_database_is_a_503_in_chinese_not_a_500():
    assert_busy_page(Client(raise_request_exception=False).get("/raises/"))


@pytest.mark.django_db
def test_other_database_errors_are_not_taken_for_a_busy_database():
    response = Client(raise_request_exception=False).get("/other/")
    assert response.status_code == 500


@pytest.mark.django_db(transaction=True)
def test_a_write_that_cannot_get_the_lock_held_by_another_connection_is_a_503(monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's database-wide write lock")
    connection.close()
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.2)
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process's long write holds the lock
        assert_busy_page(Client(raise_request_exception=False).get("/writes/"))
        assert not Agency.objects.exists()
    finally:
        other.execute("ROLLBACK")
        other.close()
        connection.close()
    response = Client().get("/writes/")  # the lock released: the same request goes through
    assert response.content == b"saved"
    assert Agency.objects.count() == 1


@pytest.mark.django_db
def test_a_locked_database_met_outside_a_view_is_a_503_too(settings):
    # E.g. the session saved after the view: the error handler looks at the exception as well.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "DatabaseBusy" not in m]
    assert_busy_page(Client(raise_request_exception=False).get("/raises/"))
    assert Client(raise_request_exception=False).get("/other/").status_code == 500
