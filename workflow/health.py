"""``/healthz``: whether this server can do its work, for a load balancer or a monitor.

No login. The answer is JSON, 200 when every check passed and 503 otherwise::

    {"status": "ok", "checks": {"database": {"ok": true, "ms": 1.2}, "cache": {...}, ...}}

Checks: the database (a trivial query), the cache (a write and a read of a short-lived key: with
``REDIS_URL``, Redis), the message broker when ``CELERY_BROKER_URL`` is set (a connection), and
the file storage (a small file written, read back and deleted). The answer never says more than
which check failed, how long it took and the exception's class name: no address, password or
message of the exception (they are in the server's log, with the request id).
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

PROBE = b"gongkai health probe"
#: Seconds the broker check waits for a connection.
BROKER_TIMEOUT = 3


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("unexpected answer")


def check_cache() -> None:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, 1, timeout=30)
    try:
        if cache.get(key) != 1:
            raise RuntimeError("the value written was not read back")
    finally:
        cache.delete(key)


def check_broker() -> None:
    from kombu import Connection

    with Connection(os.environ["CELERY_BROKER_URL"], connect_timeout=BROKER_TIMEOUT) as broker:
        broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT)


def check_storage() -> None:
    name = default_storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(PROBE))
    try:
        with default_storage.open(name, "rb") as handle:
            if handle.read() != PROBE:
                raise RuntimeError("the file written was not read back")
    finally:
        default_storage.delete(name)


def _kombu_installed() -> bool:
    try:
        import kombu  # noqa: F401
    except ImportError:
        return False
    return True


def checks() -> dict[str, Callable[[], None]]:
    """The checks that apply to this installation, by name."""
    found: dict[str, Callable[[], None]] = {
        "database": check_database,
        "cache": check_cache,
    }
    # The broker of Celery, when there is one (and its client library, kombu, is installed).
    if os.environ.get("CELERY_BROKER_URL") and _kombu_installed():
        found["broker"] = check_broker
    found["storage"] = check_storage
    return found


def run_checks() -> dict[str, dict]:
    results: dict[str, dict] = {}
    for name, check in checks().items():
        started = time.perf_counter()
        try:
            check()
        except Exception as error:
            # The details (which may name hosts) go to the log only.
            logger.warning("health check %s failed", name, exc_info=True)
            result = {"ok": False, "error": type(error).__name__}
        else:
            result = {"ok": True}
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = result
    return results


@never_cache
@require_safe
def healthz(request):
    results = run_checks()
    healthy = all(result["ok"] for result in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": results},
        status=200 if healthy else 503,
        json_dumps_params={"ensure_ascii": False},
    )
