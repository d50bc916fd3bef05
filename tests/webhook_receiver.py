"""A webhook receiver for the tests: a real HTTP server in a thread (ports 8170-8179) that checks
each POST as a client's system would — the HMAC-SHA256 signature over ``<t>.<body>`` with the
endpoint's secret, a timestamp within five minutes — and does its work once per event id."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer

PORTS = range(8170, 8180)
TOLERANCE = 300  # seconds


@dataclass
class Received:
    event_id: str
    event_type: str
    body: bytes
    signature_ok: bool
    timestamp_ok: bool
    answered: int

    @property
    def event(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers the POSTs with ``answers`` in turn (then 200); ``secret`` is set once known."""

    secret: str = ""
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    #: The events whose work was done (once each, however often they came).
    done: dict[str, int] = field(default_factory=dict)
    server: HTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_port}/gongkai/events"

    def verify(self, header: str, body: bytes) -> tuple[bool, bool]:
        parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
        try:
            stamp = int(parts.get("t", ""))
        except ValueError:
            return False, False
        expected = hmac.new(
            self.secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256
        ).hexdigest()
        return (
            hmac.compare_digest(expected, parts.get("v1", "")),
            abs(time.time() - stamp) <= TOLERANCE,
        )

    def handle(self, request: BaseHTTPRequestHandler) -> int:
        body = request.rfile.read(int(request.headers.get("Content-Length", 0)))
        signature_ok, timestamp_ok = self.verify(request.headers.get("Gongkai-Signature", ""), body)
        event_id = request.headers.get("Gongkai-Event-Id", "")
        if not (signature_ok and timestamp_ok):
            status = 401
        else:
            status = self.answers.pop(0) if self.answers else 200
            if 200 <= status < 300 and event_id not in self.done:
                self.done[event_id] = 1  # an event seen before is acknowledged, not done again
        self.received.append(
            Received(
                event_id=event_id,
                event_type=request.headers.get("Gongkai-Event-Type", ""),
                body=body,
                signature_ok=signature_ok,
                timestamp_ok=timestamp_ok,
                answered=status,
            )
        )
        return status

    def events(self, event_type: str | None = None) -> list[dict]:
        """The events acknowledged (2xx), of ``event_type`` when given."""
        return [
            r.event
            for r in self.received
            if 200 <= r.answered < 300 and event_type in (None, r.event_type)
        ]

    def answers_for(self, event_id: str) -> list[int]:
        return [r.answered for r in self.received if r.event_id == event_id]

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                status = receiver.handle(self)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        for port in PORTS:
            try:
                self.server = HTTPServer(("127.0.0.1", port), Handler)
                break
            except OSError:
                continue
        else:
            raise RuntimeError("no free port in 8170-8179")
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
