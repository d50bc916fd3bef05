"""The guide's pages: the staff page (start, edit, preview, publish, versions; who sees and
who edits; another agency's id is a 404) and the public page ``public:guide`` (only a published
version, escaped, a friendly page when there is none)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from requests_app.models import Guide
from requests_app.public.guide import blocks
from requests_app.rules import guide as words
from requests_app.services import guide_draft, guide_publish, guide_save
from requests_app.services.guide import CONTENT_FIELDS
from tests.conftest import _persona

pytestmark = pytest.mark.django_db

MARKUP = '<script>alert("x")</script><b onmouseover="x()">粗</b>'
SHORT_MARKUP = "<script>alert(1)</script>"
OWN = {
    "office_hours": "工作日上午8:30—12:00",
    "office_address": "孝义市府前街1号",
    "office_phone": "0358-7654321",
}


def staff(agency, name="guide", *args):
    return reverse(f"requests:guide:{name}", args=[agency.pk, *args])


def public(agency):
    return reverse("public:guide", kwargs={"agency_code": agency.code})


def form_data(guide: Guide, **changes) -> dict[str, str]:
    return {**{name: getattr(guide, name) for name in CONTENT_FIELDS}, **changes}


def test_the_office_head_starts_edits_previews_and_publishes(client, agency, office_head):
    client.force_login(office_head)
    page = client.get(staff(agency)).content.decode()
    assert 'id="start-button"' in page and "按本机关信息生成初稿" in page
    assert client.post(staff(agency, "action", "start")).status_code == 302
    draft = Guide.objects.get(agency=agency, status="draft")
    assert draft.court == "孝义市人民法院"
    page = client.get(staff(agency)).content.decode()
    assert 'id="guide-form"' in page and 'id="preview"' in page
    # The public page still has nothing: a draft is never shown.
    assert client.get(public(agency)).status_code == 404
    # Publishing is blocked while the office hours and address are missing.
    assert 'id="publish-blocked"' in page and "办公时间" in page
    response = client.post(staff(agency, "action", "publish"), {"note": ""})
    assert response.status_code == 200 and "公开指南不能发布" in response.content.decode()
    response = client.post(staff(agency, "action", "save"), form_data(draft, **OWN))
    assert response.status_code == 302
    page = client.get(staff(agency)).content.decode()
    assert "工作日上午8:30—12:00" in page  # in the form and in the preview
    assert client.post(staff(agency, "action", "publish"), {"note": "首次发布"}).status_code == 302
    guide = Guide.objects.get(agency=agency)
    assert (guide.status, guide.version, guide.publish_note) == ("published", 1, "首次发布")
    page = client.get(staff(agency)).content.decode()
    assert 'id="version-1"' in page and "新建修订草稿" in page
    version = client.get(staff(agency, "version", 1)).content.decode()
    assert "工作日上午8:30—12:00" in version
    assert client.get(staff(agency, "version", 2)).status_code == 404
    assert client.get(staff(agency, "version", 10**30)).status_code == 404


@pytest.mark.parametrize("role", ["handler", "registrar"])
def test_a_handler_sees_the_guide_but_cannot_edit_it(
    client, django_user_model, agency, office_head, role
):
    guide_draft(actor=office_head, agency=agency)
    user = _persona(django_user_model, f"u-{role}", agency, role)
    client.force_login(user)
    page = client.get(staff(agency)).content.decode()
    assert 'id="preview"' in page
    assert 'id="guide-form"' not in page and 'id="publish-form"' not in page
    assert "政务公开工作机构负责人或系统管理员" in page
    draft = Guide.objects.get(agency=agency)
    for action in ("start", "save", "publish"):
        response = client.post(staff(agency, "action", action), form_data(draft, office_hours="x"))
        assert response.status_code == 403
    assert Guide.objects.get(pk=draft.pk).office_hours == ""


def test_a_drafter_does_not_open_the_guide_pages(client, django_user_model, agency):
    drafter = _persona(django_user_model, "drafter", agency, "drafter")
    client.force_login(drafter)
    assert client.get(staff(agency)).status_code in (403, 404)
    assert client.post(staff(agency, "action", "start")).status_code in (403, 404)
    assert not Guide.objects.exists()


def test_another_agencys_guide_id_is_404(
    client, django_user_model, agency, other_agency, office_head, outsider
):
    guide_draft(actor=office_head, agency=agency)
    head = _persona(django_user_model, "fy-head", other_agency, "office_head")
    for user in (outsider, head):
        client.force_login(user)
        assert client.get(staff(agency)).status_code == 404
        assert (
            client.post(staff(agency, "action", "save"), {"office_hours": "x"}).status_code == 404
        )
        assert client.post(staff(agency, "action", "publish"), {"note": "x"}).status_code == 404
        assert client.get(staff(agency, "version", 1)).status_code == 404
    assert Guide.objects.get(agency=agency).office_hours == ""


def test_an_unknown_action_is_404(client, agency, office_head):
    client.force_login(office_head)
    assert client.post(staff(agency, "action", "delete")).status_code == 404


def test_the_index_lists_the_users_agencies(client, agency, other_agency, office_head):
    guide_draft(actor=office_head, agency=agency)
    client.force_login(office_head)
    page = client.get(reverse("requests:guide:index")).content.decode()
    assert agency.name in page and other_agency.name not in page and "第1版草稿" in page


# -- hostile input, field by field ----------------------------------------------------------------


@pytest.mark.parametrize("name", CONTENT_FIELDS)
def test_markup_in_any_field_is_shown_as_text(client, agency, office_head, name):
    draft = guide_draft(actor=office_head, agency=agency)
    limit = Guide._meta.get_field(name).max_length
    markup = MARKUP if len(MARKUP) <= limit else SHORT_MARKUP
    client.force_login(office_head)
    if name in ("office_postcode", "office_email"):
        # Six digits, an address: markup is refused under the field, never stored.
        bad = {"office_postcode": "<b>1</b>", "office_email": "a<b>@example.com"}[name]
        response = client.post(staff(agency, "action", "save"), form_data(draft, **{name: bad}))
        assert response.status_code == 200
        assert str(Guide._meta.get_field(name).verbose_name) in response.content.decode()
        assert getattr(Guide.objects.get(pk=draft.pk), name) != bad
        return
    values = {**OWN, name: markup}
    response = client.post(staff(agency, "action", "save"), form_data(draft, **values))
    assert response.status_code == 302
    assert getattr(Guide.objects.get(pk=draft.pk), name) == markup
    escaped = "&lt;script&gt;alert("
    preview = client.get(staff(agency)).content.decode()  # the form and the preview
    guide_publish(actor=office_head, guide_id=draft.pk)
    for html in (preview, client.get(staff(agency, "version", 1)).content.decode()):
        assert "<script>alert" not in html and "<b onmouseover" not in html
        assert escaped in html
    client.logout()
    html = client.get(public(agency)).content.decode()
    assert "<script>alert" not in html and "<b onmouseover" not in html and escaped in html


@pytest.mark.parametrize("name", CONTENT_FIELDS)
def test_the_form_refuses_nul_and_huge_values_naming_the_field(client, agency, office_head, name):
    draft = guide_draft(actor=office_head, agency=agency)
    label = str(Guide._meta.get_field(name).verbose_name)
    client.force_login(office_head)
    response = client.post(staff(agency, "action", "save"), form_data(draft, **{name: "甲\x00乙"}))
    html = response.content.decode()
    assert response.status_code == 200 and "U+0000" in html and label in html
    response = client.post(
        staff(agency, "action", "save"), form_data(draft, **{name: "字" * 60_000})
    )
    html = response.content.decode()
    assert response.status_code == 200 and label in html
    assert "不能超过" in html or "邮政编码" in html or "电子邮箱" in html
    assert Guide.objects.get(pk=draft.pk).updated_at == draft.updated_at


def test_a_huge_or_nul_publish_note_is_refused(client, agency, office_head):
    draft = guide_draft(actor=office_head, agency=agency)
    guide_save(actor=office_head, guide_id=draft.pk, values=OWN)
    client.force_login(office_head)
    html = client.post(staff(agency, "action", "publish"), {"note": "说\x00明"}).content.decode()
    assert "发布说明" in html and "U+0000" in html
    html = client.post(staff(agency, "action", "publish"), {"note": "长" * 5000}).content.decode()
    assert "发布说明不能超过200个字" in html
    assert Guide.objects.get(pk=draft.pk).status == "draft"


# -- the public page ------------------------------------------------------------------------------


def test_the_public_page_says_when_there_is_no_guide(client, agency):
    response = client.get(public(agency))
    assert response.status_code == 404
    html = response.content.decode()
    assert "本机关尚未发布公开指南" in html and agency.name in html


def test_the_public_page_shows_the_latest_published_version_only(client, agency, office_head):
    first = guide_draft(actor=office_head, agency=agency)
    guide_save(actor=office_head, guide_id=first.pk, values=OWN)
    guide_publish(actor=office_head, guide_id=first.pk)
    second = guide_draft(actor=office_head, agency=agency)
    guide_save(actor=office_head, guide_id=second.pk, values={"office_hours": "草稿中的时间"})
    html = client.get(public(agency)).content.decode()
    assert "工作日上午8:30—12:00" in html and "草稿中的时间" not in html
    assert 'id="guide-version"' in html and "第1版" in html and "发布" in html
    # Art. 12's contents and the remedies are there.
    for shown in ("办公地址", "办公时间", "联系电话", "行政复议机关", "应当先申请行政复议"):
        assert shown in html
    guide_publish(actor=office_head, guide_id=second.pk, note="更新办公时间")
    html = client.get(public(agency)).content.decode()
    assert "草稿中的时间" in html and "第2版" in html
    # Nothing of the staff: no publisher's name, no note, no staff link.
    assert office_head.username not in html and "更新办公时间" not in html
    assert "/requests/" not in html


def test_another_agencys_public_page_shows_its_own_guide(client, agency, other_agency, office_head):
    draft = guide_draft(actor=office_head, agency=agency)
    guide_save(actor=office_head, guide_id=draft.pk, values=OWN)
    guide_publish(actor=office_head, guide_id=draft.pk)
    response = client.get(public(other_agency))
    assert response.status_code == 404 and "工作日上午8:30—12:00" not in response.content.decode()
    assert client.get("/public/no-such-agency/guide/").status_code == 404


def test_the_guide_links_the_public_pages_that_exist_and_skips_the_others(agency):
    found = words.sections(words.GuideFacts(agency_name=agency.name))
    found[1].items = [words.Item("links", names=["public:reports", "public:not-built-yet"])]
    [(_heading, shown)] = [blocks(found, agency)[1]]
    [block] = shown
    assert [url for _label, url, _hint in block.links] == [
        reverse("public:reports", kwargs={"agency_code": agency.code})
    ]
    found[1].items = [words.Item("links", names=["public:not-built-yet"])]
    assert blocks(found, agency)[1][1] == []


def test_the_public_page_reads_the_agency_and_the_guide_only(
    client, agency, office_head, django_assert_max_num_queries
):
    draft = guide_draft(actor=office_head, agency=agency)
    guide_save(actor=office_head, guide_id=draft.pk, values=OWN)
    guide_publish(actor=office_head, guide_id=draft.pk)
    with django_assert_max_num_queries(2):
        assert client.get(public(agency)).status_code == 200


def test_a_revision_takes_over_the_agencys_changed_data_on_request(
    client, django_user_model, agency, office_head
):
    draft = guide_draft(actor=office_head, agency=agency)
    guide_save(actor=office_head, guide_id=draft.pk, values=OWN)
    guide_publish(actor=office_head, guide_id=draft.pk)
    guide_draft(actor=office_head, agency=agency)
    agency.office_phone = "0358-1111111"
    agency.court = "<b>孝义市人民法院</b>"
    agency.save()
    client.force_login(office_head)
    html = client.get(staff(agency)).content.decode()
    assert 'id="agency-changes"' in html and "0358-1111111" in html
    assert "<b>孝义市人民法院</b>" not in html
    assert client.post(staff(agency, "action", "refill")).status_code == 302
    revision = Guide.objects.get(agency=agency, status="draft")
    assert (revision.office_phone, revision.court) == ("0358-1111111", "<b>孝义市人民法院</b>")
    assert revision.office_hours == OWN["office_hours"]  # the office's own text stays
    assert 'id="agency-changes"' not in client.get(staff(agency)).content.decode()
    # A handler may not.
    agency.office_phone = "0358-2222222"
    agency.save()
    client.force_login(_persona(django_user_model, "h2", agency, "handler"))
    assert client.post(staff(agency, "action", "refill")).status_code == 403
    assert Guide.objects.get(pk=revision.pk).office_phone == "0358-1111111"


def test_the_public_guide_links_and_writes_out_the_online_application(client, agency, office_head):
    client.force_login(office_head)
    draft = guide_draft(actor=office_head, agency=agency)
    guide_save(actor=office_head, guide_id=draft.pk, values=OWN)
    apply = reverse("public:apply", kwargs={"agency_code": agency.code})
    # The preview already says it, with the address the officer's browser used.
    preview = client.get(staff(agency)).content.decode()
    assert f"在线申请：通过本网站的“在线申请”栏目（http://testserver{apply}）" in preview
    assert client.post(staff(agency, "action", "publish"), {"note": ""}).status_code == 302
    client.logout()
    html = client.get(public(agency)).content.decode()
    assert f"（http://testserver{apply}）" in html and "第三十一条第（三）项" in html
    assert f'<a href="{apply}">在线申请</a>' in html
