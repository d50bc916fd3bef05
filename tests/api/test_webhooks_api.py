"""The webhook endpoints of the API (issue #15 §4): register a URL and get its secret once, read
the delivery log, send a test event to a real receiver that checks its signature; another
client's endpoints are not found; the admin's delivery log and its "重新发送"."""

import json

import pytest
import time_machine
from django.urls import reverse

from tests.api.conftest import Caller
from tests.webhook_receiver import Receiver
from workflow import jobs, webhooks
from workflow.models import AuditEvent, IdempotencyRecord, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db
LIST = "/api/v1/webhooks/"


@pytest.fixture
def receiver(settings):
    settings.GONGKAI_JOBS = "queue"
    settings.GONGKAI_WEBHOOK_ALLOW_LOOPBACK = True
    settings.GONGKAI_WEBHOOK_TIMEOUT = 5
    found = Receiver().start()
    yield found
    found.stop()


@pytest.fixture
def clock():
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False) as traveller:
        yield traveller


def register(api, receiver, events=()):
    response = api.post(LIST, {"url": receiver.url, "events": list(events)})
    assert response.status_code == 201, response.json()
    receiver.secret = response.json()["secret"]
    return response.json()


def test_an_endpoint_is_registered_and_its_secret_shown_once(api, receiver):
    response = api.post(LIST, {"url": receiver.url, "events": ["request.registered"]}, key="k-1")
    assert response.status_code == 201
    made = response.json()
    secret = made["secret"]
    assert secret.startswith("whsec_") and made["secret_hint"] == secret[-4:]
    assert made["events"] == ["request.registered"] and made["active"] is True
    assert response["Location"].endswith(f"/api/v1/webhooks/{made['id']}/")
    listed = api.get(LIST).json()
    assert [e["id"] for e in listed["results"]] == [made["id"]]
    assert "secret" not in listed["results"][0]
    assert "secret" not in api.get(f"{LIST}{made['id']}/").json()
    # A retried call gets the same answer; neither the key's record nor the endpoint keeps it.
    again = api.post(LIST, {"url": receiver.url, "events": ["request.registered"]}, key="k-1")
    assert again.json() == made and again["Idempotent-Replayed"] == "true"
    assert WebhookEndpoint.objects.count() == 1
    assert secret not in json.dumps(IdempotencyRecord.objects.get().body)
    endpoint = WebhookEndpoint.objects.values().get()
    assert all(secret not in str(value) for value in endpoint.values())


def test_a_ping_reaches_the_receiver_signed_and_is_logged(api, receiver, clock):
    endpoint = register(api, receiver, events=["publication.overdue"])
    response = api.post(f"{LIST}{endpoint['id']}/ping/")
    assert response.status_code == 202
    assert response.json()["event_type"] == "ping"
    jobs.run_queued()
    (received,) = receiver.received
    assert received.signature_ok and received.timestamp_ok and received.answered == 200
    assert received.event["type"] == "ping"
    log = api.get(f"{LIST}{endpoint['id']}/deliveries/").json()
    (delivery,) = log["results"]
    assert delivery["event_id"] == received.event_id
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == (
        "delivered",
        1,
        200,
    )
    assert [t["status_code"] for t in delivery["tries"]] == [200]


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"url": "ftp://oa.example.gov.cn/hook"}, "url", "http://"),
        ({"url": "http://169.254.169.254/latest/"}, "url", "链路本地"),
        ({"url": "https://oa.example.gov.cn/\x00"}, "url", "空字符"),
        ({"url": "https://oa.example.gov.cn/" + "a" * 5000}, "url", "500"),
        ({"url": "<script>alert(1)</script>"}, "url", "http://"),
        (
            {"url": "https://oa.example.gov.cn/h", "events": ["request.everything"]},
            "events",
            "没有",
        ),
        ({"url": "https://oa.gov.cn/h", "events": "all"}, "events", ""),
        ({}, "url", ""),
    ],
)
def test_a_wrong_endpoint_is_refused_naming_the_field(api, body, field, says):
    response = api.post(LIST, body)
    assert response.status_code == 422
    error = response.json()
    assert error["code"] == "invalid" and field in error["fields"]
    assert says in " ".join(error["fields"][field])
    assert not WebhookEndpoint.objects.exists()


def test_another_clients_endpoints_are_not_found(api, other_api, make_client, agency, receiver):
    endpoint = register(api, receiver)
    _client, token = make_client(agency, name="网站", system_code="cms")
    same_agency = Caller(token)
    for caller in (other_api, same_agency):
        base = f"{LIST}{endpoint['id']}/"
        assert caller.get(base).status_code == 404
        assert caller.get(f"{base}deliveries/").status_code == 404
        assert caller.post(f"{base}ping/").status_code == 404
        assert caller.delete(base).status_code == 404
        assert caller.get(LIST).json()["results"] == []
    assert api.get(f"{LIST}{2**70}/").status_code == 404
    assert WebhookEndpoint.objects.get().active


def test_managing_webhooks_needs_its_scope_and_a_token(make_client, agency, anonymous):
    _client, token = make_client(agency, scopes=["requests:read"])
    assert Caller(token).get(LIST).status_code == 403
    assert Caller(token).post(LIST, {"url": "https://oa.example.gov.cn/h"}).status_code == 403
    assert anonymous.get(LIST).status_code == 401


def test_a_deleted_endpoint_hears_nothing_more(api, receiver, agency):
    endpoint = register(api, receiver)
    assert api.delete(f"{LIST}{endpoint['id']}/").status_code == 204
    assert api.get(f"{LIST}{endpoint['id']}/").status_code == 404
    assert api.get(LIST).json()["results"] == []
    assert webhooks.emit(agency, "request.registered", {"request_id": 1}) == []
    assert WebhookEndpoint.objects.get().removed_at is not None  # its log stays


def test_the_admin_sees_its_agencys_delivery_log_and_sends_again_with_the_same_id(
    client, admin_user, api, other_api, receiver, agency, other_agency, clock
):
    ours = register(api, receiver)
    api.post(f"{LIST}{ours['id']}/ping/")
    # Nobody listens there: its ping waits for a retry.
    theirs = other_api.post(LIST, {"url": "http://127.0.0.1:8179/nobody"}).json()
    other_api.post(f"{LIST}{theirs['id']}/ping/")
    jobs.run_queued()
    mine = WebhookDelivery.objects.get(endpoint_id=ours["id"])
    other = WebhookDelivery.objects.get(endpoint_id=theirs["id"])
    client.force_login(admin_user)
    page = client.get(reverse("admin:workflow_webhookdelivery_changelist"))
    assert page.status_code == 200
    rows = page.context["cl"].result_list
    assert list(rows) == [mine]
    opened = client.get(reverse("admin:workflow_webhookdelivery_change", args=[other.pk]))
    assert opened.status_code in (302, 404)
    detail = client.get(reverse("admin:workflow_webhookdelivery_change", args=[mine.pk]))
    assert detail.status_code == 200 and "200" in detail.content.decode()
    client.post(
        reverse("admin:workflow_webhookdelivery_changelist"),
        {"action": "resend", "_selected_action": [mine.pk, other.pk]},
    )
    jobs.run_queued()
    # Sent again with the same event id; the receiver acknowledges it and does its work once.
    assert receiver.answers_for(str(mine.event_id)) == [200, 200]
    assert receiver.done == {str(mine.event_id): 1}
    mine.refresh_from_db()
    assert (mine.status, mine.attempts) == ("delivered", 2)
    # Another agency's row is not in our administrator's list, so not sent again by them.
    resent = AuditEvent.objects.filter(action="webhook_resent").values_list("object_id", flat=True)
    assert list(resent) == [str(mine.pk)]
    endpoints = client.get(reverse("admin:workflow_webhookendpoint_changelist"))
    assert list(endpoints.context["cl"].result_list) == [WebhookEndpoint.objects.get(pk=ours["id"])]
