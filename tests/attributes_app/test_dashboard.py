"""The document panels of the dashboard: the attributes by formation year, the publications and
interpretations overdue or at risk, the yearly review's progress; counted for the given agencies
only, linked only for the user's own agencies."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from attributes_app import dashboard as panels
from attributes_app.models import AttributeReview, Document, Publication, ReviewItem
from workflow import dashboard

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 3)
NOW = datetime(2026, 12, 3, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
_numbers = iter(range(1, 100_000))


def document(agency, unit, creator, *, attribute="proactive", state="published", formed=None):
    values = {}
    if attribute == "withheld":
        values = {"attribute_reasons": "内部事务", "attribute_ground": "internal_affairs"}
    elif attribute == "on_request":
        values = {"attribute_reasons": "涉及个人信息"}
    return Document.objects.create(
        agency=agency,
        drafting_unit=unit,
        title=f"文件{next(_numbers)}",
        attribute=attribute,
        attribute_state=state,
        secrecy="non_secret",
        formed_on=formed,
        created_by=creator,
        created_at=timezone.now(),
        **values,
    )


def publication(doc, *, due_at, at_risk_from=None, published_on=None, **values):
    if published_on:
        values.update(url="https://www.example.gov.cn/zwgk/1.html", channel="portal")
    return Publication.objects.create(
        document=doc,
        agency=doc.agency,
        source="drafting",
        start_on=date(2026, 11, 1),
        due_at=due_at,
        due_on=timezone.localtime(due_at).date() if due_at else None,
        at_risk_from=at_risk_from,
        published_on=published_on,
        created_at=timezone.now(),
        **values,
    )


@pytest.fixture
def world(agency, other_agency, unit, drafter, office_head, outsider):
    formed = date(2025, 6, 1)
    for _ in range(3):
        document(agency, unit, drafter, formed=formed)
    document(agency, unit, drafter, attribute="on_request", state="restricted", formed=formed)
    document(agency, unit, drafter, formed=date(2026, 2, 1))
    # Not confirmed yet: not counted.
    document(agency, unit, drafter, attribute="", state="undetermined", formed=formed)
    # Another agency's: never counted.
    theirs = other_agency.drafting_units.create(name="外机关科室")
    for _ in range(4):
        document(other_agency, theirs, outsider, attribute="on_request", state="restricted",
                 formed=formed)  # fmt: skip
    return agency


def table(panel) -> dict[str, tuple]:
    return {row.cells[0]: row.cells[1:] for row in panel.rows}


def test_the_panels_are_registered():
    names = dashboard.registered_panels()
    assert [n for n in names if n.startswith("attributes-")] == [
        "attributes-share",
        "attributes-deadlines",
        "attributes-review",
    ]


def test_attributes_by_formation_year(world, office_head):
    panel = panels.attribute_share(office_head, [world], TODAY)
    rows = table(panel)
    assert list(rows) == ["2022年", "2023年", "2024年", "2025年", "2026年"]
    assert rows["2025年"] == (3, 1, 0, "75%")
    assert rows["2026年"] == (1, 0, 0, "100%")
    assert rows["2024年"] == (0, 0, 0, "—")
    assert panel.total.cells == ("合计", 4, 1, 0, "80%")
    assert {row.cells[0]: row.url for row in panel.rows}["2025年"] == (
        reverse("attributes:documents:index") + "?year=2025"
    )


def test_publications_and_interpretations_overdue_or_at_risk(
    agency, other_agency, unit, drafter, office_head, outsider
):
    waiting = [document(agency, unit, drafter, state="awaiting_publication") for _ in range(4)]
    publication(waiting[0], due_at=NOW - timedelta(days=2))  # overdue
    publication(waiting[1], due_at=NOW + timedelta(days=2), at_risk_from=TODAY)  # at risk
    publication(waiting[2], due_at=NOW + timedelta(days=20), at_risk_from=TODAY + timedelta(10))
    publication(waiting[3], due_at=None)  # deadline not known yet
    published = [document(agency, unit, drafter) for _ in range(2)]
    publication(
        published[0],
        due_at=NOW - timedelta(days=30),
        published_on=date(2026, 11, 1),
        interpretation_required=True,
        interpretation_due_at=NOW - timedelta(days=1),
    )
    publication(
        published[1],
        due_at=NOW - timedelta(days=30),
        published_on=date(2026, 11, 1),
        interpretation_required=True,
        interpretation_published_on=date(2026, 11, 2),
        interpretation_due_at=NOW - timedelta(days=1),
    )
    theirs = other_agency.drafting_units.create(name="外机关科室")
    publication(
        document(other_agency, theirs, outsider, state="awaiting_publication"),
        due_at=NOW - timedelta(days=2),
    )
    with time_machine.travel(NOW, tick=False):
        panel = panels.overdue_publications(office_head, [agency], TODAY)
    assert table(panel) == {
        "主动公开文件：已逾期": (1,),
        "主动公开文件：临期": (1,),
        "主动公开文件：待公开合计": (4,),
        "政策解读：已逾期": (1,),
        "政策解读：临期": (0,),
        "政策解读：待发布合计": (1,),
    }
    urls = {row.cells[0]: row.url for row in panel.rows}
    publications = reverse("attributes:publications:index")
    assert urls["主动公开文件：已逾期"] == f"{publications}?show=overdue"
    series = {s["name"]: s["data"] for s in panel.chart["series"]}
    assert series == {"已逾期": [1, 1], "临期": [1, 0], "期限内或期限未定": [2, 0]}


def test_yearly_review_progress(agency, other_agency, unit, drafter, office_head, outsider):
    old = AttributeReview.objects.create(
        agency=agency,
        year=2025,
        status="closed",
        applicant_threshold=3,
        age_years=5,
        opened_by=office_head,
        opened_at=timezone.now(),
    )
    review = AttributeReview.objects.create(
        agency=agency,
        year=2026,
        applicant_threshold=3,
        age_years=5,
        opened_by=office_head,
        opened_at=timezone.now(),
    )
    statuses = ["with_unit", "with_unit", "proposed", "decided", "decided", "withdrawn"]
    for status in statuses:
        doc = document(agency, unit, drafter, attribute="withheld", state="restricted")
        ReviewItem.objects.create(
            review=review,
            document=doc,
            drafting_unit=unit,
            attribute="withheld",
            status=status,
            proposal="keep" if status in ("proposed", "decided") else "",
            decision="keep" if status == "decided" else "",
        )
    ReviewItem.objects.create(
        review=old,
        document=document(agency, unit, drafter, attribute="withheld", state="restricted"),
        drafting_unit=unit,
        attribute="withheld",
        status="decided",
        proposal="keep",
        decision="keep",
    )
    panel = panels.review_progress(office_head, [agency, other_agency], TODAY)
    rows = table(panel)
    assert rows[agency.name] == ("2026年度，进行中", 6, 2, 1, 2, 1, "50%")
    assert rows[other_agency.name][0] == "尚未启动"
    # The other agency is not the office head's: no link anywhere.
    assert all(row.url == "" for row in panel.rows)
    own = panels.review_progress(office_head, [agency], TODAY)
    assert own.rows[0].url == reverse("attributes:reviews:detail", kwargs={"pk": review.pk})


def test_a_user_without_a_register_role_sees_no_document_panel(agency, registrar):
    assert panels.attribute_share(registrar, [agency], TODAY) is None


def test_a_drafter_sees_the_numbers_without_the_office_lists(world, drafter):
    panel = panels.overdue_publications(drafter, [world], TODAY)
    assert panel is not None
    assert all(row.url == "" for row in panel.rows)
