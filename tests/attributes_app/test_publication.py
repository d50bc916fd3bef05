"""Secrecy review, publication and interpretation of proactive documents (DOMAIN §4.1, §4.2)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from attributes_app.models import Publication
from attributes_app.selectors import interpretation_tasks, publication_flags, publication_tasks
from attributes_app.services import (
    StaleDocument,
    document_publish,
    interpretation_record,
    secrecy_review_record,
)
from tests.attributes_app.helpers import INTERNAL, confirmed, fresh, issued
from tests.conftest import d
from workflow.errors import NotAllowed
from workflow.services import calendar_adjustment_save

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
URL = "https://www.xiaoyi.gov.cn/zwgk/2026/0302/1.html"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def proactive(draft, drafter, unit_head):
    """A proactive document formed and issued on Monday 2026-03-02 (due 2026-03-30, Art. 26)."""
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False):
        return issued(draft(), drafter=drafter, head=unit_head)


def cleared(document, reviewer, on="2026-03-03"):
    with time_machine.travel(f"{on} 09:00 +0800", tick=False):
        return secrecy_review_record(
            actor=reviewer,
            document_id=document.pk,
            conclusion="cleared",
            opinion="经审查，不涉及国家秘密和工作秘密，同意公开。",
        )


def test_publication_before_the_secrecy_review_is_refused(proactive, office_head):
    # DOMAIN §4.1: every document to be published passes a secrecy review.
    with pytest.raises(ValidationError, match="须先经保密审查"):
        document_publish(actor=office_head, document_id=proactive.pk, url=URL)
    assert fresh(proactive).attribute_state == "awaiting_publication"


def test_a_review_that_does_not_clear_blocks_publication(proactive, office_head, secrecy_reviewer):
    secrecy_review_record(
        actor=secrecy_reviewer,
        document_id=proactive.pk,
        conclusion="not_cleared",
        opinion="附件含未脱敏的个人信息，修改后再审。",
    )
    with pytest.raises(ValidationError, match="不同意公开"):
        document_publish(actor=office_head, document_id=proactive.pk, url=URL)


def test_only_the_secrecy_reviewer_reviews(proactive, drafter, outsider):
    for actor in (drafter, outsider):
        with pytest.raises(NotAllowed):
            secrecy_review_record(
                actor=actor, document_id=proactive.pk, conclusion="cleared", opinion="同意"
            )


def test_a_secrecy_review_needs_an_opinion(proactive, secrecy_reviewer):
    with pytest.raises(ValidationError) as error:
        secrecy_review_record(
            actor=secrecy_reviewer, document_id=proactive.pk, conclusion="cleared", opinion=" "
        )
    assert "opinion" in error.value.message_dict


def test_publication_is_recorded_with_where_and_when(proactive, office_head, secrecy_reviewer):
    cleared(proactive, secrecy_reviewer)
    with time_machine.travel("2026-03-05 16:00 +0800", tick=False):
        publication = document_publish(actor=office_head, document_id=proactive.pk, url=URL)
    document = fresh(proactive)
    assert document.attribute_state == "published"
    assert document.secrecy == "non_secret"  # set by the cleared review
    assert (publication.published_on, publication.url, publication.channel) == (
        d("2026-03-05"),
        URL,
        "portal",
    )
    assert not publication.published_late
    assert not publication.interpretation_required  # not a policy document


def test_bad_publication_data_is_named_by_field(proactive, office_head, secrecy_reviewer):
    cleared(proactive, secrecy_reviewer)
    with pytest.raises(ValidationError) as error:
        document_publish(
            actor=office_head, document_id=proactive.pk, url="www.example", channel="wechat"
        )
    assert set(error.value.message_dict) == {"url", "channel"}


def test_a_drafter_of_another_unit_cannot_record_publication(
    proactive, other_drafter, other_unit, secrecy_reviewer
):
    cleared(proactive, secrecy_reviewer)
    with pytest.raises(NotAllowed, match="综合科"):
        document_publish(actor=other_drafter, document_id=proactive.pk, url=URL)


def test_publication_of_an_unissued_document_is_refused(
    draft, drafter, unit_head, office_head, secrecy_reviewer
):
    document = confirmed(draft(), drafter=drafter, head=unit_head)
    cleared(document, secrecy_reviewer)
    with pytest.raises(ValidationError, match="尚未印发"):
        document_publish(actor=office_head, document_id=document.pk, url=URL)


def test_a_restricted_document_is_not_published(draft, drafter, unit_head, office_head):
    document = issued(draft(), drafter=drafter, head=unit_head, attribute="withheld", **INTERNAL)
    with pytest.raises(StaleDocument, match="不能主动公开"):
        document_publish(actor=office_head, document_id=document.pk, url=URL)


def test_late_publication_is_recorded_as_late(proactive, office_head, secrecy_reviewer):
    cleared(proactive, secrecy_reviewer)
    with time_machine.travel("2026-03-31 09:00 +0800", tick=False):
        publication = document_publish(actor=office_head, document_id=proactive.pk, url=URL)
    assert publication.published_late


def test_the_dashboard_flags_at_risk_and_overdue(proactive, office_head, outsider):
    # DOMAIN §4.2: overdue publications appear on the office's dashboard. Due 2026-03-30;
    # at risk from two working days before (2026-03-26).
    on_time = publication_tasks(office_head, now=at("2026-03-20 09:00")).get()
    at_risk = publication_tasks(office_head, now=at("2026-03-26 09:00")).get()
    overdue = publication_tasks(office_head, now=at("2026-03-31 00:00")).get()
    assert (on_time.is_at_risk, on_time.is_overdue) == (False, False)
    assert (at_risk.is_at_risk, at_risk.is_overdue) == (True, False)
    assert (overdue.is_at_risk, overdue.is_overdue) == (False, True)
    assert list(publication_tasks(office_head, now=at("2026-03-31 00:00"), only="overdue")) == [
        overdue
    ]
    assert list(publication_tasks(outsider)) == []  # another agency sees nothing
    flags = publication_flags(Publication.objects.get(), now=at("2026-03-26 09:00"))
    assert (flags.at_risk, flags.overdue) == (True, False)


def test_a_local_day_off_moves_the_stored_deadline(proactive, admin_user, agency):
    # DOMAIN §2: a calendar change recomputes every open deadline, and reports it.
    _, moved = calendar_adjustment_save(
        actor=admin_user, day=d("2026-03-10"), kind="off", reason="本地纪念日", agency=agency
    )
    publication = Publication.objects.get(document=proactive)
    assert publication.due_on == d("2026-03-31")
    assert ("attributes", d("2026-03-30"), d("2026-03-31")) in [
        (m.source, m.old_due, m.new_due) for m in moved
    ]


def test_another_agencys_day_off_moves_nothing(proactive, admin_user, other_agency):
    admin_user.agencies.add(other_agency)
    calendar_adjustment_save(
        actor=admin_user, day=d("2026-03-10"), kind="off", reason="外地纪念日", agency=other_agency
    )
    assert Publication.objects.get(document=proactive).due_on == d("2026-03-30")


# -- interpretation of policy documents (DOMAIN §4.2) -------------------------------------------


@pytest.fixture
def published_policy(draft, drafter, unit_head, office_head, secrecy_reviewer):
    with time_machine.travel("2026-02-10 09:00 +0800", tick=False):
        document = issued(draft(kind="policy"), drafter=drafter, head=unit_head)
    cleared(document, secrecy_reviewer, on="2026-02-11")
    with time_machine.travel("2026-02-13 09:00 +0800", tick=False):
        document_publish(actor=office_head, document_id=document.pk, url=URL)
    return document


def test_a_policy_document_owes_its_interpretation_within_three_working_days(
    published_policy, office_head
):
    # Licheng 三(四): within 3 working days of the document; across the Spring Festival.
    publication = Publication.objects.get(document=published_policy)
    assert publication.interpretation_required
    assert publication.interpretation_due_on == d("2026-02-25")
    task = interpretation_tasks(office_head, now=at("2026-02-26 08:00")).get()
    assert task.is_overdue


def test_the_interpretation_is_recorded_and_linked(published_policy, drafter):
    with time_machine.travel("2026-02-24 10:00 +0800", tick=False):
        publication = interpretation_record(
            actor=drafter,
            document_id=published_policy.pk,
            title="《关于做好2026年城区老旧小区改造工作的通知》政策解读",
            url="https://www.xiaoyi.gov.cn/zcjd/2026/1.html",
        )
    assert publication.interpretation_published_on == d("2026-02-24")
    assert not publication.interpretation_late
    assert list(interpretation_tasks(drafter)) == []
    with pytest.raises(StaleDocument, match="已于"):
        interpretation_record(
            actor=drafter,
            document_id=published_policy.pk,
            title="重复",
            url="https://www.xiaoyi.gov.cn/zcjd/2026/2.html",
        )


def test_no_interpretation_for_other_documents(proactive, drafter):
    with pytest.raises(StaleDocument, match="不是需要解读的政策性文件"):
        interpretation_record(
            actor=drafter, document_id=proactive.pk, title="解读", url="https://a.gov.cn/1.html"
        )


def test_a_deadline_not_known_yet_comes_last(
    proactive, draft, drafter, unit_head, agency, office_head
):
    # Hours rule: the deadline starts at issuance; until then the task has no due date.
    agency.publication_rule = "hours"
    agency.save()
    waiting = confirmed(draft(title="尚未印发的通知"), drafter=drafter, head=unit_head)
    tasks = list(publication_tasks(office_head, now=at("2026-03-20 09:00")))
    assert [t.document_id for t in tasks] == [proactive.pk, waiting.pk]
    assert tasks[1].due_at is None and not tasks[1].is_overdue
