"""The staff pages of the catalogue: the list by area, an item added and changed, the template,
the export and the import (checked, confirmed), publication; scoped to the user's agencies."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from attributes_app.models import CatalogueItem, CataloguePublication
from attributes_app.services import catalogue_item_save, catalogue_publish
from tests.attributes_app.catalogue_helpers import GOOD_ROW, item_data, sheet_rows, workbook
from tests.conftest import _persona

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs) -> str:
    return reverse(f"attributes:catalogue:{name}", kwargs=kwargs or None)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def office(client, office_head):
    client.force_login(office_head)
    return client


@pytest.fixture
def their_item(django_user_model, other_agency):
    their_office = _persona(django_user_model, "fy_office", other_agency, "office_head")
    return catalogue_item_save(
        actor=their_office, agency=other_agency, data=item_data(name="汾阳事项")
    )


FORM = {
    "area": "社会救助",
    "first_level": "最低生活保障",
    "name": "城乡低保对象认定",
    "content": "申请条件、办理流程",
    "legal_basis": "《社会救助暂行办法》第九条",
    "time_limit": "",
    "publication_days": "10",
    "body": "孝义市民政局",
    "channels": ["website", "on_site"],
    "audience": "specific",
    "default_attribute": "on_request",
    "levels": ["county", "township"],
}


def test_the_office_adds_an_item_and_sees_it_by_area(office, agency):
    response = office.post(url("new"), FORM)
    assert response.status_code == 302
    item = CatalogueItem.objects.get(agency=agency)
    assert item.time_limit == "自信息形成或者变更之日起10个工作日内"
    assert item.channels == ["website", "on_site"] and item.level_township
    page = office.get(url("index"), {"area": "社会救助"}).content.decode()
    assert "城乡低保对象认定" in page and "入户/现场" in page and "依申请" in page
    assert "目录还没有发布过" in page
    assert "城乡低保对象认定" not in office.get(url("index"), {"q": "规划"}).content.decode()


def test_bad_input_shows_chinese_errors_not_a_500(office, agency):
    hostile = dict(FORM, area="<script>", name="名" * 300, body="主\x00体", channels=["fax"])
    response = office.post(url("new"), hostile)
    assert response.status_code == 200
    page = response.content.decode()
    assert "“&lt;script&gt;”不是可选项" in page
    assert "请从列表中选择" in page and "不能超过200个字" in page and "空字符" in page
    assert not CatalogueItem.objects.exists()


def test_editing_another_agencys_item_is_a_404(office, their_item):
    assert office.get(url("edit", pk=their_item.pk)).status_code == 404
    assert office.post(url("edit", pk=their_item.pk), FORM).status_code == 404
    their_item.refresh_from_db()
    assert their_item.name == "汾阳事项"


def test_another_agency_chosen_by_parameter_is_a_404(office, other_agency, their_item):
    for name in ("index", "export", "template", "publish", "import"):
        assert office.get(url(name), {"agency": other_agency.pk}).status_code == 404
    assert office.get(url("index"), {"agency": "abc"}).status_code == 404
    version = catalogue_publish(
        actor=their_item.agency.staff.get(username="fy_office"), agency=other_agency
    )
    assert office.get(url("version", pk=version.pk)).status_code == 404


def test_drafters_do_not_keep_the_catalogue(client, drafter):
    client.force_login(drafter)
    assert client.get(url("index")).status_code == 403
    assert client.get(url("export")).status_code == 403


def test_import_saves_nothing_until_confirmed(office, agency):
    bad = workbook([GOOD_ROW, [*GOOD_ROW[:8], "所有人", *GOOD_ROW[9:]]])
    response = office.post(url("import"), {"file": SimpleUploadedFile("目录.xlsx", bad.read())})
    assert response.status_code == 302
    page = office.get(response["Location"]).content.decode()
    assert "没有保存任何事项" in page and "第3行" in page and "公开对象" in page
    assert "全社会或特定群体" in page
    assert office.post(response["Location"]).status_code == 302
    assert not CatalogueItem.objects.exists()

    good = workbook([GOOD_ROW])
    response = office.post(url("import"), {"file": SimpleUploadedFile("目录.xlsx", good.read())})
    check = response["Location"]
    assert "检查通过" in office.get(check).content.decode()
    assert not CatalogueItem.objects.exists()
    assert office.post(check).status_code == 302
    assert CatalogueItem.objects.get(agency=agency).name == "城乡低保对象认定"
    assert office.get(check).status_code == 404  # used: gone


def test_an_upload_is_found_only_in_its_own_session(office, client, agency, django_user_model):
    response = office.post(
        url("import"), {"file": SimpleUploadedFile("目录.xlsx", workbook([GOOD_ROW]).read())}
    )
    check = response["Location"]
    from django.test import Client

    colleague = _persona(django_user_model, "office2", agency, "office_head")
    other = Client()
    other.force_login(colleague)
    assert other.get(check).status_code == 404
    assert other.post(check).status_code == 404
    assert not CatalogueItem.objects.exists()


def test_a_file_that_is_no_workbook_is_refused_on_the_form(office):
    response = office.post(url("import"), {"file": SimpleUploadedFile("目录.xlsx", b"not a zip")})
    assert response.status_code == 200
    assert "公开事项目录表格" in response.content.decode()


def test_template_and_export_download(office, office_head, agency):
    template = office.get(url("template"))
    assert sheet_rows(template.content)[0][0] == "领域"
    catalogue_item_save(actor=office_head, agency=agency, data=item_data(content="=1+1"))
    rows = sheet_rows(office.get(url("export")).content)
    assert rows[1][2] == "建设项目规划许可批前公示" and rows[1][3] == "=1+1"


def test_publish_from_the_page_makes_a_version(office, office_head, agency):
    catalogue_item_save(actor=office_head, agency=agency, data=item_data())
    page = office.get(url("publish")).content.decode()
    assert "发布为第1版" in page
    response = office.post(url("publish"), {"note": "首次发布", "expected_version": "0"})
    assert response.status_code == 302
    version = CataloguePublication.objects.get(agency=agency)
    assert (version.version, version.note) == (1, "首次发布")
    again = office.post(url("publish"), {"note": "", "expected_version": "0"})
    assert again.status_code == 409
    assert "已经发布了第1版" in again.content.decode()
    assert "工作稿与已发布的版本相同" in office.get(url("index")).content.decode()


def test_unconfirmed_uploads_are_swept_after_two_days(office, settings):
    import time_machine

    from attributes_app.views.catalogue import _sweep

    office.post(
        url("import"), {"file": SimpleUploadedFile("目录.xlsx", workbook([GOOD_ROW]).read())}
    )
    folder = settings.MEDIA_ROOT / "catalogue-imports"
    assert len(list(folder.iterdir())) == 1
    assert _sweep() == 0
    with time_machine.travel("2099-01-01"):
        assert _sweep() == 1
    assert list(folder.iterdir()) == []


def test_the_list_page_reads_a_bounded_number_of_rows(
    office, office_head, agency, django_assert_max_num_queries
):
    for number in range(30):
        catalogue_item_save(actor=office_head, agency=agency, data=item_data(name=f"事项{number}"))
    with django_assert_max_num_queries(12):
        assert office.get(url("index")).status_code == 200


def test_delete_from_the_page_and_not_another_agencys(office, office_head, agency, their_item):
    mine = catalogue_item_save(actor=office_head, agency=agency, data=item_data())
    assert office.get(url("delete", pk=mine.pk)).status_code == 404  # POST only
    assert office.post(url("delete", pk=their_item.pk)).status_code == 404
    assert CatalogueItem.objects.filter(pk=their_item.pk).exists()
    assert office.post(url("delete", pk=mine.pk)).status_code == 302
    assert not CatalogueItem.objects.filter(pk=mine.pk).exists()
