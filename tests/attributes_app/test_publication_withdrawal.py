"""Taking a published document's page down (DOMAIN §4.2): the duty to publish opens again
against the same deadline, and the earlier publication stays in the history."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from attributes_app import rules
from attributes_app.models import AttributeChange, Publication
from attributes_app.selectors import (
    publication_explanation,
    publication_list,
    publication_tasks,
    publication_withdrawals,
)
from attributes_app.services import (
    StaleDocument,
    document_mark_classified,
    document_publish,
    publication_withdraw,
    secrecy_review_record,
)
from tests.attributes_app.helpers import fresh, issued
from tests.conftest import d
from workflow.errors import NotAllowed
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
URL = "https://www.xiaoyi.gov.cn/zwgk/2026/0305/1.html"
NEW_URL = "https://www.xiaoyi.gov.cn/zwgk/2026/0305/2.html"
TAKEN_DOWN = "发布的文本有误（附件缺页），撤下更正后重新发布"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def published(draft, drafter, unit_head, office_head, secrecy_reviewer):
    """Formed and issued on Monday 2026-03-02 (due 2026-03-30, Art. 26: 20 working days),
    published on 2026-03-05 on the portal."""
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False):
        document = issued(draft(), drafter=drafter, head=unit_head)
        secrecy_review_record(
            actor=secrecy_reviewer,
            document_id=document.pk,
            conclusion="cleared",
            opinion="经审查，不涉及国家秘密和工作秘密，同意公开。",
        )
    with time_machine.travel("2026-03-05 10:00 +0800", tick=False):
        document_publish(actor=office_head, document_id=document.pk, url=URL)
    return fresh(document)


def withdraw(document, actor, when="2026-03-10", **changes):
    with time_machine.travel(f"{when} 10:00 +0800", tick=False):
        reason = changes.pop("reason", TAKEN_DOWN)
        return publication_withdraw(actor=actor, document_id=document.pk, reason=reason, **changes)


def test_a_takedown_reopens_the_duty_against_the_same_deadline(published, office_head):
    # Art. 26: a proactive document stays public; the deadline is not counted again.
    publication = withdraw(published, office_head)
    assert fresh(published).attribute_state == "awaiting_publication"
    assert (publication.published_on, publication.url, publication.channel) == (None, "", "")
    assert publication.due_on == d("2026-03-30")
    task = publication_tasks(office_head, now=at("2026-03-10 11:00")).get()
    assert task.document_id == published.pk
    assert not task.is_overdue
    assert TAKEN_DOWN in task.withdrawal_reason


def test_the_earlier_publication_is_kept_in_the_history_and_the_audit(published, office_head):
    withdraw(published, office_head)
    change = AttributeChange.objects.filter(document=published).order_by("at", "id").last()
    assert change.is_withdrawal
    assert (change.from_state, change.to_state) == ("published", "awaiting_publication")
    assert TAKEN_DOWN in change.reason and URL in change.reason and "2026年3月5日" in change.reason
    event = AuditEvent.objects.get(action="attribute_withdraw", object_id=str(published.pk))
    assert event.actor == office_head
    assert event.data["previous"] == {
        "url": URL,
        "channel": "portal",
        "published_on": "2026-03-05",
        "published_late": False,
    }
    (withdrawal,) = publication_withdrawals(published)
    assert (withdrawal.withdrawn_on, withdrawal.url, withdrawal.channel_label) == (
        d("2026-03-10"),
        URL,
        "政府门户网站",
    )


def test_a_takedown_after_the_deadline_is_overdue_and_the_republication_late(
    published, office_head
):
    publication = withdraw(published, office_head, when="2026-04-02")
    task = publication_tasks(office_head, now=at("2026-04-02 11:00"), only="overdue").get()
    assert task.is_overdue
    explanation = publication_explanation(
        publication,
        now=at("2026-04-02 11:00"),
        withdrawal=publication_withdrawals(published)[-1],
    )
    assert "已经届满" in explanation and "重新公开即为逾期公开" in explanation
    with time_machine.travel("2026-04-03 09:00 +0800", tick=False):
        again = document_publish(actor=office_head, document_id=published.pk, url=NEW_URL)
    assert again.published_late
    assert again.due_on == d("2026-03-30")
    note = publication_explanation(again, withdrawal=publication_withdrawals(published)[-1])
    assert "2026年4月3日重新公开" in note and "逾期公开" in note
    # The first publication (on time) is still on record, with its address.
    assert publication_withdrawals(published)[0].url == URL
    assert not publication_withdrawals(published)[0].published_late


def test_a_republication_within_the_deadline_is_on_time(published, office_head):
    withdraw(published, office_head)
    with time_machine.travel("2026-03-11 09:00 +0800", tick=False):
        again = document_publish(actor=office_head, document_id=published.pk, url=NEW_URL)
    assert not again.published_late
    assert fresh(published).attribute_state == "published"
    assert list(publication_tasks(office_head)) == []
    assert list(publication_list(office_head, published=True)) == [again]


def test_a_takedown_needs_a_reason(published, office_head):
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as error:
            withdraw(published, office_head, reason=reason)
        assert "reason" in error.value.message_dict
    assert fresh(published).attribute_state == "published"


@pytest.mark.parametrize(
    ("reason", "message"), [("原因\x00", "空字符"), ("长" * 2001, "不能超过2000个字")]
)
def test_a_hostile_reason_is_refused_naming_the_field(published, office_head, reason, message):
    with pytest.raises(ValidationError) as error:
        withdraw(published, office_head, reason=reason)
    assert message in error.value.message_dict["reason"][0]


def test_the_takedown_date_is_neither_in_the_future_nor_before_the_publication(
    published, office_head
):
    with pytest.raises(ValidationError) as error:
        withdraw(published, office_head, on=d("2026-03-11"))
    assert "晚于今天" in error.value.message_dict["withdrawn_on"][0]
    with pytest.raises(ValidationError) as error:
        withdraw(published, office_head, on=d("2026-03-04"))
    assert "不能早于公开日期" in error.value.message_dict["withdrawn_on"][0]


def test_the_republication_is_not_dated_before_the_takedown(published, office_head):
    withdraw(published, office_head)
    with (
        time_machine.travel("2026-03-11 09:00 +0800", tick=False),
        pytest.raises(ValidationError) as error,
    ):
        document_publish(
            actor=office_head, document_id=published.pk, url=NEW_URL, published_on=d("2026-03-09")
        )
    assert "不能早于公开页面撤下的日期" in error.value.message_dict["published_on"][0]


def test_a_document_not_published_cannot_be_taken_down(published, office_head):
    withdraw(published, office_head)
    with pytest.raises(StaleDocument, match="尚未登记公开"):
        withdraw(published, office_head, when="2026-03-11")
    assert len(publication_withdrawals(published)) == 1


def test_only_who_may_publish_may_take_down(
    published, other_drafter, other_unit, secrecy_reviewer, outsider, drafter
):
    for actor in (other_drafter, secrecy_reviewer, outsider):
        with pytest.raises(NotAllowed):
            withdraw(published, actor)
    withdraw(published, drafter)  # a drafter of the document's unit may, as they may publish
    assert fresh(published).attribute_state == "awaiting_publication"


def test_a_document_taken_down_may_still_turn_classified(published, office_head, secrecy_reviewer):
    # The attribute changes only through classification, a yearly review or a determination.
    withdraw(published, office_head)
    with time_machine.travel("2026-03-12 10:00 +0800", tick=False):
        document_mark_classified(
            actor=secrecy_reviewer, document_id=published.pk, reason="经定密，属于秘密级"
        )
    publication = Publication.objects.get(document=published)
    assert publication.withdrawn_on == d("2026-03-12")
    assert list(publication_tasks(office_head)) == []


def test_the_document_page_and_the_work_list_show_the_takedown(client, published, office_head):
    withdraw(published, office_head)
    client.force_login(office_head)
    page = client.get(reverse("attributes:documents:detail", kwargs={"pk": published.pk}))
    body = page.content.decode()
    assert "撤下公开页面" in body and TAKEN_DOWN in body and URL in body
    assert 'id="withdrawals"' in body
    tasks = client.get(reverse("attributes:publications:index") + "?show=all")
    body = tasks.content.decode()
    assert "已撤下，待重新公开" in body and TAKEN_DOWN in body


def test_the_withdrawal_form_on_the_document_page(client, published, office_head):
    client.force_login(office_head)
    url = reverse(
        "attributes:documents:action",
        kwargs={"pk": published.pk, "action": "withdraw_publication"},
    )
    with time_machine.travel("2026-03-10 10:00 +0800", tick=False):
        empty = client.post(url, {"withdraw_publication-reason": ""})
        assert empty.status_code == 200
        assert fresh(published).attribute_state == "published"
        done = client.post(url, {"withdraw_publication-reason": TAKEN_DOWN})
    assert done.status_code == 302
    assert fresh(published).attribute_state == "awaiting_publication"


@pytest.mark.parametrize(
    ("republished_on", "late", "overdue", "expected"),
    [
        (None, False, False, "须在期限届满前重新公开"),
        (None, False, True, "重新公开即为逾期公开"),
        (d("2026-03-11"), False, False, "在公开期限内重新公开"),
        (d("2026-04-03"), True, True, "为逾期公开"),
    ],
)
def test_the_republication_note(republished_on, late, overdue, expected):
    note = rules.republication_note(
        withdrawn_on=d("2026-03-10"),
        due_on=d("2026-03-30"),
        overdue=overdue,
        republished_on=republished_on,
        late=late,
    )
    assert expected in note and "2026年3月10日" in note
