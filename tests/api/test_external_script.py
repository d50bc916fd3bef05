"""Issue #15, "Done when": an external script, with only the documented API and a token, follows
a request from its online submission to its reply and downloads the letter; pushes a document
from "OA", is refused without its attribute and its reasons, gets it issued and publishes it, the
deadline closing; and receives a signed webhook for each step.

The script is the worked example of docs/api.md (``docs/examples/gongkai_client.py``), run
against a live server over HTTP. What officers do (confirming the submission, deciding the case,
the secrecy review) is done through the services, as the pages do it, never through the API.
Webhook deliveries are sent by the job runner (``run_queued``), as the worker beside the server
would, to a receiver that checks each signature with the example's ``verify_signature``."""

from __future__ import annotations

import importlib.util
import io
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from attributes_app.models import Document
from attributes_app.services import drafting_unit_save, secrecy_review_record
from requests_app.services import (
    Proposal,
    decision_approve,
    decision_propose,
    decision_record_secrecy_review,
    request_accept,
)
from requests_app.services.submissions import submission_confirm
from tests.api.seeding import PDF, persona
from workflow import jobs
from workflow.api.clients import ClientData, client_create
from workflow.api.scopes import SCOPES

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "gongkai_client.py"
REG = "《中华人民共和国政府信息公开条例》"


def load_example():
    spec = importlib.util.spec_from_file_location("gongkai_client", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


gk = load_example()


class Receiver:
    """The client's own system: an HTTP server (any free port) that keeps each delivery and
    whether its signature checked out with the documented ``verify_signature``."""

    def __init__(self):
        self.secret = ""
        self.deliveries: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                signed = gk.verify_signature(
                    receiver.secret, body, self.headers.get("Gongkai-Signature", "")
                )
                receiver.deliveries.append(
                    {
                        "id": self.headers.get("Gongkai-Event-Id", ""),
                        "type": self.headers.get("Gongkai-Event-Type", ""),
                        "signed": signed,
                        "event": json.loads(body),
                    }
                )
                self.send_response(200 if signed else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/gongkai/events"

    def types(self) -> list[str]:
        jobs.run_queued()  # the worker beside the server sends what is due
        return [d["type"] for d in self.deliveries]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.GONGKAI_JOBS = "queue"
    settings.GONGKAI_WEBHOOK_ALLOW_LOOPBACK = True
    settings.GONGKAI_WEBHOOK_TIMEOUT = 5
    found = Receiver()
    yield found
    found.stop()


@pytest.fixture
def script(live_server, transactional_db, agency, superuser):
    """The example's client with nothing but the server's address and a token the agency's
    administrator made for the OA system (shown once)."""
    _, token = client_create(
        actor=superuser,
        agency=agency,
        data=ClientData(name="办公自动化系统", system_code="oa", scopes=list(SCOPES)),
    )
    api = gk.Gongkai(live_server.url, token)
    yield api
    # A kept-alive connection keeps its server thread, and that thread's database session, open.
    api.session.close()


def test_a_request_followed_from_submission_to_the_downloaded_reply(script, receiver, agency):
    registrar = persona(agency, "registrar", "registrar")
    handler = persona(agency, "handler", "handler")
    office_head = persona(agency, "office_head", "office_head")
    subscribed = script.subscribe(receiver.url)
    receiver.secret = subscribed["secret"]

    submitted = script.submit(
        {
            "applicant_kind": "person",
            "applicant_name": "张明华",
            "id_type": "resident_id",
            "id_number": "11010519491231002X",
            "phone": "13800000000",
            "description": "2025年城区老旧小区改造项目的资金拨付明细",
            "form_wanted": "electronic",
            "delivery": "online",
        },
        external_ref="WEB-2026-7",
    )
    # Art. 31(3): an online application is received when the agency confirms it, not before.
    assert (submitted["status"], submitted["case_id"], submitted["receipt_date"]) == (
        "pending",
        None,
        None,
    )
    assert script.submission_by_ref("WEB-2026-7")["id"] == submitted["id"]

    case = submission_confirm(actor=registrar, submission_id=submitted["id"])
    followed = script.submission(submitted["id"])
    assert followed["status"] == "confirmed"
    assert followed["case_id"] == case.pk
    assert followed["receipt_date"] == timezone.localdate().isoformat()
    detail = script.case(followed["case_id"])
    assert detail["case_number"] == case.case_number
    assert detail["clock"]["due_date"]
    receipt = script.letter(detail, "receipt")
    assert script.download(receipt["pdf_url"]).startswith(b"%PDF-")

    request_accept(actor=handler, case_id=case.pk)
    decision_propose(
        actor=handler,
        case_id=case.pk,
        proposal=Proposal(
            outcome="disclosed",
            articles=[f"{REG}第三十六条第（二）项"],
            provided=["资金拨付明细表"],
            provide_form="electronic",
        ),
    )
    decision_record_secrecy_review(
        actor=office_head, case_id=case.pk, passed=True, opinion="经审查，不涉及国家秘密。"
    )
    decision_approve(actor=office_head, case_id=case.pk)

    detail = script.case(case.pk)
    assert detail["stage"] == "serve"
    assert detail["outcome"] == "disclosed"
    reply = script.letter(detail, "reply")
    pdf = script.download(reply["pdf_url"])
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 1
    assert "答复" in reply["title"]

    types = receiver.types()
    for event in ("request.registered", "request.stage_changed", "request.letter_issued"):
        assert event in types, types
    assert all(d["signed"] for d in receiver.deliveries)
    ids = [d["id"] for d in receiver.deliveries]
    assert len(ids) == len(set(ids)), "each event is delivered once"
    registered = next(d["event"] for d in receiver.deliveries if d["type"] == "request.registered")
    assert registered["id"] == next(
        d["id"] for d in receiver.deliveries if d["type"] == "request.registered"
    )


def test_a_document_from_oa_refused_fixed_issued_and_published(script, receiver, agency):
    admin = persona(agency, "admin", "admin")
    reviewer = persona(agency, "secrecy_reviewer", "secrecy_reviewer")
    unit = drafting_unit_save(actor=admin, agency=agency, name="综合科")
    receiver.secret = script.subscribe(receiver.url)["secret"]
    today = timezone.localdate().isoformat()
    fields = {
        "title": "关于做好2026年冬季供暖工作的通知",
        "number": "孝政办发〔2026〕18号",
        "drafting_unit_id": unit.pk,
        "kind": "other",
        "drafter_name": "王小明",
        "secrecy": "non_secret",
    }

    # 不予发文: issuing without a proposed attribute is refused, with the reason (DOMAIN §4.1).
    with pytest.raises(gk.GongkaiError) as refused:
        script.push("OA-2026-0018", {**fields, "issued_on": today})
    assert (refused.value.status, refused.value.code) == (422, "issue_refused")
    assert "不予发文" in refused.value.message
    assert "未提出公开属性建议" in refused.value.message
    # Not to be published without a written reason: the field is named.
    with pytest.raises(gk.GongkaiError) as refused:
        script.push("OA-2026-0018", {**fields, "attribute": "on_request"})
    assert refused.value.status == 422
    assert "reasons" in refused.value.fields
    assert script.document("OA-2026-0018") is None

    pushed = script.push("OA-2026-0018", {**fields, "attribute": "proactive", "signed_on": today})
    assert pushed["attribute"] == "proactive"
    with_text = script.upload_text(pushed["id"], PDF)
    assert with_text["has_text"] is True
    issued = script.push("OA-2026-0018", {**fields, "attribute": "proactive", "issued_on": today})
    assert issued["issued_on"] == today
    history = script.history(issued["id"])
    assert [row["to_state"] for row in history][-1] == "awaiting_publication"

    obligation = script.publication(issued["id"])
    assert obligation["required"] is True
    assert obligation["due_on"]
    assert obligation["published_on"] is None

    secrecy_review_record(
        actor=reviewer,
        document_id=issued["id"],
        conclusion="cleared",
        opinion="经审查，不涉及国家秘密和工作秘密，同意公开。",
    )
    page = "https://www.xiaoyi.gov.cn/zwgk/2026/1204/18.html"
    published = script.publish(issued["id"], page)
    assert published["published_on"] == today
    assert published["url"] == page
    # The deadline is closed: published in time, nothing overdue any more.
    closed = script.publication(issued["id"])
    assert (closed["published_late"], closed["is_overdue"]) == (False, False)
    assert Document.objects.get(pk=issued["id"]).attribute_state == "published"

    types = receiver.types()
    assert "document.attribute_changed" in types, types
    assert all(d["signed"] for d in receiver.deliveries)
