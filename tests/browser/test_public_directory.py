"""A citizen finds a published document in the agency's directory, by a word of its title and its
validity, opens its page and downloads its text (issue #16 §1)."""

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from attributes_app.models import Document, DraftingUnit, Publication

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TEXT = b"%PDF-1.4\n% published\n%%EOF\n"


def _published(agency, unit, user, i, *, title, validity="in_force"):
    document = Document.objects.create(
        agency=agency,
        drafting_unit=unit,
        title=title,
        number=f"孝政办发〔2026〕{i}号",
        index_number=f"xiaoyi-2026-{i:05d}",
        formed_on=date(2026, 3, i),
        issued_on=date(2026, 3, i),
        secrecy="non_secret",
        attribute="proactive",
        attribute_state="published",
        validity=validity,
        validity_changed_on=None if validity == "in_force" else date(2026, 4, 1),
        created_by=user,
        created_at=timezone.now(),
    )
    document.file.save("text.pdf", ContentFile(TEXT))
    Publication.objects.create(
        document=document,
        agency=agency,
        source="drafting",
        start_on=document.formed_on,
        published_on=date(2026, 3, i + 2),
        url=f"https://www.xiaoyi.gov.cn/zwgk/{i}.html",
        channel="portal",
        created_at=timezone.now(),
    )
    return document


def test_a_citizen_finds_and_downloads_a_published_document(page, live_server, agency, shot):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("clerk", password="pw")
    unit = DraftingUnit.objects.create(agency=agency, name="城建科")
    _published(agency, unit, user, 2, title="关于城区老旧小区改造的通知")
    _published(agency, unit, user, 3, title="关于老旧小区物业管理的通知", validity="repealed")
    _published(agency, unit, user, 4, title="孝义市地名管理办法")

    page.goto(f"{live_server.url}/public/{agency.code}/")
    page.get_by_role("link", name="公开目录").first.click()
    page.wait_for_url("**/directory/")
    assert page.locator("#result-count").inner_text() == "共有文件 3 件。"

    page.fill("#directory-q", "老旧小区")
    page.select_option("#directory-validity", label="有效")
    page.click("button[type=submit]")
    page.wait_for_url("**q=*")
    assert page.locator("#result-count").inner_text() == "符合条件的文件 1 件。"
    shot("search")

    page.get_by_role("link", name="关于城区老旧小区改造的通知").click()
    page.wait_for_selector("#index-number")
    assert page.locator("#index-number").inner_text() == "xiaoyi-2026-00002"
    shot("document")
    answer = page.request.get(live_server.url + page.get_attribute("#text-link", "href"))
    assert answer.ok and answer.body() == TEXT
    assert answer.headers["content-security-policy"] == "sandbox"
