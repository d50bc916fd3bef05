"""The error pages speak Chinese, say what happened to the user's work, and what to do."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.views.defaults import server_error

from attributes_app.models import Document
from attributes_app.services import drafting_unit_save

pytestmark = pytest.mark.django_db


def test_too_many_files_in_one_post_get_a_400_page_in_chinese(
    client, settings, django_user_model, agency, admin_user
):
    from tests.conftest import _persona

    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    office = _persona(django_user_model, "office", agency, "office_head")
    unit = drafting_unit_save(actor=admin_user, agency=agency, name="综合科")
    client.force_login(office)
    files = [SimpleUploadedFile(f"{i}.pdf", b"%PDF-1.4\n") for i in range(4)]
    response = client.post(
        "/attributes/documents/older/",
        {"drafting_unit": unit.pk, "title": "通知", "text_file": files},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "提交的内容无法处理" in page and "文件较多的，请分几次上传" in page
    assert "Bad Request" not in page and "ヽ" not in page
    assert not Document.objects.exists()


def test_the_server_error_page_does_not_claim_an_email_was_sent():
    response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "已保存的内容不受影响" in page and "错误已记入系统日志" in page
    assert "电子邮件" not in page and "¯\\_(ツ)_/¯" not in page


def test_a_refused_page_says_in_chinese_why_and_what_to_do(client, django_user_model, agency):
    # A drafter has no request role (need to know): the 403 page is Chinese throughout.
    from tests.conftest import _persona

    client.force_login(_persona(django_user_model, "drafter", agency, "drafter"))
    response = client.get("/requests/cases/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in page and "没有办理这项工作的权限" in page and "系统管理员" in page
    assert "You " not in page and "Log in" not in page
