"""The public 政府信息公开目录 (issue #16 §1): an agency's published proactive documents only, with
their 索引号, search and filters, each document's page and text, the Atom feed and the sitemap."""

from datetime import date, timedelta
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from attributes_app.models import Document, DraftingUnit, Publication
from attributes_app.services import (
    catalogue_item_save,
    document_attach_text,
    document_publish,
    publication_withdraw,
    secrecy_review_record,
)
from tests.attributes_app.catalogue_helpers import item_data
from tests.attributes_app.helpers import INTERNAL, confirmed, fresh, issued

pytestmark = pytest.mark.django_db
URL = "https://www.xiaoyi.gov.cn/zwgk/2026/0305/1.html"
TEXT = b"%PDF-1.4\n% the published text\n%%EOF\n"
DRAFT_TEXT = b"%PDF-1.4\n% a draft nobody may read\n%%EOF\n"
OPINION = "经审查，不涉及国家秘密和工作秘密，同意公开。"


def directory_url(agency):
    return reverse("public:directory", kwargs={"agency_code": agency.code})


def document_url(agency, number):
    return reverse("public:document", kwargs={"agency_code": agency.code, "index_number": number})


def text_url(agency, number):
    return reverse(
        "public:document_text", kwargs={"agency_code": agency.code, "index_number": number}
    )


@pytest.fixture
def world(
    draft, drafter, unit_head, office_head, secrecy_reviewer, admin_user, agency, other_agency
):
    """One document in each state that matters to the public, and another agency's."""

    def clear(document):
        secrecy_review_record(
            actor=secrecy_reviewer, document_id=document.pk, conclusion="cleared", opinion=OPINION
        )

    item = catalogue_item_save(
        actor=admin_user,
        agency=agency,
        data=item_data(
            area="城乡规划",
            first_level="旧城改造",
            name="城乡建设",
            content="旧城改造项目",
            legal_basis="《政府信息公开条例》第二十条",
        ),
    )
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False):
        public = draft(
            title="关于做好2026年城区老旧小区改造工作的通知",
            number="孝政办发〔2026〕3号",
            formed_on=date(2026, 3, 2),
            catalogue_item_id=item.pk,
        )
        document_attach_text(
            actor=drafter, document_id=public.pk, file=ContentFile(TEXT, name="通知.pdf")
        )
        public = issued(public, drafter=drafter, head=unit_head)
        clear(public)
        taken_down = issued(draft(title="已撤下的公告"), drafter=drafter, head=unit_head)
        clear(taken_down)
        on_request = issued(
            draft(title="依申请公开的人事安排"),
            drafter=drafter,
            head=unit_head,
            attribute="on_request",
            office=office_head,
            **INTERNAL,
        )
        withheld = issued(
            draft(title="不予公开的内部方案"),
            drafter=drafter,
            head=unit_head,
            attribute="withheld",
            office=office_head,
            **INTERNAL,
        )
        waiting = issued(draft(title="待公开的通知"), drafter=drafter, head=unit_head)
        draft_document = draft(title="尚在起草的文稿")
        document_attach_text(
            actor=drafter,
            document_id=draft_document.pk,
            file=ContentFile(DRAFT_TEXT, name="draft.pdf"),
        )
        confirmed(draft(title="已确认未印发的文稿"), drafter=drafter, head=unit_head)
    with time_machine.travel("2026-03-05 10:00 +0800", tick=False):
        document_publish(actor=office_head, document_id=public.pk, url=URL)
        document_publish(actor=office_head, document_id=taken_down.pk, url=URL + "?id=2")
    with time_machine.travel("2026-03-10 10:00 +0800", tick=False):
        publication_withdraw(actor=office_head, document_id=taken_down.pk, reason="附件有误")
    theirs = _bulk(other_agency, 1, title="汾阳市公开的文件", number_prefix="fenyang")[0]
    return {
        "public": fresh(public),
        "taken_down": fresh(taken_down),
        "on_request": fresh(on_request),
        "withheld": fresh(withheld),
        "waiting": fresh(waiting),
        "draft": fresh(draft_document),
        "theirs": theirs,
        "item": item,
    }


def _bulk(agency, count, *, title="批量公开的文件", number_prefix="bulk", start=date(2026, 1, 5)):
    """``count`` published documents straight in the tables (for sizes the services would take
    minutes to reach), published one a day from ``start``."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get_or_create(username=f"bulk-{agency.code}")[0]
    unit = DraftingUnit.objects.get_or_create(agency=agency, name="批量单位")[0]
    now = timezone.now()
    documents = Document.objects.bulk_create(
        Document(
            agency=agency,
            drafting_unit=unit,
            title=f"{title}{i}",
            number=f"{number_prefix}〔2026〕{i}号",
            index_number=f"{number_prefix}-2026-{i:05d}",
            formed_on=start + timedelta(days=i),
            issued_on=start + timedelta(days=i),
            secrecy="non_secret",
            attribute="proactive",
            attribute_state="published",
            created_by=user,
            created_at=now,
        )
        for i in range(1, count + 1)
    )
    Publication.objects.bulk_create(
        Publication(
            document=document,
            agency=agency,
            source="drafting",
            start_on=document.formed_on,
            published_on=document.formed_on,
            url=f"https://example.gov.cn/{document.pk}.html",
            channel="portal",
            created_at=now,
        )
        for document in documents
    )
    return documents


# -- only public documents -------------------------------------------------------------------


def test_the_directory_lists_only_published_proactive_documents_of_the_agency(
    client, agency, world
):
    page = client.get(directory_url(agency))
    assert page.status_code == 200
    public = world["public"]
    assert public.index_number == "xiaoyi-2026-00001"
    for shown in (public.title, public.number, public.index_number, "2026年3月5日", "综合科"):
        assert shown in page.text
    assert "有效" in page.text
    for key in ("taken_down", "on_request", "withheld", "waiting", "draft", "theirs"):
        assert world[key].title not in page.text, key
    assert "已确认未印发的文稿" not in page.text
    assert list(page.context["page"].object_list) == [public]


def test_the_document_page_shows_public_facts_and_nothing_internal(
    client, agency, world, drafter, unit_head, office_head
):
    public = world["public"]
    page = client.get(document_url(agency, public.index_number))
    assert page.status_code == 200
    for shown in (
        public.title,
        public.index_number,
        public.number,
        agency.name,
        "综合科",
        "城乡建设",
        "2026年3月2日",
        "2026年3月5日",
        "有效",
        URL,
        text_url(agency, public.index_number),
    ):
        assert str(shown) in page.text, shown
    for hidden in (drafter.username, unit_head.username, office_head.username, OPINION):
        assert hidden not in page.text


def test_the_published_text_downloads(client, agency, world):
    public = world["public"]
    answer = client.get(text_url(agency, public.index_number))
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == TEXT
    assert answer["Content-Security-Policy"] == "sandbox"
    assert "filename" in answer["Content-Disposition"]


def test_a_withdrawn_document_says_it_is_no_longer_public(client, agency, world):
    number = world["taken_down"].index_number
    assert number == "xiaoyi-2026-00002"
    for url in (document_url(agency, number), text_url(agency, number)):
        answer = client.get(url)
        assert answer.status_code == 410
        assert "该文件已不再公开" in answer.text
        assert world["taken_down"].title not in answer.text


def test_no_other_document_or_file_is_found_by_guessing(client, agency, other_agency, world):
    theirs = world["theirs"]
    guesses = [
        "xiaoyi-2026-00003",
        "xiaoyi-2026-00000",
        str(world["draft"].pk),
        str(world["on_request"].pk),
        theirs.index_number,
        "",
        "../../admin",
        "%00",
        "\x00",
        "xiaoyi-2026-00001\x00",
        "x" * 10_000,
        "<script>alert(1)</script>",
    ]
    for guess in guesses:
        for url in (document_url(agency, guess or "x"), text_url(agency, guess or "x")):
            answer = client.get(url)
            assert answer.status_code == 404, url
            assert DRAFT_TEXT not in answer.content
    # Another agency's address shows its own document, never this agency's.
    answer = client.get(document_url(other_agency, world["public"].index_number))
    assert answer.status_code == 404
    assert client.get(document_url(other_agency, theirs.index_number)).status_code == 200


def test_an_unknown_agency_has_no_directory(client):
    answer = client.get("/public/nowhere/directory/")
    assert answer.status_code == 404


def test_the_agency_home_page_links_the_directory(client, agency, world):
    page = client.get(reverse("public:home", kwargs={"agency_code": agency.code}))
    assert directory_url(agency) in page.text


def test_the_staff_page_links_the_public_page(client, agency, world, drafter):
    client.force_login(drafter)
    public = world["public"]
    page = client.get(reverse("attributes:documents:detail", kwargs={"pk": public.pk}))
    assert document_url(agency, public.index_number) in page.text


# -- search and filters ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("老旧小区", True),
        ("孝政办发〔2026〕3号", True),
        ("xiaoyi-2026-00001", True),
        ("2026 通知", True),
        ("通知 不存在的词", False),
        ("撤下", False),
        ("人事安排", False),
        ("汾阳", False),
    ],
)
def test_search_by_title_number_or_index_number(client, agency, world, q, found):
    page = client.get(directory_url(agency), {"q": q})
    assert page.status_code == 200
    assert (world["public"].title in page.text) is found


@pytest.mark.parametrize(
    "q",
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "\x00",
        "通知\x00",
        "%",
        "_",
        "%%%%",
        "\\",
        "' OR 1=1 --",
        "通" * 1_000_000,
        "\u202e通知",
    ],
)
def test_hostile_search_text_is_harmless(client, agency, world, q):
    page = client.get(directory_url(agency), {"q": q})
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text
    assert "<img src=x" not in page.text
    assert len(page.context["filters"].q) <= 100
    if q.strip("%_\\") == "":
        # A LIKE wildcard is a character to look for, not "anything".
        assert world["public"].title not in page.text


@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"year": "2026"}, True),
        ({"year": "2025"}, False),
        ({"validity": "in_force"}, True),
        ({"validity": "repealed"}, False),
        ({"unit": "UNIT"}, True),
        ({"unit": "OTHER_UNIT"}, False),
        ({"item": "ITEM"}, True),
        ({"item": "999999"}, False),
        # Unusable values are dropped: the whole directory.
        ({"year": "abc"}, True),
        ({"year": "99999999999999999999"}, True),
        ({"unit": "-1"}, True),
        ({"unit": "１"}, True),
        ({"validity": "<b>"}, True),
        ({"item": "1 OR 1=1"}, True),
        ({"page": "999999"}, True),
        ({"page": "-1"}, True),
        ({"page": "\x00"}, True),
    ],
)
def test_filters(client, agency, world, params, found):
    theirs_unit = world["theirs"].drafting_unit_id
    replace = {
        "UNIT": str(world["public"].drafting_unit_id),
        "OTHER_UNIT": str(theirs_unit),
        "ITEM": str(world["item"].pk),
    }
    params = {name: replace.get(value, value) for name, value in params.items()}
    page = client.get(directory_url(agency), params)
    assert page.status_code == 200
    assert (world["public"].title in page.text) is found


def test_filter_options_name_only_what_has_public_documents(client, agency, world, other_unit):
    page = client.get(directory_url(agency))
    choices = page.context["choices"]
    assert choices["years"] == [2026]
    assert [name for _, name in choices["units"]] == ["综合科"]
    assert [name for _, name in choices["items"]] == ["城乡建设"]
    assert "法规科" not in page.text


def test_validity_is_shown_and_filtered(client, agency, world, legal_reviewer):
    from attributes_app.services import document_set_validity

    with time_machine.travel("2026-04-01 09:00 +0800", tick=False):
        document_set_validity(
            actor=legal_reviewer,
            document_id=world["public"].pk,
            validity="repealed",
            changed_on=date(2026, 4, 1),
            note="被孝政办发〔2026〕9号文件废止",
        )
    page = client.get(directory_url(agency), {"validity": "repealed"})
    assert world["public"].title in page.text and "已废止" in page.text
    detail = client.get(document_url(agency, world["public"].index_number))
    assert "已废止（2026年4月1日）：被孝政办发〔2026〕9号文件废止" in detail.text
    sitemap = client.get(reverse("public:sitemap", kwargs={"agency_code": agency.code}))
    assert "<lastmod>2026-04-01</lastmod>" in sitemap.text


# -- size ------------------------------------------------------------------------------------


def test_the_directory_pages_with_bounded_queries(client, agency, django_assert_max_num_queries):
    _bulk(agency, 45)
    with django_assert_max_num_queries(8):
        first = client.get(directory_url(agency))
    assert first.status_code == 200
    rows = list(first.context["page"].object_list)
    assert len(rows) == 20
    # Newest publication first.
    assert rows[0].title == "批量公开的文件45"
    assert "共 3 页" in first.text
    with django_assert_max_num_queries(8):
        last = client.get(directory_url(agency), {"page": "3", "q": "批量"})
    assert [row.title for row in last.context["page"].object_list] == [
        f"批量公开的文件{i}" for i in range(5, 0, -1)
    ]
    # The next page's link keeps the search.
    assert "q=%E6%89%B9%E9%87%8F&amp;page=2" in last.text


def test_the_document_page_and_feed_and_sitemap_have_bounded_queries(
    client, agency, django_assert_max_num_queries
):
    _bulk(agency, 60)
    with django_assert_max_num_queries(4):
        assert client.get(document_url(agency, "bulk-2026-00007")).status_code == 200
    with django_assert_max_num_queries(4):
        feed = client.get(reverse("public:feed", kwargs={"agency_code": agency.code}))
    assert feed.content.count(b"<entry>") == 50
    with django_assert_max_num_queries(4):
        sitemap = client.get(reverse("public:sitemap", kwargs={"agency_code": agency.code}))
    assert sitemap.content.count(b"<url>") == 61


# -- the feed and the sitemap ----------------------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_the_feed_holds_only_public_documents(client, agency, world):
    answer = client.get(reverse("public:feed", kwargs={"agency_code": agency.code}))
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(answer.content)
    assert root.findtext(f"{ATOM}title") == "孝义市人民政府办公室政府信息公开目录"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    (entry,) = entries
    public = world["public"]
    assert entry.findtext(f"{ATOM}title") == public.title
    link = entry.find(f"{ATOM}link").get("href")
    assert link == f"http://testserver{document_url(agency, public.index_number)}"
    assert entry.findtext(f"{ATOM}id") == link
    # Dates are public facts (the publication), not when staff last touched the record.
    assert entry.findtext(f"{ATOM}published") == "2026-03-05T00:00:00+08:00"
    assert entry.findtext(f"{ATOM}updated") == "2026-03-05T00:00:00+08:00"
    summary = entry.findtext(f"{ATOM}summary")
    assert "索引号：xiaoyi-2026-00001" in summary and "孝政办发〔2026〕3号" in summary
    for key in ("taken_down", "on_request", "withheld", "waiting", "draft", "theirs"):
        assert world[key].title.encode() not in answer.content


def test_the_sitemap_lists_the_directory_and_public_documents(client, agency, world):
    answer = client.get(reverse("public:sitemap", kwargs={"agency_code": agency.code}))
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(answer.content)
    locations = [url.findtext(f"{SITEMAP}loc") for url in root.findall(f"{SITEMAP}url")]
    assert locations == [
        f"http://testserver{directory_url(agency)}",
        f"http://testserver{document_url(agency, world['public'].index_number)}",
    ]
    lastmods = [url.findtext(f"{SITEMAP}lastmod") for url in root.findall(f"{SITEMAP}url")]
    assert lastmods == [None, "2026-03-05"]
    assert world["taken_down"].index_number not in answer.text
    assert world["theirs"].index_number not in answer.text


def test_an_index_number_with_a_slash_and_chinese_has_a_working_address(
    client, agency, draft, drafter, unit_head, office_head, secrecy_reviewer
):
    agency.index_number_scheme = "11140000012345678X/孝政〔{年}〕{序号:03}"
    agency.save()
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False):
        document = issued(draft(), drafter=drafter, head=unit_head)
        secrecy_review_record(
            actor=secrecy_reviewer, document_id=document.pk, conclusion="cleared", opinion="同意"
        )
        document_publish(actor=office_head, document_id=document.pk, url=URL)
    number = fresh(document).index_number
    assert number == "11140000012345678X/孝政〔2026〕001"
    url = document_url(agency, number)
    assert quote("孝政") in url
    page = client.get(url)
    assert page.status_code == 200 and number in page.text
    assert client.get(text_url(agency, number)).status_code == 200
    listing = client.get(directory_url(agency))
    assert url in listing.text
    sitemap = client.get(reverse("public:sitemap", kwargs={"agency_code": agency.code}))
    assert f"<loc>http://testserver{url}</loc>" in sitemap.text


def test_a_text_replaced_before_issue_is_never_the_public_one(
    client, agency, draft, drafter, unit_head, office_head, secrecy_reviewer
):
    # The public text is the document's final text as published: an earlier draft file is gone.
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False):
        document = draft()
        document_attach_text(
            actor=drafter, document_id=document.pk, file=ContentFile(DRAFT_TEXT, name="d.pdf")
        )
        document_attach_text(
            actor=drafter, document_id=document.pk, file=ContentFile(TEXT, name="final.pdf")
        )
        document = issued(document, drafter=drafter, head=unit_head)
        secrecy_review_record(
            actor=secrecy_reviewer, document_id=document.pk, conclusion="cleared", opinion="同意"
        )
        document_publish(actor=office_head, document_id=document.pk, url=URL)
    answer = client.get(text_url(agency, fresh(document).index_number))
    assert b"".join(answer.streaming_content) == TEXT


# -- the demo --------------------------------------------------------------------------------


def test_the_demo_agencys_published_documents_are_in_its_directory(
    client,
    agency,
    registrar,
    handler,
    office_head,
    legal_reviewer,
    admin_user,
    drafter,
    unit_head,
    secrecy_reviewer,
):
    from attributes_app.demo import create_demo_documents

    users = {
        "registrar": registrar,
        "handler": handler,
        "office_head": office_head,
        "legal_reviewer": legal_reviewer,
        "admin": admin_user,
        "drafter": drafter,
        "drafting_unit_head": unit_head,
        "secrecy_reviewer": secrecy_reviewer,
    }
    agency.office_name = "孝义市人民政府办公室政务公开科"  # as setup_demo's: letters go to it
    agency.save()
    with time_machine.travel("2026-11-20 09:00 +0800", tick=False):
        create_demo_documents(agency, users, write=lambda line: None)
    published = Document.objects.filter(agency=agency, attribute_state="published")
    assert published.count() >= 3
    assert not published.filter(index_number="").exists()
    numbers = list(published.values_list("index_number", flat=True))
    assert len(set(numbers)) == len(numbers)
    page = client.get(directory_url(agency))
    assert page.context["page"].paginator.count == published.count()
    for document in published:
        assert document.title in page.text
        assert client.get(document_url(agency, document.index_number)).status_code == 200
