"""The catalogue of disclosure items: its standard columns, who keeps it, its published versions
(DOMAIN §5: reviewed and published, adjusted dynamically)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from attributes_app import catalogue
from attributes_app.models import CatalogueItem, CataloguePublication
from attributes_app.services import catalogue_item_save, catalogue_publish
from tests.attributes_app.catalogue_helpers import item_data
from workflow.errors import NotAllowed, Stale
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_pilot_areas_are_the_26_of_the_annex():
    # shared/seeds/003 annex: 国务院相关部门印发的26个试点领域目录名单.
    areas = catalogue.pilot_areas()
    assert len(areas) == 26 == len(set(areas))
    assert areas[0] == "城乡规划" and areas[-1] == "市政服务"
    assert "国有土地上房屋征收与补偿" in areas
    assert "泉鲤政办〔2020〕27号" in catalogue.pilot_area_source()


def test_the_standard_columns_are_kept(office_head, agency):
    item = catalogue_item_save(
        actor=office_head,
        agency=agency,
        data=item_data(channels=["notice_board", "website"], level_township=True),
    )
    item.refresh_from_db()
    assert (item.area, item.first_level, item.name) == (
        "城乡规划",
        "规划批前公示",
        "建设项目规划许可批前公示",
    )
    assert item.channels == ["website", "notice_board"]  # in the standard's order
    assert item.level_county and item.level_township
    assert AuditEvent.objects.filter(action="catalogue_item_saved", object_id=str(item.pk)).exists()


def test_every_standard_column_is_required(office_head, agency):
    with pytest.raises(ValidationError) as error:
        catalogue_item_save(
            actor=office_head,
            agency=agency,
            data=item_data(
                area="",
                first_level="",
                time_limit="",
                body=" ",
                channels=[],
                audience="everyone",
                default_attribute="withheld",
                level_county=False,
            ),
        )
    assert set(error.value.message_dict) >= {
        "area",
        "first_level",
        "time_limit",
        "body",
        "channels",
        "audience",
        "default_attribute",
        "levels",
    }


def test_an_area_outside_the_list_is_refused(office_head, agency):
    with pytest.raises(ValidationError, match="不是26个试点领域之一"):
        catalogue_item_save(actor=office_head, agency=agency, data=item_data(area="<b>城乡</b>"))


def test_the_working_day_limit_writes_the_time_limit_text(office_head, agency):
    item = catalogue_item_save(
        actor=office_head, agency=agency, data=item_data(time_limit="", publication_days=5)
    )
    assert item.time_limit == "自信息形成或者变更之日起5个工作日内"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "名" * 201}, "name"),
        ({"content": "内" * 2001}, "content"),
        ({"body": "主\x00体"}, "body"),
        ({"legal_basis": "依据\x00"}, "legal_basis"),
        ({"publication_days": 61}, "publication_days"),
    ],
)
def test_hostile_values_are_refused_by_field(office_head, agency, changes, field):
    with pytest.raises(ValidationError) as error:
        catalogue_item_save(actor=office_head, agency=agency, data=item_data(**changes))
    assert field in error.value.message_dict


def test_markup_is_kept_as_text(office_head, agency):
    item = catalogue_item_save(
        actor=office_head, agency=agency, data=item_data(content="<script>alert(1)</script>")
    )
    assert item.content == "<script>alert(1)</script>"


def test_the_same_item_twice_in_an_area_is_refused_but_not_across_areas(office_head, agency):
    catalogue_item_save(actor=office_head, agency=agency, data=item_data())
    with pytest.raises(ValidationError, match="已有同名"):
        catalogue_item_save(actor=office_head, agency=agency, data=item_data())
    other = catalogue_item_save(actor=office_head, agency=agency, data=item_data(area="市政服务"))
    assert other.pk


def test_the_database_refuses_an_item_without_a_level(agency):
    with pytest.raises(IntegrityError), transaction.atomic():
        CatalogueItem.objects.create(
            agency=agency,
            name="x",
            content="x",
            legal_basis="x",
            level_county=False,
            level_township=False,
        )


def test_only_the_disclosure_office_and_the_administrator_keep_it(
    drafter, outsider, office_head, agency
):
    for actor in (drafter, outsider):
        with pytest.raises(NotAllowed):
            catalogue_item_save(actor=actor, agency=agency, data=item_data())
    item = catalogue_item_save(actor=office_head, agency=agency, data=item_data())
    with pytest.raises(NotAllowed):
        catalogue_publish(actor=drafter, agency=agency)
    with pytest.raises(NotAllowed):
        catalogue_publish(actor=outsider, agency=agency)
    assert item.pk


def test_another_agencys_item_cannot_be_changed(office_head, agency, other_agency, outsider):
    theirs = CatalogueItem.objects.create(
        agency=other_agency, area="城乡规划", name="汾阳事项", content="x", legal_basis="x"
    )
    with pytest.raises(ValidationError, match="没有找到"):
        catalogue_item_save(actor=office_head, agency=agency, data=item_data(), item_id=theirs.pk)
    theirs.refresh_from_db()
    assert theirs.name == "汾阳事项"


def test_a_published_version_is_frozen_while_the_draft_changes(office_head, agency):
    item = catalogue_item_save(actor=office_head, agency=agency, data=item_data())
    first = catalogue_publish(actor=office_head, agency=agency, note="首次发布", expected_version=0)
    assert (first.version, first.item_count, first.published_by) == (1, 1, office_head)
    catalogue_item_save(
        actor=office_head, agency=agency, data=item_data(body="孝义市规划中心"), item_id=item.pk
    )
    catalogue_item_save(actor=office_head, agency=agency, data=item_data(name="规划批后公布"))
    first.refresh_from_db()
    assert [row["body"] for row in first.items] == ["孝义市自然资源局"]
    second = catalogue_publish(actor=office_head, agency=agency, expected_version=1)
    assert second.version == 2 and second.item_count == 2
    assert {row["body"] for row in second.items} == {"孝义市规划中心", "孝义市自然资源局"}
    assert AuditEvent.objects.filter(action="catalogue_published", to_state="第2版").exists()


def test_publishing_twice_from_the_same_page_is_refused(office_head, agency):
    catalogue_item_save(actor=office_head, agency=agency, data=item_data())
    catalogue_publish(actor=office_head, agency=agency, expected_version=0)
    catalogue_item_save(actor=office_head, agency=agency, data=item_data(name="另一事项"))
    with pytest.raises(Stale, match="第1版"):
        catalogue_publish(actor=office_head, agency=agency, expected_version=0)


def test_nothing_changed_nothing_to_publish(office_head, agency):
    with pytest.raises(ValidationError, match="还没有事项"):
        catalogue_publish(actor=office_head, agency=agency)
    catalogue_item_save(actor=office_head, agency=agency, data=item_data())
    catalogue_publish(actor=office_head, agency=agency)
    with pytest.raises(ValidationError, match="没有修改"):
        catalogue_publish(actor=office_head, agency=agency)
    assert CataloguePublication.objects.filter(agency=agency).count() == 1


def test_an_item_from_before_the_columns_blocks_publication(office_head, agency):
    # Items kept by the migration have no area until the office fills it in.
    CatalogueItem.objects.create(agency=agency, name="旧事项", content="x", legal_basis="y")
    with pytest.raises(ValidationError, match="旧事项"):
        catalogue_publish(actor=office_head, agency=agency)


def test_versions_are_numbered_per_agency(office_head, agency, other_agency, django_user_model):
    from django.contrib.auth.models import Group

    their_office = django_user_model.objects.create_user(username="fy_office", password="pw")
    their_office.groups.add(Group.objects.get_or_create(name="office_head")[0])
    other_agency.staff.add(their_office)
    catalogue_item_save(actor=office_head, agency=agency, data=item_data())
    catalogue_item_save(actor=their_office, agency=other_agency, data=item_data())
    assert catalogue_publish(actor=office_head, agency=agency).version == 1
    assert catalogue_publish(actor=their_office, agency=other_agency).version == 1


def test_an_item_leaves_the_draft_but_not_a_published_version(office_head, agency):
    from attributes_app.services import catalogue_item_delete

    item = catalogue_item_save(actor=office_head, agency=agency, data=item_data())
    version = catalogue_publish(actor=office_head, agency=agency)
    catalogue_item_delete(actor=office_head, agency=agency, item_id=item.pk)
    assert not CatalogueItem.objects.filter(pk=item.pk).exists()
    version.refresh_from_db()
    assert [row["name"] for row in version.items] == ["建设项目规划许可批前公示"]
    assert AuditEvent.objects.filter(action="catalogue_item_deleted").exists()


def test_an_item_documents_are_linked_to_stays(office_head, agency, draft, other_agency):
    from attributes_app.services import catalogue_item_delete

    item = catalogue_item_save(actor=office_head, agency=agency, data=item_data())
    draft(catalogue_item_id=item.pk)
    with pytest.raises(ValidationError, match="已有1份文件关联"):
        catalogue_item_delete(actor=office_head, agency=agency, item_id=item.pk)
    with pytest.raises(NotAllowed):
        catalogue_item_delete(actor=office_head, agency=other_agency, item_id=item.pk)
    assert CatalogueItem.objects.filter(pk=item.pk).exists()
