"""Throttling per client: at most ``ApiClient.rate`` calls a minute (a sliding window kept in the
cache, so every process and server shares it when the cache is Redis). Anonymous calls to the
public endpoints (the calendar) are limited per address."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from workflow.api.auth import client_address


class ClientRateThrottle(SimpleRateThrottle):
    scope = "client"

    def allow_request(self, request, view):
        client = request.auth
        if client is None or not hasattr(client, "rate"):
            return True
        self.num_requests, self.duration = client.rate, 60
        return super().allow_request(request, view)

    def get_rate(self):
        return "600/min"

    def get_cache_key(self, request, view):
        return f"gk-api-throttle-client-{request.auth.pk}"


class AnonymousRateThrottle(SimpleRateThrottle):
    scope = "anonymous"

    def get_rate(self):
        return settings.GONGKAI_API_ANONYMOUS_RATE

    def get_cache_key(self, request, view):
        if request.auth is not None:
            return None
        # The address the web server saw (not DRF's get_ident, which without NUM_PROXIES takes
        # X-Forwarded-For as the caller sends it: a new made-up address, a new allowance).
        return f"gk-api-throttle-anon-{client_address(request) or 'unknown'}"
