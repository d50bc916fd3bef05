"""The engine's dashboard: its registry, the scopes a user may choose, the page's frame, and
Apache ECharts served from the site's own static files (installed from npm, never committed)."""

import json
import subprocess
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.staticfiles import finders
from django.urls import reverse

from workflow import dashboard
from workflow.models import Agency
from workflow.vendor_static import VendorFileFinder

PAGE = reverse("dashboard:overview:index")
ECHARTS = "vendor/echarts/echarts.min.js"
ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the test (the apps' panels are put back afterwards)."""
    monkeypatch.setattr(dashboard, "_PANELS", {})
    monkeypatch.setattr(dashboard, "_REMINDERS", {})


def test_panels_are_built_in_order_and_those_that_do_not_apply_are_left_out(registry):
    seen = []

    def build(title):
        def make(user, agencies, today):
            seen.append((user, tuple(agencies), today))
            return dashboard.Panel(title=title, explanation="说明", columns=("项",), rows=())

        return make

    dashboard.register_dashboard_panel("b", 20, build("第二"))
    dashboard.register_dashboard_panel("a", 10, build("第一"))
    dashboard.register_dashboard_panel("none", 15, lambda user, agencies, today: None)
    dashboard.register_dashboard_panel("a", 30, build("第一（替换）"))  # a second ready()
    built = dashboard.build_panels("user", ["agency"], date(2026, 12, 3))
    assert [(name, panel.title) for name, panel in built] == [("b", "第二"), ("a", "第一（替换）")]
    assert seen[0] == ("user", ("agency",), date(2026, 12, 3))


def test_reminders_are_shown_when_they_apply(registry):
    def december(user, agencies, today):
        return dashboard.Reminder("提醒") if today.month == 12 else None

    dashboard.register_dashboard_reminder("x", 1, december)
    assert dashboard.build_reminders(None, [], date(2026, 12, 1)) == [dashboard.Reminder("提醒")]
    assert dashboard.build_reminders(None, [], date(2026, 11, 30)) == []


def test_months_and_percentages():
    assert dashboard.months_back(date(2026, 2, 10), 3) == [
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    assert dashboard.month_end(date(2026, 2, 1)) == date(2026, 2, 28)
    assert dashboard.month_end(date(2026, 12, 1)) == date(2026, 12, 31)
    assert dashboard.percent(2, 3) == 66.7
    assert dashboard.percent(1, 0) is None
    assert dashboard.percent_text(None) == "—"
    assert dashboard.percent_text(100.0) == "100%"


def test_a_missing_list_page_gives_no_link():
    assert dashboard.list_url("no-such:page") == ""
    assert dashboard.list_url("requests:cases:index", {"flags": ["overdue", "at_risk"]}) == (
        reverse("requests:cases:index") + "?flags=overdue&flags=at_risk"
    )


def _user(django_user_model, name, agency, role):
    user = django_user_model.objects.create_user(name, password="pw")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    agency.staff.add(user)
    return user


@pytest.mark.django_db
def test_scopes_and_links(django_user_model):
    city = Agency.objects.create(name="某市人民政府", short_name="某市政府", code="city")
    county = Agency.objects.create(name="某县人民政府", code="county", parent=city)
    bureau = Agency.objects.create(name="某县教育局", code="bureau", parent=county)
    Agency.objects.create(name="另一市人民政府", code="other")

    head = _user(django_user_model, "head", city, "office_head")
    choices = dashboard.scopes(head)
    assert [(s.code, s.label) for s in choices[:2]] == [
        ("own", "本机关（某市政府）"),
        ("supervised", "所属机关合计（2个）"),
    ]
    assert {(s.code, s.label) for s in choices[2:]} == {
        (str(county.pk), "某县人民政府"),
        (str(bureau.pk), "某县教育局"),
    }
    assert set(choices[1].agencies) == {county, bureau}
    assert dashboard.links_allowed(head, [city])
    assert not dashboard.links_allowed(head, [city, county])
    assert not dashboard.links_allowed(head, [])

    handler = _user(django_user_model, "handler", county, "handler")
    assert [s.code for s in dashboard.scopes(handler)] == ["own"]  # not a supervisor


@pytest.mark.django_db
def test_the_page_asks_for_a_login_and_explains_a_user_without_agency(client, django_user_model):
    assert client.get(PAGE).status_code == 302
    lonely = django_user_model.objects.create_user("lonely", password="pw")
    lonely.groups.add(Group.objects.get_or_create(name="handler")[0])
    client.force_login(lonely)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "您尚未被设为任何机关的工作人员" in response.content.decode()


@pytest.mark.django_db
def test_the_menu_offers_the_dashboard(client, office_head):
    client.force_login(office_head)
    html = client.get(reverse("requests:cases:index")).content.decode()
    assert 'href="/dashboard/' in html


# -- ECharts: from npm, served as the site's own static file ----------------------------------


def test_echarts_is_found_among_the_static_files_and_nothing_else_of_its_package():
    found = finders.find(ECHARTS)
    assert found, "node_modules/echarts 缺失：请运行 make static-deps"
    assert Path(found) == ROOT / "node_modules/echarts/dist/echarts.min.js"
    assert Path(found).read_bytes()[:2000].count(b"echarts") > 0
    assert finders.find("vendor/echarts/echarts.js") is None
    assert finders.find("vendor/echarts/../package.json") is None
    listed = [
        f"{storage.prefix}/{path}" for path, storage in VendorFileFinder().list(ignore_patterns=[])
    ]
    assert listed == [ECHARTS]


def test_a_missing_library_is_reported_by_the_system_check(settings, tmp_path):
    settings.GONGKAI_VENDOR_STATIC = {ECHARTS: tmp_path / "missing.js"}
    warnings = VendorFileFinder().check()
    assert [w.id for w in warnings] == ["gongkai.W001"]
    assert "make static-deps" in warnings[0].msg
    assert not VendorFileFinder().find(ECHARTS)


@pytest.mark.django_db(transaction=True)
def test_the_static_url_serves_echarts(live_server):
    from urllib.request import urlopen

    with urlopen(f"{live_server.url}{settings.STATIC_URL.rstrip('/')}/{ECHARTS}") as response:
        assert response.status == 200
        assert b"echarts" in response.read(5000)


def test_echarts_comes_from_the_npm_registry_and_is_never_committed():
    package = json.loads((ROOT / "package.json").read_text())
    assert package["dependencies"]["echarts"].lstrip("^~")[0] in "56"
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/echarts"]["version"].split(".")[0] in ("5", "6")
    assert "node_modules/" in (ROOT / ".gitignore").read_text().split()
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split()
    if tracked:  # a git checkout
        assert not [path for path in tracked if path.endswith("echarts.min.js")]
        assert not [path for path in tracked if path.startswith("node_modules/")]
    templates = "".join(p.read_text() for p in (ROOT / "workflow/templates").rglob("*.html"))
    assert "cdn" not in templates.lower()
