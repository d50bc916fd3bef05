"""Headers of every response that hands out a stored or generated file (uploads, letters, case
files, documents' texts)."""

from __future__ import annotations

from functools import wraps

#: A file opened in the browser runs as a sandboxed page of no origin: a PDF's or an SVG's
#: scripts, forms and links cannot act as a page of this site.
SANDBOX = "sandbox"


def protect(response):
    """Add the headers to a file ``response`` (one with a Content-Disposition): the browser
    keeps the type we send (``nosniff``) and opens the file in a sandbox."""
    if response.has_header("Content-Disposition"):
        response["Content-Security-Policy"] = SANDBOX
        response["X-Content-Type-Options"] = "nosniff"
    return response


def file_view(view):
    """Decorate a view that returns a file (pages it renders instead, e.g. a refusal, keep the
    site's own headers)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return protect(view(request, *args, **kwargs))

    return wrapper
