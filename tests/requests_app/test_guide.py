"""The agency's 政府信息公开指南 (Art. 12): drafts started from the agency's data, versions
frozen once published, who may edit and publish, and what the guide says (DOMAIN §3.4, §3.7,
§3.8)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from requests_app.models import Guide
from requests_app.rules import guide as words
from requests_app.services import guide_draft, guide_publish, guide_save
from requests_app.services.guide import CONTENT_FIELDS, facts_of
from tests.conftest import _persona
from workflow.errors import NotAllowed, Stale
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db

#: What the office fills in before the first publication (the rest comes from the agency).
OWN = {"office_hours": "工作日上午8:30—12:00", "office_address": "孝义市府前街1号"}


@pytest.fixture
def agency(agency):
    agency.office_name = "孝义市人民政府办公室政务公开科"
    agency.office_phone = "0358-7654321"
    agency.office_postcode = "032300"
    agency.court_after_reconsideration = "吕梁市中级人民法院"
    agency.save()
    return agency


def published_first(office_head, agency) -> Guide:
    draft = guide_draft(actor=office_head, agency=agency)
    guide_save(actor=office_head, guide_id=draft.pk, values=OWN)
    return guide_publish(actor=office_head, guide_id=draft.pk)


def words_of(guide: Guide) -> str:
    return "".join(
        item["text"] + item["label"]
        for section in guide.snapshot["sections"]
        for item in section["items"]
    )


def test_the_first_draft_starts_from_the_agencys_data(agency, office_head):
    draft = guide_draft(actor=office_head, agency=agency)
    assert (draft.version, draft.status) == (1, "draft")
    assert draft.office_name == "孝义市人民政府办公室政务公开科"
    assert (draft.office_phone, draft.office_postcode) == ("0358-7654321", "032300")
    assert (draft.reconsideration_organ, draft.court) == ("孝义市人民政府", "孝义市人民法院")
    assert draft.court_after_reconsideration == "吕梁市中级人民法院"
    # The agency's publication rule (Art. 26) gives the 公开时限.
    assert "20个工作日" in draft.proactive_time_limit
    # What only the office knows is left for it.
    assert draft.office_hours == "" and draft.office_fax == ""
    event = AuditEvent.objects.get(action="guide_drafted")
    assert (event.actor, event.to_state, event.reason) == (office_head, "draft", "按本机关信息生成")
    # Asking again gives the same draft.
    assert guide_draft(actor=office_head, agency=agency).pk == draft.pk


def test_an_agency_publishing_within_hours_says_so(agency, office_head):
    agency.publication_rule = "hours"
    agency.publication_hours = 24
    agency.save()
    draft = guide_draft(actor=office_head, agency=agency)
    assert "24小时内" in draft.proactive_time_limit


def test_a_draft_without_hours_or_address_is_not_published(agency, office_head):
    draft = guide_draft(actor=office_head, agency=agency)
    with pytest.raises(ValidationError) as error:
        guide_publish(actor=office_head, guide_id=draft.pk)
    text = " ".join(error.value.messages)
    assert "办公时间" in text and "办公地址" in text
    assert Guide.objects.get(pk=draft.pk).status == "draft"


def test_publishing_freezes_the_version_and_a_revision_is_a_new_draft(agency, office_head):
    first = published_first(office_head, agency)
    assert (first.status, first.version, first.published_by) == ("published", 1, office_head)
    assert first.snapshot["title"] == "孝义市人民政府办公室政府信息公开指南"
    assert "工作日上午8:30—12:00" in words_of(first)
    event = AuditEvent.objects.get(action="guide_published")
    assert (event.from_state, event.to_state, event.actor) == ("draft", "published", office_head)
    # A published version is never changed.
    with pytest.raises(Stale):
        guide_save(actor=office_head, guide_id=first.pk, values={"office_hours": "全天"})
    with pytest.raises(Stale):
        guide_publish(actor=office_head, guide_id=first.pk, note="再发一次")
    # The next draft starts from the published version, not from the agency.
    agency.office_phone = "0358-1111111"
    agency.save()
    second = guide_draft(actor=office_head, agency=agency)
    assert (second.version, second.office_hours) == (2, "工作日上午8:30—12:00")
    assert second.office_phone == "0358-7654321"
    guide_save(actor=office_head, guide_id=second.pk, values={"office_phone": "0358-1111111"})
    # A revision says what changed.
    with pytest.raises(ValidationError, match="修订"):
        guide_publish(actor=office_head, guide_id=second.pk)
    second = guide_publish(actor=office_head, guide_id=second.pk, note="更新联系电话")
    assert second.publish_note == "更新联系电话"
    again = Guide.objects.get(pk=first.pk)
    assert "0358-7654321" in words_of(again) and "0358-1111111" not in words_of(again)
    assert "0358-1111111" in words_of(second)


def test_the_published_words_do_not_change_with_the_rules_text(agency, office_head, monkeypatch):
    first = published_first(office_head, agency)
    before = first.snapshot
    monkeypatch.setattr(words, "DEFAULT_SCOPE", "改过的默认文字")
    assert Guide.objects.get(pk=first.pk).snapshot == before


@pytest.mark.parametrize("role", ["handler", "registrar", "drafter", "legal_reviewer"])
def test_only_the_office_head_and_the_administrator_edit_the_guide(
    django_user_model, agency, office_head, role
):
    other = _persona(django_user_model, f"u-{role}", agency, role)
    with pytest.raises(NotAllowed, match="政务公开工作机构负责人或系统管理员"):
        guide_draft(actor=other, agency=agency)
    draft = guide_draft(actor=office_head, agency=agency)
    with pytest.raises(NotAllowed):
        guide_save(actor=other, guide_id=draft.pk, values={"office_hours": "全天"})
    with pytest.raises(NotAllowed):
        guide_publish(actor=other, guide_id=draft.pk)


def test_the_administrator_may_keep_the_guide(agency, admin_user):
    draft = guide_draft(actor=admin_user, agency=agency)
    guide_save(actor=admin_user, guide_id=draft.pk, values=OWN)
    assert guide_publish(actor=admin_user, guide_id=draft.pk).status == "published"


def test_another_agencys_office_head_cannot_touch_the_guide(
    django_user_model, agency, other_agency, office_head
):
    theirs = _persona(django_user_model, "fenyang-head", other_agency, "office_head")
    with pytest.raises(NotAllowed, match="其他机关的公开指南"):
        guide_draft(actor=theirs, agency=agency)
    draft = guide_draft(actor=office_head, agency=agency)
    with pytest.raises(NotAllowed, match="其他机关的公开指南"):
        guide_save(actor=theirs, guide_id=draft.pk, values={"office_hours": "全天"})
    # Through its own agency's id, the guide of another is not found.
    with pytest.raises(ValidationError, match="找不到"):
        guide_save(
            actor=theirs,
            guide_id=draft.pk,
            values={"office_hours": "全天"},
            agency_id=other_agency.pk,
        )


@pytest.mark.parametrize("name", CONTENT_FIELDS)
def test_every_field_refuses_nul_and_huge_values_naming_the_field(agency, office_head, name):
    draft = guide_draft(actor=office_head, agency=agency)
    label = str(Guide._meta.get_field(name).verbose_name)
    with pytest.raises(ValidationError) as error:
        guide_save(actor=office_head, guide_id=draft.pk, values={name: "申请\x00表"})
    assert (
        label in error.value.message_dict[name][0] and "U+0000" in error.value.message_dict[name][0]
    )
    huge = "字" * 100_001
    with pytest.raises(ValidationError) as error:
        guide_save(actor=office_head, guide_id=draft.pk, values={name: huge})
    message = error.value.message_dict[name][0]
    assert label in message and ("不能超过" in message or "格式" in message)
    assert Guide.objects.get(pk=draft.pk).updated_at == draft.updated_at


def test_the_postcode_and_email_are_checked(agency, office_head):
    draft = guide_draft(actor=office_head, agency=agency)
    with pytest.raises(ValidationError) as error:
        guide_save(
            actor=office_head,
            guide_id=draft.pk,
            values={"office_postcode": "03230X", "office_email": "not an address"},
        )
    assert error.value.message_dict["office_postcode"] == ["邮政编码应为6位数字。"]
    assert "电子邮箱" in error.value.message_dict["office_email"][0]


def test_invisible_characters_are_taken_out_of_one_line_fields(agency, office_head):
    draft = guide_draft(actor=office_head, agency=agency)
    guide = guide_save(
        actor=office_head, guide_id=draft.pk, values={"office_name": "政务\u200b公开\u202e科"}
    )
    assert guide.office_name == "政务公开科"


def test_an_unknown_field_is_refused(agency, office_head):
    draft = guide_draft(actor=office_head, agency=agency)
    with pytest.raises(ValidationError, match="没有"):
        guide_save(actor=office_head, guide_id=draft.pk, values={"snapshot": "{}"})


# -- what the guide says ------------------------------------------------------------------------


def facts(**changes) -> words.GuideFacts:
    base = {
        "agency_name": "孝义市人民政府办公室",
        "reconsideration_organ": "孝义市人民政府",
        "court": "孝义市人民法院",
    }
    return words.GuideFacts(**{**base, **changes})


def text_of(found) -> str:
    return "".join(item.text for section in found for item in section.items)


def test_the_guide_states_the_reply_period_and_its_pauses():
    text = text_of(words.sections(facts()))
    # Art. 33: 20 working days, extension once by at most 20, approved, told before the end.
    assert "20个工作日内答复" in text and "延长最多不超过20个工作日" in text
    assert "原期限届满前告知申请人延长的理由" in text
    # Arts. 32, 34 and the Fee Rules: time that does not count.
    assert "征求第三方或者其他机关意见的时间" in text and "收到缴费的时间" in text
    # Art. 30: correction within 7 working days; the period restarts.
    assert "7个工作日内一次性告知" in text and "重新计算" in text


def test_the_guide_states_the_fee_scales_of_the_fee_rules():
    text = text_of(words.sections(facts()))
    assert "10件以下（含10件）的，不收费" in text and "11—30件的部分，每件100元" in text
    assert "30页以下（含30页）不收费" in text and "31—100页的部分每页10元" in text
    assert "101—200页的部分每页20元" in text and "201页以上的部分每页40元" in text
    assert "20个工作日内缴纳" in text


def test_the_guide_puts_refusals_under_arts_14_to_16_through_reconsideration_first():
    # DOMAIN §3.8: 复议前置 for Arts. 14–16; the rest may choose, 60 days or 6 months.
    text = text_of(words.sections(facts()))
    assert "第十四条、第十五条、第十六条作出的不予公开决定" in text
    assert "应当先申请行政复议" in text and "十五日内依法向人民法院提起行政诉讼" in text
    assert "六十日内向孝义市人民政府申请行政复议，或者自收到之日起六个月内向孝义市人民法院" in text
    with_court = text_of(words.sections(facts(court_after_reconsideration="吕梁市中级人民法院")))
    assert "行政复议机关改变原行政行为的，向吕梁市中级人民法院提起" in with_court


def test_the_guide_lists_the_ways_to_apply_it_has():
    plain = text_of(words.sections(facts()))
    assert "当面提交" in plain and "邮寄" in plain
    assert "传真：" not in plain and "互联网：" not in plain
    more = text_of(words.sections(facts(office_fax="0358-1", online_channel="门户网站")))
    assert "传真：" in more and "互联网：" in more


def test_the_snapshot_reads_back_as_written():
    found = words.sections(facts(office_hours="工作日", other_notes="第一行\n\n第二行"))
    again = words.from_json(words.to_json(found))
    assert words.to_json(again) == words.to_json(found)
    assert again[-1].heading == "四、其他事项" and len(again[-1].items) == 2


def test_facts_of_a_guide_carry_every_field(agency, office_head):
    draft = guide_draft(actor=office_head, agency=agency)
    found = facts_of(draft, agency.name)
    assert found.office_name == draft.office_name and found.agency_name == agency.name


def test_the_demo_publishes_a_guide_once(agency, office_head):
    from requests_app.demo import publish_demo_guide

    guide = publish_demo_guide(agency, office_head, write=lambda _: None)
    assert (guide.status, guide.version) == ("published", 1)
    assert guide.office_hours and guide.office_address and guide.office_phone
    assert publish_demo_guide(agency, office_head, write=lambda _: None) is None
    assert Guide.objects.filter(agency=agency).count() == 1


def test_the_guide_lists_applying_on_this_site_with_its_address_when_installed():
    # Art. 31(3): an online application is received the day both sides confirm.
    url = "https://gongkai.example.gov.cn/public/xiaoyi/apply/"
    found = words.sections(facts(apply_url=url))
    text = text_of(found)
    assert f"1．在线申请：通过本网站的“在线申请”栏目（{url}）" in text
    assert "以本机关与申请人双方确认之日为收到申请之日（《条例》第三十一条第（三）项）" in text
    assert "2．当面提交" in text and "3．邮寄" in text
    [links] = [item for item in found[2].items if item.kind == "links"]
    assert links.names == ["public:apply"]
    # Without the page: neither the way nor the link.
    plain = words.sections(facts())
    assert "在线申请" not in text_of(plain) and "1．当面提交" in text_of(plain)
    assert not [item for item in plain[2].items if item.kind == "links"]
    # A path without the site's address is no address to print: the way, without it.
    path_only = text_of(words.sections(facts(apply_url="/public/xiaoyi/apply/")))
    assert "1．在线申请：通过本网站的“在线申请”栏目填写并提交申请" in path_only


def test_publishing_writes_out_the_online_applications_address(agency, office_head, settings):
    draft = guide_draft(actor=office_head, agency=agency)
    guide_save(actor=office_head, guide_id=draft.pk, values=OWN)
    guide = guide_publish(actor=office_head, guide_id=draft.pk, site="http://10.1.2.3:8000")
    assert f"（http://10.1.2.3:8000/public/{agency.code}/apply/）" in words_of(guide)
    # The public address, when configured, wins over the officer's.
    settings.GONGKAI_PUBLIC_URL = "https://gongkai.example.gov.cn"
    draft = guide_draft(actor=office_head, agency=agency)
    guide = guide_publish(
        actor=office_head, guide_id=draft.pk, note="写明在线申请", site="http://x"
    )
    assert f"（https://gongkai.example.gov.cn/public/{agency.code}/apply/）" in words_of(guide)


def test_a_published_guide_keeps_its_words_when_the_online_application_appears(agency, office_head):
    guide = published_first(office_head, agency)
    # A version published before the online application existed: its frozen words lack it.
    for section in guide.snapshot["sections"]:
        section["items"] = [
            item
            for item in section["items"]
            if "在线申请" not in item["text"] and item["kind"] != "links"
        ]
    Guide.objects.filter(pk=guide.pk).update(snapshot=guide.snapshot)
    guide.refresh_from_db()
    assert "在线申请" not in words_of(guide)
    # The next version picks it up.
    draft = guide_draft(actor=office_head, agency=agency)
    assert Guide.objects.get(pk=guide.pk).snapshot == guide.snapshot
    again = guide_publish(
        actor=office_head, guide_id=draft.pk, note="列入在线申请", site="https://a.b"
    )
    assert f"在线申请：通过本网站的“在线申请”栏目（https://a.b/public/{agency.code}/apply/）" in (
        words_of(again)
    )
    assert "在线申请" not in words_of(Guide.objects.get(pk=guide.pk))
