"""A client of the Gongkai API (``/api/v1/``), as an OA vendor or a portal would write it.

Only the documented API and a token (docs/api.md); Python 3.11 and ``requests``. Every POST
carries an ``Idempotency-Key`` that a retry reuses, every update the ``ETag`` it read
(``If-Match``); a 429 waits as ``Retry-After`` says; errors come back as ``GongkaiError`` with
the server's ``code``, Chinese ``message`` and ``fields``.

    export GONGKAI_URL=https://gongkai.example.gov.cn GONGKAI_TOKEN=gk_…
    python gongkai_client.py calendar 2026-10-01
    python gongkai_client.py follow 网申2026-000017      # or a submission id
    python gongkai_client.py letter 123 456 reply.pdf

Webhooks: ``verify_signature(secret, body, header)`` checks a delivery's ``Gongkai-Signature``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import requests


@dataclass
class GongkaiError(Exception):
    """An error answer: ``{"code", "message", "fields"}`` and its HTTP status."""

    status: int
    code: str
    message: str
    fields: dict[str, list[str]] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"


class Gongkai:
    """The API of one Gongkai installation, called with one client's token."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 30, retries: int = 3):
        self.base_url = base_url.rstrip("/") + "/"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.session.headers["Accept"] = "application/json"
        self.timeout = timeout
        self.retries = retries

    # -- the transport: errors, throttling, idempotency keys -------------------------------------

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path.lstrip("/")) if not path.startswith("http") else path

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        """One call; a POST gets an ``Idempotency-Key`` kept across its retries."""
        headers = dict(kwargs.pop("headers", None) or {})
        if method == "POST":
            headers.setdefault("Idempotency-Key", str(uuid.uuid4()))
        for attempt in range(self.retries + 1):
            response = self.session.request(
                method, self.url(path), headers=headers, timeout=self.timeout, **kwargs
            )
            retry = response.status_code == 429 or (
                # The first call with this key is still running: ask again shortly.
                response.status_code == 409 and _code(response) == "idempotency_conflict"
            )
            if not retry or attempt == self.retries:
                break
            time.sleep(float(response.headers.get("Retry-After", "1")))
        if response.status_code >= 400:
            raise _error(response)
        return response

    def get(self, path: str, **params) -> dict:
        return self.call("GET", path, params=params or None).json()

    def pages(self, path: str, **params) -> Iterator[dict]:
        """Every item of a list, page by page (``next`` until null)."""
        page = self.get(path, **params)
        while True:
            yield from page["results"]
            if not page.get("next"):
                return
            page = self.call("GET", page["next"]).json()

    # -- the calendar (public) -------------------------------------------------------------------

    def working_day(self, day: str) -> dict:
        return self.get("api/v1/calendar/day/", date=day)

    def add_working_days(self, start: str, days: int) -> dict:
        return self.get("api/v1/calendar/add/", start=start, days=days)

    # -- requests: online submissions, cases, letters --------------------------------------------

    def submit(self, application: dict, *, external_ref: str = "") -> dict:
        """Hand in an online application. It waits in 网上申请待确认 until a registrar confirms
        it: only then is it received (Art. 31(3)), numbered as a case, and its clock starts."""
        body = {**application, **({"external_ref": external_ref} if external_ref else {})}
        return self.call("POST", "api/v1/submissions/", json=body).json()

    def submission(self, submission_id: int) -> dict:
        return self.get(f"api/v1/submissions/{submission_id}/")

    def submission_by_ref(self, external_ref: str) -> dict | None:
        found = self.get("api/v1/submissions/", external_ref=external_ref)["results"]
        return found[0] if found else None

    def case(self, case_id: int) -> dict:
        """A case: its stage, the clock (due date, days left, paused …), events and letters."""
        return self.get(f"api/v1/requests/{case_id}/")

    def cases(self, **filters) -> Iterator[dict]:
        return self.pages("api/v1/requests/", **filters)

    def download(self, url: str) -> bytes:
        """A letter or an upload by the URL the case gave (``pdf_url``, ``download_url``)."""
        return self.call("GET", url, headers={"Accept": "*/*"}).content

    def letter(self, case: dict, kind: str) -> dict | None:
        """The case's latest letter of ``kind`` (``receipt``, ``reply`` …)."""
        letters = [x for x in case["letters"] if x["letter_kind"] == kind]
        return letters[-1] if letters else None

    # -- documents from OA -----------------------------------------------------------------------

    def document(self, external_id: str) -> tuple[dict, str] | None:
        """The document OA knows as ``external_id`` and its ETag, or None."""
        try:
            response = self.call("GET", f"api/v1/documents/external/{external_id}/")
        except GongkaiError as error:
            if error.status == 404:
                return None
            raise
        return response.json(), response.headers["ETag"]

    def push(self, external_id: str, fields: dict) -> dict:
        """Register or update the document (upsert by OA's id), with the ETag of what we read:
        someone else's change meanwhile is a 412, and we read again and retry once."""
        path = f"api/v1/documents/external/{external_id}/"
        for attempt in range(2):
            found = self.document(external_id)
            headers = {"If-None-Match": "*"} if found is None else {"If-Match": found[1]}
            try:
                return self.call("PUT", path, json=fields, headers=headers).json()
            except GongkaiError as error:
                if error.status not in (409, 412) or attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def upload_text(self, document_id: int, content: bytes, filename: str = "正文.pdf") -> dict:
        """The final text (正式文本) of a document: PDF, OFD, Word …"""
        files = {"file": (filename, content)}
        return self.call("PUT", f"api/v1/documents/{document_id}/text/", files=files).json()

    def history(self, document_id: int) -> list[dict]:
        return self.get(f"api/v1/documents/{document_id}/history/")

    # -- publication (the website's CMS) ---------------------------------------------------------

    def publish(self, document_id: int, url: str, *, channel: str = "portal", on: str = "") -> dict:
        """The document is on the website: its publication deadline closes."""
        body = {"url": url, "channel": channel, **({"published_on": on} if on else {})}
        path = f"api/v1/documents/{document_id}/publication/"
        return self.call("POST", path, json=body).json()

    def withdraw(self, document_id: int, reason: str) -> dict:
        path = f"api/v1/documents/{document_id}/publication/withdrawal/"
        return self.call("POST", path, json={"reason": reason}).json()

    def publication(self, document_id: int) -> dict:
        return self.get(f"api/v1/documents/{document_id}/publication/")

    # -- webhooks --------------------------------------------------------------------------------

    def subscribe(self, url: str, events: list[str] | None = None) -> dict:
        """Register ``url`` for the agency's events; the answer's ``secret`` is shown only now."""
        body = {"url": url, "events": events or []}
        return self.call("POST", "api/v1/webhooks/", json=body).json()


def verify_signature(
    secret: str, body: bytes, header: str, *, tolerance: int = 300, now: float | None = None
) -> bool:
    """Whether a webhook delivery is Gongkai's: ``Gongkai-Signature: t=<unix seconds>,v1=<hex>``
    is HMAC-SHA256 of ``"<t>." + body`` with the endpoint's secret, sent less than
    ``tolerance`` seconds ago (a replayed old delivery is refused)."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), parts.get("v1", ""))


def _code(response: requests.Response) -> str:
    try:
        return response.json().get("code", "")
    except ValueError:
        return ""


def _error(response: requests.Response) -> GongkaiError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    return GongkaiError(
        response.status_code,
        body.get("code", "error"),
        body.get("message", response.reason or ""),
        body.get("fields") or {},
    )


def main(argv: list[str]) -> int:
    api = Gongkai(os.environ["GONGKAI_URL"], os.environ.get("GONGKAI_TOKEN", ""))
    command, *args = argv or ["help"]
    try:
        if command == "calendar":
            print(api.working_day(args[0]))
        elif command == "follow":
            submission = (
                api.submission(int(args[0]))
                if args[0].isdigit()
                else api.submission_by_ref(args[0])
            )
            print(submission)
            if submission and submission.get("case_id"):
                case = api.case(submission["case_id"])
                print(case["stage_label"], case["clock"]["due_date"], case["clock"]["explanation"])
        elif command == "letter":
            case = api.case(int(args[0]))
            letter = next(x for x in case["letters"] if x["id"] == int(args[1]))
            Path(args[2]).write_bytes(api.download(letter["pdf_url"]))
        else:
            print(__doc__)
    except GongkaiError as error:
        print(error, error.fields, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
