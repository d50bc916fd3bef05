"""The public online application (issue #16 §2): the form a citizen fills in (Art. 29), its
CAPTCHA and rate limits, the page that shows the query code once, and the registrar's
confirmation of what it sent (Art. 31(3))."""

from __future__ import annotations

import re

import pytest
import time_machine
from captcha.models import CaptchaStore
from django.core.cache import cache
from django.test import Client

from requests_app.identity import credit_code_check_char
from requests_app.models import (
    CaseDocument,
    InformationRequest,
    OnlineSubmission,
    SubmissionDocument,
)
from requests_app.services import submission_return
from tests.requests_app import files
from workflow.audit import AuditEvent
from workflow.public.codes import query_code_matches

pytestmark = pytest.mark.django_db

APPLY = "/public/xiaoyi/apply/"
DONE = "/public/xiaoyi/apply/done/"
CREDIT_CODE = "91140100MA0GRY3K7" + credit_code_check_char("91140100MA0GRY3K7")


@pytest.fixture(autouse=True)
def _fresh_counts_on_a_working_day(agency):
    cache.clear()  # the rate limits and the spent tokens are counted in the cache
    with time_machine.travel("2026-03-03 10:00 +0800", tick=False):
        yield
    cache.clear()


def person(**changes) -> dict:
    values = {
        "applicant_kind": "person",
        "applicant_name": "张明华",
        "id_type": "resident_id",
        "id_number": "11010519491231002X",
        "phone": "13800000000",
        "email": "",
        "address": "",
        "postcode": "",
        "description": "2025年孝义市城区老旧小区改造项目的资金拨付明细",
        "document_names": "",
        "form_wanted": "electronic",
        "delivery": "collect",
        "accessibility_needs": "",
        "declaration": "on",
    }
    values.update(changes)
    return values


def organization(**changes) -> dict:
    values = person(
        applicant_kind="organization",
        applicant_name="山西某某律师事务所",
        id_type="",
        id_number="",
        organization_kind="legal_service",
        credit_code=CREDIT_CODE,
        legal_representative="王立新",
        contact_person="李清",
        delivery="email",
        email="office@example.com",
    )
    values.update(changes)
    return values


def captcha_of(page: str) -> dict:
    """The challenge the page shows, answered as a person reading the image would."""
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page).group(1)
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


def post(client: Client, values: dict, *, url: str = APPLY, captcha: dict | None = None):
    page = client.get(url).content.decode()
    return client.post(url, {**values, **(captcha or captcha_of(page))})


def submitted(client: Client, values: dict) -> tuple[OnlineSubmission, str]:
    """Submit, follow the redirect; the submission and the page that shows its code."""
    response = post(client, values)
    assert response.status_code == 302, errors_of(response)
    assert response["Location"].startswith(DONE + "?t=")
    page = client.get(response["Location"]).content.decode()
    return OnlineSubmission.objects.latest("id"), page


def errors_of(response) -> dict[str, list[str]]:
    form = response.context["form"] if response.context else None
    return dict(form.errors) if form is not None else {}


def code_on(page: str) -> str:
    return re.search(r'id="query-code">([A-Z0-9-]+)<', page).group(1)


# -- a valid application -------------------------------------------------------------------------


def test_the_form_speaks_to_a_citizen_and_needs_no_session():
    response = Client().get(APPLY)
    page = response.content.decode()
    assert response.status_code == 200
    assert "名称、文号，或者便于行政机关查询的其他特征性描述" in page  # Art. 29
    assert 'class="captcha"' in page and "/public/captcha/image/" in page
    assert "sessionid" not in response.cookies
    assert "<script>" not in page and "onclick" not in page


def test_a_persons_application_is_kept_for_the_registrar_with_its_code_hashed():
    client = Client()
    submission, page = submitted(client, person(email="zhang@example.com"))
    code = code_on(page)
    assert submission.number in page
    assert submission.source is None and submission.status == "pending"
    assert submission.applicant_name == "张明华" and submission.id_number == "11010519491231002X"
    assert submission.email == "zhang@example.com"
    # Shown once, kept only as a hash: the clear code is nowhere in the row.
    assert query_code_matches(submission.query_code_hash, code)
    row = OnlineSubmission.objects.filter(pk=submission.pk).values()[0]
    assert code not in str(row) and code.replace("-", "") not in str(row)
    assert "确认之日为收到申请之日" in page and "20个工作日" in page
    assert 'class="print-button"' in page
    assert not InformationRequest.objects.exists()  # Art. 31(3): not received until confirmed


def test_the_code_is_shown_once_and_a_reload_says_so():
    client = Client()
    response = post(client, person())
    first = client.get(response["Location"]).content.decode()
    again = client.get(response["Location"])
    assert 'id="query-code"' in first
    text = again.content.decode()
    assert 'id="query-code"' not in text and code_on(first) not in text
    assert "查询码已显示过" in text
    assert OnlineSubmission.objects.get().number in text
    assert "no-store" in again["Cache-Control"]
    # The address carries no code: nothing to read from a log or the browser's history.
    assert code_on(first) not in response["Location"]
    assert code_on(first).replace("-", "") not in response["Location"]


def test_a_cache_that_is_down_shows_the_code_rather_than_lose_it():
    from unittest import mock

    from requests_app.public import apply

    client = Client()
    response = post(client, person())
    with mock.patch.object(apply.cache, "add", side_effect=ConnectionError("down")):
        page = client.get(response["Location"]).content.decode()
    assert query_code_matches(OnlineSubmission.objects.get().query_code_hash, code_on(page))


def test_the_done_page_expires_and_refuses_a_forged_token():
    client = Client()
    response = post(client, person())
    with time_machine.travel("2026-03-03 10:11 +0800", tick=False):
        late = client.get(response["Location"]).content.decode()
    assert "已经失效" in late and 'id="query-code"' not in late
    forged = client.get(DONE + "?t=eyJzIjoxfQ:forged").content.decode()
    assert "已经失效" in forged


def test_an_organisations_application_checks_its_credit_code():
    submission, page = submitted(Client(), organization())
    assert submission.applicant_kind == "organization"
    assert submission.credit_code == CREDIT_CODE
    assert submission.organization_kind == "legal_service"
    assert submission.legal_representative == "王立新"
    assert submission.id_number == "" and submission.id_type == ""
    assert code_on(page)


def test_values_left_in_the_other_kinds_fields_are_dropped():
    submission, _ = submitted(Client(), person(credit_code="垃圾", legal_representative="某人"))
    assert submission.credit_code == "" and submission.legal_representative == ""


# -- errors in Chinese, next to their field, input kept ------------------------------------------


def test_every_required_field_missing_is_named_in_chinese():
    response = post(Client(), {}, captcha={"captcha_0": "", "captcha_1": ""})
    errors = errors_of(response)
    assert response.status_code == 200
    expected = {
        "applicant_kind": "申请人类型",
        "applicant_name": "申请人姓名或者名称",
        "description": "需要的政府信息",
        "form_wanted": "希望以什么形式获取",
        "delivery": "希望以什么方式送达",
        "declaration": "承诺",
        "captcha": "验证码",
    }
    for name, words in expected.items():
        assert name in errors, name
        assert words in errors[name][0], (name, errors[name])
    assert not OnlineSubmission.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"id_type": ""}, "id_type", "身份证件类型"),
        ({"id_number": ""}, "id_number", "公民身份号码"),
        ({"id_number": "110105194912310021"}, "id_number", "校验码"),
        ({"phone": ""}, "phone", "联系方式"),
        ({"delivery": "email"}, "email", "电子邮箱"),
        ({"delivery": "post"}, "address", "通讯地址"),
        ({"email": "not-an-address"}, "email", "电子邮箱"),
        ({"postcode": "03200"}, "postcode", "邮政编码"),
        ({"agent_name": "赵律师"}, "other_files", "授权委托书"),
    ],
)
def test_a_persons_problem_is_told_under_its_field(changes, field, words):
    errors = errors_of(post(Client(), person(**changes)))
    assert words in " ".join(errors.get(field, [])), errors
    assert not OnlineSubmission.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"credit_code": CREDIT_CODE[:17] + "0"}, "credit_code", "校验码"),
        ({"credit_code": ""}, "credit_code", "统一社会信用代码"),
        ({"organization_kind": ""}, "organization_kind", "组织类别"),
        ({"legal_representative": ""}, "legal_representative", "法定代表人"),
    ],
)
def test_an_organisations_problem_is_told_under_its_field(changes, field, words):
    errors = errors_of(post(Client(), organization(**changes)))
    assert words in " ".join(errors.get(field, [])), errors


def test_what_was_typed_is_kept_after_an_error():
    response = post(Client(), person(id_number="110105194912310021", address="孝义市府前街1号"))
    page = response.content.decode()
    assert 'value="110105194912310021"' in page
    assert "孝义市府前街1号" in page
    assert "2025年孝义市城区老旧小区改造项目的资金拨付明细" in page
    assert "您已填写的内容都保留着" in page


def test_a_wrong_captcha_is_refused_and_a_new_one_is_shown():
    client = Client()
    page = client.get(APPLY).content.decode()
    challenge = captcha_of(page)
    response = client.post(APPLY, {**person(), **challenge, "captcha_1": "wrong"})
    assert "验证码不正确" in errors_of(response)["captcha"][0]
    assert not OnlineSubmission.objects.exists()
    # One try per challenge: the right answer afterwards does not pass either.
    again = client.post(APPLY, {**person(), **challenge})
    assert "captcha" in errors_of(again)
    assert challenge["captcha_0"] not in again.content.decode()


# -- hostile input -------------------------------------------------------------------------------

TEXT_FIELDS = (
    "applicant_name",
    "id_number",
    "contact_person",
    "legal_representative",
    "credit_code",
    "phone",
    "email",
    "address",
    "postcode",
    "description",
    "document_names",
    "accessibility_needs",
    "agent_name",
    "agent_id_number",
    "agent_phone",
)
ORGANIZATION_ONLY = ("contact_person", "legal_representative", "credit_code")


def test_markup_is_kept_as_text_and_escaped_on_the_registrar_page(registrar):
    markup = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    values = person(
        applicant_name="张<b>明</b>华",
        address=markup,
        description=markup,
        document_names=markup,
        accessibility_needs=markup,
        email="zhang@example.com",
    )
    submission, _ = submitted(Client(), values)
    assert submission.description == markup
    staff = Client()
    staff.force_login(registrar)
    detail = staff.get(f"/requests/submissions/{submission.pk}/").content.decode()
    assert "<script>alert" not in detail and "<img src=x" not in detail
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in detail
    assert "张&lt;b&gt;明&lt;/b&gt;华" in detail


def test_formula_text_is_stored_as_plain_text():
    formula = "=cmd|' /C calc'!A0"
    submission, _ = submitted(Client(), person(description=formula, applicant_name="=1+1"))
    assert submission.description == formula
    assert submission.applicant_name == "=1+1"


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_a_nul_character_is_refused_naming_the_field(field):
    make = organization if field in ORGANIZATION_ONLY else person
    values = make(**{field: "张\x00三"})
    errors = errors_of(post(Client(), values))
    assert "空字符" in " ".join(errors.get(field, [])), errors
    assert not OnlineSubmission.objects.exists()


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("applicant_name", "申请人姓名或者名称"),
        ("address", "通讯地址"),
        ("description", "需要的政府信息"),
        ("document_names", "文件名称、文号"),
        ("accessibility_needs", "需要的帮助"),
        ("phone", "联系电话"),
        ("id_number", "身份证件号码"),
        ("email", "电子邮箱"),
    ],
)
def test_a_huge_value_is_refused_naming_the_field(field, label):
    errors = errors_of(post(Client(), person(**{field: "长" * 200_000})))
    message = " ".join(errors.get(field, []))
    assert label in message and "不能超过" in message, errors
    assert not OnlineSubmission.objects.exists()


def test_a_nul_in_the_captcha_is_only_a_wrong_answer():
    response = post(Client(), person(), captcha={"captcha_0": "ab\x00cd", "captcha_1": "x\x00"})
    assert response.status_code == 200
    assert errors_of(response)["captcha"] == ["验证码不正确或已过期，请输入新图片中的字母。"]


def test_a_choice_not_offered_is_refused():
    errors = errors_of(post(Client(), person(delivery="courier", form_wanted="<b>")))
    assert "不是可选项" in errors["delivery"][0]
    assert "form_wanted" in errors


# -- uploads -------------------------------------------------------------------------------------


def test_files_attached_are_kept_and_move_to_the_case_on_confirmation(registrar):
    values = person(agent_name="赵律师", agent_phone="13900000000")
    values["id_proof_files"] = [files.upload("身份证.png", files.image())]
    values["other_files"] = [files.upload("授权委托书.pdf", files.pdf())]
    submission, _ = submitted(Client(), values)
    kept = {d.kind: d for d in submission.documents.all()}
    assert set(kept) == {"id_proof", "other"}
    assert kept["other"].original_name == "授权委托书.pdf"
    assert submission.power_of_attorney is True
    staff = Client()
    staff.force_login(registrar)
    assert "附材料2份" in staff.get("/requests/submissions/").content.decode()
    detail = staff.get(f"/requests/submissions/{submission.pk}/").content.decode()
    assert "授权委托书.pdf" in detail and "身份证.png" in detail
    download = staff.get(f"/requests/submissions/{submission.pk}/files/{kept['other'].pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    # Art. 31(3): confirmed today, the files become the case's materials.
    staff.post(f"/requests/submissions/{submission.pk}/", {"action": "confirm"})
    case = InformationRequest.objects.get()
    moved = CaseDocument.objects.filter(request=case).exclude(kind="letter")
    assert {d.original_name for d in moved} == {"身份证.png", "授权委托书.pdf"}
    assert all(d.case_document_id for d in SubmissionDocument.objects.all())


def test_another_registrar_cannot_download_an_attached_file(django_user_model, other_agency):
    from tests.conftest import _persona

    values = person()
    values["id_proof_files"] = [files.upload("身份证.png", files.image())]
    submission, _ = submitted(Client(), values)
    document = submission.documents.get()
    stranger = Client()
    stranger.force_login(_persona(django_user_model, "reg2", other_agency, "registrar"))
    url = f"/requests/submissions/{submission.pk}/files/{document.pk}/"
    assert stranger.get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("程序.exe", b"MZ\x90\x00" + b"\x00" * 100, "不是可以接受的文件类型"),
        ("扫描件.pdf", b"MZ\x90\x00" + b"\x00" * 100, "内容不是PDF文件"),
        ("照片.pdf", files.image(), "内容却是PNG文件"),
        ("空.pdf", b"", "空文件"),
    ],
)
def test_a_forbidden_or_disguised_file_is_refused_and_must_be_chosen_again(name, data, words):
    values = person()
    values["id_proof_files"] = [files.upload(name, data)]
    response = post(Client(), values)
    errors = errors_of(response)
    assert words in " ".join(errors.get("id_proof_files", [])), errors
    assert "请重新选择要上传的文件" in response.content.decode()
    assert 'value="张明华"' in response.content.decode()
    assert not OnlineSubmission.objects.exists()


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.GONGKAI_UPLOAD_MAX_FILE_MB = 1
    values = person()
    values["other_files"] = [files.upload("大文件.pdf", files.pdf() + b"0" * (1024 * 1024))]
    errors = errors_of(post(Client(), values))
    assert "超过了每个文件的上限" in " ".join(errors.get("other_files", [])), errors
    assert not OnlineSubmission.objects.exists()


# -- rate limits ---------------------------------------------------------------------------------


def test_one_address_is_limited_to_some_applications_an_hour(settings):
    settings.GONGKAI_PUBLIC_APPLY_PER_ADDRESS_HOUR = 2
    client = Client()
    ids = ["11010519491231002X", "110101199003074477", "11010119900307803X"]
    for number in ids[:2]:
        assert post(client, person(id_number=number)).status_code == 302
    response = post(client, person(id_number=ids[2]))
    assert response.status_code == 429
    assert "操作太频繁" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert OnlineSubmission.objects.count() == 2
    # Another address is not held up.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert post(other, person(id_number=ids[2])).status_code == 302


def test_one_identity_is_limited_to_some_applications_a_day(settings):
    settings.GONGKAI_PUBLIC_APPLY_PER_IDENTITY_DAY = 2
    for n in range(2):
        client = Client(REMOTE_ADDR=f"10.0.1.{n}")
        assert post(client, person()).status_code == 302
    response = post(Client(REMOTE_ADDR="10.0.1.9"), person(id_number="11010519491231002x"))
    assert response.status_code == 429
    assert OnlineSubmission.objects.count() == 2
    assert post(Client(REMOTE_ADDR="10.0.1.8"), organization()).status_code == 302


def test_failed_posts_from_one_address_are_limited_too(settings):
    settings.GONGKAI_PUBLIC_APPLY_ATTEMPTS_PER_ADDRESS_HOUR = 3
    client = Client()
    for _ in range(3):
        assert client.post(APPLY, {}).status_code == 200
    assert client.post(APPLY, {}).status_code == 429


# -- the agency, the staff session, CSRF -----------------------------------------------------------


def test_an_unknown_agency_code_is_not_found(other_agency):
    assert Client().get("/public/nowhere/apply/").status_code == 404
    assert Client().post("/public/nowhere/apply/", person()).status_code == 404


def test_an_application_goes_to_the_agency_in_the_address(agency, other_agency):
    client = Client()
    response = post(client, person(), url="/public/fenyang/apply/")
    assert response.status_code == 302
    submission = OnlineSubmission.objects.get()
    assert submission.agency == other_agency
    # The done page of one agency does not show another agency's submission.
    token = response["Location"].split("?", 1)[1]
    page = client.get(f"{DONE}?{token}").content.decode()
    assert submission.number not in page and "已经失效" in page


def test_a_staff_session_does_not_make_the_form_act_as_staff(registrar):
    client = Client()
    client.force_login(registrar)
    response = post(client, person())
    assert response.status_code == 302
    submission = OnlineSubmission.objects.get()
    event = AuditEvent.objects.get(action="submission_received")
    assert event.actor_id is None and submission.source is None
    assert "sessionid" not in response.cookies


def test_csrf_is_enforced():
    client = Client(enforce_csrf_checks=True)
    page = client.get(APPLY).content.decode()
    response = client.post(APPLY, {**person(), **captcha_of(page)})
    assert response.status_code == 403
    assert not OnlineSubmission.objects.exists()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    page = client.get(APPLY).content.decode()
    response = client.post(APPLY, {**person(), **captcha_of(page), "csrfmiddlewaretoken": token})
    assert response.status_code == 302


# -- Art. 31(3): the registrar's side of a form-submitted application ------------------------------


def test_confirming_registers_the_case_received_on_the_day_of_confirmation(registrar):
    submission, _ = submitted(Client(), person())
    with time_machine.travel("2026-03-05 09:00 +0800", tick=False):
        staff = Client()
        staff.force_login(registrar)
        response = staff.post(f"/requests/submissions/{submission.pk}/", {"action": "confirm"})
    case = InformationRequest.objects.get()
    assert response["Location"] == f"/requests/cases/{case.pk}/?notice=registered"
    assert case.channel == "online"
    assert case.arrival_date.isoformat() == "2026-03-03"
    assert case.receipt_date.isoformat() == "2026-03-05"  # the day both sides confirm
    assert case.case_number
    assert case.documents.filter(kind="letter", letter_kind="receipt").exists()
    submission.refresh_from_db()
    assert submission.status == "confirmed" and submission.case == case


def test_returning_tells_the_reason(registrar):
    submission, _ = submitted(Client(), person(description="投诉小区物业乱收费"))
    returned = submission_return(
        actor=registrar, submission_id=submission.pk, reason="属于投诉事项，请拨打12345。"
    )
    assert returned.status == "returned"
    assert returned.return_reason == "属于投诉事项，请拨打12345。"
    assert not InformationRequest.objects.exists()


def test_the_service_refuses_a_disguised_attachment_and_keeps_no_file(agency, settings):
    from pathlib import Path

    from django.core.exceptions import ValidationError

    from requests_app.services import OnlineApplication, submission_create

    data = OnlineApplication(
        applicant_kind="person",
        applicant_name="张明华",
        id_type="resident_id",
        id_number="11010519491231002X",
        phone="13800000000",
        description="资金拨付明细",
        form_wanted="electronic",
        delivery="collect",
    )
    good = files.upload("身份证.png", files.image())
    bad = files.upload("扫描件.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    with pytest.raises(ValidationError) as refused:
        submission_create(
            actor=None, agency=agency, data=data, attachments={"id_proof": [good, bad]}
        )
    assert "内容不是PDF文件" in " ".join(refused.value.message_dict["id_proof_files"])
    assert not OnlineSubmission.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    with pytest.raises(ValueError):
        submission_create(actor=None, agency=agency, data=data, attachments={"provided": [good]})


def test_the_captcha_is_drawn_here_and_its_images_are_counted_per_address(monkeypatch):
    from requests_app.public import captcha

    key = CaptchaStore.generate_key()
    client = Client()
    image = client.get(f"/public/captcha/image/{key}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert client.get(f"/public/captcha/image/{key}@2/").status_code == 200
    fresh = client.get("/public/captcha/refresh/", headers={"X-Requested-With": "XMLHttpRequest"})
    assert fresh.json()["image_url"].startswith("/public/captcha/image/")
    assert "sessionid" not in image.cookies
    monkeypatch.setattr(captcha, "PER_ADDRESS_HOUR", 3)
    assert client.get(f"/public/captcha/image/{key}/").status_code == 429
    assert Client(REMOTE_ADDR="10.0.2.1").get(f"/public/captcha/image/{key}/").status_code == 200


def test_the_challenge_avoids_letters_read_as_digits():
    from requests_app.public.captcha import readable_challenge

    for _ in range(200):
        shown, answer = readable_challenge()
        assert len(shown) == 4 and answer == shown.lower()
        assert not set(shown) & set("IJLOQDSZUVB0123456789")
