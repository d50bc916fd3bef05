"""Drafting units and the catalogue of disclosure items (DOMAIN §1, §5)."""

import pytest
import time_machine
from django.core.exceptions import ValidationError

from attributes_app.models import Publication
from attributes_app.selectors import proposal_defaults
from attributes_app.services import (
    CatalogueItemData,
    catalogue_item_save,
    drafting_unit_save,
)
from tests.attributes_app.helpers import confirmed
from tests.conftest import d
from workflow.errors import NotAllowed

pytestmark = pytest.mark.django_db

ITEM = CatalogueItemData(
    area="城乡规划",
    first_level="规划批前公示",
    name="建设项目规划许可批前公示",
    content="建设项目规划许可批前公示的项目名称、位置、规划指标",
    legal_basis="《中华人民共和国城乡规划法》第二十六条、第四十条",
    body="县自然资源局",
    channels=["website", "notice_board"],
    default_attribute="proactive",
    publication_days=5,
)


def test_only_administrators_manage_units(drafter, agency):
    with pytest.raises(NotAllowed, match="系统管理员"):
        drafting_unit_save(actor=drafter, agency=agency, name="新科室")


def test_unit_members_must_work_for_the_agency(admin_user, agency, outsider):
    # DOMAIN §1: nobody acts for an agency they do not work for.
    with pytest.raises(ValidationError, match="outsider"):
        drafting_unit_save(actor=admin_user, agency=agency, name="综合科", members=[outsider])


def test_unit_names_are_unique_in_an_agency(admin_user, agency, unit):
    with pytest.raises(ValidationError, match="已有名为"):
        drafting_unit_save(actor=admin_user, agency=agency, name="综合科")


def test_the_disclosure_office_keeps_the_catalogue(office_head, drafter, agency):
    with pytest.raises(NotAllowed):
        catalogue_item_save(actor=drafter, agency=agency, data=ITEM)
    item = catalogue_item_save(actor=office_head, agency=agency, data=ITEM)
    assert item.publication_days == 5
    with pytest.raises(ValidationError) as error:
        catalogue_item_save(
            actor=office_head,
            agency=agency,
            data=CatalogueItemData(name="", content="", legal_basis="", publication_days=0),
        )
    assert {"name", "content", "legal_basis", "publication_days"} <= set(error.value.message_dict)


@time_machine.travel("2026-03-02 09:00 +0800", tick=False)
def test_a_linked_catalogue_item_proposes_its_attribute_and_time_limit(
    office_head, agency, draft, drafter, unit_head
):
    # DOMAIN §5: the item proposes the default attribute and the publication time limit.
    item = catalogue_item_save(actor=office_head, agency=agency, data=ITEM)
    document = draft(catalogue_item_id=item.pk)
    assert proposal_defaults(document)["attribute"] == "proactive"
    document = confirmed(document, drafter=drafter, head=unit_head)
    publication = Publication.objects.get(document=document)
    assert publication.due_on == d("2026-03-09")  # 5 working days, earlier than Art. 26's 20
    assert "公开事项目录" in publication.explanation
