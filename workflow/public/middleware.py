"""The public side's own rules for every request under ``/public/``.

- The staff session cookie is dropped before the session middleware reads it, so a public page
  always sees an anonymous visitor, and no session cookie is ever set there: a colleague's open
  session cannot leak into what the public side shows, nor be used through it.
- ``Throttled`` becomes the Chinese 429 page with ``Retry-After``.
- Pages are not framed, not sniffed, and tell other sites only our origin.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render

from workflow.public import is_public_path
from workflow.public.throttle import Throttled


class PublicSiteMiddleware:
    """Before ``SessionMiddleware`` in ``MIDDLEWARE``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_public_path(request.path_info):
            return self.get_response(request)
        request.COOKIES.pop(settings.SESSION_COOKIE_NAME, None)
        request.public_site = True
        response = self.get_response(request)
        if settings.SESSION_COOKIE_NAME in response.cookies:
            del response.cookies[settings.SESSION_COOKIE_NAME]
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, Throttled) and is_public_path(request.path_info):
            return throttled_page(request, exception)
        return None


def throttled_page(request, exception: Throttled):
    response = render(
        request, "public/429.html", {"retry_minutes": exception.retry_minutes}, status=429
    )
    response["Retry-After"] = str(exception.retry_after)
    return response
