"""A document's attribute from drafting to issuance and publication, in the browser (DOMAIN §4.1,
§4.2).

A drafter proposes a policy document as on-request with a legal ground; the disclosure office
reviews it, the unit's head confirms it (签发) and it is issued. Another document is proposed
proactive; issuing it before confirmation is refused (不予发文); once confirmed and issued it is
secrecy-reviewed and published.
"""

import pytest
from playwright.sync_api import expect

from attributes_app.models import CatalogueItem, Document, Publication
from attributes_app.services import drafting_unit_save
from tests.browser.conftest import login
from tests.conftest import _persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def people(django_user_model, agency, office_head, admin_user):
    drafter = _persona(django_user_model, "drafter", agency, "drafter")
    head = _persona(django_user_model, "unit_head", agency, "drafting_unit_head")
    secrecy = _persona(django_user_model, "secrecy_reviewer", agency, "secrecy_reviewer")
    unit = drafting_unit_save(
        actor=admin_user, agency=agency, name="城建科", members=[drafter], heads=[head]
    )
    CatalogueItem.objects.create(
        agency=agency,
        name="城区停车场名录",
        content="停车场名称、位置、泊位数",
        legal_basis="《中华人民共和国政府信息公开条例》第二十条",
        default_attribute="proactive",
        publication_days=5,
    )
    return {"drafter": drafter, "head": head, "secrecy": secrecy, "unit": unit}


def open_document(page, live_server, document) -> None:
    page.goto(f"{live_server.url}/attributes/documents/{document.pk}/")
    page.wait_for_selector("#document-title")


def submit(page, form_id: str) -> None:
    page.locator(f"#{form_id} button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def state(document) -> str:
    return Document.objects.get(pk=document.pk).attribute_state


def test_drafting_review_confirmation_issuance_and_publication(
    page, live_server, people, office_head, shot
):
    # 1. The drafter drafts a policy document and proposes it on request, with its ground.
    login(page, live_server, "drafter")
    page.goto(f"{live_server.url}/attributes/documents/")
    page.click("#new-document")
    page.wait_for_selector("#draft-form")
    expect(page.locator("#attribute-guide")).to_be_visible()
    page.fill("input[name=title]", "关于某片区停车设施建设资金安排的实施意见")
    page.check("input[name=kind][value=policy]")
    page.check("input[name=attribute][value=on_request]")
    expect(page.locator("#non-proactive")).to_be_visible()
    page.select_option("select[name=ground]", "limited_scope")
    # Decided while drafting: a document is not issued with its secrecy status open.
    page.check("input[name=secrecy][value=non_secret]")
    page.set_input_files(
        "input[name=text_file]",
        files=[{"name": "实施意见.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    shot("1-draft-without-reason")
    page.click("#save-draft")
    page.wait_for_load_state("networkidle")
    # No reason: refused on the form, the typed title and the chosen file are kept.
    assert "应当写明不主动公开的理由" in page.inner_text("#field-reasons")
    assert page.input_value("input[name=title]") == "关于某片区停车设施建设资金安排的实施意见"
    assert "实施意见.pdf" in page.inner_text("#kept-text")
    shot("2-reason-missing")
    page.fill(
        "textarea[name=reasons]", "只涉及片区内个别项目单位的资金安排，不需要社会公众广泛知晓"
    )
    page.click("#save-draft")
    page.wait_for_selector("#document-title")
    policy = Document.objects.get(kind="policy")
    assert state(policy) == "office_review"
    assert "待政务公开工作机构审查" in page.inner_text("#state")
    assert policy.file.name.endswith("实施意见.pdf")
    shot("3-sent-to-the-office")

    # 2. The disclosure office finds it in its list and agrees.
    login(page, live_server, "office_head")
    page.goto(f"{live_server.url}/attributes/office/")
    page.click(f"text={policy.title}")
    page.wait_for_selector("#action-office_approve")
    page.fill("#action-office_approve textarea", "同意依申请公开")
    shot("4-office-review")
    submit(page, "action-office_approve")
    assert state(policy) == "proposed"

    # 3. The unit's head confirms it (签发) and issues it.
    login(page, live_server, "unit_head")
    open_document(page, live_server, policy)
    page.fill("#action-confirm textarea", "同意")
    submit(page, "action-confirm")
    assert state(policy) == "restricted"
    page.fill("#action-issue input[name=issue-number]", "孝政发〔2026〕21号")
    submit(page, "action-issue")
    policy.refresh_from_db()
    assert policy.is_issued and policy.number == "孝政发〔2026〕21号"
    assert "（此件依申请公开）" in page.inner_text("#attribute-card")
    history = page.inner_text("#history")
    assert "拟稿时提出建议" in history and "政务公开工作机构审查" in history
    shot("5-issued-on-request")

    # 4. Another document, proposed proactive.
    login(page, live_server, "drafter")
    page.goto(f"{live_server.url}/attributes/documents/new/")
    page.fill("input[name=title]", "关于公布2026年城区停车场名录的通知")
    # The catalogue item it fulfils proposes its default attribute (DOMAIN §5).
    page.select_option("select[name=catalogue_item]", label="城区停车场名录")
    assert page.is_checked("input[name=attribute][value=proactive]")
    assert "默认公开属性：主动公开，5个工作日内公开" in page.inner_text("#catalogue-hint")
    expect(page.locator("#non-proactive")).to_be_hidden()
    page.check("input[name=secrecy][value=non_secret]")
    page.set_input_files(
        "input[name=text_file]",
        files=[{"name": "名录.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.click("#save-draft")
    page.wait_for_selector("#document-title")
    notice = Document.objects.get(kind="other")
    assert state(notice) == "proposed"
    # Before the head's confirmation it cannot be issued: the page says why, with no form.
    assert "不予发文：公开属性建议尚未经起草单位负责人确认" in page.inner_text("#issue-blocked")
    assert page.locator("#action-issue").count() == 0
    shot("6-refused")

    login(page, live_server, "unit_head")
    open_document(page, live_server, notice)
    submit(page, "action-confirm")
    submit(page, "action-issue")
    assert state(notice) == "awaiting_publication"
    assert "公开期限" in page.inner_text("#deadlines")

    # 5. The secrecy review, then publication by the disclosure office.
    login(page, live_server, "secrecy_reviewer")
    open_document(page, live_server, notice)
    page.check("#action-secrecy_review input[value=cleared]")
    page.fill("#action-secrecy_review textarea", "不涉及国家秘密和工作秘密，同意公开")
    submit(page, "action-secrecy_review")
    assert "同意公开" in page.inner_text("#secrecy")

    login(page, live_server, "office_head")
    open_document(page, live_server, notice)
    page.fill("#action-publish input[name=publish-url]", "https://www.example.gov.cn/zwgk/1.html")
    shot("7-publish")
    submit(page, "action-publish")
    assert state(notice) == "published"
    assert Publication.objects.get(document=notice).url.endswith("/zwgk/1.html")
    assert "已主动公开" in page.inner_text("#state")
    assert "https://www.example.gov.cn/zwgk/1.html" in page.inner_text("#publication")
    shot("8-published")
