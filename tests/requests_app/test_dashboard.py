"""The request panels of the dashboard: their numbers on fixture cases, the agencies counted, the
links to the case list, the annual report's reminder and the constant number of queries."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from requests_app import dashboard as panels
from requests_app.models import InformationRequest
from workflow import dashboard
from workflow.models import Agency

pytestmark = pytest.mark.django_db
R = InformationRequest
TODAY = date(2026, 12, 3)  # a Thursday: the window is 1 January to 3 December 2026
PAGE = reverse("dashboard:overview:index")
CASES = reverse("requests:cases:index")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)


_sequence = iter(range(1, 100_000))


def make(agency, creator, *, received: str, **values) -> R:
    """One case straight into the table (the clock's fields are set, not computed)."""
    sequence = next(_sequence)
    fields = {
        "agency": agency,
        "year": 2026,
        "sequence": sequence,
        "case_number": f"{agency.code}〔2026〕{sequence}号",
        "channel": R.Channel.IN_PERSON,
        "arrival_date": date.fromisoformat(received),
        "receipt_date": date.fromisoformat(received),
        "applicant_name": f"申请人{sequence}",
        "id_type": R.IdType.PASSPORT,
        "id_number": f"E{sequence:08d}",
        "phone": "13800000000",
        "description": f"第{sequence}件申请的政府信息",
        "form_wanted": R.Form.ELECTRONIC,
        "delivery": R.Delivery.EMAIL,
        "stage": R.Stage.ACCEPT,
        "created_by": creator,
        "created_at": timezone.now(),
    }
    for key in ("served_on", "due_date"):
        if isinstance(values.get(key), str):
            values[key] = date.fromisoformat(values[key])
    fields.update(values)
    return R.objects.create(**fields)


def served(agency, creator, received, served_on, due, outcome, **values) -> R:
    return make(
        agency,
        creator,
        received=received,
        served_on=served_on,
        due_date=due,
        outcome=outcome,
        stage=R.Stage.CLOSED,
        concluded_on=date.fromisoformat(served_on),
        **values,
    )


@pytest.fixture
def world(agency, other_agency, registrar, handler, outsider):
    """Served and open cases of the agency (the numbers below), and of another agency, which
    must never be counted."""
    # Served: 5, 14 and 21 working days after receipt in March (the last one late), 10 in
    # November. The March working days: 3-6, 9-13, 16-20, 23-27, 30-31 (no holiday).
    served(agency, registrar, "2026-03-02", "2026-03-09", "2026-03-30", "not_held")
    served(agency, registrar, "2026-03-02", "2026-03-20", "2026-03-30", "disclosed")
    served(agency, registrar, "2026-03-02", "2026-03-31", "2026-03-30", "withheld_third_party")
    served(agency, registrar, "2026-11-02", "2026-11-16", "2026-11-30", "disclosed")
    # Received before the window: counted in no monthly panel.
    served(agency, registrar, "2025-12-15", "2026-01-05", "2026-01-14", "disclosed")
    # Open: two in acceptance (one overdue), one waiting for the proposal (at risk).
    make(agency, registrar, received="2026-11-02", handler=handler, overdue=True, due_date=TODAY)
    make(agency, registrar, received="2026-11-20", stage=R.Stage.ACCEPT)
    make(agency, registrar, received="2026-11-25", stage=R.Stage.PROPOSE, handler=handler,
         at_risk=True)  # fmt: skip
    # Another agency's: never counted.
    for _ in range(3):
        served(other_agency, outsider, "2026-03-02", "2026-03-31", "2026-03-30", "disclosed")
    make(other_agency, outsider, received="2026-11-02", overdue=True)
    return agency


def table(panel) -> dict[str, tuple]:
    """A panel's table: first cell → the other cells."""
    return {row.cells[0]: row.cells[1:] for row in panel.rows}


def test_the_panels_are_registered_in_order():
    names = dashboard.registered_panels()
    expected = [
        "requests-stages",
        "requests-overdue",
        "requests-monthly",
        "requests-outcomes",
        "requests-on-time",
        "requests-days",
        "requests-handlers",
    ]
    assert [name for name in names if name.startswith("requests-")] == expected


def test_open_requests_by_stage(world, office_head):
    panel = panels.open_by_stage(office_head, [world], TODAY)
    rows = table(panel)
    assert rows["受理审查"] == (2, 1, 0)
    assert rows["提出办理意见"] == (0 + 1, 0, 1)
    assert rows["送达"] == (0, 0, 0)
    assert "已归档" not in rows
    assert panel.total.cells == ("合计", 3, 1, 1)
    # The chart stacks the same numbers.
    series = {s["name"]: s["data"] for s in panel.chart["series"]}
    stages = panel.chart["yAxis"]["data"]
    accept = stages.index("受理审查")
    assert (series["超期"][accept], series["临期"][accept], series["期限内或暂停"][accept]) == (
        1,
        0,
        1,
    )


def test_overdue_and_at_risk_now(world, office_head):
    panel = panels.overdue_now(office_head, [world], TODAY)
    assert table(panel) == {world.name: (3, 1, 1, "33.3%")}


def test_received_per_month(world, office_head):
    panel = panels.received_per_month(office_head, [world], TODAY)
    rows = table(panel)
    assert len(rows) == 12
    assert rows["2026年3月"] == (3,)
    assert rows["2026年11月"] == (4,)
    assert rows["2026年12月"] == (0,)
    assert rows["2026年1月"] == (0,)  # the December 2025 case is before the window
    assert panel.total.cells == ("合计", 7)
    assert panel.chart["series"][0]["data"][2] == 3  # March


def test_outcomes_by_family(world, office_head):
    panel = panels.outcomes_by_family(office_head, [world], TODAY)
    families = {item["name"]: item["value"] for item in panel.chart["series"][0]["data"]}
    assert families == {"予以公开": 2, "不予公开": 1, "无法提供": 1}
    assert table(panel)["予以公开：予以公开"] == (2, "50%")
    assert panel.total.cells[:2] == ("合计", 4)


def test_on_time_rate(world, office_head):
    panel = panels.on_time_rate(office_head, [world], TODAY)
    rows = table(panel)
    assert rows["2026年3月"] == (3, 2, 1, "66.7%")
    assert rows["2026年11月"] == (1, 1, 0, "100%")
    assert rows["2026年6月"] == (0, 0, 0, "—")
    assert panel.total.cells == ("合计", 4, 3, 1, "75%")
    assert panel.chart["series"][0]["data"][2] == 66.7


def test_median_working_days(world, office_head):
    panel = panels.median_working_days(office_head, [world], TODAY)
    rows = table(panel)
    assert rows["2026年3月"] == (3, "14")  # 5, 14, 21
    assert rows["2026年11月"] == (1, "10")
    assert panel.total.cells == ("全部", 4, "12")  # 5, 10, 14, 21: (10 + 14) / 2
    assert panel.chart["series"][0]["data"][2] == 14


def test_weighted_median():
    from collections import Counter

    assert panels.weighted_median(Counter()) is None
    assert panels.weighted_median(Counter({7: 1})) == 7
    assert panels.weighted_median(Counter({3: 2, 9: 2})) == 6
    assert panels.weighted_median(Counter({1: 1, 2: 5, 50: 1})) == 2


def test_load_per_handler(world, office_head, handler):
    panel = panels.handler_load(office_head, [world], TODAY)
    assert table(panel) == {"handler": (2, 1, 1), "未指定承办人": (1, 0, 0)}
    links = {row.cells[0]: row.url for row in panel.rows}
    assert links["handler"] == f"{CASES}?show=open&handler={handler.pk}"
    assert links["未指定承办人"] == f"{CASES}?show=open&handler=none"


def test_rows_link_to_the_filtered_case_list(world, office_head, client):
    panel = panels.open_by_stage(office_head, [world], TODAY)
    url = {row.cells[0]: row.url for row in panel.rows}["受理审查"]
    assert url == f"{CASES}?show=open&stage=accept"
    client.force_login(office_head)
    listed = client.get(url).content.decode()
    assert listed.count("申请人") >= 2
    month = {row.cells[0]: row.url for row in panels.received_per_month(
        office_head, [world], TODAY).rows}["2026年3月"]  # fmt: skip
    assert month == f"{CASES}?show=all&received_from=2026-03-01&received_to=2026-03-31"
    page = client.get(month)
    assert page.status_code == 200


def test_a_role_without_cases_sees_no_request_panel(world, secrecy_reviewer):
    assert panels.open_by_stage(secrecy_reviewer, [world], TODAY) is None


# -- the page, the scopes ----------------------------------------------------------------------


@pytest.fixture
def government(agency):
    """The government above the agency, and its office head (a supervisor)."""
    city = Agency.objects.create(name="孝义市人民政府", short_name="孝义市政府", code="city")
    agency.parent = city
    agency.save(update_fields=["parent"])
    return city


@pytest.fixture
def supervisor(django_user_model, government):
    user = django_user_model.objects.create_user("supervisor", password="pw")
    user.groups.add(Group.objects.get_or_create(name="office_head")[0])
    government.staff.add(user)
    return user


@time_machine.travel(at(TODAY), tick=False)
def test_the_page_shows_the_own_agency_with_links(world, office_head, client):
    client.force_login(office_head)
    html = client.get(PAGE).content.decode()
    assert "未办结的申请（按办理阶段）" in html
    assert f'href="{CASES}?show=open&amp;stage=accept"' in html
    assert 'id="chart-requests-stages-option" type="application/json"' in html
    assert "vendor/echarts/echarts.min.js" in html
    assert "统计范围" not in html  # nobody to choose among


@time_machine.travel(at(TODAY), tick=False)
def test_a_supervisor_sees_the_agencies_below_without_case_links(
    world, supervisor, government, other_agency, client
):
    client.force_login(supervisor)
    own = client.get(PAGE).content.decode()
    assert "统计范围" in own and "所属机关合计（1个）" in own
    # Their own government has no cases: zero everywhere.
    assert panels.overdue_now(supervisor, [government], TODAY).rows[0].cells == (
        government.name,
        0,
        0,
        0,
        "—",
    )
    below = client.get(PAGE, {"scope": "supervised"})
    html = below.content.decode()
    assert below.status_code == 200
    assert world.name in html
    assert CASES not in html  # not staff there: numbers without links
    assert "不能打开其申请和文件" in html
    panel = panels.overdue_now(supervisor, [world], TODAY)
    assert panel.rows[0].cells == (world.name, 3, 1, 1, "33.3%")  # never the other agency's
    assert panel.rows[0].url == ""
    one = client.get(PAGE, {"scope": str(world.pk)}).content.decode()
    assert "所属机关的数字仅供统计和监督" in one


@time_machine.travel(at(TODAY), tick=False)
def test_an_agency_outside_the_supervision_is_refused_with_a_message(
    world, supervisor, other_agency, client
):
    client.force_login(supervisor)
    for value in (str(other_agency.pk), "<script>", "9" * 30, "a\x00b"):
        response = client.get(PAGE, {"scope": value})
        assert response.status_code == 200
        html = response.content.decode()
        assert "统计范围：请从列表中选择机关" in html
        assert other_agency.name not in html
        assert "<script>" not in html.split("统计范围：")[1][:200]


def test_another_agencys_user_never_counts_this_agency(world, outsider, client):
    client.force_login(outsider)
    with time_machine.travel(at(TODAY), tick=False):
        html = client.get(PAGE).content.decode()
    panel = panels.open_by_stage(outsider, [outsider.agencies.get()], TODAY)
    assert panel.total.cells == ("合计", 1, 1, 0)
    assert world.name not in html


def test_a_supervisor_lands_on_the_dashboard(supervisor, office_head, client):
    client.force_login(supervisor)
    assert client.get("/")["Location"] == PAGE
    client.force_login(office_head)
    assert client.get("/")["Location"] == CASES


def test_the_page_reads_with_a_constant_number_of_queries(world, office_head, registrar, client):
    client.force_login(office_head)

    def count() -> int:
        with time_machine.travel(at(TODAY), tick=False), CaptureQueriesContext(connection) as ctx:
            assert client.get(PAGE).status_code == 200
        return len(ctx.captured_queries)

    count()  # the session's and the calendar's first reads
    first = count()
    for day in range(20):
        received = (date(2026, 5, 4) + timedelta(days=day)).isoformat()
        served(world, registrar, received, "2026-06-30", "2026-06-01", "disclosed")
        make(world, registrar, received=received, handler=office_head, at_risk=True)
    assert count() == first


# -- the annual report's reminder -------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2026, 11, 30), None),
        (date(2026, 12, 1), 2026),
        (date(2026, 12, 31), 2026),
        (date(2027, 1, 31), 2026),
        (date(2027, 2, 1), None),
        (date(2026, 6, 15), None),
    ],
)
def test_the_annual_report_reminder_from_1_december_to_31_january(
    agency, office_head, client, day, year
):
    with time_machine.travel(at(day), tick=False):
        client.force_login(office_head)
        response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    if year is None:
        assert "年度报告应于" not in html
    else:
        assert f"提醒：{year}年政府信息公开工作年度报告应于{year + 1}年1月31日前" in html


def test_the_reminder_links_to_the_annual_report_once_it_is_installed(agency, office_head):
    reminder = panels.annual_report_reminder(office_head, [agency], date(2026, 12, 1))
    try:
        expected = reverse(panels.ANNUAL_REPORT_URL)
    except Exception:  # the annual report's pages are not installed yet
        expected = ""
    assert reminder.url == expected
    assert panels.annual_report_reminder(office_head, [agency], date(2026, 10, 1)) is None


def test_the_reminder_is_for_the_office_head(agency, handler):
    assert panels.annual_report_reminder(handler, [agency], date(2026, 12, 1)) is None
