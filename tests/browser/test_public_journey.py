"""An applicant's whole journey on the public side, with the officers' steps between (issue #16 §3).

The applicant reads the guide, applies online as a citizen and chooses to receive letters on the
platform; the registrar confirms the application (received that day, Art. 31(3)); the handler
proposes disclosure, the secrecy reviewer clears it (Art. 17 ¶2), the office head approves and the
registrar serves the reply electronically; the applicant, on a phone in large-text mode, finds
the reply on the tracking page, with its date and the remedy, and downloads it and the information
provided with it.
"""

import re

import pytest
from captcha.models import CaptchaStore
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from requests_app.models import InformationRequest, OnlineSubmission
from requests_app.services import guide_draft, guide_publish, guide_save
from tests.browser.conftest import login
from tests.browser.test_request_journey import act, submit
from tests.requests_app.files import pdf
from workflow.cn import cn_date
from workflow.public.codes import query_code_matches

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REG = "《中华人民共和国政府信息公开条例》"
ID_NUMBER = "11010519491231002X"
WANTED = "2025年孝义市城区老旧小区改造项目的资金拨付明细"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def published_guide(agency, office_head):
    agency.office_name = "孝义市人民政府办公室政务公开科"
    agency.office_phone = "0358-7654321"
    agency.office_address = "孝义市府前街1号"
    agency.save()
    draft = guide_draft(actor=office_head, agency=agency)
    guide_save(
        actor=office_head,
        guide_id=draft.pk,
        values={"office_hours": "工作日上午8:30—12:00，下午14:30—17:30"},
    )
    return guide_publish(actor=office_head, guide_id=draft.pk)


@pytest.fixture
def staff(registrar, handler, office_head, secrecy_reviewer):
    # Full names, so that the tracking page can be checked for them.
    for user, (first, last) in [
        (registrar, ("登记员", "赵")),
        (handler, ("承办人", "李")),
        (office_head, ("主任", "钱")),
        (secrecy_reviewer, ("保密员", "孙")),
    ]:
        user.first_name, user.last_name = first, last
        user.save()
    return {
        "registrar": registrar,
        "handler": handler,
        "office_head": office_head,
        "secrecy_reviewer": secrecy_reviewer,
    }


@pytest.fixture
def console_errors(page):
    """Errors the public pages write to the console (a script failing, a blocked resource)."""
    errors = []
    page.on(
        "console",
        lambda message: (
            errors.append(f"{page.url}: {message.text}") if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    return errors


def answer_captcha(page) -> None:
    """Type the CAPTCHA as a person reading the image would."""
    key = page.locator('input[name="captcha_0"]').input_value()
    page.fill('input[name="captcha_1"]', CaptchaStore.objects.get(hashkey=key).response)


def apply_online(page, live_server, agency, shot) -> tuple[str, str]:
    """From the agency's home page through the guide to the application form; the number and
    query code read off the confirmation page."""
    page.goto(f"{live_server.url}/public/{agency.code}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(agency.name)
    shot("01-home")
    page.locator("main").get_by_role("link", name="公开指南").click()
    body = page.locator("#guide-body")
    expect(body).to_contain_text("孝义市人民政府办公室政府信息公开指南")
    # What an applicant looks for before applying: how long it takes and what to do if refused.
    limits = body.locator("section", has=page.get_by_role("heading", name="二、依申请公开"))
    expect(limits).to_contain_text("自收到申请之日起20个工作日内答复")
    # This site's online application is a way to apply, received the day both sides confirm.
    expect(limits).to_contain_text("在线申请：通过本网站的“在线申请”栏目")
    expect(limits).to_contain_text("第三十一条第（三）项")
    remedy = body.locator("section", has=page.get_by_role("heading", name="三、监督和救济"))
    expect(remedy).to_contain_text("孝义市人民政府")
    expect(remedy).to_contain_text("孝义市人民法院")
    expect(remedy).to_contain_text("应当先申请行政复议")
    shot("02-guide")
    limits.get_by_role("link", name="在线申请").click()

    expect(page.get_by_role("heading", name="在线提出政府信息公开申请")).to_be_visible()
    page.check('input[name="applicant_kind"][value="person"]')
    page.fill("#id_applicant_name", "张明华")
    page.select_option("#id_id_type", "resident_id")
    page.fill("#id_id_number", ID_NUMBER)
    page.fill("#id_phone", "13800000000")
    page.fill("#id_description", WANTED)
    page.check('input[name="form_wanted"][value="electronic"]')
    # Letters on the platform: served on the tracking page (docs/public.md).
    page.check('input[name="delivery"][value="online"]')
    expect(page.locator("#delivery-online-help")).to_contain_text("提供之日即为送达之日")
    page.check("#id_declaration")
    answer_captcha(page)
    shot("03-apply")
    page.click("#submit-button")

    expect(page.get_by_role("heading", name="您的申请已提交")).to_be_visible()
    number = page.inner_text("#submission-number")
    code = page.inner_text("#query-code")
    submission = OnlineSubmission.objects.get(number=number)
    assert submission.agency == agency and submission.status == "pending"
    assert query_code_matches(submission.query_code_hash, code)
    expect(page.locator("#next-steps")).to_contain_text("确认之日为收到申请之日")
    shot("04-submitted")
    return number, code


def confirm(page, live_server, number: str, shot) -> InformationRequest:
    """The registrar finds the application in 网上申请待确认 and confirms it."""
    login(page, live_server, "registrar")
    menu = page.locator("#menu-submissions")
    expect(menu).to_contain_text("网上申请待确认")
    expect(menu.locator(".gk-count")).to_have_text("1")
    menu.click()
    row = page.locator("#pending-submissions tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("张明华")
    row.get_by_role("link", name=number).click()
    expect(page.locator("#description")).to_contain_text(WANTED)
    expect(page.locator("#receipt-explained")).to_contain_text("收到申请之日为今天")
    shot("05-registrar-detail")
    page.click("#confirm-button")
    page.wait_for_selector("#case-number")
    case = InformationRequest.objects.get(online_submission__number=number)
    assert page.inner_text("#case-number") == case.case_number
    shot("06-registered")
    return case


def handle(page, live_server, staff, case, shot) -> None:
    """Accept, propose disclosure, clear it for secrecy, approve and serve electronically."""
    today = timezone.localdate().isoformat()
    handler, head, registrar = staff["handler"], staff["office_head"], staff["registrar"]
    act(page, live_server, handler, case, "accept", "accept", shot)
    act(
        page,
        live_server,
        handler,
        case,
        "propose",
        "propose",
        shot,
        outcome="disclosed",
        articles=f"{REG}第三十六条第（二）项",
        provided="2025年城区老旧小区改造项目资金拨付明细表",
        provide_form="electronic",
        provided_files=[
            {"name": "资金拨付明细表.pdf", "mimeType": "application/pdf", "buffer": pdf(1)}
        ],
    )
    assert InformationRequest.objects.get(pk=case.pk).stage == "approve"
    # Art. 17 ¶2: what is disclosed passes a secrecy review before the approval.
    login(page, live_server, staff["secrecy_reviewer"].username)
    page.goto(f"{live_server.url}/secrecy/replies/")
    page.click(f"text={case.case_number}")
    page.locator("[name=conclusion][value=cleared]").check()
    page.fill("[name=opinion]", "经审查，拟公开的资金拨付明细不涉及国家秘密，同意公开。")
    submit(page, page.locator("#action-secrecy button[type=submit]"))
    assert case.secrecy_reviews.filter(conclusion="cleared").exists()
    act(page, live_server, head, case, "approve", "approve", shot)
    assert InformationRequest.objects.get(pk=case.pk).stage == "serve"
    act(
        page,
        live_server,
        registrar,
        case,
        "serve",
        "serve",
        shot,
        method="electronic",
        served_on=today,
    )
    page.context.clear_cookies()  # the officers are done; the applicant is someone else


def track(page, live_server, agency, number: str, code: str, shot) -> None:
    """On a phone, in large-text mode: 申请查询 from the navigation, the reply downloaded."""
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/public/{agency.code}/")
    page.get_by_role("button", name="大字模式").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\bview-large\b"))
    page.locator("nav.site-nav").get_by_role("link", name="申请查询").click()
    page.get_by_label("网上申请编号或登记编号").fill(number)
    page.get_by_label("查询码").fill(code)
    page.get_by_label("证件号码后四位").fill(ID_NUMBER[-4:])
    shot("07-track-form")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("heading", name="办理状态：已答复")).to_be_visible()


def test_an_applicant_applies_online_and_downloads_the_reply(
    page, live_server, agency, published_guide, staff, console_errors, shot
):
    cache.clear()  # the throttles count per address, and every test comes from 127.0.0.1
    today = timezone.localdate()

    number, code = apply_online(page, live_server, agency, shot)
    public_errors = list(console_errors)
    case = confirm(page, live_server, number, shot)
    assert case.channel == "online" and case.delivery == "online"
    assert case.receipt_date == today  # Art. 31(3): received the day it is confirmed
    assert case.case_number.startswith("孝政信申")
    handle(page, live_server, staff, case, shot)
    case.refresh_from_db()
    assert (case.outcome, case.served_on) == ("disclosed", today)

    console_errors.clear()
    track(page, live_server, agency, number, code, shot)
    facts = page.locator("main")
    expect(facts).to_contain_text(case.case_number)
    expect(facts).to_contain_text("张**")
    expect(facts).to_contain_text(f"本机关已于{cn_date(today)}作出答复并送达。")
    remedy = facts.locator("h2", has_text="救济途径")
    expect(remedy).to_be_visible()
    # A disclosure is not a refusal under Arts. 14–16: reconsideration or a suit, at choice.
    expect(facts).to_contain_text("60日")
    expect(facts).to_contain_text("6个月")
    reply = case.documents.get(letter_kind="reply")
    receipt = case.documents.get(letter_kind="receipt")
    letters = facts.locator("#letters")
    expect(letters).to_contain_text(reply.title)
    expect(letters).to_contain_text(receipt.title)
    text = page.inner_text("main")
    for user in staff.values():
        assert user.username not in text
        assert user.get_full_name() not in text and user.last_name + user.first_name not in text
    shot("08-replied")

    with page.expect_download() as download:
        letters.get_by_role("link", name=reply.title).click()
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert case.online_letters.get(letter=reply).first_opened_at is not None

    # The information itself, provided with the reply on the platform the applicant chose.
    provided = facts.locator("#provided")
    with page.expect_download() as download:
        provided.get_by_role("link", name="资金拨付明细表.pdf").click()
    assert download.value.suggested_filename == "资金拨付明细表.pdf"
    with open(download.value.path(), "rb") as pdf_file:
        assert pdf_file.read(5) == b"%PDF-"

    assert not public_errors + console_errors, "\n".join(public_errors + console_errors)
