"""Outbound events (webhooks): what happened in the agency, POSTed to the URLs its API clients
registered, signed, tried again with back-off until acknowledged, each try logged.

How an event is born: ``emit(agency, event_type, data)`` inside the transaction of the change
records one ``WebhookDelivery`` per active endpoint that wants it and submits its sending as
outbound work (``workflow.jobs.submit_outbound``), which starts only once the change commits: a
change rolled back sends nothing. The engine names no app: an app turns its own audit events into
events (``register_audit_source``, called from its ``AppConfig.ready``), calls ``emit`` where a
fact has no audit event of its own (a clock flag that flips), and registers a sweep for facts that
come with time alone (``register_sweep``: a publication deadline passing).

What a receiver gets (docs/api.md): a POST of ``{"id", "type", "occurred_at", "agency", "data"}``
with the headers ``Gongkai-Event-Id``, ``Gongkai-Event-Type`` and ``Gongkai-Signature:
t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>``. It answers 2xx once it has the
event; the event is then never sent again to that endpoint. An event may arrive more than once
before that (an answer lost on the way back): the receiver keeps ``id`` to do its work once.
410 Gone switches the endpoint off; any other 4xx but 408 and 429 (and a redirect, which is not
followed) fails the delivery for good; 5xx, 408, 429, timeouts and connection errors are tried
again after 1, 2, 4 … × ``GONGKAI_WEBHOOK_BACKOFF`` seconds, ``GONGKAI_WEBHOOK_ATTEMPTS`` tries.

Where events may go (server-side request forgery): only ``http`` and ``https``; the agencies'
systems are on their intranets, so private addresses are allowed, but never link-local
addresses (169.254.0.0/16, fe80::/10: the cloud metadata services), the Alibaba Cloud metadata
address 100.100.100.200, unspecified, multicast or reserved ones, nor loopback unless
``GONGKAI_WEBHOOK_ALLOW_LOOPBACK`` (the tests' receiver). The name is resolved at each try, every
address it resolves to is checked, and the connection is made to the checked address (a name
that resolves differently a moment later cannot slip past). Redirects are not followed.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.crypto import salted_hmac

from workflow import jobs
from workflow.audit import audit
from workflow.models import Agency, ApiClient, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from workflow.text_input import NUL_MESSAGE, too_long

logger = logging.getLogger(__name__)

#: The events an endpoint may subscribe to, with what they mean.
EVENT_TYPES: dict[str, str] = {
    "request.registered": "登记申请",
    "request.stage_changed": "案件办理环节变更",
    "request.letter_issued": "出具文书",
    "request.deadline_at_risk": "答复期限临期",
    "request.deadline_overdue": "答复期限超期",
    "document.attribute_changed": "文件公开属性变更",
    "publication.overdue": "主动公开逾期",
}
#: Sent only when asked (``ping``), whatever the endpoint subscribed to.
PING = "ping"
LABELS = {**EVENT_TYPES, PING: "测试事件"}
#: What a client must be allowed to read to hear of an event: an event tells no more than the
#: client could read through the API itself.
READ_SCOPES = {
    "request.": "requests:read",
    "document.": "documents:read",
    "publication.": "documents:read",
}

USER_AGENT = "Gongkai-Webhooks/1"
MAX_URL = 500
# The metadata services of the clouds agencies use: link-local ones (169.254.169.254 and
# Tencent's 169.254.0.23) are refused as link-local; Alibaba Cloud's is an ordinary address.
METADATA_ADDRESSES = {ipaddress.ip_address("100.100.100.200")}


# -- settings --------------------------------------------------------------------------------------


def _setting(name: str, default):
    return getattr(settings, name, default)


def timeout() -> float:
    return float(_setting("GONGKAI_WEBHOOK_TIMEOUT", 10))


def max_attempts() -> int:
    return int(_setting("GONGKAI_WEBHOOK_ATTEMPTS", 8))


def backoff() -> int:
    return int(_setting("GONGKAI_WEBHOOK_BACKOFF", 60))


def loopback_allowed() -> bool:
    return bool(_setting("GONGKAI_WEBHOOK_ALLOW_LOOPBACK", False))


# -- the secret ------------------------------------------------------------------------------------


def secret_of(endpoint: WebhookEndpoint) -> str:
    """The endpoint's signing secret, derived from its stored seed with the installation's key:
    the database holds the seed only. Changing ``GONGKAI_WEBHOOK_KEY`` (or ``SECRET_KEY`` when it
    is not set) changes every secret; the clients must then register their endpoints again."""
    key = _setting("GONGKAI_WEBHOOK_KEY", "") or settings.SECRET_KEY
    digest = salted_hmac(
        "gongkai.webhooks.secret", endpoint.secret_seed, secret=key, algorithm="sha256"
    )
    return "whsec_" + digest.hexdigest()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Gongkai-Signature`` header of ``body`` sent at ``timestamp`` (unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


# -- where events may go ---------------------------------------------------------------------------


def address_refusal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """Why events may not go to ``address`` ('' when they may)."""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    if address.is_link_local or address in METADATA_ADDRESSES:
        return f"不能向链路本地地址或云服务器元数据地址（{address}）发送。"
    if address.is_loopback:
        return "" if loopback_allowed() else f"不能向本机地址（{address}）发送。"
    if address.is_unspecified or address.is_multicast or address.is_reserved:
        return f"不能向保留地址或组播地址（{address}）发送。"
    return ""


def url_problem(url: str) -> str:
    """What is wrong with ``url`` as a receiving address ('' when nothing), in Chinese."""
    label = "接收地址"
    if not url.strip():
        return "请填写接收地址。"
    if "\x00" in url:
        return NUL_MESSAGE.format(label=label)
    if len(url) > MAX_URL:
        return too_long(label, MAX_URL, len(url))
    if any(c.isspace() for c in url):
        return "接收地址不能包含空格或换行。"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port out of range)
    except ValueError:
        return "接收地址格式不正确，应形如 https://oa.example.gov.cn/gongkai/events。"
    if parts.scheme not in ("http", "https"):
        return "接收地址应以 http:// 或 https:// 开头。"
    if not parts.hostname:
        return "接收地址缺少主机名。"
    if parts.username or parts.password:
        return "接收地址中不要包含用户名或密码（对方凭签名确认来源）。"
    host = parts.hostname
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if host == "localhost" or host.endswith(".localhost"):
            return "" if loopback_allowed() else "不能向本机地址（localhost）发送。"
        return ""
    refusal = address_refusal(address)
    return f"接收地址不可用：{refusal}" if refusal else ""


def subscription_problem(events: Iterable[str]) -> str:
    unknown = [e for e in events if e not in EVENT_TYPES]
    if unknown:
        names = "、".join(str(e)[:60] for e in unknown[:5])
        return f"没有这些事件类型：{names}。可订阅的有：{'、'.join(EVENT_TYPES)}。"
    return ""


# -- endpoints -------------------------------------------------------------------------------------


def endpoint_create(
    *, actor, client: ApiClient, url: str, events: list[str]
) -> tuple[WebhookEndpoint, str]:
    """Register ``url`` to receive ``client``'s agency's events (``events``; empty: all of
    them). Returns the endpoint and its signing secret, shown this once."""
    errors = {}
    problem = url_problem(url)
    if problem:
        errors["url"] = problem
    problem = subscription_problem(events)
    if problem:
        errors["events"] = problem
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        seed = secrets.token_hex(32)
        endpoint = WebhookEndpoint(
            agency_id=client.agency_id,
            client=client,
            url=url.strip(),
            events=sorted(set(events)),
            secret_seed=seed,
            created_at=now,
        )
        secret = secret_of(endpoint)
        endpoint.secret_hint = secret[-4:]
        endpoint.save()
        audit(
            actor=actor,
            action="webhook_endpoint_created",
            obj=endpoint,
            agency=client.agency_id,
            to_state="、".join(endpoint.events) or "全部事件",
            reason=f"接口客户端“{client.name}”登记事件通知地址",
            data={"client_id": client.pk, "url": endpoint.url},
            at=now,
        )
    return endpoint, secret


def endpoint_remove(*, actor, endpoint_id: int) -> WebhookEndpoint:
    """Stop sending to the endpoint and hide it from its client; its delivery log stays."""
    now = timezone.now()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
        if endpoint.removed_at is None:
            endpoint.removed_at = now
            endpoint.active = False
            endpoint.inactive_reason = "接口客户端已删除该地址"
            endpoint.save(update_fields=["removed_at", "active", "inactive_reason"])
            audit(
                actor=actor,
                action="webhook_endpoint_removed",
                obj=endpoint,
                agency=endpoint.agency_id,
                from_state="启用",
                to_state="已删除",
                reason="删除事件通知地址",
                at=now,
            )
    return endpoint


def _deactivate(endpoint_id: int, reason: str) -> None:
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id).first()
        if endpoint is None or not endpoint.active:
            return
        endpoint.active = False
        endpoint.inactive_reason = reason
        endpoint.save(update_fields=["active", "inactive_reason"])
        audit(
            actor=None,
            action="webhook_endpoint_deactivated",
            obj=endpoint,
            agency=endpoint.agency_id,
            from_state="启用",
            to_state="停用",
            reason=reason,
        )


def _client_can_hear(client: ApiClient, event_type: str, now: datetime) -> bool:
    if client.revoked_at is not None:
        return False
    if client.expires_at is not None and client.expires_at <= now:
        return False
    needed = next((s for p, s in READ_SCOPES.items() if event_type.startswith(p)), None)
    return needed is None or needed in client.scopes


def receives(endpoint: WebhookEndpoint, event_type: str, now: datetime) -> bool:
    """Whether ``endpoint`` is to get an event of ``event_type`` now."""
    return (
        endpoint.active
        and endpoint.removed_at is None
        and (event_type == PING or not endpoint.events or event_type in endpoint.events)
        and _client_can_hear(endpoint.client, event_type, now)
    )


def listening(agency_id: int) -> list[WebhookEndpoint]:
    """The agency's active endpoints of clients neither revoked nor expired (one query)."""
    now = timezone.now()
    return list(
        WebhookEndpoint.objects.filter(
            Q(client__expires_at__isnull=True) | Q(client__expires_at__gt=now),
            agency_id=agency_id,
            active=True,
            removed_at__isnull=True,
            client__revoked_at__isnull=True,
        ).select_related("client", "agency")
    )


# -- emitting --------------------------------------------------------------------------------------


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` as JSON values (dates as ISO text, UUIDs as text)."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False))


def event_id_for(*parts: object) -> uuid.UUID:
    """A stable event id for a fact that must be told once whoever notices it, however often
    (a deadline passed: ``event_id_for("publication.overdue", pk, due)``)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "gongkai:" + ":".join(str(p) for p in parts))


def emit(
    agency: Agency | int,
    event_type: str,
    data: dict[str, Any],
    *,
    event_id: uuid.UUID | None = None,
    occurred_at: datetime | None = None,
    endpoints: list[WebhookEndpoint] | None = None,
) -> list[WebhookDelivery]:
    """Record the event for every endpoint of ``agency`` that wants it and send it once the
    current transaction commits. Call it inside the change's transaction.

    ``event_id``: a stable id (``event_id_for``) makes a second emission of the same fact a
    no-op for the endpoints that already have it. An endpoint registered after the event
    occurred (``occurred_at``, by default now) does not get it. ``endpoints``: the agency's
    ``listening`` endpoints, when the caller has them."""
    if event_type not in LABELS:
        raise ValueError(f"unknown event type {event_type!r}")
    agency_id = getattr(agency, "pk", agency)
    now = timezone.now()
    occurred_at = occurred_at or now
    if endpoints is None:
        endpoints = listening(agency_id)
    wanted = [e for e in endpoints if receives(e, event_type, now) and e.created_at <= occurred_at]
    if not wanted:
        return []
    fixed = event_id is not None
    event_id = event_id or uuid.uuid4()
    if fixed:
        told = set(
            WebhookDelivery.objects.filter(event_id=event_id, endpoint__in=wanted).values_list(
                "endpoint_id", flat=True
            )
        )
        wanted = [e for e in wanted if e.pk not in told]
    made = []
    for endpoint in wanted:
        body = {
            "id": str(event_id),
            "type": event_type,
            "occurred_at": occurred_at.isoformat(),
            "agency": {
                "id": endpoint.agency_id,
                "code": endpoint.agency.code,
                "name": endpoint.agency.name,
            },
            "data": _plain(data),
        }
        try:
            # A savepoint: two emissions of one fixed id at once must not break the change.
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    agency_id=endpoint.agency_id,
                    endpoint=endpoint,
                    event_id=event_id,
                    event_type=event_type,
                    payload=body,
                    created_at=now,
                )
        except IntegrityError:
            continue
        _submit(delivery, endpoint.agency)
        made.append(delivery)
    return made


def _submit(delivery: WebhookDelivery, agency: Agency) -> None:
    jobs.submit_outbound(
        "workflow.webhooks.deliver",
        {"delivery_id": delivery.pk},
        agency=agency,
        title=f"事件通知：{LABELS.get(delivery.event_type, delivery.event_type)}",
        max_attempts=max_attempts(),
        backoff=backoff(),
    )


def ping(*, actor, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Send the endpoint a test event (whatever it subscribed to), so its owner can check the
    signature and the route."""
    if not endpoint.active or endpoint.removed_at is not None:
        raise ValidationError({"endpoint": "该接收地址已停用，不能发送测试事件。"})
    with transaction.atomic():
        made = emit(
            endpoint.agency,
            PING,
            {"endpoint_id": endpoint.pk, "message": "这是一条测试事件。"},
            endpoints=[endpoint],
        )
    if not made:
        raise ValidationError({"endpoint": "接口客户端已吊销或过期，不能发送测试事件。"})
    return made[0]


def resend(*, actor, delivery_id: int) -> WebhookDelivery | None:
    """Send a delivery again, with the same event id (the receiver does its work once): after it
    failed, or when the receiver lost it. None when it is still waiting to be sent, or its
    endpoint is no longer active."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint", "agency")
            .get(pk=delivery_id)
        )
        if delivery.status == WebhookDelivery.Status.PENDING or not delivery.endpoint.active:
            return None
        before = delivery.status
        delivery.status = WebhookDelivery.Status.PENDING
        delivery.save(update_fields=["status"])
        audit(
            actor=actor,
            action="webhook_resent",
            obj=delivery,
            agency=delivery.agency_id,
            from_state=before,
            to_state=delivery.status,
            reason="重新发送事件通知",
            data={"event_id": str(delivery.event_id)},
        )
        _submit(delivery, delivery.agency)
    return delivery


# -- the apps' sources -----------------------------------------------------------------------------

#: ``translate(audit row) -> [(event type, data), …]`` by the audited object's type.
AuditSource = Callable[[dict[str, Any]], list[tuple[str, dict[str, Any]]]]
_AUDIT_SOURCES: dict[str, AuditSource] = {}
_SWEEPS: dict[str, Callable[[datetime], int]] = {}


def register_audit_source(object_type: str, translate: AuditSource) -> None:
    """Turn the audit events about ``object_type`` (``app_label.model``) into events:
    ``translate(row)`` gets the audit row (``workflow.audit.audit_row``'s fields) and returns
    the events it means. It is called only when the agency has an endpoint listening."""
    _AUDIT_SOURCES[object_type] = translate


def register_sweep(name: str, sweep: Callable[[datetime], int]) -> None:
    """``sweep(now)`` emits the events that come with time alone (a deadline passing); it runs
    with ``sweep_leftovers`` and must emit each fact once (``event_id_for``)."""
    _SWEEPS[name] = sweep


def _has_endpoint(agency_id: int) -> bool:
    """Whether the agency has an active endpoint at all: asked before ``listening`` on every
    audit event, and most agencies have none. A plain indexed lookup whose SQL costs nothing to
    build (``listening``'s joins and conditions cost a few milliseconds of the ORM's time per
    event, more than the query itself); read each time, never cached, so an endpoint just added
    hears the next event."""
    table = WebhookEndpoint._meta.db_table
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE agency_id = %s AND active = %s"
            " AND removed_at IS NULL LIMIT 1",
            [agency_id, True],
        )
        return cursor.fetchone() is not None


def _heard_in_transaction() -> dict[int, list[WebhookEndpoint]]:
    """The agencies' ``listening`` endpoints already read in the current transaction (one
    service call writes several audit events: a pushed document is registered, then proposed).

    Kept on the connection for its outermost ``atomic`` block only: a new transaction reads them
    again, so an endpoint added or removed meanwhile is seen (no cache across transactions, which
    another process could not invalidate). Outside a transaction nothing is kept."""
    connection = transaction.get_connection()
    # A test case's own atomic blocks are no transaction of the code under test.
    blocks = [b for b in connection.atomic_blocks if not getattr(b, "_from_testcase", False)]
    if not connection.in_atomic_block or not blocks:
        return {}
    # The outermost block and the connection's list of commit hooks, which Django replaces at
    # every commit and rollback: together they name this transaction (an ``atomic`` used as a
    # decorator is one object for every call, so the block alone would not).
    marker = (blocks[0], connection.run_on_commit)
    kept = getattr(connection, "_gongkai_webhooks_heard", None)
    if kept is None or kept[0][0] is not marker[0] or kept[0][1] is not marker[1]:
        kept = (marker, {})
        connection._gongkai_webhooks_heard = kept
    return kept[1]


def _forget_heard(sender, **kwargs) -> None:
    """An endpoint or a client saved: the endpoints read so far in this transaction may be
    others now."""
    connection = transaction.get_connection()
    if hasattr(connection, "_gongkai_webhooks_heard"):
        del connection._gongkai_webhooks_heard


post_save.connect(_forget_heard, sender=WebhookEndpoint, dispatch_uid="gongkai_webhooks_heard_e")
post_save.connect(_forget_heard, sender=ApiClient, dispatch_uid="gongkai_webhooks_heard_c")


def audited(rows: Iterable[dict[str, Any]]) -> None:
    """The audit log's hook: the events the apps make of these audit rows, emitted."""
    relevant = [row for row in rows if row.get("object_type") in _AUDIT_SOURCES]
    if not relevant:
        return
    heard = _heard_in_transaction()
    for row in relevant:
        agency_id = row.get("agency_id")
        if agency_id is None:
            continue
        if agency_id not in heard:
            heard[agency_id] = listening(agency_id) if _has_endpoint(agency_id) else []
        if not heard[agency_id]:
            continue
        for event_type, data in _AUDIT_SOURCES[row["object_type"]](row):
            emit(agency_id, event_type, data, occurred_at=row["at"], endpoints=heard[agency_id])


def sweep_events(now: datetime | None = None) -> int:
    """Run every registered sweep; return how many deliveries they made."""
    now = now or timezone.now()
    return sum(sweep(now) for sweep in _SWEEPS.values())


# -- sending ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What one try got: the status code (None: no answer) and what went wrong."""

    status: int | None
    error: str
    duration_ms: int


class NotDelivered(Exception):
    """A try that may succeed later (the job runner tries again after its back-off)."""


class Blocked(Exception):
    """The address may not receive events (``address_refusal``): never tried again."""


def _resolve(host: str, port: int) -> str:
    """The address to connect to for ``host``, every address it resolves to checked (a name
    that also resolves to a forbidden address is refused: ``Blocked``)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise NotDelivered(f"无法解析主机名 {host}：{error}") from None
    addresses = [str(info[4][0]) for info in found]
    for address in addresses:
        refusal = address_refusal(ipaddress.ip_address(address.split("%", 1)[0]))
        if refusal:
            raise Blocked(refusal)
    return addresses[0]


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST ``body`` to ``url``, connecting to the checked address; no redirect is followed."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    address = _resolve(parts.hostname or "", port)
    connection: http.client.HTTPConnection
    if https:
        # Certificates are checked; an agency whose systems use its own CA names its file.
        context = ssl.create_default_context(cafile=_setting("GONGKAI_WEBHOOK_CA_FILE", "") or None)
        connection = http.client.HTTPSConnection(
            parts.hostname, port, timeout=timeout(), context=context
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, port, timeout=timeout())
    # Connect to the address checked above, not to whatever the name resolves to next; TLS
    # still checks the certificate against the name.
    connection._create_connection = lambda _address, *args: socket.create_connection(  # type: ignore[attr-defined]
        (address, port), *args
    )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)
        return Answer(response.status, "", took())
    except (OSError, http.client.HTTPException) as error:
        return Answer(None, f"{type(error).__name__}: {error}"[:500], took())
    finally:
        connection.close()


def _verdict(answer: Answer) -> str:
    """``delivered``, ``gone`` (410), ``refused`` (for good) or ``retry``."""
    status = answer.status
    if status is None:
        return "retry"
    if 200 <= status < 300:
        return "delivered"
    if status == 410:
        return "gone"
    if status in (408, 429) or status >= 500:
        return "retry"
    return "refused"


def deliver(job) -> jobs.JobOutcome:
    """The job of one delivery: one signed POST, logged; raises to be tried again later."""
    delivery = (
        WebhookDelivery.objects.select_related("endpoint__client")
        .filter(pk=job.params.get("delivery_id"))
        .first()
    )
    if delivery is None:
        raise jobs.JobFailed("事件通知记录已不存在。")
    if delivery.status != WebhookDelivery.Status.PENDING:
        return jobs.JobOutcome(message=f"事件通知{delivery.get_status_display()}，不再发送。")
    endpoint = delivery.endpoint
    now = timezone.now()
    if not receives(endpoint, delivery.event_type, now):
        _finish(delivery, WebhookDelivery.Status.FAILED, error="接收地址已停用或客户端已失效。")
        raise jobs.JobFailed("接收地址已停用或接口客户端已失效，未发送。")
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "Gongkai-Event-Id": str(delivery.event_id),
        "Gongkai-Event-Type": delivery.event_type,
        "Gongkai-Signature": signature(secret_of(endpoint), timestamp, body),
    }
    try:
        refusal = url_problem(endpoint.url)
        if refusal:
            raise Blocked(refusal)
        answer = post(endpoint.url, body, headers)
        verdict = _verdict(answer)
    except NotDelivered as error:
        answer, verdict = Answer(None, str(error), 0), "retry"
    except Blocked as error:
        answer, verdict = Answer(None, str(error), 0), "refused"
    last = job.attempts >= job.max_attempts
    if verdict == "delivered":
        _finish(delivery, WebhookDelivery.Status.DELIVERED, answer=answer)
        return jobs.JobOutcome(message=f"已送达（{answer.status}）。")
    if verdict == "retry" and not last:
        _finish(delivery, WebhookDelivery.Status.PENDING, answer=answer)
        raise NotDelivered(answer.error or f"对方返回 {answer.status}")
    _finish(delivery, WebhookDelivery.Status.FAILED, answer=answer)
    if verdict == "gone":
        _deactivate(endpoint.pk, "对方返回 410（地址已不再使用），已停用。")
        raise jobs.JobFailed("对方返回 410，接收地址已停用。")
    if verdict == "retry":
        raise jobs.JobFailed(f"已发送{job.attempts}次仍未送达：{answer.error or answer.status}。")
    raise jobs.JobFailed(f"对方拒绝接收（{answer.status or answer.error}），不再重试。")


def _finish(
    delivery: WebhookDelivery, status: str, *, answer: Answer | None = None, error: str = ""
) -> None:
    """Log the try (if one was made) and the delivery's state after it."""
    now = timezone.now()
    with transaction.atomic():
        fields: dict[str, Any] = {"status": status}
        if answer is not None:
            WebhookAttempt.objects.create(
                delivery=delivery,
                at=now,
                status_code=answer.status,
                duration_ms=answer.duration_ms,
                error=answer.error,
            )
            fields.update(
                attempts=F("attempts") + 1,
                last_status_code=answer.status,
                last_error=answer.error,
            )
        elif error:
            fields["last_error"] = error
        if status == WebhookDelivery.Status.DELIVERED:
            fields["delivered_at"] = now
        WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
