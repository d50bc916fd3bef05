"""Webhooks (issue #15 §4): events from their real sources, signed, sent through the outbound
jobs to a real HTTP receiver, tried again after a failure with the same event id and done once,
never sent for a change rolled back nor to another agency's client."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from attributes_app.services import attribute_propose
from requests_app.management.commands.refresh_deadlines import refresh_open_cases
from requests_app.services import request_accept, request_register
from tests.attributes_app import conftest as documents
from tests.attributes_app.helpers import issued
from tests.conftest import walk_in_registration
from tests.webhook_receiver import Receiver
from workflow import jobs, webhooks
from workflow.api.clients import ClientData, client_create, client_revoke
from workflow.api.scopes import SCOPES
from workflow.models import ApiClient, Job, WebhookDelivery

pytestmark = pytest.mark.django_db
RECEIVED = date(2026, 3, 2)  # a Monday: the Art. 33 due date is 2026-03-30

# The document register's personas and drafts (tests/attributes_app/conftest.py).
draft, drafter, unit, unit_head = (
    documents.draft,
    documents.drafter,
    documents.unit,
    documents.unit_head,
)


@pytest.fixture
def clock():
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False) as traveller:
        yield traveller


def _receiver(settings):
    settings.GONGKAI_JOBS = "queue"  # sent by ``deliver()``, in the test's thread
    settings.GONGKAI_WEBHOOK_ALLOW_LOOPBACK = True
    settings.GONGKAI_WEBHOOK_TIMEOUT = 5
    return Receiver().start()


@pytest.fixture
def receiver(settings):
    found = _receiver(settings)
    yield found
    found.stop()


@pytest.fixture
def other_receiver(settings):
    found = _receiver(settings)
    yield found
    found.stop()


def subscribe(receiver, agency, actor, *, events=(), scopes=None, name="办公自动化系统"):
    """A client of ``agency`` whose endpoint is ``receiver`` (which learns the secret)."""
    data = ClientData(
        name=name, system_code="oa", scopes=list(SCOPES) if scopes is None else scopes
    )
    client, _token = client_create(actor=actor, agency=agency, data=data)
    endpoint, secret = webhooks.endpoint_create(
        actor=actor, client=client, url=receiver.url, events=list(events)
    )
    receiver.secret = secret
    return endpoint


def deliver() -> None:
    jobs.run_queued()


def register(registrar, agency, walk_in):
    return request_register(actor=registrar, agency=agency, data=walk_in(), today=RECEIVED)


# -- signing, retries, exactly once --------------------------------------------------------------


def test_a_registered_case_is_told_signed_and_without_the_applicant(
    clock, receiver, agency, registrar, superuser, walk_in
):
    subscribe(receiver, agency, superuser)
    case = register(registrar, agency, walk_in)
    deliver()
    assert {r.event_type for r in receiver.received} == {
        "request.registered",
        "request.letter_issued",  # the receipt (回执)
    }
    for received in receiver.received:
        assert received.signature_ok and received.timestamp_ok
        assert received.event_id == received.event["id"]
        # No applicant's personal data leaves in an event (PIPL Art. 6).
        for personal in ("张明华", "11010519491231002X", "13800000000", "zhang@example.com"):
            assert personal.encode() not in received.body
    (event,) = receiver.events("request.registered")
    assert event["agency"]["code"] == agency.code
    assert event["data"]["case_number"] == case.case_number
    assert event["data"]["stage"] == {"code": "accept", "label": "受理审查"}
    assert event["data"]["receipt_date"] == "2026-03-02"
    (letter,) = receiver.events("request.letter_issued")
    assert letter["data"]["letter"]["kind"] == "receipt"
    assert WebhookDelivery.objects.filter(status="delivered").count() == 2
    deliver()  # delivered events are never sent again
    assert len(receiver.received) == 2


def test_a_failed_answer_is_sent_again_with_the_same_event_id_and_done_once(
    clock, receiver, agency, superuser
):
    subscribe(receiver, agency, superuser)
    receiver.answers = [500]
    with transaction.atomic():
        (delivery,) = webhooks.emit(agency, "request.registered", {"request_id": 1})
    deliver()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    clock.shift(59)
    deliver()  # the back-off (60 s) has not passed
    assert len(receiver.received) == 1
    clock.shift(1)
    deliver()
    clock.shift(3600)
    deliver()
    event_id = str(delivery.event_id)
    assert receiver.answers_for(event_id) == [500, 200]
    assert receiver.done == {event_id: 1}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)
    assert [t.status_code for t in delivery.tries.all()] == [500, 200]
    assert Job.objects.get().status == "done"


def test_a_refusal_is_not_tried_again_and_gone_switches_the_endpoint_off(
    clock, receiver, agency, superuser
):
    endpoint = subscribe(receiver, agency, superuser)
    receiver.answers = [400, 410]
    with transaction.atomic():
        refused, gone = (
            webhooks.emit(agency, "request.registered", {"request_id": n})[0] for n in (1, 2)
        )
    deliver()
    clock.shift(3600)
    deliver()
    refused.refresh_from_db()
    gone.refresh_from_db()
    endpoint.refresh_from_db()
    assert (refused.status, refused.attempts, refused.last_status_code) == ("failed", 1, 400)
    assert (gone.status, gone.last_status_code) == ("failed", 410)
    assert not endpoint.active and "410" in endpoint.inactive_reason
    with transaction.atomic():
        assert webhooks.emit(agency, "request.registered", {"request_id": 3}) == []


def test_no_answer_is_tried_again_until_the_last_try(settings, clock, agency, superuser):
    settings.GONGKAI_JOBS = "queue"
    settings.GONGKAI_WEBHOOK_ALLOW_LOOPBACK = True
    settings.GONGKAI_WEBHOOK_ATTEMPTS = 2
    closed = Receiver().start()
    url = closed.url
    closed.stop()  # nobody listens there any more: connection refused
    client, _ = client_create(
        actor=superuser,
        agency=agency,
        data=ClientData(name="OA", system_code="oa", scopes=["requests:read"]),
    )
    webhooks.endpoint_create(actor=superuser, client=client, url=url, events=[])
    with transaction.atomic():
        (delivery,) = webhooks.emit(agency, "request.registered", {"request_id": 1})
    deliver()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert "Connection" in delivery.last_error
    clock.shift(60)
    deliver()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    assert Job.objects.get().status == "failed"


def test_a_change_rolled_back_tells_nothing(clock, receiver, agency, registrar, superuser, walk_in):
    subscribe(receiver, agency, superuser)
    with pytest.raises(RuntimeError), transaction.atomic():
        register(registrar, agency, walk_in)
        assert WebhookDelivery.objects.count() == 2  # recorded in the change's transaction
        raise RuntimeError("the step fails after registering")
    assert not WebhookDelivery.objects.exists()
    assert not Job.objects.exists()
    deliver()
    assert receiver.received == []


# -- each event from its real source -------------------------------------------------------------


def test_a_stage_change_is_told(clock, receiver, agency, registrar, handler, superuser, walk_in):
    case = register(registrar, agency, walk_in)
    subscribe(receiver, agency, superuser, events=["request.stage_changed"])
    request_accept(actor=handler, case_id=case.pk, today=RECEIVED)
    deliver()
    (event,) = receiver.events()
    assert event["type"] == "request.stage_changed"
    data = event["data"]
    assert (data["request_id"], data["case_number"]) == (case.pk, case.case_number)
    assert data["from_stage"] == {"code": "accept", "label": "受理审查"}
    assert data["to_stage"] == {"code": "propose", "label": "提出办理意见"}
    assert data["action"] == {"code": "request_accepted", "label": "受理"}


def test_deadline_at_risk_and_overdue_are_told_once_by_the_daily_refresh(
    clock, receiver, agency, registrar, handler, superuser, walk_in
):
    subscribe(
        receiver,
        agency,
        superuser,
        events=["request.deadline_at_risk", "request.deadline_overdue"],
    )
    case = register(registrar, agency, walk_in)
    request_accept(actor=handler, case_id=case.pk, today=RECEIVED)
    refresh_open_cases()
    deliver()
    assert receiver.received == []  # 20 working days left (Art. 33)
    clock.move_to("2026-03-26 09:00 +0800")  # 2 working days before 2026-03-30
    refresh_open_cases()
    refresh_open_cases()  # the next day's run (or a second one) does not tell it again
    deliver()
    (at_risk,) = receiver.events()
    assert at_risk["type"] == "request.deadline_at_risk"
    assert at_risk["data"]["due_date"] == "2026-03-30"
    clock.move_to("2026-03-31 09:00 +0800")
    refresh_open_cases()
    refresh_open_cases()
    deliver()
    assert [e["type"] for e in receiver.events()] == [
        "request.deadline_at_risk",
        "request.deadline_overdue",
    ]
    assert receiver.events()[1]["data"]["case_number"] == case.case_number


def test_an_attribute_change_is_told(clock, receiver, agency, superuser, draft, drafter):
    subscribe(receiver, agency, superuser, events=["document.attribute_changed"])
    document = draft()
    attribute_propose(actor=drafter, document_id=document.pk, attribute="proactive")
    deliver()
    (event,) = receiver.events()
    data = event["data"]
    assert (data["document_id"], data["title"]) == (document.pk, document.title)
    assert data["from_state"]["code"] == "undetermined"
    assert data["to_state"]["code"] == "proposed"
    assert data["to_attribute"] == {"code": "proactive", "label": "主动公开"}


def test_an_overdue_publication_is_told_once(
    clock, receiver, agency, superuser, draft, drafter, unit_head
):
    subscribe(receiver, agency, superuser, events=["publication.overdue"])
    document = issued(draft(), drafter=drafter, head=unit_head)  # due 2026-03-30 (Art. 26)
    call_command("sweep_leftovers", stdout=open("/dev/null", "w"))  # noqa: SIM115
    deliver()
    assert receiver.received == []
    clock.move_to("2026-04-01 09:00 +0800")
    for _ in range(2):
        call_command("sweep_leftovers", stdout=open("/dev/null", "w"))  # noqa: SIM115
    deliver()
    (event,) = receiver.events()
    assert event["type"] == "publication.overdue"
    assert event["data"]["document_id"] == document.pk
    assert event["data"]["due_on"] == "2026-03-30"


# -- who hears what ------------------------------------------------------------------------------


def test_another_agencys_client_never_hears_our_events(
    clock, receiver, other_receiver, agency, other_agency, registrar, superuser, walk_in
):
    subscribe(receiver, agency, superuser)
    theirs = subscribe(other_receiver, other_agency, superuser, name="汾阳OA")
    register(registrar, agency, walk_in)
    deliver()
    assert len(receiver.events()) == 2
    assert other_receiver.received == []
    assert not WebhookDelivery.objects.filter(endpoint=theirs).exists()


def test_revoked_or_expired_clients_and_clients_that_may_not_read_cases_hear_nothing(
    clock, receiver, agency, registrar, superuser, walk_in
):
    revoked = subscribe(receiver, agency, superuser, name="旧OA")
    client_revoke(actor=superuser, client_id=revoked.client_id)
    subscribe(receiver, agency, superuser, name="文件系统", scopes=["documents:read"])
    expiring = subscribe(receiver, agency, superuser, name="试用OA")
    ApiClient.objects.filter(pk=expiring.client_id).update(
        expires_at=timezone.now() + timedelta(days=1)
    )
    clock.shift(timedelta(days=2))
    listening = subscribe(receiver, agency, superuser, name="办公自动化系统")
    register(registrar, agency, walk_in)
    deliver()
    assert {d.endpoint_id for d in WebhookDelivery.objects.all()} == {listening.pk}
    assert len(receiver.events()) == 2


# -- where events may go -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("http://169.254.169.254/latest/meta-data/", "链路本地"),
        ("http://100.100.100.200/latest/meta-data/", "元数据"),
        ("http://[fe80::1]/hook", "链路本地"),
        ("http://127.0.0.1:8170/hook", "本机"),
        ("http://localhost/hook", "本机"),
        ("http://[::ffff:127.0.0.1]/hook", "本机"),
        ("http://0.0.0.0/hook", "保留"),
        ("ftp://oa.example.gov.cn/hook", "http"),
        ("file:///etc/passwd", "http"),
        ("https://user:pw@oa.example.gov.cn/hook", "用户名"),
        ("https://oa.example.gov.cn:99999/hook", "格式"),
        ("https://oa.example.gov.cn/\x00", "U+0000"),
        ("https://oa.example.gov.cn/" + "a" * 600, "500"),
        ("", "请填写"),
    ],
)
def test_addresses_that_may_not_receive_events(url, refused):
    assert refused in webhooks.url_problem(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://oa.example.gov.cn/gongkai/events",
        "http://10.1.2.3:8080/hook",  # an agency's intranet
        "http://192.168.1.20/hook",
        "http://oa-server/hook",
    ],
)
def test_intranet_and_public_addresses_may_receive_events(url):
    assert webhooks.url_problem(url) == ""


def test_a_name_that_resolves_to_a_forbidden_address_is_not_sent_to(
    settings, clock, receiver, agency, superuser
):
    endpoint = subscribe(receiver, agency, superuser)
    endpoint.url = receiver.url.replace("127.0.0.1", "localhost")
    endpoint.save(update_fields=["url"])
    settings.GONGKAI_WEBHOOK_ALLOW_LOOPBACK = False
    with transaction.atomic():
        (delivery,) = webhooks.emit(agency, "request.registered", {"request_id": 1})
    deliver()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert "本机" in delivery.last_error
    assert receiver.received == []


@pytest.mark.django_db(transaction=True)
def test_events_leave_when_the_change_commits(settings, receiver, agency, registrar, superuser):
    # The real path: no test transaction around the service; the job starts at the commit.
    settings.GONGKAI_JOBS = "inline"
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False):
        subscribe(receiver, agency, superuser, events=["request.registered"])
        case = request_register(
            actor=registrar, agency=agency, data=walk_in_registration(), today=RECEIVED
        )
    (event,) = receiver.events()
    assert event["data"]["case_number"] == case.case_number
    assert WebhookDelivery.objects.get().status == "delivered"


def test_an_endpoint_added_after_a_quiet_event_hears_the_next(
    clock, receiver, agency, superuser, draft, drafter, django_assert_max_num_queries
):
    # The agency's endpoints are read afresh for each transaction (no cache that another
    # process could not clear): the first event found none, the one after the subscription is
    # recorded for the new endpoint.
    first = draft()
    attribute_propose(actor=drafter, document_id=first.pk, attribute="proactive")
    assert not WebhookDelivery.objects.exists()
    endpoint = subscribe(receiver, agency, superuser, events=["document.attribute_changed"])
    second = draft(title="关于第二份文件的通知")
    attribute_propose(actor=drafter, document_id=second.pk, attribute="proactive")
    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.endpoint == endpoint


def test_endpoints_are_read_once_per_transaction_and_again_after_a_change(
    clock, receiver, agency, superuser, draft, drafter
):
    document = draft()
    with transaction.atomic():
        attribute_propose(actor=drafter, document_id=document.pk, attribute="proactive")
        assert not WebhookDelivery.objects.exists()
        # An endpoint saved inside the same transaction is seen by the events after it.
        subscribe(receiver, agency, superuser, events=["document.attribute_changed"])
        later = draft(title="关于第二份文件的通知")
        attribute_propose(actor=drafter, document_id=later.pk, attribute="proactive")
    assert WebhookDelivery.objects.count() == 1


def test_an_agency_without_endpoints_costs_one_cheap_query_per_transaction(
    agency, draft, drafter, django_assert_max_num_queries
):
    from workflow.audit import audit

    document = draft()
    # Three events: three inserts, one read of the endpoints (and the savepoint's two).
    with django_assert_max_num_queries(6) as captured, transaction.atomic():
        for _ in range(3):
            audit(actor=drafter, action="attribute_propose", obj=document, agency=agency)
    endpoint_reads = [q for q in captured.captured_queries if "webhookendpoint" in q["sql"]]
    assert len(endpoint_reads) == 1
    assert "JOIN" not in endpoint_reads[0]["sql"]  # not ``listening``'s query: none listen


def test_a_decorated_transaction_reads_the_endpoints_again_each_time(
    transactional_db, agency, draft, drafter, django_assert_max_num_queries
):
    # ``@transaction.atomic`` is one block object for every call: the endpoints read in one
    # call's transaction are not those of the next.
    from workflow.audit import audit

    document = draft()

    @transaction.atomic
    def tell():
        audit(actor=drafter, action="attribute_propose", obj=document, agency=agency)

    with django_assert_max_num_queries(20) as captured:
        tell()
        tell()
    endpoint_reads = [q for q in captured.captured_queries if "webhookendpoint" in q["sql"]]
    assert len(endpoint_reads) == 2
