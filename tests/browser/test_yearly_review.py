"""The yearly review in the browser (DOMAIN §4.3): the legal office opens it (in the background,
with its progress shown), a drafting unit proposes, the legal office decides several items in
bulk, closes the review and reads the report."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from attributes_app.models import AttributeReview, ReviewItem
from attributes_app.services import drafting_unit_save
from tests.attributes_app.helpers import INTERNAL, PROCESS, issued
from tests.browser.conftest import login
from tests.conftest import _persona
from workflow.models import Job

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TITLES = ["人事安排的通知", "后勤管理办法", "方案讨论稿", "项目资金安排的函"]


@pytest.fixture
def documents(django_user_model, agency, admin_user, legal_reviewer):
    from attributes_app.services import DocumentData, document_register

    drafter = _persona(django_user_model, "drafter", agency, "drafter")
    head = _persona(django_user_model, "unit_head", agency, "drafting_unit_head")
    unit = drafting_unit_save(
        actor=admin_user, agency=agency, name="综合科", members=[drafter], heads=[head]
    )
    reasons = [
        INTERNAL,
        INTERNAL,
        PROCESS,
        {"reasons": "仅涉及个别项目", "ground": "limited_scope"},
    ]
    result = []
    for title, why in zip(TITLES, reasons, strict=True):
        document = document_register(
            actor=drafter, agency=agency, data=DocumentData(title=title, drafting_unit_id=unit.pk)
        )
        attribute = "on_request" if why["ground"] == "limited_scope" else "withheld"
        result.append(issued(document, drafter=drafter, head=head, attribute=attribute, **why))
    return result


def test_open_propose_decide_in_bulk_close_and_report(
    page, live_server, documents, legal_reviewer, shot
):
    # 1. The legal office opens the review; the page waits for the background job.
    login(page, live_server, "legal_reviewer")
    page.goto(f"{live_server.url}/attributes/reviews/")
    shot("1-reviews")
    page.click("#open-review-button")
    page.wait_for_selector("#review-head", timeout=60_000)  # the job page goes on by itself
    review = AttributeReview.objects.get()
    assert Job.objects.get().status == "done"
    assert "进行中" in page.inner_text("#review-status")
    assert review.items.count() == 4
    shot("2-opened")

    # 2. The drafting unit proposes: two to change (in one go), two to keep (one by one).
    login(page, live_server, "drafter")
    page.goto(f"{live_server.url}/attributes/unit_review/")
    for title in TITLES[2:]:
        page.check(f"input[aria-label='选择《{title}》']")
    page.check("#bulk-fields input[name=bulk-verdict][value=change]")
    page.check("#bulk-fields input[name=bulk-attribute][value=proactive]")
    page.fill(
        "#bulk-fields textarea[name=bulk-reasons]", "相关工作已经完成，不主动公开的理由已不存在"
    )
    shot("3-unit-bulk-proposal")
    page.click("#bulk-propose")
    page.wait_for_load_state("networkidle")
    assert "已对2项提出意见" in page.content()
    for title in TITLES[:2]:
        page.goto(f"{live_server.url}/attributes/unit_review/")
        page.click(f"text={title}")
        page.wait_for_selector("#propose")
        page.check("#proposal-fields input[name=verdict][value=keep]")
        expect(page.locator("#proposal-fields .change-only").first).to_be_hidden()
        page.fill("#proposal-fields textarea[name=reasons]", "内部事务信息，理由仍然成立")
        page.click("#propose-submit")
        page.wait_for_load_state("networkidle")
    assert set(review.items.values_list("status", flat=True)) == {"proposed"}
    shot("4-unit-inbox")

    # 3. The legal office decides in bulk: the items the unit wants changed, then the rest.
    login(page, live_server, "legal_reviewer")
    page.goto(f"{live_server.url}/attributes/reviews/{review.pk}/")
    page.select_option("select[name=proposal]", "change")
    page.click("#apply-filters")
    page.wait_for_load_state("networkidle")
    assert "符合条件的 2 项" in page.inner_text("#items").replace("\n", " ")
    page.check("#scope-all")
    page.check("#bulk-fields input[name=bulk-verdict][value=change]")
    page.check("#bulk-fields input[name=bulk-attribute][value=proactive]")
    page.select_option("#bulk-fields select[name=bulk-reason_code]", "time_elapsed")
    page.fill(
        "#bulk-fields textarea[name=bulk-reasons]",
        "时过境迁，不主动公开的理由已不存在，转为主动公开",
    )
    shot("5-bulk-decision")
    page.click("#bulk-submit")
    page.wait_for_load_state("networkidle")
    assert "已对2项作出决定，2件文件的公开属性已变更" in page.content()
    page.goto(f"{live_server.url}/attributes/reviews/{review.pk}/")
    page.check("#select-page")  # every item still awaiting a decision on this page
    page.check("#bulk-fields input[name=bulk-verdict][value=keep]")
    page.select_option("#bulk-fields select[name=bulk-reason_code]", "reasons_stand")
    page.fill("#bulk-fields textarea[name=bulk-reasons]", "经复核，不主动公开的理由仍然成立")
    page.click("#bulk-submit")
    page.wait_for_load_state("networkidle")
    assert set(review.items.values_list("status", flat=True)) == {"decided"}
    assert ReviewItem.objects.filter(review=review, decision="change").count() == 2
    shot("6-all-decided")

    # 4. Close, and read the report.
    page.click("#close-review")
    page.wait_for_selector("#report-figures")
    assert page.inner_text("#figure-reviewed") == "4"
    assert page.inner_text("#figure-kept") == "2"
    assert page.inner_text("#figure-changed") == "2"
    assert "方案讨论稿" in page.inner_text("#changes")
    shot("7-report")

    # 5. The report and the list of changes go out as files (DOMAIN §4.3 step 4).
    assert page.get_attribute("#report-pdf", "href").endswith(f"/{review.pk}/report.pdf")
    with page.expect_download() as download:
        page.click("#changes-csv")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.startswith("序号,文件标题,文号") and "方案讨论稿" in text
