"""The office head opens the dashboard: ECharts (served from the site's own static files) draws
each panel's chart beside its table, under the Content Security Policy."""

from datetime import date

import pytest
from django.utils import timezone

from tests.browser.conftest import login
from tests.requests_app.test_dashboard import make, served

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_draws_its_charts_and_tables(page, live_server, office_head, registrar, shot):
    agency = office_head.agencies.get()
    today = timezone.localdate()
    month = today.replace(day=1).isoformat()
    served(agency, registrar, month, today.isoformat(), today.isoformat(), "disclosed")
    make(agency, registrar, received=month, overdue=True, due_date=date(2026, 3, 30))
    external = []
    page.on(
        "request",
        lambda request: (
            external.append(request.url) if not request.url.startswith(live_server.url) else None
        ),
    )
    login(page, live_server, "office_head")
    page.goto(f"{live_server.url}/dashboard/overview/")
    assert page.locator("h1", has_text="工作概况").is_visible()
    # Every chart is drawn (SVG renderer), and its numbers are in the table beside it.
    page.wait_for_selector("#chart-requests-stages[data-ready='1'] svg")
    charts = page.locator(".gk-chart")
    assert charts.count() >= 8
    for index in range(charts.count()):
        chart = charts.nth(index)
        chart.locator("svg").first.wait_for()
        assert chart.is_visible()
    stages = page.locator("#panel-requests-stages-table")
    assert "受理审查" in stages.inner_text()
    overdue = page.locator("#panel-requests-overdue-table tbody tr").first.inner_text()
    assert "1" in overdue
    assert "受理审查" in page.locator("#chart-requests-stages svg").inner_html()
    shot("dashboard")
    # A row of a table opens the list behind it.
    page.locator("#panel-requests-stages-table a", has_text="受理审查").click()
    page.wait_for_url("**/requests/cases/**")
    assert "stage=accept" in page.url
    assert not external, f"no CDN: {external}"
    # Back through the menu (a Turbo visit, not a full load): the charts are drawn again.
    page.goto(f"{live_server.url}/requests/cases/")
    page.locator("a[href='/dashboard/']").first.click()
    page.wait_for_selector("#chart-requests-monthly[data-ready='1'] svg")
    assert not external


def test_without_javascript_the_tables_are_all_there(page, chromium, live_server, office_head):
    login(page, live_server, "office_head")
    # The same session in a browser that runs no script.
    context = chromium.new_context(
        locale="zh-CN", java_script_enabled=False, storage_state=page.context.storage_state()
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/dashboard/overview/")
        assert page.locator("#panel-requests-stages-table").is_visible()
        assert page.locator("#panel-attributes-share-table").is_visible()
        assert not page.locator("#chart-requests-stages").is_visible()
    finally:
        context.close()
