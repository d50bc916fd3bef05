"""Every log line names its request: the id (taken from a sane X-Request-ID of the proxy, else
new, and returned in the response), the person and their agency; JSON or plain text."""

import io
import json
import logging
import re

import pytest

from workflow.request_context import (
    ContextFilter,
    JsonFormatter,
    TextFormatter,
    log_context,
    request_id_of,
)

pytestmark = pytest.mark.urls("tests.workflow.logging_urls")

NEW_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def log_lines():
    """The lines the site writes, through the filter and formatter of the settings' handler."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_a_request_logs_json_with_its_id_user_and_agency(client, handler, log_lines):
    client.force_login(handler)

    response = client.get("/page/", headers={"X-Request-ID": "lb-7f3a9c"})

    assert response.status_code == 200
    assert response["X-Request-ID"] == "lb-7f3a9c"
    [line] = [line for line in log_lines() if line["logger"] == "gongkai.test.page"]
    assert line["message"] == "案件已打开"
    assert line["level"] == "INFO"
    assert line["request_id"] == "lb-7f3a9c"
    assert line["user_id"] == handler.pk
    assert line["username"] == "handler"
    assert line["agency"] == "xiaoyi"
    assert line["method"] == "GET" and line["path"] == "/page/"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])


def test_a_person_of_two_agencies_is_logged_with_both(client, handler, other_agency, log_lines):
    other_agency.staff.add(handler)
    client.force_login(handler)

    client.get("/page/")

    [line] = [line for line in log_lines() if line["logger"] == "gongkai.test.page"]
    assert line["agency"] == "fenyang,xiaoyi"


@pytest.mark.django_db
def test_without_an_incoming_id_each_request_gets_a_new_one(client, log_lines):
    first = client.get("/anonymous/")["X-Request-ID"]
    second = client.get("/anonymous/")["X-Request-ID"]

    assert NEW_ID.fullmatch(first) and NEW_ID.fullmatch(second) and first != second
    lines = [line for line in log_lines() if line["logger"] == "gongkai.test.page"]
    assert [line["request_id"] for line in lines] == [first, second]
    assert all("username" not in line and "agency" not in line for line in lines)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "hostile",
    [
        "abc\r\nX-Admin: 1",
        "abc\ndef",
        "x" * 10_000,
        'a"b',
        "with space",
        "<script>",
        "-starts-with-a-dash",
    ],
)
def test_a_hostile_incoming_id_is_replaced(client, log_lines, hostile):
    response = client.get("/anonymous/", headers={"X-Request-ID": hostile})

    replaced = response["X-Request-ID"]
    assert NEW_ID.fullmatch(replaced)
    [line] = [line for line in log_lines() if line["logger"] == "gongkai.test.page"]
    assert line["request_id"] == replaced


def test_ordinary_proxy_ids_are_kept():
    kept = ["7b2c1f0e-4d1a-4c55-9a3e-0d8f2b6c9e11", "Root=1-5f84c7a1-abcdef;Parent=53995c", "a"]
    for raw in kept:
        assert request_id_of(raw) == raw
    assert request_id_of("a" * 129) != "a" * 129


@pytest.mark.django_db
def test_the_not_found_warning_after_the_middleware_names_the_request(client, log_lines):
    response = client.get("/nowhere/", headers={"X-Request-ID": "probe-404"})

    assert response.status_code == 404
    [line] = [line for line in log_lines() if line["logger"] == "django.request"]
    assert line["message"] == "Not Found: /nowhere/"
    assert line["request_id"] == "probe-404"


@pytest.mark.django_db
def test_after_the_request_lines_name_no_request(client, log_lines):
    client.get("/anonymous/")
    logging.getLogger("gongkai.test.after").warning("later")

    [line] = [line for line in log_lines() if line["logger"] == "gongkai.test.after"]
    assert "request_id" not in line


def test_a_job_s_lines_name_the_job(log_lines):
    with log_context(job=42):
        logging.getLogger("gongkai.test.job").warning("gathering")
    logging.getLogger("gongkai.test.job").warning("outside")

    inside, outside = [line for line in log_lines() if line["logger"] == "gongkai.test.job"]
    assert inside["job"] == 42
    assert "job" not in outside


def test_an_exception_stays_on_one_json_line(log_lines):
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        logging.getLogger("gongkai.test.error").exception("failed")

    [line] = [line for line in log_lines() if line["logger"] == "gongkai.test.error"]
    assert "ValueError: bad\nvalue" in line["exception"]


def test_the_plain_format_shows_the_request_id_and_person(client, handler):
    stream = io.StringIO()
    text = logging.StreamHandler(stream)
    text.addFilter(ContextFilter())
    text.setFormatter(TextFormatter())
    logging.getLogger().addHandler(text)
    client.force_login(handler)
    try:
        client.get("/page/", headers={"X-Request-ID": "plain-1"})
    finally:
        logging.getLogger().removeHandler(text)

    [line] = [line for line in stream.getvalue().splitlines() if "gongkai.test.page" in line]
    assert line.endswith(
        "INFO gongkai.test.page [request_id=plain-1 user=handler agency=xiaoyi] 案件已打开"
    )
