"""The register's pages: who may open them, drafting with the attribute explained, the document
page and its actions by role and state, the disclosure office's lists (DOMAIN §4.1, §4.2)."""

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from attributes_app.models import AttributeChange, CatalogueItem, Document, Publication
from attributes_app.permissions import ACTIONS as PERMISSIONS
from attributes_app.services import (
    DocumentData,
    attribute_propose,
    document_publish,
    document_register,
    secrecy_review_record,
)
from attributes_app.views import ACTIONS
from tests.attributes_app.helpers import INTERNAL, confirmed, fresh, issued, ready_to_issue
from tests.conftest import _persona
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db
LIST = reverse("attributes:documents:index")
NEW = reverse("attributes:documents:new")
WORK = reverse("attributes:work:index")
OFFICE = reverse("attributes:office:index")
PUBLICATIONS = reverse("attributes:publications:index")
ERRORS = reverse("attributes:errors:index")
URL = "https://www.xiaoyi.gov.cn/zwgk/2026/0302/1.html"
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _monday_2_march_2026():
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        yield


def page(document) -> str:
    return reverse("attributes:documents:detail", kwargs={"pk": document.pk})


def action(document, name: str) -> str:
    return reverse("attributes:documents:action", kwargs={"pk": document.pk, "action": name})


def pdf(name: str = "正文.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def draft_data(unit, **changes) -> dict:
    data = {
        "drafting_unit": str(unit.pk),
        "title": "关于2026年城区老旧小区改造的实施意见",
        "kind": "policy",
        "number": "",
        "formed_on": "",
        "effective_on": "",
        "catalogue_item": "",
        "attribute": "on_request",
        "ground": "limited_scope",
        "law": "",
        "reasons": "仅涉及改造项目的实施单位，不需要社会公众广泛知晓",
        "kept_text": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def stranger(django_user_model, other_agency):
    """Someone of another agency holding ``role``."""

    def make(role: str):
        return _persona(django_user_model, f"other_{role}", other_agency, role)

    return make


# -- who may open what ----------------------------------------------------------------------------

PAGES = {"list": LIST, "work": WORK, "office": OFFICE, "publications": PUBLICATIONS}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        # list, work, office, publications, errors, new draft, document page
        ("drafter", (200, 200, 403, 403, 403, 200, 200)),
        ("unit_head", (200, 200, 403, 403, 403, 200, 200)),
        ("office_head", (200, 200, 200, 200, 200, 403, 200)),
        ("legal_reviewer", (200, 403, 403, 403, 200, 403, 200)),
        ("secrecy_reviewer", (200, 200, 403, 403, 403, 403, 200)),
        ("registrar", (403, 403, 403, 403, 403, 403, 403)),  # no role of the register
        ("outsider", (200, 403, 403, 403, 403, 403, 404)),  # another agency's handler
        ("anonymous", (302,) * 7),
    ],
)
def test_permission_matrix(request, client, draft, persona, expected):
    document = draft()
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    urls = [LIST, WORK, OFFICE, PUBLICATIONS, ERRORS, NEW, page(document)]
    got = tuple(client.get(url).status_code for url in urls)
    assert got == expected


def test_another_agencys_staff_get_404_for_every_document_url(client, draft, stranger, unit):
    document = draft()
    document.file.save("正文.pdf", pdf(), save=True)
    client.force_login(stranger("office_head"))
    for url in (
        page(document),
        reverse("attributes:documents:edit", kwargs={"pk": document.pk}),
        reverse("attributes:documents:text", kwargs={"pk": document.pk}),
    ):
        assert client.get(url).status_code in (403, 404), url
    assert client.get(page(document)).status_code == 404
    response = client.post(action(document, "propose"), {"propose-attribute": "proactive"})
    assert response.status_code == 404
    assert fresh(document).attribute_state == "undetermined"


def test_every_document_action_is_a_step_of_the_permission_table():
    # The role part of what the page offers comes from the table the services check.
    assert {name: a.step for name, a in ACTIONS.items() if a.step not in PERMISSIONS} == {}


@pytest.mark.parametrize("name", sorted(ACTIONS))
@pytest.mark.parametrize(
    "role", ["drafter", "drafting_unit_head", "office_head", "secrecy_reviewer"]
)
def test_no_action_reaches_another_agencys_document(client, draft, stranger, name, role):
    document = draft()
    client.force_login(stranger(role))
    response = client.post(action(document, name), {f"{name}-opinion": "同意"})
    assert response.status_code == 404
    assert fresh(document).attribute_state == "undetermined"
    events = AuditEvent.objects.filter(object_type="attributes_app.document")
    assert list(events.values_list("action", flat=True)) == ["document_registered"]


def test_the_list_shows_only_the_users_agencys_documents(client, draft, stranger, other_agency):
    ours = draft(title="本机关的通知")
    theirs_unit = other_agency.drafting_units.create(name="外机关科室")
    Document.objects.create(
        agency=other_agency,
        drafting_unit=theirs_unit,
        title="外机关的通知",
        created_by=stranger("drafter"),
        created_at=ours.created_at,
    )
    client.force_login(stranger("office_head"))
    body = client.get(LIST).content.decode()
    assert "外机关的通知" in body
    assert "本机关的通知" not in body


def menu_links(client, url=LIST) -> set[str]:
    body = client.get(url).content.decode()
    return {path for path in MENU if f'href="{path}"' in body}


MENU = {
    WORK,
    LIST,
    OFFICE,
    PUBLICATIONS,
    ERRORS,
    reverse("attributes:reviews:index"),
    reverse("attributes:unit_review:index"),
}


def test_the_menu_offers_the_pages_of_the_users_roles(client, drafter, office_head, registrar):
    client.force_login(drafter)
    assert menu_links(client) == {WORK, LIST, reverse("attributes:unit_review:index")}
    client.force_login(office_head)
    assert menu_links(client) == {
        WORK,
        LIST,
        OFFICE,
        PUBLICATIONS,
        ERRORS,
        reverse("attributes:reviews:index"),
    }
    client.force_login(registrar)
    assert menu_links(client, reverse("requests:cases:index")) == set()


# -- drafting -------------------------------------------------------------------------------------


def test_the_drafting_form_explains_each_attribute_and_ground(client, drafter, unit):
    client.force_login(drafter)
    body = client.get(NEW).content.decode()
    for words in ("（此件公开发布）", "（此件依申请公开）", "（此件不予公开）", "第十六条第二款"):
        assert words in body
    assert "不属于应当主动公开的范围" in body and "只能依申请公开" in body
    assert "其他法律、法规的规定" in body
    # The only unit the drafter belongs to is chosen for them.
    assert f'<option value="{unit.pk}" selected' in body


def test_a_policy_document_proposed_on_request_goes_to_the_office(client, drafter, unit):
    # DOMAIN §4.1: a policy document proposed on-request goes to the disclosure office first.
    client.force_login(drafter)
    response = client.post(NEW, draft_data(unit) | {"text_file": pdf()})
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == page(document)
    assert document.attribute_state == "office_review"
    assert document.attribute_ground == "limited_scope"
    assert document.file.name.endswith(".pdf")
    change = AttributeChange.objects.get(document=document)
    assert (change.actor, change.to_state, change.source) == (drafter, "office_review", "drafting")


def test_a_non_proactive_proposal_without_reason_is_refused_on_the_form(client, drafter, unit):
    # DOMAIN §4.1: on_request and withheld need a written reason with its legal ground.
    client.force_login(drafter)
    response = client.post(NEW, draft_data(unit, attribute="withheld", ground="", reasons=""))
    body = response.content.decode()
    assert response.status_code == 200
    assert "不主动公开的理由：拟不予公开的，应当写明不主动公开的理由" in body
    assert "请选择不主动公开的法律依据" in body
    assert "关于2026年城区老旧小区改造的实施意见" in body  # what was typed is kept
    assert not Document.objects.exists()


def test_limited_scope_cannot_ground_a_withheld_attribute(client, drafter, unit):
    client.force_login(drafter)
    response = client.post(NEW, draft_data(unit, attribute="withheld"))
    assert "只能作为依申请公开的理由" in response.content.decode()
    assert not Document.objects.exists()


def test_another_law_needs_its_name(client, drafter, unit):
    client.force_login(drafter)
    response = client.post(NEW, draft_data(unit, ground="other_law", law=""))
    assert "请写明所依据的法律、法规的名称和条款" in response.content.decode()
    response = client.post(
        NEW, draft_data(unit, ground="other_law", law="《中华人民共和国档案法》第二十七条")
    )
    assert response.status_code == 302
    assert Document.objects.get().legal_basis == "《中华人民共和国档案法》第二十七条"


def test_withheld_on_another_law_needs_a_law_or_administrative_regulation(client, drafter, unit):
    # Art. 14: only 法律、行政法规 prohibit disclosure; the form says so and keeps the input.
    client.force_login(drafter)
    response = client.get(NEW)
    assert "地方性法规、规章不能作为不予公开的依据" in response.content.decode()
    local = "《山西省政务公开规定》第十条"
    response = client.post(
        NEW, draft_data(unit, attribute="withheld", ground="other_law", law=local)
    )
    page = response.content.decode()
    assert "不予公开只能依据法律、行政法规" in page
    assert local in page
    assert not Document.objects.exists()


def test_articles_14_and_15_cannot_ground_on_request(client, drafter, unit):
    client.force_login(drafter)
    response = client.post(NEW, draft_data(unit, attribute="on_request", ground="third_party"))
    assert "不能标注为依申请公开" in response.content.decode()
    assert not Document.objects.exists()


def test_a_normative_document_is_always_proactive(client, drafter, unit):
    # Art. 20(1): normative documents are published proactively.
    client.force_login(drafter)
    response = client.post(NEW, draft_data(unit, kind="normative"))
    assert "行政规范性文件应当主动公开" in response.content.decode()


def test_the_chosen_file_is_kept_when_the_form_comes_back(client, drafter, unit):
    client.force_login(drafter)
    response = client.post(NEW, draft_data(unit, title="") | {"text_file": pdf("实施意见.pdf")})
    body = response.content.decode()
    assert "请填写文件标题" in body
    assert "已选择：实施意见.pdf" in body
    token = response.context["form"]["kept_text"].value()
    assert token
    response = client.post(NEW, draft_data(unit, kept_text=token))
    assert response.status_code == 302
    assert Document.objects.get().file.name.endswith("实施意见.pdf")


def test_a_file_that_is_not_a_document_is_refused(client, drafter, unit):
    client.force_login(drafter)
    fake = SimpleUploadedFile("正文.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(NEW, draft_data(unit) | {"text_file": fake})
    assert "内容不是PDF、OFD、DOCX、DOC或WPS文件" in response.content.decode()
    assert not Document.objects.exists()


def test_a_drafter_cannot_draft_for_a_unit_they_do_not_belong_to(client, drafter, unit, other_unit):
    client.force_login(drafter)
    response = client.post(NEW, draft_data(other_unit))
    assert "起草单位：请从列表中选择一项" in response.content.decode()
    assert not Document.objects.exists()


def test_the_catalogue_items_default_attribute_is_offered(client, drafter, unit, agency):
    # DOMAIN §5: a document linked to a catalogue item takes its default attribute.
    item = CatalogueItem.objects.create(
        agency=agency,
        name="城市更新项目批准结果",
        content="项目名称、批准文号",
        legal_basis="《条例》第二十条",
        default_attribute="proactive",
        publication_days=5,
    )
    client.force_login(drafter)
    response = client.get(NEW)
    assert response.context["catalogue_defaults"] == {
        str(item.pk): {"attribute": "proactive", "text": "主动公开，5个工作日内公开"}
    }
    assert 'id="catalogue-defaults"' in response.content.decode()


def test_the_proposal_form_of_a_returned_draft_starts_from_the_catalogue_default(
    client, drafter, unit, agency
):
    item = CatalogueItem.objects.create(
        agency=agency,
        name="采购结果",
        content="中标结果",
        legal_basis="政府采购法",
        default_attribute="on_request",
    )
    document = document_register(
        actor=drafter,
        agency=agency,
        data=DocumentData(
            title="采购结果公告", drafting_unit_id=unit.pk, catalogue_item_id=item.pk
        ),
    )
    client.force_login(drafter)
    form = client.get(page(document)).context["action_forms"]["propose"][1]
    assert form.initial["attribute"] == "on_request"


# -- the document page ----------------------------------------------------------------------------


def actions_of(client, user, document) -> set[str]:
    client.force_login(user)
    return set(client.get(page(document)).context["action_forms"])


def test_each_role_sees_only_the_actions_the_state_allows(
    client, draft, drafter, unit_head, office_head, secrecy_reviewer, legal_reviewer, other_drafter
):
    document = draft(kind="policy")
    # 登记印发 is not offered while it would be refused (issue #10 point 16).
    assert actions_of(client, drafter, document) == {"propose", "attach_text"}
    assert actions_of(client, other_drafter, document) == set()  # another unit
    assert actions_of(client, secrecy_reviewer, document) == {"classify"}
    attribute_propose(actor=drafter, document_id=document.pk, attribute="withheld", **INTERNAL)
    assert actions_of(client, office_head, document) == {
        "office_approve",
        "office_return",
        "attach_text",
    }
    assert actions_of(client, unit_head, document) == {"attach_text"}
    client.force_login(office_head)
    client.post(action(document, "office_approve"), {"office_approve-opinion": "同意"})
    assert actions_of(client, unit_head, document) == {"confirm", "send_back", "attach_text"}
    client.force_login(unit_head)
    client.post(action(document, "confirm"), {})
    assert fresh(document).attribute_state == "restricted"
    assert actions_of(client, legal_reviewer, document) == set()  # not issued: no validity
    assert actions_of(client, unit_head, document) == {"attach_text"}  # no text yet
    ready_to_issue(document, drafter=drafter)
    assert actions_of(client, unit_head, document) == {"issue", "attach_text"}
    client.force_login(drafter)
    client.post(action(document, "issue"), {"issue-number": "孝政发〔2026〕3号"})
    assert actions_of(client, legal_reviewer, document) == {"validity"}


def test_the_page_shows_facts_deadline_and_history(client, draft, drafter, unit_head, office_head):
    document = issued(draft(kind="policy"), drafter=drafter, head=unit_head)
    client.force_login(office_head)
    body = client.get(page(document)).content.decode()
    assert "（此件公开发布）" in body
    assert "待主动公开" in body
    # Art. 26: 20 working days from formation on 2026-03-02 -> 2026-03-30.
    assert "自成文之日（2026年3月2日）起20个工作日内，即2026年3月30日前" in body
    assert "政策解读期限" in body
    history = client.get(page(document)).context["history"]
    assert [(c.from_state, c.to_state) for c in history] == [
        ("undetermined", "proposed"),
        ("proposed", "awaiting_publication"),
    ]
    assert "拟稿时提出建议" in body and "起草单位负责人确认（签发）" in body
    timeline = body.split('id="timeline"')[1]
    assert "<td>印发</td>" in timeline and "<td>不予发文</td>" not in timeline


def test_the_legal_basis_is_cited_once(client, draft, drafter, unit_head):
    document = confirmed(draft(), drafter=drafter, head=unit_head, attribute="withheld", **INTERNAL)
    client.force_login(drafter)
    body = client.get(page(document)).content.decode()
    basis = body[
        body.index('id="legal-basis"') : body.index("</dd>", body.index('id="legal-basis"'))
    ]
    assert basis.count("第十六条第一款") == 1 and "内部事务信息" in basis


def test_history_tables_scroll_instead_of_squeezing_columns(client, draft, drafter, unit_head):
    document = confirmed(draft(), drafter=drafter, head=unit_head)
    client.force_login(drafter)
    body = client.get(page(document)).content.decode()
    for card in ("history", "timeline"):
        section = body[body.index(f'id="{card}"') :]
        assert section.index('<div class="gk-scroll"><table') < section.index("</table>")
    assert "overflow-wrap: anywhere" not in body  # broke cells after any character


def test_a_document_without_its_text_or_secrecy_status_is_not_offered_for_issue(
    client, draft, drafter, unit_head
):
    document = confirmed(draft(), drafter=drafter, head=unit_head)
    client.force_login(unit_head)
    body = client.get(page(document)).content.decode()
    assert 'id="action-issue"' not in body and "尚未上传正式文本" in body
    client.post(action(document, "attach_text"), {"attach_text-text_file": pdf()})
    body = client.get(page(document)).content.decode()
    assert 'id="action-issue"' not in body and "尚未确定密级状态" in body
    response = client.post(action(document, "issue"), {"issue-number": "孝政发〔2026〕9号"})
    assert "尚未确定密级状态" in response.content.decode() and not fresh(document).is_issued
    ready_to_issue(document, drafter=drafter)
    body = client.get(page(document)).content.decode()
    assert 'id="action-issue"' in body and "尚不能登记印发" not in body


def test_issuing_without_an_attribute_is_refused_with_the_reason(client, draft, drafter):
    # DOMAIN §4.1: a request to issue without a proposed attribute is refused (不予发文).
    document = draft()
    client.force_login(drafter)
    body = client.get(page(document)).content.decode()
    # Said on the page, without a form to send (issue #10 point 16)...
    assert "尚不能登记印发：不予发文：未提出公开属性建议" in body
    assert 'id="action-issue"' not in body
    # ...and refused, recorded, when sent all the same (an older page, another tab).
    response = client.post(action(document, "issue"), {"issue-number": "孝政发〔2026〕9号"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="gk-refused"' in body and "不予发文：未提出公开属性建议" in body
    assert 'value="孝政发〔2026〕9号"' in body  # kept
    assert not fresh(document).is_issued
    refusal = AuditEvent.objects.get(action="document_issue_refused")
    assert (refusal.actor, refusal.reason) == (
        drafter,
        "不予发文：未提出公开属性建议（主动公开、依申请公开或不予公开）。",
    )


def test_the_drafting_journey_through_the_page(
    client, draft, drafter, unit_head, office_head, secrecy_reviewer
):
    document = draft(kind="policy")
    client.force_login(drafter)
    response = client.post(action(document, "propose"), {"propose-attribute": "proactive"})
    assert response.status_code == 302
    client.force_login(unit_head)
    client.post(action(document, "confirm"), {"confirm-comment": "同意印发"})
    ready_to_issue(document, drafter=drafter)
    client.post(action(document, "issue"), {"issue-number": "孝政发〔2026〕5号"})
    client.force_login(secrecy_reviewer)
    client.post(
        action(document, "secrecy_review"),
        {"secrecy_review-conclusion": "cleared", "secrecy_review-opinion": "不涉密，同意公开"},
    )
    client.force_login(office_head)
    response = client.post(
        action(document, "publish"), {"publish-url": URL, "publish-channel": "portal"}
    )
    assert response.status_code == 302
    response = client.post(
        action(document, "interpretation"),
        {
            "interpretation-interpretation_title": "《实施意见》政策解读",
            "interpretation-interpretation_url": URL.replace("1.html", "2.html"),
        },
    )
    assert response.status_code == 302
    document = fresh(document)
    assert (document.attribute_state, document.number) == ("published", "孝政发〔2026〕5号")
    publication = Publication.objects.get(document=document)
    assert publication.interpretation_title == "《实施意见》政策解读"
    body = client.get(page(document)).content.decode()
    assert "已于2026年3月2日公开" in body and "《实施意见》政策解读" in body


def test_a_bad_url_comes_back_under_its_field_with_what_was_typed(
    client, draft, drafter, unit_head, office_head, secrecy_reviewer
):
    document = issued(draft(), drafter=drafter, head=unit_head)
    secrecy_review_record(
        actor=secrecy_reviewer, document_id=document.pk, conclusion="cleared", opinion="同意"
    )
    client.force_login(office_head)
    response = client.post(
        action(document, "publish"),
        {"publish-url": "www.xiaoyi.gov.cn/1.html", "publish-channel": "gazette"},
    )
    body = response.content.decode()
    assert "公开网址：请填写公开页面的完整网址，以 http:// 或 https:// 开头" in body
    assert 'value="www.xiaoyi.gov.cn/1.html"' in body
    assert '<option value="gazette" selected>' in body
    assert fresh(document).attribute_state == "awaiting_publication"


def test_publishing_before_the_secrecy_review_says_why(
    client, draft, drafter, unit_head, office_head
):
    # DOMAIN §4.1: every document to be published passes a secrecy review.
    document = issued(draft(), drafter=drafter, head=unit_head)
    client.force_login(office_head)
    response = client.post(
        action(document, "publish"), {"publish-url": URL, "publish-channel": "portal"}
    )
    assert "拟公开的文件须先经保密审查" in response.content.decode()


def test_the_second_of_two_office_heads_is_told_it_was_done(
    client, draft, drafter, office_head, django_user_model, agency
):
    second = _persona(django_user_model, "office_head_2", agency, "office_head")
    document = draft(kind="policy")
    attribute_propose(actor=drafter, document_id=document.pk, attribute="withheld", **INTERNAL)
    client.force_login(office_head)
    assert client.post(action(document, "office_approve"), {}).status_code == 302
    client.force_login(second)
    response = client.post(
        action(document, "office_return"), {"office_return-opinion": "请补充理由"}, follow=True
    )
    assert "这项操作现在不能办理：可能已由他人办理" in response.content.decode()
    assert fresh(document).attribute_state == "proposed"
    assert AttributeChange.objects.filter(document=document, source="office_review").count() == 1


def test_a_drafter_cannot_confirm_their_own_proposal(client, draft, drafter):
    document = draft()
    attribute_propose(actor=drafter, document_id=document.pk, attribute="proactive")
    client.force_login(drafter)
    response = client.post(action(document, "confirm"), {}, follow=True)
    assert "这项操作现在不能办理" in response.content.decode()
    assert fresh(document).attribute_state == "proposed"


def test_the_head_sends_back_with_a_comment_or_is_asked_for_one(client, draft, drafter, unit_head):
    document = draft()
    attribute_propose(actor=drafter, document_id=document.pk, attribute="proactive")
    client.force_login(unit_head)
    response = client.post(action(document, "send_back"), {"send_back-comment": ""})
    assert "退回时请写明意见" in response.content.decode()
    response = client.post(action(document, "send_back"), {"send_back-comment": "请改为依申请公开"})
    assert response.status_code == 302
    assert fresh(document).attribute_state == "undetermined"


def test_the_interpretation_is_uploaded_before_issue_when_the_agency_says_so(
    client, draft, drafter, unit_head, agency
):
    # Xiaoyi: the interpretation is approved with the policy document (同步审签), else 退文.
    agency.interpretation_days = 0
    agency.save()
    document = confirmed(draft(kind="policy"), drafter=drafter, head=unit_head)
    client.force_login(unit_head)
    page = client.get(reverse("attributes:documents:detail", kwargs={"pk": document.pk}))
    text = page.content.decode()
    assert "请先上传政策解读材料" in text  # the issue refusal shown on the page
    response = client.post(
        action(document, "attach_interpretation"),
        {"attach_interpretation-interpretation_file": pdf("解读.pdf")},
    )
    assert response.status_code == 302
    assert fresh(document).interpretation_file.name.endswith(".pdf")
    text = client.get(
        reverse("attributes:documents:detail", kwargs={"pk": document.pk})
    ).content.decode()
    assert "请先上传政策解读材料" not in text
    assert fresh(document).interpretation_file.name.rsplit("/", 1)[-1] in text


def test_the_final_text_is_served_to_the_agency_only(client, draft, drafter, stranger):
    document = draft()
    client.force_login(drafter)
    response = client.post(action(document, "attach_text"), {"attach_text-text_file": pdf()})
    assert response.status_code == 302
    url = reverse("attributes:documents:text", kwargs={"pk": document.pk})
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    client.force_login(stranger("drafter"))
    assert client.get(url).status_code == 404


def test_classifying_removes_the_text_and_leaves_the_register_entry(
    client, draft, drafter, secrecy_reviewer
):
    document = draft()
    document.file.save("正文.pdf", pdf(), save=True)
    client.force_login(secrecy_reviewer)
    response = client.post(action(document, "classify"), {"classify-reason": ""})
    assert "请填写转为涉密的依据" in response.content.decode()
    response = client.post(action(document, "classify"), {"classify-reason": "孝定密〔2026〕1号"})
    assert response.status_code == 302
    body = client.get(page(document)).content.decode()
    assert "已转为涉密文件" in body and "移出本系统" in body
    assert not fresh(document).file


def test_the_edit_page_keeps_typed_values_and_saves(client, draft, drafter):
    document = draft()
    url = reverse("attributes:documents:edit", kwargs={"pk": document.pk})
    client.force_login(drafter)
    data = {
        "drafting_unit": str(document.drafting_unit_id),
        "title": "",
        "kind": "other",
        "number": "孝政办发〔2026〕2号",
    }
    response = client.post(url, data)
    assert "请填写文件标题" in response.content.decode()
    assert 'value="孝政办发〔2026〕2号"' in response.content.decode()
    response = client.post(url, data | {"title": "新的标题"})
    assert response.status_code == 302
    assert fresh(document).title == "新的标题"


# -- the lists ------------------------------------------------------------------------------------


def many_documents(agency, unit, creator, n: int, **fields):
    Document.objects.bulk_create(
        [
            Document(
                agency=agency,
                drafting_unit=unit,
                title=f"批量文件{i}",
                formed_on=date(2025 - i % 3, 3, 1),
                created_by=creator,
                created_at=fresh_now(),
                **fields,
            )
            for i in range(n)
        ]
    )


def fresh_now():
    from django.utils import timezone

    return timezone.now()


def count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_register_filters_and_searches(
    client, draft, office_head, agency, other_unit, other_drafter
):
    draft(title="城区改造实施意见", kind="policy", formed_on=date(2025, 6, 1))
    document_register(
        actor=other_drafter,
        agency=agency,
        data=DocumentData(
            title="财务制度", drafting_unit_id=other_unit.pk, formed_on=date(2026, 1, 5)
        ),
    )
    client.force_login(office_head)

    def titles(**query):
        response = client.get(LIST, query)
        return sorted(d.title for d in response.context["page"].object_list)

    assert titles(q="改造") == ["城区改造实施意见"]
    assert titles(drafting_unit=str(other_unit.pk)) == ["财务制度"]
    assert titles(kind="policy") == ["城区改造实施意见"]
    assert titles(year="2026") == ["财务制度"]
    assert titles(attribute="none", state="undetermined") == ["城区改造实施意见", "财务制度"]
    response = client.get(LIST, {"year": "1900", "kind": "policy"})
    assert "筛选条件有误" in response.content.decode()
    assert [d.title for d in response.context["page"].object_list] == ["城区改造实施意见"]


def test_the_register_takes_the_same_queries_for_5_and_45_documents(
    client, office_head, agency, unit, drafter
):
    client.force_login(office_head)
    many_documents(agency, unit, drafter, 5)
    few = count_queries(client, LIST)
    many_documents(agency, unit, drafter, 40)
    assert count_queries(client, LIST) == few
    assert count_queries(client, LIST + "?page=2") == few


def test_a_long_register_counts_up_to_a_bound_and_still_pages_on(
    client, office_head, agency, unit, drafter, monkeypatch
):
    # Counting every document of a big agency on each page view is what the bound avoids.
    monkeypatch.setattr("workflow.pagination.COUNT_LIMIT", 20)
    client.force_login(office_head)
    many_documents(agency, unit, drafter, 45)
    first = client.get(LIST)
    page = first.context["page"]
    assert not page.paginator.exact and page.has_next()
    text = first.content.decode()
    assert "文件超过 <strong>20</strong> 份" in text and "第 1 页" in text
    assert "末页" not in text
    last = client.get(LIST + "?page=3")
    assert last.context["page"].paginator.exact
    assert "共 <strong>45</strong> 份文件，第 3 / 3 页" in last.content.decode()
    assert len(last.context["page"].object_list) == 5


def test_the_office_list_shows_policy_documents_waiting_for_review(
    client, draft, drafter, office_head, agency, unit
):
    waiting = draft(title="待审查的政策文件", kind="policy")
    attribute_propose(actor=drafter, document_id=waiting.pk, attribute="withheld", **INTERNAL)
    draft(title="普通文稿")
    client.force_login(office_head)
    few = count_queries(client, OFFICE)
    body = client.get(OFFICE).content.decode()
    assert "待审查的政策文件" in body and "普通文稿" not in body
    assert "内部事务信息" in body or "《中华人民共和国政府信息公开条例》第十六条第一款" in body
    many_documents(
        agency,
        unit,
        drafter,
        30,
        kind="policy",
        attribute="on_request",
        attribute_state="office_review",
        proposed_by=drafter,
    )
    assert count_queries(client, OFFICE) == few


def test_overdue_and_at_risk_publications_are_listed(
    client, draft, drafter, unit_head, office_head
):
    # Art. 26: due 20 working days after formation (2026-03-02 -> 2026-03-30).
    early = issued(draft(title="三月初的通知"), drafter=drafter, head=unit_head)
    with time_machine.travel("2026-03-26 10:00 +0800", tick=False):
        client.force_login(office_head)
        body = client.get(PUBLICATIONS, {"show": "at_risk"}).content.decode()
        assert "三月初的通知" in body
        assert client.get(PUBLICATIONS).context["page"].paginator.count == 0
    with time_machine.travel("2026-03-31 10:00 +0800", tick=False):
        client.force_login(office_head)
        later = issued(draft(title="三月底的通知"), drafter=drafter, head=unit_head)
        response = client.get(PUBLICATIONS)
        assert [p.document for p in response.context["page"].object_list] == [early]
        assert "已逾期" in response.content.decode()
        few = count_queries(client, PUBLICATIONS + "?show=all")
        for i in range(10):
            issued(draft(title=f"又一份通知{i}"), drafter=drafter, head=unit_head)
        assert count_queries(client, PUBLICATIONS + "?show=all") == few
        shown = client.get(PUBLICATIONS, {"show": "all"}).context["page"].object_list
        assert shown[0].document == early and later in [p.document for p in shown]


def test_the_error_list_reports_issued_documents_without_secrecy_or_attribute(
    client, office_head, agency, unit, legal_reviewer, draft
):
    # DOMAIN §4.1: "既不确定密级也不确定公开属性" is reported.
    older = document_register(
        actor=office_head,
        agency=agency,
        data=DocumentData(
            title="2019年的旧文件",
            drafting_unit_id=unit.pk,
            formed_on=date(2019, 4, 1),
            issued_on=date(2019, 4, 3),
        ),
    )
    draft(title="还在拟稿的文件")
    client.force_login(legal_reviewer)
    response = client.get(ERRORS)
    assert [d.title for d in response.context["page"].object_list] == [older.title]
    body = client.get(page(older)).content.decode()
    assert "既不确定密级也不确定公开属性" in body


def test_work_lists_what_waits_for_each_role(client, draft, drafter, unit_head, secrecy_reviewer):
    to_propose = draft(title="待提出建议的文稿")
    to_confirm = draft(title="待确认的文稿")
    attribute_propose(actor=drafter, document_id=to_confirm.pk, attribute="proactive")
    awaiting = confirmed(draft(title="待保密审查的文件"), drafter=drafter, head=unit_head)
    client.force_login(drafter)
    body = client.get(WORK).content.decode()
    assert to_propose.title in body and to_confirm.title not in body
    client.force_login(unit_head)
    assert to_confirm.title in client.get(WORK).content.decode()
    client.force_login(secrecy_reviewer)
    assert awaiting.title in client.get(WORK).content.decode()


def test_a_published_document_shows_its_publication_record(
    client, draft, drafter, unit_head, secrecy_reviewer, office_head
):
    document = issued(draft(), drafter=drafter, head=unit_head)
    secrecy_review_record(
        actor=secrecy_reviewer, document_id=document.pk, conclusion="cleared", opinion="同意"
    )
    document_publish(actor=office_head, document_id=document.pk, url=URL)
    client.force_login(drafter)
    body = client.get(page(document)).content.decode()
    assert URL in body and "政府门户网站" in body and "在公开期限（2026年3月30日）内公开" in body


def test_a_deadline_is_written_as_its_last_day_or_with_its_hour():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from attributes_app.templatetags.attributes_tags import due_text

    tz = ZoneInfo("Asia/Shanghai")
    # Working days (Art. 26): the period ends with the whole of its last day.
    assert due_text(datetime(2026, 3, 31, 0, 0, tzinfo=tz), date(2026, 3, 30)) == "2026年3月30日"
    # An agency's hours rule (e.g. 24 hours after issuance): the hour matters.
    assert (
        due_text(datetime(2026, 3, 3, 10, 0, tzinfo=tz), date(2026, 3, 3)) == "2026年3月3日 10:00"
    )
    assert due_text(None, None) == "—"


def test_the_error_list_takes_the_same_queries_however_long(
    client, legal_reviewer, agency, unit, drafter
):
    client.force_login(legal_reviewer)
    many_documents(agency, unit, drafter, 3, issued_on=date(2026, 2, 27))
    few = count_queries(client, ERRORS)
    many_documents(agency, unit, drafter, 30, issued_on=date(2026, 2, 27))
    assert count_queries(client, ERRORS) == few
    assert client.get(ERRORS).context["page"].paginator.count == 33
