"""Response headers of the whole site."""

from csp.middleware import CSPMiddleware


class PagesCSPMiddleware(CSPMiddleware):
    """The Content Security Policy on HTML pages only.

    A PDF shown in the letter gallery's frame is displayed by the browser's own viewer, which a
    policy on the PDF response would block; files carry no scripts of ours to protect.
    """

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)
