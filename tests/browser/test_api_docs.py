"""The API's documentation pages open in the browser from the project's own static files and work
under the Content Security Policy (the page fixture fails on anything it blocks): an integrator
reads the operations in Chinese (issue #15 §1)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_lists_the_operations_without_any_outside_request(page, live_server, shot):
    outside = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url) if not request.url.startswith(live_server.url) else None
        ),
    )
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.get_by_text("公开 · 政府信息公开工作系统接口").first.wait_for()
    page.locator(".opblock-summary-path", has_text="/api/v1/documents/external/").first.wait_for()
    assert page.get_by_text("登记主动公开").first.is_visible()
    shot("swagger")
    assert not [url for url in outside if not url.startswith("data:")], outside
