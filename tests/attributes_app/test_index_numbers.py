"""The 索引号 of published documents (issue #16 §1): an agency's scheme, given once at the first
publication, unique within the agency, never changed afterwards."""

import threading
from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from attributes_app.models import Document, DraftingUnit, IndexNumberCounter
from attributes_app.services import (
    DocumentData,
    document_publish,
    document_register,
    document_set_validity,
    publication_withdraw,
    secrecy_review_record,
)
from tests.attributes_app.helpers import fresh, issued
from workflow import index_numbers
from workflow.models import Agency, AuditEvent

URL = "https://www.xiaoyi.gov.cn/zwgk/2026/0305/1.html"


# -- the scheme (pure) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "year", "sequence", "number"),
    [
        ("{机构代码}-{年}-{序号:05}", 2026, 17, "xiaoyi-2026-00017"),
        ("11140000012345678X/{年}-{序号:05}", 2026, 3, "11140000012345678X/2026-00003"),
        ("孝政公开〔{年}〕{序号}", 2025, 123, "孝政公开〔2025〕123"),
        ("XY-{序号:06}", 2026, 7, "XY-000007"),
        ("{机构代码}-{年}-{序号:02}", 2026, 1234, "xiaoyi-2026-1234"),
    ],
)
def test_a_scheme_formats_the_number(scheme, year, sequence, number):
    assert index_numbers.scheme_problem(scheme) is None
    got = index_numbers.format_number(scheme, agency_code="xiaoyi", year=year, sequence=sequence)
    assert got == number


@pytest.mark.parametrize(
    ("scheme", "message"),
    [
        ("", "请填写索引号编排规则"),
        ("   ", "请填写索引号编排规则"),
        ("{机构代码}-{年}", "须含有序号"),
        ("{机构代码}-{年份}-{序号}", "“{年份}”不是可用的占位符"),
        ("{机构代码}-{序号:5}", "“{序号:5}”不是可用的占位符"),
        ("{序号}-{序号}", "只能含有一个序号"),
        ("{机构代码}-{年-{序号}", "花括号不成对"),
        ("A}-{序号}", "花括号不成对"),
        ("<b>{序号}</b>", "不能用于索引号的字符"),
        ("A {序号}", "空格"),
        ("A?{序号}#", "不能用于索引号的字符"),
        ("A%{序号}", "不能用于索引号的字符"),
        ("A\x00{序号}", "空字符"),
        ("/{序号}", "不能以“/”开头"),
        ("{序号}/", "不能以“/”开头"),
        ("A//{序号}", "连续的“/”"),
        ("A" * 60 + "{序号}", "不能超过60个字"),
    ],
)
def test_a_bad_scheme_is_refused_with_a_chinese_message_naming_the_field(scheme, message):
    problem = index_numbers.scheme_problem(scheme)
    assert problem is not None and message in problem
    assert "索引号编排规则" in problem


def test_the_running_number_is_yearly_only_when_the_scheme_has_the_year():
    assert index_numbers.uses_year("{机构代码}-{年}-{序号:05}")
    assert not index_numbers.uses_year("XY-{序号:06}")


@pytest.mark.django_db
def test_the_agency_validates_its_scheme(agency):
    assert agency.index_number_scheme == index_numbers.DEFAULT
    agency.index_number_scheme = "{机构代码}-{年}"
    with pytest.raises(ValidationError) as error:
        agency.full_clean()
    assert "索引号编排规则须含有序号" in str(error.value.message_dict["index_number_scheme"])


@pytest.mark.django_db
def test_the_admin_refuses_a_scheme_without_a_sequence(admin_client, agency):
    url = reverse("admin:workflow_agency_change", args=[agency.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and "索引号编排规则" in page.text
    form = page.context["adminform"].form
    data = {
        name: form[name].value() if form[name].value() is not None else ""
        for name in form.fields
        if name != "staff"
    }
    data["index_number_scheme"] = "{机构代码}-{年}-{流水号}"
    answer = admin_client.post(url, data)
    assert answer.status_code == 200
    assert "“{流水号}”不是可用的占位符" in answer.text
    assert Agency.objects.get(pk=agency.pk).index_number_scheme == index_numbers.DEFAULT


# -- giving numbers --------------------------------------------------------------------------


@pytest.fixture
def publish(draft, drafter, unit_head, office_head, secrecy_reviewer):
    """Issue, clear and publish a new proactive document on the given day."""

    def make(day="2026-03-05", **changes):
        with time_machine.travel(f"{day} 09:00 +0800", tick=False):
            document = issued(draft(**changes), drafter=drafter, head=unit_head)
            secrecy_review_record(
                actor=secrecy_reviewer,
                document_id=document.pk,
                conclusion="cleared",
                opinion="经审查，不涉及国家秘密和工作秘密，同意公开。",
            )
            document_publish(actor=office_head, document_id=document.pk, url=URL)
        return fresh(document)

    return make


@pytest.mark.django_db
def test_numbers_run_per_agency_and_year_in_publication_order(publish):
    first = publish(title="第一份")
    second = publish(title="第二份")
    next_year = publish("2027-01-05", title="次年第一份")
    assert first.index_number == "xiaoyi-2026-00001"
    assert second.index_number == "xiaoyi-2026-00002"
    assert next_year.index_number == "xiaoyi-2027-00001"


@pytest.mark.django_db
def test_the_number_is_in_the_publication_audit_and_on_the_staff_page(publish, client, drafter):
    document = publish()
    event = AuditEvent.objects.filter(action="attribute_publish", object_id=str(document.pk)).get()
    assert event.data["index_number"] == "xiaoyi-2026-00001"
    client.force_login(drafter)
    page = client.get(reverse("attributes:documents:detail", kwargs={"pk": document.pk}))
    assert 'id="index-number">xiaoyi-2026-00001' in page.text


@pytest.mark.django_db
def test_the_register_finds_a_document_by_its_number(publish, client, drafter):
    document = publish()
    publish(title="另一份通知")
    client.force_login(drafter)
    page = client.get(reverse("attributes:documents:index"), {"q": "2026-00001"})
    assert page.status_code == 200
    assert document.title in page.text and "另一份通知" not in page.text


@pytest.mark.django_db
def test_a_document_not_published_has_no_number(draft, drafter, unit_head):
    document = issued(draft(), drafter=drafter, head=unit_head)
    assert document.index_number == ""
    assert not IndexNumberCounter.objects.exists()


@pytest.mark.django_db
def test_a_new_scheme_leaves_the_numbers_given(publish, agency):
    before = publish(title="旧规则下公开")
    agency.index_number_scheme = "11140000012345678X/{年}-{序号:04}"
    agency.save()
    after = publish(title="新规则下公开")
    assert fresh(before).index_number == "xiaoyi-2026-00001"
    assert after.index_number == "11140000012345678X/2026-0002"


@pytest.mark.django_db
def test_a_new_scheme_that_would_repeat_a_number_skips_it(publish, agency):
    publish(title="一")
    publish(title="二")
    # A yearless scheme counts over all years from 1, and its literal year repeats the numbers
    # the default gave this year: they are passed over.
    agency.index_number_scheme = "xiaoyi-2026-{序号:05}"
    agency.save()
    third = publish(title="三")
    assert third.index_number == "xiaoyi-2026-00003"


@pytest.mark.django_db
def test_edits_takedown_and_republication_keep_the_number(publish, office_head, legal_reviewer):
    document = publish()
    number = document.index_number
    with time_machine.travel("2026-03-09 09:00 +0800", tick=False):
        document_set_validity(
            actor=legal_reviewer,
            document_id=document.pk,
            validity="repealed",
            changed_on=date(2026, 3, 9),
            note="被孝政发〔2026〕9号文件废止",
        )
    assert fresh(document).index_number == number
    with time_machine.travel("2026-03-10 09:00 +0800", tick=False):
        publication_withdraw(actor=office_head, document_id=document.pk, reason="附件缺页")
    assert fresh(document).index_number == number
    with time_machine.travel("2026-03-11 09:00 +0800", tick=False):
        document_publish(actor=office_head, document_id=document.pk, url=URL + "?v=2")
    assert fresh(document).index_number == number
    assert IndexNumberCounter.objects.get().last == 1


@pytest.mark.django_db
def test_a_refused_publication_gives_no_number(draft, drafter, unit_head, office_head):
    document = issued(draft(), drafter=drafter, head=unit_head)
    with pytest.raises(ValidationError, match="保密审查"):
        document_publish(actor=office_head, document_id=document.pk, url=URL)
    assert fresh(document).index_number == ""
    assert not IndexNumberCounter.objects.filter(last__gt=0).exists()


@pytest.mark.django_db
def test_the_same_number_in_another_agency_is_another_number(publish, other_agency):
    mine = publish()
    theirs = Document.objects.create(
        agency=other_agency,
        drafting_unit=DraftingUnit.objects.create(agency=other_agency, name="办公室"),
        title="汾阳的文件",
        created_by=mine.created_by,
        created_at=mine.created_at,
        index_number=mine.index_number,
    )
    # The same text in two agencies is two numbers; within one agency it is refused.
    assert theirs.index_number == mine.index_number
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=theirs.pk).update(agency=mine.agency)


@pytest.mark.django_db(transaction=True)
def test_two_publications_at_once_get_two_numbers(
    draft, drafter, unit_head, office_head, secrecy_reviewer
):
    documents = []
    for title in ("同时公开之一", "同时公开之二"):
        document = issued(draft(title=title), drafter=drafter, head=unit_head)
        secrecy_review_record(
            actor=secrecy_reviewer,
            document_id=document.pk,
            conclusion="cleared",
            opinion="同意公开。",
        )
        documents.append(document)
    barrier = threading.Barrier(2)
    errors = []

    def work(document):
        try:
            barrier.wait()
            document_publish(actor=office_head, document_id=document.pk, url=URL)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(d,)) for d in documents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(fresh(d).index_number for d in documents)
    year = fresh(documents[0]).publication.published_on.year
    assert numbers == [f"xiaoyi-{year}-00001", f"xiaoyi-{year}-00002"]
    assert IndexNumberCounter.objects.get().last == 2


@pytest.mark.django_db
def test_the_migration_numbers_documents_already_published_in_publication_order(publish, agency):
    from importlib import import_module

    from django.apps import apps

    late = publish("2026-03-09", title="后公开")
    early = publish("2026-03-05", title="先公开")
    Document.objects.update(index_number="")
    IndexNumberCounter.objects.all().delete()
    migration = import_module("attributes_app.migrations.0010_document_index_number")
    migration.number_published_documents(apps, None)
    assert fresh(early).index_number == "xiaoyi-2026-00001"
    assert fresh(late).index_number == "xiaoyi-2026-00002"
    # A publication after the backfill continues the count.
    assert publish("2026-03-10", title="再公开").index_number == "xiaoyi-2026-00003"


@pytest.mark.django_db
def test_a_registered_document_cannot_set_its_own_number(drafter, agency, unit):
    document = document_register(
        actor=drafter,
        agency=agency,
        data=DocumentData(title="自行编号", drafting_unit_id=unit.pk, kind="other"),
    )
    assert document.index_number == ""
    assert "index_number" not in DocumentData.__dataclass_fields__
