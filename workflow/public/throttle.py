"""Rate limits of the public side: a fixed window counted in the cache.

With ``REDIS_URL`` the counts are shared by every process and server; without it (one machine,
the embedded default) each process counts for itself, which only makes the limit looser by the
number of processes.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

from axes.helpers import get_client_ip_address
from django.core.cache import cache

logger = logging.getLogger(__name__)


class Throttled(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"too many requests, retry after {retry_after} s")
        self.retry_after = max(1, int(retry_after))

    @property
    def retry_minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))


def client_address(request) -> str:
    """The visitor's address, read the way the login throttle reads it (behind the configured
    proxy only, ``GONGKAI_PROXY_SSL_HEADER``)."""
    return get_client_ip_address(request) or request.META.get("REMOTE_ADDR", "") or "unknown"


def hit(*, scope: str, key: str, limit: int, window: int) -> int:
    """Count one more in ``scope`` for ``key`` in the current window; return the seconds to wait
    when the count is over ``limit``, else 0."""
    now = time.time()
    bucket = int(now // window)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"public-throttle:{scope}:{digest}:{bucket}"
    try:
        if cache.add(cache_key, 1, timeout=window + 5):
            count = 1
        else:
            try:
                count = cache.incr(cache_key)
            except ValueError:  # expired between add and incr
                cache.add(cache_key, 1, timeout=window + 5)
                count = 1
    except Exception:  # the cache server is down: serve the applicant, say so in the log
        logger.exception("public rate limit %s not counted: the cache is unavailable", scope)
        return 0
    if count > limit:
        return int((bucket + 1) * window - now) + 1
    return 0


def throttle(request, *, scope: str, limit: int, window: int, key: str = "") -> None:
    """Raise ``Throttled`` when ``key`` (default: the visitor's address) has been counted more
    than ``limit`` times in ``scope`` within the current window of ``window`` seconds."""
    wait = hit(scope=scope, key=key or client_address(request), limit=limit, window=window)
    if wait:
        raise Throttled(wait)
