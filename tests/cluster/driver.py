"""An HTTP client of the installation, as officers use it: real logins, forms posted with their
CSRF token, one browser session usable on every web server (the sessions are shared)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

import requests

from requests_app.identity import resident_id_check_char

TIMEOUT = 120  # seconds for one request: a loaded machine renders letters slowly


class Officer:
    """One officer's browser: a session cookie that every server accepts."""

    def __init__(self, username: str, password: str):
        self.username = username
        self.password = password
        self.session = requests.Session()

    def twin(self) -> Officer:
        """The same browser session in a second window (a double click, or two tabs): the
        session and CSRF cookies, without the messages waiting to be shown in this one."""
        other = Officer(self.username, self.password)
        for name in ("sessionid", "csrftoken"):
            value = self.session.cookies.get(name)
            if value is not None:
                other.session.cookies.set(name, value)
        return other

    def login(self, server: str) -> None:
        page = self.session.get(f"{server}/accounts/login/", timeout=TIMEOUT)
        assert page.status_code == 200, page.status_code
        response = self.post(
            server,
            "/accounts/login/",
            {"username": self.username, "password": self.password},
            referer=f"{server}/accounts/login/",
        )
        assert response.status_code == 302, (
            f"{self.username}: login refused ({response.status_code})"
        )
        assert "/accounts/login/" not in response.headers["Location"]

    def get(self, server: str, path: str, **kwargs) -> requests.Response:
        return self.session.get(f"{server}{path}", timeout=TIMEOUT, allow_redirects=False, **kwargs)

    def post(
        self, server: str, path: str, data: dict, *, files=None, referer: str = ""
    ) -> requests.Response:
        token = self.session.cookies.get("csrftoken")
        if token is None:  # no page seen yet in this session: one is needed for the token
            self.session.get(f"{server}/accounts/login/", timeout=TIMEOUT)
            token = self.session.cookies.get("csrftoken")
        headers = {"X-CSRFToken": token, "Referer": referer or f"{server}{path}"}
        return self.session.post(
            f"{server}{path}",
            data=data,
            files=files,
            headers=headers,
            timeout=TIMEOUT,
            allow_redirects=False,
        )


@dataclass
class Outcome:
    response: requests.Response | None = None
    error: BaseException | None = None


def at_once(*calls: Callable[[], requests.Response]) -> list[Outcome]:
    """Run ``calls`` on threads of their own, released together; what each got."""
    barrier = threading.Barrier(len(calls))
    outcomes = [Outcome() for _ in calls]

    def run(index: int, call) -> None:
        try:
            barrier.wait(timeout=60)
            outcomes[index].response = call()
        except BaseException as error:  # asserted by the caller
            outcomes[index].error = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT * 2)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    return outcomes


def location(response: requests.Response) -> str:
    """The path (and query) a redirect sends to."""
    parts = urlsplit(response.headers.get("Location", ""))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def resident_id(index: int) -> str:
    """A valid resident ID number of its own for applicant ``index`` (born 1970 + index days)."""
    born = date(1970, 1, 1) + timedelta(days=index)
    first17 = f"140781{born:%Y%m%d}{index % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def registration(agency_id: int, index: int, token: str, today: date) -> dict:
    """The registration form of a walk-in application, as the registrar fills it in."""
    return {
        "agency": str(agency_id),
        "kind": "disclosure",
        "channel": "in_person",
        "arrival_date": today.isoformat(),
        "receipt_date": today.isoformat(),
        "applicant_kind": "person",
        "applicant_name": f"申请人{index:03d}",
        "id_type": "resident_id",
        "id_number": resident_id(index),
        "phone": f"138{index:08d}",
        "email": f"applicant{index}@example.com",
        "description": f"2025年第{index}号老旧小区改造项目的资金拨付明细",
        "form_wanted": "electronic",
        "delivery": "email",
        "token": token,
    }


def step(action: str, **fields) -> dict:
    """A task page's form: the action's button and its fields (prefixed with the action)."""
    return {"_action": action, **{f"{action}-{key}": value for key, value in fields.items()}}
