"""A document pushed from OA (services.oa.document_upsert): it goes through the same services as
the drafting pages, so their rules, history and audit apply; a push is all or nothing, except
that 不予发文 is always recorded; a push that says nothing new writes nothing (DOMAIN §4.1)."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attributes_app.models import AttributeChange, Document
from attributes_app.services import IssueRefused, StaleDocument, document_attach_text
from attributes_app.services.oa import OaDocument, document_upsert
from workflow.api.clients import ClientData, client_create
from workflow.api.scopes import SCOPES
from workflow.errors import NotAllowed
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)


@pytest.fixture
def oa(superuser, agency):
    client, _ = client_create(
        actor=superuser,
        agency=agency,
        data=ClientData(name="办公自动化系统", system_code="oa", scopes=list(SCOPES)),
    )
    return client


@pytest.fixture
def push(oa, agency):
    def run(external_id="OA-1", today=TODAY, **values):
        return document_upsert(
            actor=oa.user,
            agency=agency,
            system_code=oa.system_code,
            external_id=external_id,
            data=OaDocument(**values),
            today=today,
        )

    return run


def basic(unit, **changes):
    values = {"title": "关于做好春季防火工作的通知", "drafting_unit_id": unit.pk, "kind": "other"}
    values.update(changes)
    return values


def events(action):
    return AuditEvent.objects.filter(action=action)


def test_first_push_registers_the_document_with_the_client_as_actor(push, unit, oa):
    document, created = push(**basic(unit, number="孝政办发〔2026〕1号", drafter_name="王小明"))
    assert created
    stored = Document.objects.get(pk=document.pk)
    assert (stored.external_system, stored.external_id) == ("oa", "OA-1")
    assert stored.drafter_name == "王小明"
    assert stored.drafter is None
    assert stored.created_by == oa.user
    assert events("document_registered").get().actor == oa.user


def test_second_push_updates_the_same_document(push, unit):
    document, _ = push(**basic(unit))
    again, created = push(**basic(unit, title="关于做好春季森林防火工作的通知"))
    assert not created
    assert again.pk == document.pk
    assert Document.objects.get(pk=document.pk).title == "关于做好春季森林防火工作的通知"
    assert Document.objects.count() == 1


def test_same_external_id_of_another_system_is_another_document(push, unit, agency, superuser):
    first, _ = push(**basic(unit))
    website, _ = client_create(
        actor=superuser,
        agency=agency,
        data=ClientData(name="另一套OA", system_code="oa2", scopes=["documents:write"]),
    )
    second, created = document_upsert(
        actor=website.user,
        agency=agency,
        system_code="oa2",
        external_id="OA-1",
        data=OaDocument(**basic(unit)),
        today=TODAY,
    )
    assert created and second.pk != first.pk


def test_identical_push_writes_nothing(push, unit):
    values = basic(unit, attribute="proactive", signed_on=TODAY)
    document, _ = push(**values)
    before_events = AuditEvent.objects.count()
    before_changes = AttributeChange.objects.count()
    stamp = Document.objects.get(pk=document.pk).updated_at
    push(**values)
    assert AuditEvent.objects.count() == before_events
    assert AttributeChange.objects.count() == before_changes
    assert Document.objects.get(pk=document.pk).updated_at == stamp


def test_identical_push_takes_few_queries(push, unit, django_assert_max_num_queries):
    values = basic(unit, attribute="proactive", signed_on=TODAY)
    push(**values)
    with django_assert_max_num_queries(3):
        push(**values)


def test_full_push_takes_a_bounded_number_of_queries(push, unit, django_assert_max_num_queries):
    with django_assert_max_num_queries(23):
        push(**basic(unit, attribute="proactive", signed_on=TODAY, drafter_name="王小明"))


def test_a_push_finds_documents_through_their_unique_indexes(push, unit):
    # The external id and the 文号 have partial unique indexes; SQLite uses one only when the
    # query states its condition, else each push reads every document of the agency.
    if connection.vendor != "sqlite":
        pytest.skip("the query plans checked are SQLite's")
    push(external_id="OA-1", **basic(unit, number="晋政发〔2026〕1号"))
    values = basic(unit, number="晋政发〔2026〕2号", attribute="proactive")
    with CaptureQueriesContext(connection) as created:
        push(external_id="OA-2", **values)
    with CaptureQueriesContext(connection) as updated:
        push(external_id="OA-2", **{**values, "title": "关于做好秋季防火工作的通知"})
    lookups = [
        query["sql"]
        for query in [*created, *updated]
        if query["sql"].startswith("SELECT")
        and 'FROM "attributes_app_document" WHERE' in query["sql"]
    ]
    assert len(lookups) == 4  # by external id twice, by 文号 twice
    with connection.cursor() as cursor:
        for sql in lookups:
            plan = " ".join(row[-1] for row in cursor.execute(f"EXPLAIN QUERY PLAN {sql}"))
            assert "document_external_id_unique" in plan or "document_number_unique" in plan, (
                sql,
                plan,
            )


def test_on_request_without_reasons_is_refused_naming_the_field_and_keeps_nothing(push, unit):
    # DOMAIN §4.1: on_request and withheld need a written reason with its legal ground.
    with pytest.raises(ValidationError) as error:
        push(**basic(unit, attribute="on_request", ground="internal_affairs"))
    assert "reasons" in error.value.message_dict
    assert "理由" in error.value.message_dict["reasons"][0]
    assert not Document.objects.exists()
    assert not events("document_registered").exists()


def test_signed_push_confirms_the_attribute_and_opens_the_publication(push, unit):
    document, _ = push(**basic(unit, attribute="proactive", signed_on=date(2026, 2, 27)))
    assert document.attribute_state == "awaiting_publication"
    assert document.formed_on == date(2026, 2, 27)  # 成文日期 = 签发日期 when OA gave none
    assert document.publication.due_on is not None
    sources = list(AttributeChange.objects.values_list("source", flat=True))
    assert sources == ["drafting", "confirmation"]


def test_policy_document_proposed_non_proactive_waits_for_the_office(push, unit):
    # DOMAIN §4.1: a policy document proposed on_request goes to the disclosure office first;
    # a 签发 pushed meanwhile is not recorded.
    document, _ = push(
        **basic(
            unit,
            kind="policy",
            attribute="on_request",
            reasons="涉及内部管理事项，公开后可能影响正常工作秩序",
            ground="internal_affairs",
            signed_on=TODAY,
        )
    )
    assert document.attribute_state == "office_review"
    assert document.confirmed_at is None


def test_changed_proposal_before_signing_is_returned_and_proposed_again(push, unit):
    push(**basic(unit, attribute="proactive"))
    document, _ = push(
        **basic(
            unit,
            attribute="on_request",
            reasons="系决策过程中的讨论稿，属于过程性信息",
            ground="process_info",
        )
    )
    assert document.attribute_state == "proposed"
    assert document.attribute == "on_request"
    states = list(AttributeChange.objects.values_list("from_state", "to_state"))
    assert states == [
        ("undetermined", "proposed"),
        ("proposed", "undetermined"),
        ("undetermined", "proposed"),
    ]


def test_changed_attribute_after_signing_is_refused(push, unit):
    # The attribute changes later only by a yearly review or a determination (DOMAIN §4.3).
    push(**basic(unit, attribute="proactive", signed_on=TODAY))
    with pytest.raises(StaleDocument):
        push(
            **basic(
                unit,
                attribute="on_request",
                reasons="系决策过程中的讨论稿，属于过程性信息",
                ground="process_info",
            )
        )
    assert Document.objects.get().attribute == "proactive"


def test_issue_without_attribute_is_refused_audited_and_keeps_nothing(push, unit, oa):
    # DOMAIN §4.1: a request to issue a document without a proposed attribute is refused.
    with pytest.raises(IssueRefused) as error:
        push(**basic(unit, secrecy="non_secret", issued_on=TODAY))
    assert "未提出公开属性建议" in error.value.messages[0]
    assert not Document.objects.exists()
    refusal = events("document_issue_refused").get()
    assert refusal.actor == oa.user
    assert refusal.reason == error.value.messages[0]
    assert refusal.data["external_id"] == "OA-1"
    assert not events("document_registered").exists()


def test_refused_issue_of_a_stored_document_keeps_the_rest_of_the_push_out(push, unit):
    document, _ = push(**basic(unit, attribute="proactive"))
    with pytest.raises(IssueRefused, match="尚未经起草单位负责人确认"):
        push(**basic(unit, title="改过的标题", attribute="proactive", issued_on=TODAY))
    stored = Document.objects.get(pk=document.pk)
    assert stored.title == "关于做好春季防火工作的通知"
    assert stored.issued_on is None
    assert events("document_issue_refused").get().object_id == str(document.pk)


def test_signed_document_with_text_is_issued(push, unit, oa):
    document, _ = push(**basic(unit, attribute="proactive", signed_on=TODAY, secrecy="non_secret"))
    document_attach_text(
        actor=oa.user,
        document_id=document.pk,
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="正文.pdf"),
    )
    document, _ = push(
        **basic(unit, attribute="proactive", signed_on=TODAY, secrecy="non_secret", issued_on=TODAY)
    )
    assert document.issued_on == TODAY
    assert events("document_issued").get().actor == oa.user


def test_drafter_must_be_a_member_of_the_unit(push, unit, other_drafter, drafter):
    with pytest.raises(ValidationError) as error:
        push(**basic(unit, drafter_username="other_drafter"))
    assert "drafter_username" in error.value.message_dict
    document, _ = push(**basic(unit, drafter_username="drafter"))
    assert Document.objects.get(pk=document.pk).drafter == drafter


def test_unknown_drafter_is_refused(push, unit):
    with pytest.raises(ValidationError) as error:
        push(**basic(unit, drafter_username="nobody"))
    assert "没有用户名" in error.value.message_dict["drafter_username"][0]


def test_unit_by_name(push, unit):
    document, _ = push(title="通知", drafting_unit_name="综合科")
    assert document.drafting_unit_id == unit.pk
    with pytest.raises(ValidationError) as error:
        push(external_id="OA-2", title="通知", drafting_unit_name="不存在的科")
    assert "drafting_unit_name" in error.value.message_dict


def test_another_agencys_unit_is_refused(push, other_agency, admin_user, superuser):
    from attributes_app.services import drafting_unit_save

    other_agency.staff.add(admin_user)
    foreign = drafting_unit_save(actor=admin_user, agency=other_agency, name="外单位")
    with pytest.raises(ValidationError) as error:
        push(title="通知", drafting_unit_id=foreign.pk)
    assert "drafting_unit_id" in error.value.message_dict


def test_client_of_another_agency_may_not_register(other_agency, superuser, unit, agency):
    stranger, _ = client_create(
        actor=superuser,
        agency=other_agency,
        data=ClientData(name="汾阳OA", system_code="oa", scopes=list(SCOPES)),
    )
    with pytest.raises(NotAllowed):
        document_upsert(
            actor=stranger.user,
            agency=agency,
            system_code="oa",
            external_id="OA-1",
            data=OaDocument(**basic(unit)),
            today=TODAY,
        )


@pytest.mark.parametrize(
    ("external_id", "needle"),
    [("", "请给出"), ("a\x00b", "U+0000"), ("x" * 101, "不能超过100个字")],
)
def test_bad_external_id_is_refused(push, unit, external_id, needle):
    with pytest.raises(ValidationError) as error:
        push(external_id=external_id, **basic(unit))
    assert needle in error.value.message_dict["external_id"][0]


def test_future_signing_date_is_refused(push, unit):
    with pytest.raises(ValidationError) as error:
        push(**basic(unit, attribute="proactive", signed_on=date(2026, 3, 3)))
    assert "signed_on" in error.value.message_dict


def test_precondition_sees_the_stored_document(push, unit, oa, agency):
    seen = []
    document_upsert(
        actor=oa.user,
        agency=agency,
        system_code="oa",
        external_id="OA-1",
        data=OaDocument(**basic(unit)),
        today=TODAY,
        precondition=seen.append,
    )
    document_upsert(
        actor=oa.user,
        agency=agency,
        system_code="oa",
        external_id="OA-1",
        data=OaDocument(**basic(unit)),
        today=TODAY,
        precondition=seen.append,
    )
    assert seen[0] is None
    assert seen[1].external_id == "OA-1"


@pytest.mark.django_db(transaction=True)
def test_two_pushes_of_a_new_document_at_once_register_it_once(oa, agency, unit):
    # Both find no document; the second is told to read again (PostgreSQL: the unique
    # external id; SQLite: its write lock queues the second, which then finds the first's)
    # and, without If-Match, keeps nothing of its own.
    results, errors = [], []
    barrier = threading.Barrier(2)

    def precondition(document):
        if document is not None:
            raise StaleDocument("已由另一次推送登记。")

    def work(title):
        try:
            barrier.wait()
            results.append(
                document_upsert(
                    actor=oa.user,
                    agency=agency,
                    system_code="oa",
                    external_id="OA-1",
                    data=OaDocument(**basic(unit, title=title)),
                    precondition=precondition,
                )
            )
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(t,)) for t in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 1 and results[0][1] is True
    assert len(errors) == 1 and isinstance(errors[0], StaleDocument)
    assert Document.objects.count() == 1
    assert AuditEvent.objects.filter(action="document_registered").count() == 1


def test_drafter_with_an_unknown_unit_is_refused_for_the_unit(push, drafter, unit):
    with pytest.raises(ValidationError) as error:
        push(title="通知", drafting_unit_id=999_999, drafter_username="drafter")
    assert "drafting_unit_id" in error.value.message_dict


def test_drafter_change_is_audited_and_an_unchanged_one_costs_no_query(
    push, unit, drafter, django_assert_max_num_queries
):
    document, _ = push(**basic(unit, drafter_username="drafter", drafter_name="王小明"))
    push(**basic(unit, drafter_username="", drafter_name="李四"))
    stored = Document.objects.get(pk=document.pk)
    assert (stored.drafter, stored.drafter_name) == (None, "李四")
    event = events("document_updated").get()
    assert event.data["changed"] == {"drafter_name": "李四", "drafter": ""}
    with django_assert_max_num_queries(3):
        push(**basic(unit, drafter_username="", drafter_name="李四"))
