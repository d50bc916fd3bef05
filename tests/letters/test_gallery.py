"""The letter gallery page: login required, every kind listed, files served."""

import pytest
from django.contrib.auth import get_user_model

from tests.letters.helpers import require_cjk_fonts
from workflow.letters.kinds import KINDS

pytestmark = pytest.mark.django_db

GALLERY = "/tools/letters/"


def test_gallery_requires_login(client):
    response = client.get(GALLERY)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client.get(f"{GALLERY}reply.pdf").status_code == 302


def test_gallery_lists_every_kind_in_chinese(client):
    client.force_login(get_user_model().objects.create_user("handler", password="x-123456"))
    response = client.get(GALLERY)
    assert response.status_code == 200
    page = response.content.decode()
    assert "文书样式" in page
    for kind in KINDS.values():
        assert kind.label in page
        assert f'src="{kind.code}.pdf"' in page


def test_gallery_serves_pdf_inline_and_docx_download(client):
    require_cjk_fonts()
    client.force_login(get_user_model().objects.create_user("handler", password="x-123456"))
    pdf = client.get(f"{GALLERY}reply.pdf?outcome=not_held")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("inline")
    assert pdf.content.startswith(b"%PDF")
    docx = client.get(f"{GALLERY}receipt.docx")
    assert docx.status_code == 200 and docx["Content-Disposition"].startswith("attachment")
    assert client.get(f"{GALLERY}nonsense.pdf").status_code == 404
