"""The whole journey of a request through the task pages, in the browser (DOMAIN §3.1).

The handler sends a correction notice, the registrar records the correction, the handler
consults a third party and proposes partial disclosure, the office head returns it once; the
secrecy reviewer records the secrecy review of what is disclosed (Art. 17 ¶2), then the office head
approves, the registrar serves and archives; the letters open as PDFs.
"""

import pytest
from django.utils import timezone

from requests_app.flows import process_for
from requests_app.models import CaseDocument, InformationRequest
from requests_app.services import request_register
from tests.browser.conftest import login
from tests.requests_app.flow_helpers import task, url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REG = "《中华人民共和国政府信息公开条例》"


@pytest.fixture
def users(registrar, handler, office_head, secrecy_reviewer):
    return {
        "registrar": registrar,
        "handler": handler,
        "office_head": office_head,
        "secrecy_reviewer": secrecy_reviewer,
    }


def act(page, live_server, user, case, node: str, action: str, shot=None, **fields):
    """Take the task (领取) when it is in the queue, fill one action's form and submit it."""
    login(page, live_server, user.username)
    current = task(case, node)
    if current.owner_id is None:
        page.goto(f"{live_server.url}{url(current, 'assign')}")
        submit(page, page.locator("#take-and-do"))
    page.goto(f"{live_server.url}{url(current, 'execute')}")
    card = page.locator(f"#action-{action}")
    for name, value in fields.items():
        field = card.locator(f"[name='{action}-{name}']")
        if field.count() > 1:  # radio buttons: tick the one with this value
            card.locator(f"[name='{action}-{name}'][value='{value}']").check()
            continue
        kind = field.evaluate("e => e.tagName + ':' + (e.type || '')")
        if kind.startswith("SELECT"):
            field.select_option(str(value))
        elif kind.endswith(":checkbox"):
            field.check()
        elif kind.endswith(":file"):
            field.set_input_files(value)
        else:
            field.fill(str(value))
    if shot:
        shot(f"{node}-{action}")
    submit(page, card.locator("button[type=submit]"))


def submit(page, button) -> None:
    """Click a submit button and wait until the answer is on the page. The frame submits forms
    with fetch (Turbo) and renders the answer in place, so the page's load state, already
    reached, does not wait for it: wait for Turbo's render (or for a new document)."""
    page.evaluate(
        """() => {
            window.gkSubmitted = true;
            window.gkRendered = false;
            const rendered = () => { window.gkRendered = true; };
            document.addEventListener("turbo:render", rendered, { once: true });
            document.addEventListener("turbo:load", rendered, { once: true });
        }"""
    )
    button.click()
    page.wait_for_function("() => window.gkSubmitted === undefined || window.gkRendered")
    page.wait_for_load_state("networkidle")


def stage(case) -> str:
    return InformationRequest.objects.get(pk=case.pk).stage


def test_a_request_from_correction_to_archive(page, live_server, users, agency, walk_in, shot):
    today = timezone.localdate()
    case = request_register(
        actor=users["registrar"],
        agency=agency,
        data=walk_in(arrival_date=today, receipt_date=today),
    )
    day = today.isoformat()
    handler, registrar, head = users["handler"], users["registrar"], users["office_head"]

    act(
        page, live_server, handler, case, "accept", "correction", shot, items="请写明所需信息的年份"
    )
    assert stage(case) == "correct"
    act(page, live_server, registrar, case, "correct", "record", shot, received_on=day)
    assert stage(case) == "accept"
    act(page, live_server, handler, case, "accept", "accept", shot)
    act(
        page,
        live_server,
        handler,
        case,
        "propose",
        "consult",
        shot,
        party="third_party",
        party_name="孝义市某建设工程有限公司",
        matter="工程合同金额",
        sent_on=day,
    )
    assert stage(case) == "consult"
    consultation = case.consultations.get()
    act(
        page,
        live_server,
        handler,
        case,
        "consult",
        "reply",
        shot,
        consultation=consultation.pk,
        reply="object",
        replied_on=day,
        reasons="涉及商业秘密",
    )
    proposal = {
        "outcome": "partly_disclosed",
        "articles": f"{REG}第三十七条\n{REG}第十五条",
        "withheld_0_description": "合同中的单价明细",
        "withheld_0_reason": "商业秘密，第三方不同意公开",
        "withheld_0_basis": f"{REG}第十五条",
        "provide_form": "electronic",
        # Art. 32: the objected content is among the withheld parts, nothing is disclosed over it.
        "objections_withheld": consultation.pk,
    }
    act(page, live_server, handler, case, "propose", "propose", shot, **proposal)
    assert stage(case) == "approve"
    act(page, live_server, head, case, "approve", "return", shot, comment="请写明第三方的意见")
    assert stage(case) == "propose"
    act(page, live_server, handler, case, "propose", "propose", **proposal)
    # Art. 17 ¶2: no approval before the secrecy review of what the reply discloses.
    act(page, live_server, head, case, "approve", "approve")
    assert stage(case) == "approve"
    assert "尚未通过保密审查" in page.locator("#action-approve").inner_text()
    # The secrecy reviewer finds it on their own page, without the applicant's data.
    login(page, live_server, users["secrecy_reviewer"].username)
    page.goto(f"{live_server.url}/secrecy/replies/")
    assert "张明华" not in page.content()
    page.click(f"text={case.case_number}")
    page.wait_for_load_state("networkidle")
    assert "合同中的单价明细" in page.locator("#proposal").inner_text()
    assert "张明华" not in page.content()
    page.locator("[name=conclusion][value=cleared]").check()
    page.fill("[name=opinion]", "经审查，拟公开的信息不涉及国家秘密，同意公开。")
    shot("secrecy-review")
    submit(page, page.locator("#action-secrecy button[type=submit]"))
    assert case.secrecy_reviews.filter(conclusion="cleared").exists()
    act(page, live_server, head, case, "approve", "approve", shot)
    assert stage(case) == "serve"
    act(
        page,
        live_server,
        registrar,
        case,
        "serve",
        "serve",
        shot,
        method="electronic",
        served_on=day,
    )
    act(page, live_server, registrar, case, "archive", "archive", shot)
    assert stage(case) == "closed"
    assert process_for(case).status == "DONE"

    # The case page lists every letter; each opens as a PDF.
    page.goto(f"{live_server.url}/requests/cases/{case.pk}/")
    shot("case-page")
    assert "已归档" in page.locator("#stage").inner_text()
    kinds = set(CaseDocument.objects.filter(request=case).values_list("letter_kind", flat=True))
    assert {"receipt", "correction_notice", "third_party_consultation", "reply"} <= kinds
    for link in page.locator("#documents a", has_text="打开 PDF").all():
        response = page.request.get(f"{live_server.url}{link.get_attribute('href')}")
        assert response.headers["content-type"] == "application/pdf"
        assert response.body()[:5] == b"%PDF-"
