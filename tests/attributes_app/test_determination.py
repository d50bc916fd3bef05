"""Older documents: determination by letter (DOMAIN §4.4), validity, links to requests."""

import pytest
import time_machine
from django.core.exceptions import ValidationError

from attributes_app.models import AttributeChange, Determination, DocumentRequestLink, Publication
from attributes_app.selectors import (
    awaiting_action,
    documents_of_request,
    documents_without_attribute,
    visible_documents,
)
from attributes_app.services import (
    DocumentData,
    StaleDocument,
    attribute_determine,
    attribute_propose,
    document_link_request,
    document_record_process_decision,
    document_register,
    document_set_validity,
    document_unlink_request,
)
from requests_app.services import request_register
from tests.attributes_app.helpers import INTERNAL, fresh
from tests.conftest import d
from workflow.errors import NotAllowed

pytestmark = [pytest.mark.django_db, pytest.mark.case(received=None)]


@pytest.fixture
def older(office_head, agency, unit):
    """A 2019 document entered in the register without an attribute."""
    return document_register(
        actor=office_head,
        agency=agency,
        data=DocumentData(
            title="关于城区老旧小区改造项目用地规划条件的通知",
            number="孝自然资发〔2019〕23号",
            drafting_unit_id=unit.pk,
            formed_on=d("2019-06-14"),
            issued_on=d("2019-06-17"),
        ),
    )


def test_the_unit_determines_an_older_document_for_a_request(older, unit_head, case, handler):
    # DOMAIN §4.4: the drafting unit sets the attribute by letter; the request is linked.
    assert list(documents_without_attribute(handler)) == [older]
    with time_machine.travel("2026-03-18 10:00 +0800", tick=False):
        determination = attribute_determine(
            actor=unit_head,
            document_id=older.pk,
            attribute="proactive",
            reasons="涉及公众切身利益，不涉及国家秘密、商业秘密和个人隐私，应当主动公开。",
            request_id=case.pk,
        )
    document = fresh(older)
    assert (document.attribute, document.attribute_state) == ("proactive", "awaiting_publication")
    assert determination.request == case
    assert list(documents_of_request(case)) == [document]
    change = AttributeChange.objects.get(document=document)
    assert (change.source, change.determination) == ("determination", determination)
    publication = Publication.objects.get(document=document)
    # Art. 26: counted from the change (the determination), not from 2019.
    assert (publication.source, publication.start_on, publication.changed) == (
        "determination",
        d("2026-03-18"),
        True,
    )
    assert publication.due_on == d("2026-04-16")


def test_a_non_proactive_determination_needs_reasons_and_ground(older, unit_head):
    with pytest.raises(ValidationError) as error:
        attribute_determine(
            actor=unit_head, document_id=older.pk, attribute="withheld", reasons="内部文件"
        )
    assert "ground" in error.value.message_dict
    attribute_determine(actor=unit_head, document_id=older.pk, attribute="withheld", **INTERNAL)
    assert fresh(older).attribute_state == "restricted"
    assert not Publication.objects.filter(document=older).exists()


def test_only_the_head_of_the_drafting_unit_determines(
    older, drafter, other_head, other_unit, outsider
):
    for actor in (drafter, other_head, outsider):
        with pytest.raises(NotAllowed):
            attribute_determine(
                actor=actor, document_id=older.pk, attribute="proactive", reasons="应当公开"
            )
    assert not Determination.objects.exists()


def test_a_determination_only_for_a_document_without_attribute(older, unit_head):
    attribute_determine(
        actor=unit_head, document_id=older.pk, attribute="proactive", reasons="应当公开"
    )
    with pytest.raises(StaleDocument, match="待主动公开"):
        attribute_determine(actor=unit_head, document_id=older.pk, attribute="withheld", **INTERNAL)


def test_a_draft_is_proposed_not_determined(draft, unit_head):
    document = draft()
    with pytest.raises(ValidationError, match="尚未印发"):
        attribute_determine(
            actor=unit_head, document_id=document.pk, attribute="proactive", reasons="应当公开"
        )


def test_an_issued_document_is_determined_not_proposed(older, drafter):
    with pytest.raises(ValidationError, match="公函认定"):
        attribute_propose(actor=drafter, document_id=older.pk, attribute="proactive")


def test_a_request_of_another_agency_is_not_linked(
    older, handler, registrar, other_agency, walk_in
):
    registrar.agencies.add(other_agency)
    foreign = request_register(actor=registrar, agency=other_agency, data=walk_in())
    with pytest.raises(ValidationError, match="不属于同一机关"):
        document_link_request(actor=handler, document_id=older.pk, request_id=foreign.pk)


def test_links_are_unique_and_can_be_removed(older, handler, case, drafter):
    document_link_request(actor=handler, document_id=older.pk, request_id=case.pk)
    with pytest.raises(ValidationError, match="已关联"):
        document_link_request(actor=handler, document_id=older.pk, request_id=case.pk)
    with pytest.raises(NotAllowed):
        document_unlink_request(actor=drafter, document_id=older.pk, request_id=case.pk)
    document_unlink_request(actor=handler, document_id=older.pk, request_id=case.pk)
    assert not DocumentRequestLink.objects.exists()


def test_validity_of_issued_documents(older, draft, legal_reviewer, drafter):
    with pytest.raises(ValidationError, match="请填写"):
        document_set_validity(actor=legal_reviewer, document_id=older.pk, validity="repealed")
    with pytest.raises(StaleDocument, match="尚未印发"):
        document_set_validity(
            actor=drafter, document_id=draft().pk, validity="expired", changed_on=d("2026-01-01")
        )
    document_set_validity(
        actor=legal_reviewer,
        document_id=older.pk,
        validity="repealed",
        changed_on=d("2025-12-01"),
        note="被孝自然资发〔2025〕8号废止",
    )
    document = fresh(older)
    assert (document.validity, document.validity_changed_on) == ("repealed", d("2025-12-01"))


def test_a_process_decision_only_for_process_information(older, unit_head, drafter):
    attribute_determine(actor=unit_head, document_id=older.pk, attribute="withheld", **INTERNAL)
    with pytest.raises(ValidationError, match="过程性信息"):
        document_record_process_decision(
            actor=drafter, document_id=older.pk, decided_on=d("2026-01-05")
        )


def test_nobody_sees_another_agencys_documents(older, outsider, handler):
    assert list(visible_documents(outsider)) == []
    assert list(visible_documents(handler)) == [older]
    assert list(documents_without_attribute(outsider)) == []


def test_what_waits_for_whom(draft, drafter, unit_head, office_head, other_head, other_unit):
    document = draft(kind="policy")
    assert list(awaiting_action(drafter)["to_propose"]) == [document]
    attribute_propose(actor=drafter, document_id=document.pk, attribute="withheld", **INTERNAL)
    assert list(awaiting_action(office_head)["office_review"]) == [fresh(document)]
    assert list(awaiting_action(unit_head)["to_confirm"]) == []
    assert "to_propose" not in awaiting_action(unit_head)
    assert list(awaiting_action(other_head)["to_confirm"]) == []
