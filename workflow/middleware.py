"""Request middleware of the application."""

from __future__ import annotations

from django.http import QueryDict


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
