"""A file the case's records name and the disk no longer has (lost in a move or a restore): the
officer is told so, in Chinese, and the administrator finds it in the log; never a server
error."""

import logging
from pathlib import Path

import pytest
from django.urls import reverse

from requests_app.models import CaseDocument

pytestmark = pytest.mark.django_db


def test_a_letter_missing_from_the_disk_is_said_plainly(client, case, registrar, caplog):
    receipt = CaseDocument.objects.get(request=case, letter_kind="receipt")
    Path(receipt.file.path).unlink()
    client.force_login(registrar)
    url = reverse("requests:cases:document", args=[case.pk, receipt.pk, "pdf"])
    with caplog.at_level(logging.ERROR, logger="workflow.downloads"):
        response = client.get(url)
    assert response.status_code == 404
    assert "已不在文件存储中" in response.content.decode()
    assert receipt.file.name in caplog.text
    # The Word file, still there, downloads as before.
    assert (
        client.get(
            reverse("requests:cases:document", args=[case.pk, receipt.pk, "docx"])
        ).status_code
        == 200
    )


def test_a_404_page_says_the_reason_in_chinese_and_never_djangos_english(
    client, case, registrar, settings
):
    settings.DEBUG = False
    client.force_login(registrar)
    wrong = client.get(reverse("requests:cases:document", args=[case.pk, 10**9, "pdf"]))
    assert wrong.status_code == 404
    assert "matches the given query" not in wrong.content.decode()
    assert "您要打开的页面或文件不存在" in wrong.content.decode()
