"""The public page of the catalogue of disclosure items: the latest published version only, by
area, searchable, with its version and date; never the working copy or another agency's."""

import pytest
from django.urls import reverse

from attributes_app.services import catalogue_item_save, catalogue_publish
from tests.attributes_app.catalogue_helpers import item_data, sheet_rows

pytestmark = pytest.mark.django_db


def page(client, agency, **query) -> str:
    response = client.get(reverse("public:catalogue", args=[agency.code]), query)
    assert response.status_code == 200
    return response.content.decode()


def test_nothing_is_shown_before_the_first_publication(client, office_head, agency):
    catalogue_item_save(actor=office_head, agency=agency, data=item_data(name="草稿事项"))
    body = page(client, agency)
    assert "还没有发布" in body and "草稿事项" not in body
    xlsx = client.get(reverse("public:catalogue_xlsx", args=[agency.code]))
    assert xlsx.status_code == 404


def test_the_latest_published_version_not_the_draft(client, office_head, agency):
    item = catalogue_item_save(actor=office_head, agency=agency, data=item_data())
    catalogue_item_save(
        actor=office_head,
        agency=agency,
        data=item_data(
            area="社会救助", first_level="最低生活保障", name="低保对象认定", content="申请条件"
        ),
    )
    catalogue_publish(actor=office_head, agency=agency, note="内部说明：仅供办公室")
    catalogue_item_save(
        actor=office_head, agency=agency, data=item_data(body="未发布的主体"), item_id=item.pk
    )
    catalogue_item_save(actor=office_head, agency=agency, data=item_data(name="未发布的事项"))
    body = page(client, agency)
    assert "第1版" in body and "共2个公开事项" in body
    assert "建设项目规划许可批前公示" in body and "孝义市自然资源局" in body
    assert "未发布的主体" not in body and "未发布的事项" not in body
    assert "office_head" not in body and "内部说明" not in body  # no staff names or notes
    assert body.index("城乡规划") < body.index("社会救助")  # grouped in the list's order
    assert "社区/企事业单位/村公示栏（电子屏）" in body and "全社会" in body
    rows = sheet_rows(client.get(reverse("public:catalogue_xlsx", args=[agency.code])).content)
    assert [row[2] for row in rows[1:]] == ["建设项目规划许可批前公示", "低保对象认定"]
    catalogue_publish(actor=office_head, agency=agency)
    body = page(client, agency)
    assert "第2版" in body and "未发布的事项" in body


def test_search_and_area_filter(client, office_head, agency):
    catalogue_item_save(actor=office_head, agency=agency, data=item_data())
    catalogue_item_save(
        actor=office_head,
        agency=agency,
        data=item_data(
            area="社会救助", first_level="最低生活保障", name="低保对象认定", content="申请条件"
        ),
    )
    catalogue_publish(actor=office_head, agency=agency)
    found = page(client, agency, q="低保")
    assert "找到1个事项" in found and "建设项目规划许可批前公示" not in found
    by_area = page(client, agency, area="城乡规划")
    assert "低保对象认定" not in by_area and "建设项目规划许可批前公示" in by_area
    hostile = page(client, agency, q="<script>alert(1)</script>\x00")
    assert "<script>alert(1)" not in hostile and "找到0个事项" in hostile


def test_another_agency_shows_its_own_catalogue(client, office_head, agency, other_agency):
    catalogue_item_save(actor=office_head, agency=agency, data=item_data(name="孝义事项"))
    catalogue_publish(actor=office_head, agency=agency)
    assert "孝义事项" not in page(client, other_agency)
    assert client.get("/public/no-such-agency/catalogue/").status_code == 404


def test_the_nav_links_the_catalogue(client, agency):
    home = client.get(reverse("public:home", args=[agency.code])).content.decode()
    assert reverse("public:catalogue", args=[agency.code]) in home
