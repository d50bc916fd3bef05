"""Site-wide middleware: the Content Security Policy on pages, NUL out of query strings, the pages
for a service's refusal that no view caught (403, 409), and the answer to a busy database (never a
500 for "database is locked")."""

from __future__ import annotations

import logging
import sys

from csp.middleware import CSPMiddleware
from django.contrib.auth import logout
from django.http import QueryDict
from django.shortcuts import render
from django.views import defaults

from workflow.errors import RETRY_AFTER, NotAllowed, Stale, database_busy
from workflow.models import ApiClient
from workflow.public import is_public_path

logger = logging.getLogger(__name__)


class DatabaseBusyMiddleware:
    """A request whose transaction could not get the database's write lock in time gets a 503
    page in Chinese: nothing was saved (the transaction rolled back), try again shortly.

    The connection already waits ``OPTIONS["timeout"]`` seconds (20) for the lock; this is for
    the rare write that waits longer (a long job holding the lock)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not database_busy(exception):
            return None
        logger.warning("database busy: %s %s", request.method, request.path)
        return busy_page(request)


class ServiceErrorMiddleware:
    """The one place where a service's refusal that reached no form becomes a page: ``NotAllowed``
    is the 403 page, ``Stale`` the 409 page (someone else acted first), both with the message."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotAllowed):
            return render(request, "403.html", {"exception": str(exception)}, status=403)
        if isinstance(exception, Stale):
            return render(request, "409.html", {"exception": str(exception)}, status=409)
        return None


class NoApiClientSessionMiddleware:
    """An API client's own account (``ApiClient.user``) never uses the pages or the admin: it
    has no password to log in with, and a session made for it anyway (a stolen or forged
    session, ``force_login``) is ended here with a 403, whatever the page would allow a user
    without roles (the deadline calculator).

    Its accounts are named ``api-…`` (``workflow.api.clients``): only such a name costs the
    query that tells a client's account from a person's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.get_username().startswith("api-")
            and ApiClient.objects.filter(user_id=user.pk).exists()
        ):
            logout(request)
            return render(
                request,
                "403.html",
                {"exception": "接口客户端的账号不能登录页面，只能凭令牌调用接口。"},
                status=403,
            )
        return self.get_response(request)


def busy_page(request):
    response = render(request, "503.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


def _chinese(text: str) -> bool:
    return any("\u4e00" <= character <= "\u9fff" for character in text)


def bad_request(request, exception):
    """``handler400``: the public side's own page under ``/public/``, else Django's."""
    if is_public_path(request.path):
        return render(request, "public/400.html", status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    """``handler403``: the reason when the view gave one in Chinese; the public side's own page
    under ``/public/``."""
    message = exception.args[0] if exception and exception.args else ""
    reason = message if isinstance(message, str) and _chinese(message) else ""
    template = "public/403.html" if is_public_path(request.path) else "403.html"
    return render(request, template, {"exception": reason}, status=403)


def csrf_failure(request, reason=""):
    """``CSRF_FAILURE_VIEW``: a form posted from a page kept open too long (or without cookies)
    gets the 403 page in Chinese, never Django's English one."""
    explanation = "页面已经过期或者浏览器没有保存本站的 Cookie，表单没有提交。"
    template = "public/403.html" if is_public_path(request.path) else "403.html"
    return render(request, template, {"exception": explanation}, status=403)


def page_not_found(request, exception):
    """``handler404``: the page says the view's own reason when it gave one in Chinese
    (``Http404("没有这份材料。")``); Django's own messages ("No … matches the given query.") are
    for the log, not for the officer."""
    if request.path.startswith("/api/"):
        from workflow.api.errors import not_found_response

        return not_found_response(request)
    message = exception.args[0] if exception and exception.args else ""
    reason = message if isinstance(message, str) and _chinese(message) else ""
    template = "public/404.html" if is_public_path(request.path) else "404.html"
    return render(request, template, {"exception": reason}, status=404)


def server_error(request):
    """``handler500``: the same 503 when the error was a busy database met outside a view (e.g.
    saving the session after it); otherwise Django's 500 page (our ``500.html``)."""
    if database_busy(sys.exc_info()[1]):
        return busy_page(request)
    if request.path.startswith("/api/"):
        from workflow.api.errors import server_error_response

        return server_error_response(request)
    if is_public_path(request.path):
        return defaults.server_error(request, template_name="public/500.html")
    return defaults.server_error(request)


class PagesCSPMiddleware(CSPMiddleware):
    """The Content Security Policy on HTML pages only.

    A PDF shown in the letter gallery's frame is displayed by the browser's own viewer, which a
    policy on the PDF response would block; files carry no scripts of ours to protect.
    """

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)


class StripNulFromQueryMiddleware:
    """Take U+0000 out of the query string's names and values (``?doc_q=%00``).

    A search box or a filter has no form to show an error under, and PostgreSQL cannot hold the
    character even in a query's parameter: a NUL would turn a search into a server error. Forms
    posted with a NUL refuse it under the field instead (``workflow.text_input``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)
