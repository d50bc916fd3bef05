"""Registering older documents, issued before they were entered here (DOMAIN §4.4): the page,
its checks in Chinese, and what the register then shows and offers."""

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from attributes_app.models import Document
from attributes_app.services import DocumentData, document_register
from tests.attributes_app.texts import OFFICIAL, docx_bytes
from tests.conftest import d
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db
URL = "/attributes/documents/older/"


@pytest.fixture(autouse=True)
def _march_2026():
    with time_machine.travel("2026-03-03 10:00 +0800", tick=False):
        yield


def older_post(unit, **changes) -> dict:
    data = {
        "drafting_unit": unit.pk,
        "title": "关于城区土地征收补偿标准的通知",
        "number": "孝政发〔2015〕12号",
        "kind": "normative",
        "formed_on": "2015-04-03",
        "issued_on": "2015-04-08",
        "effective_on": "",
        "secrecy": "non_secret",
        "validity": "repealed",
        "validity_changed_on": "2021-06-30",
        "validity_note": "被孝政发〔2021〕7号文件废止",
    }
    data.update(changes)
    return data


def test_the_office_registers_an_older_document_with_its_text_dates_and_validity(
    client, office_head, unit
):
    client.force_login(office_head)
    page = client.get(URL).content.decode()
    assert "登记已印发的文件" in page and "印发日期" in page and "效力状态" in page
    assert 'name="attribute"' not in page  # no attribute: it is determined by letter
    upload = SimpleUploadedFile("通知.docx", docx_bytes(OFFICIAL))
    response = client.post(URL, {**older_post(unit), "text_file": upload})
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{document.pk}/")
    assert (document.formed_on, document.issued_on) == (d("2015-04-03"), d("2015-04-08"))
    assert (document.validity, document.validity_changed_on) == ("repealed", d("2021-06-30"))
    assert document.validity_note == "被孝政发〔2021〕7号文件废止"
    assert (document.secrecy, document.attribute_state, document.attribute) == (
        "non_secret",
        "undetermined",
        "",
    )
    assert document.file and document.drafter is None and document.created_by == office_head
    event = AuditEvent.objects.get(action="document_registered")
    assert (event.actor, event.reason) == (office_head, "登记已印发的文件")
    shown = client.get(response["Location"]).content.decode()
    assert "由综合科的负责人以公函认定公开属性" in shown
    assert "已废止" in shown


def test_the_unit_head_is_offered_the_determination_and_the_register_links_the_page(
    client, office_head, unit, unit_head, drafter
):
    client.force_login(drafter)
    assert 'id="older-document"' in client.get("/attributes/documents/").content.decode()
    client.force_login(office_head)
    client.post(URL, older_post(unit, validity="in_force", validity_changed_on=""))
    document = Document.objects.get()
    client.force_login(unit_head)
    assert (
        'id="action-determine"'
        in client.get(f"/attributes/documents/{document.pk}/").content.decode()
    )


def test_bad_input_is_named_by_field_and_everything_typed_is_kept(client, office_head, unit):
    client.force_login(office_head)
    cases = {
        "issued_on": (older_post(unit, issued_on="2015-04-01"), "印发日期不能早于成文日期"),
        "formed_on": (older_post(unit, formed_on=""), "成文日期：请填写这个日期"),
        "validity_changed_on": (
            older_post(unit, validity_changed_on=""),
            "请填写文件废止的日期",
        ),
        "future": (
            older_post(unit, formed_on="2026-03-04", issued_on="2026-03-05"),
            "晚于今天",
        ),
        "changed_before_issue": (
            older_post(unit, validity="expired", validity_changed_on="2014-01-01"),
            "失效日期不能早于印发日期",
        ),
        "bad_date": (older_post(unit, issued_on="2015-02-30"), "请输入有效的日期"),
    }
    for name, (data, message) in cases.items():
        response = client.post(URL, data)
        page = response.content.decode()
        assert response.status_code == 200, name
        assert message in page, name
        assert 'value="关于城区土地征收补偿标准的通知"' in page, name
        assert 'value="孝政发〔2015〕12号"' in page, name
    assert not Document.objects.exists()


def test_a_number_already_used_is_refused_under_its_field(client, office_head, unit):
    client.force_login(office_head)
    client.post(URL, older_post(unit))
    again = client.post(URL, older_post(unit, title="另一份文件"))
    assert "本机关已有文号为“孝政发〔2015〕12号”的文件" in again.content.decode()
    assert Document.objects.count() == 1


def test_who_may_register_older_documents(client, registrar, legal_reviewer, outsider, unit):
    for user in (registrar, legal_reviewer, outsider):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, older_post(unit)).status_code == 403
    assert not Document.objects.exists()


def test_a_drafter_registers_only_for_their_own_units(client, other_drafter, unit, other_unit):
    client.force_login(other_drafter)
    page = client.get(URL).content.decode()
    assert "法规科" in page and "综合科" not in page
    refused = client.post(URL, older_post(unit))
    assert refused.status_code == 200 and "请从列表中选择一项" in refused.content.decode()
    assert not Document.objects.exists()


def test_the_service_checks_validity_for_any_caller(office_head, agency, unit):
    def register(**changes):
        values = {
            "title": "通知",
            "drafting_unit_id": unit.pk,
            "formed_on": d("2015-04-03"),
            "issued_on": d("2015-04-08"),
        }
        return document_register(
            actor=office_head, agency=agency, data=DocumentData(**{**values, **changes})
        )

    for changes, field in (
        ({"validity": "void"}, "validity"),
        ({"validity": "repealed"}, "validity_changed_on"),
        ({"validity": "amended", "issued_on": None}, "validity"),
    ):
        with pytest.raises(ValidationError) as error:
            register(**changes)
        assert field in error.value.message_dict, changes
    in_force = register(validity="in_force", validity_changed_on=d("2020-01-01"))
    assert in_force.validity_changed_on is None  # a date only goes with a change
