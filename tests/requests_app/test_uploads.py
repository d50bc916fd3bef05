"""Files uploaded to a case: types read from the content, sizes, names, who may upload what and
when (DOMAIN §1 roles, §3.1 steps), the archive's read-only case file, and agency scoping."""

import hashlib
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from requests_app.models import CaseCounter, CaseDocument, InformationRequest
from requests_app.services import (
    Proposal,
    StaleCase,
    decision_approve,
    decision_propose,
    request_accept,
    request_archive,
    request_register,
    request_serve,
    request_upload,
)
from requests_app.uploads import (
    KIND_LABELS,
    check_file,
    detect_type,
    human_size,
    safe_name,
    upload_refusal,
    uploadable_kinds,
)
from tests.conftest import d
from tests.requests_app import files as f
from tests.requests_app.flow_helpers import secrecy_cleared
from workflow.errors import NotAllowed
from workflow.models import AuditEvent

REG = "《中华人民共和国政府信息公开条例》"
RANDOM_NAME = re.compile(r"[0-9a-f]{32}\.\w+")


def stored_uploads() -> list[Path]:
    """Uploaded files on disk (letters have readable names, uploads random ones)."""
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file() and RANDOM_NAME.fullmatch(p.name)]


# -- the content decides the type (no database) -------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (f.pdf(), "pdf"),
        (f.image("PNG"), "png"),
        (f.image("JPEG"), "jpeg"),
        (f.docx(), "docx"),
        (f.xlsx(), "xlsx"),
        (f.ofd(), "ofd"),
        (f.zip_bundle(), "zip"),
        ("政府信息目录\n第一项".encode(), "txt"),
        ("政府信息目录\n第一项".encode("gb18030"), "txt"),
        (f.EXE, None),
        (bytes(range(256)) * 4, None),
    ],
)
def test_the_type_is_read_from_the_content(data, expected):
    assert detect_type(io.BytesIO(data)) == expected


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\张\\Desktop\\申请书扫描.pdf", "申请书扫描.pdf"),
        ("..\\..\\boot.ini", "boot.ini"),
        ('a"b<c>\r\nd.pdf', "a_b_c___d.pdf"),
        (".hidden.pdf", "hidden.pdf"),
        ("", "未命名"),
        ("/", "未命名"),
        ("长" * 300 + ".pdf", "长" * 116 + ".pdf"),
        # Issue #10 point 9: shown as "申请书exe.pdf", it is an .exe; the stored name says so.
        ("申请书\u202efdp.exe", "申请书fdp.exe"),
        ("扫描\u200b件\u2067.pdf", "扫描件.pdf"),
    ],
)
def test_file_names_lose_folders_and_unsafe_characters(name, safe):
    assert safe_name(name) == safe
    assert len(safe_name(name)) <= 120


def test_sizes_read_as_officers_read_them():
    assert human_size(500) == "500 字节"
    assert human_size(1536) == "1.5 KB"
    assert human_size(20 * 1024 * 1024) == "20 MB"


@pytest.mark.parametrize(
    ("kind", "name", "data", "message"),
    [
        ("application", "空白.pdf", b"", "“空白.pdf”是空文件"),
        ("application", "扫描.pdf", f.EXE, "“扫描.pdf”名为PDF文件，但内容不是PDF文件"),
        ("other", "旧版.doc", f.OLE, "“旧版.doc”不是可以接受的文件类型"),
        ("application", "扫描.pdf", f.image("PNG"), "“扫描.pdf”名为PDF文件，内容却是PNG文件"),
        ("application", "申请书.docx", f.docx(), "“申请书.docx”是DOCX文件，申请书扫描件不接受"),
        ("id_proof", "身份证.zip", f.zip_bundle(), "是ZIP文件，身份证明不接受"),
        ("application", "加密.pdf", f.pdf(password="x"), "设有打开密码"),
        ("application", "坏.pdf", b"%PDF-1.7\nnot really", "是PDF文件，但已损坏"),
        ("application", "坏.png", f.image("PNG")[:60], "图片已损坏"),
    ],
)
def test_bad_files_are_refused_naming_the_field_the_file_and_what_is_expected(
    kind, name, data, message
):
    label = KIND_LABELS[kind]
    checked, problem = check_file(kind, f.upload(name, data), label=label)
    assert checked is None
    assert problem.startswith(f"{label}：")
    assert message in problem
    assert "每个不超过20 MB" in problem
    assert "可以上传PDF、JPEG、PNG、OFD" in problem


@pytest.mark.parametrize(
    ("size", "pixels"),
    [
        ((13000, 13000), "13000×13000像素（约1.69亿像素）"),
        ((8000, 7000), "8000×7000像素（约5600万像素）"),
        ((30000, 30000), "30000×30000像素（约9亿像素）"),  # a decompression bomb for Pillow
    ],
)
def test_an_image_of_too_many_pixels_is_refused_from_its_header(size, pixels):
    # Issue #10, point 5: a 13000×13000 PNG took a minute and 1.8 GB to place in the case file.
    checked, problem = check_file("application", f.upload("扫描.png", f.png_header(*size)))
    assert checked is None
    assert problem.startswith("“扫描.png”")
    assert pixels in problem and "超过了每张图片5000万像素的上限，请缩小后再上传" in problem


def test_the_pixel_limit_is_a_setting(settings):
    # A 3-megapixel image on either side of the limit (an 8000×7000 one took seconds to make).
    scan = f.image("PNG", (2000, 1500))
    settings.GONGKAI_UPLOAD_MAX_IMAGE_MP = 2
    checked, problem = check_file("application", f.upload("扫描.png", scan))
    assert checked is None and "超过了每张图片200万像素的上限" in problem
    settings.GONGKAI_UPLOAD_MAX_IMAGE_MP = 4
    checked, problem = check_file("application", f.upload("扫描.png", scan))
    assert problem == "" and checked.file_type.code == "png"


def test_an_over_size_file_is_refused(settings):
    settings.GONGKAI_UPLOAD_MAX_FILE_MB = 1
    big = f.pdf() + b"%" + b"0" * (1024 * 1024)
    checked, problem = check_file("application", f.upload("大.pdf", big), label="申请书扫描件")
    assert checked is None
    assert "“大.pdf”有1 MB，超过了每个文件的上限" in problem
    assert "每个不超过1 MB" in problem


@pytest.mark.parametrize(
    ("kind", "name", "data", "code"),
    [
        ("application", "扫描.PDF", f.pdf(), "pdf"),
        ("application", "照片.jpeg", f.image("JPEG"), "jpeg"),
        ("id_proof", "身份证.ofd", f.ofd(), "ofd"),
        ("provided", "明细.xlsx", f.xlsx(), "xlsx"),
        ("provided", "明细.docx", f.docx(), "docx"),
        ("provided", "全部.zip", f.zip_bundle(), "zip"),
        ("provided", "目录.txt", "目录".encode("gb18030"), "txt"),
        ("provided", "限制打印.pdf", f.pdf(password="owner", owner_only=True), "pdf"),
    ],
)
def test_good_files_are_accepted_with_their_type_and_hash(kind, name, data, code):
    checked, problem = check_file(kind, f.upload(name, data))
    assert problem == ""
    assert checked.file_type.code == code
    assert checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()
    assert checked.name == name


def test_a_name_without_extension_gets_the_one_of_its_content():
    checked, _ = check_file("application", f.upload("扫描件", f.pdf()))
    assert checked.name == "扫描件.pdf"


# -- who uploads what, when (DOMAIN §1, §3.1) ---------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "stage", "roles", "refused"),
    [
        ("application", "accept", {"registrar"}, ""),
        ("application", "archive", {"registrar"}, ""),
        ("application", "accept", {"handler"}, "申请书扫描件由登记人员上传"),
        ("id_proof", "serve", {"registrar"}, ""),
        ("provided", "propose", {"handler"}, ""),
        ("provided", "serve", {"handler"}, ""),
        ("provided", "accept", {"handler"}, "应在提出办理意见至送达前上传"),
        ("provided", "archive", {"handler"}, "应在提出办理意见至送达前上传"),
        ("provided", "propose", {"registrar"}, "由承办人上传"),
        ("service_proof", "approve", {"registrar"}, "应在送达时或送达后上传"),
        ("service_proof", "serve", {"registrar"}, ""),
        ("service_proof", "archive", {"registrar"}, ""),
        # DOMAIN §3.8: the proof of service of a notice whose period runs from its receipt.
        ("service_proof", "correct", {"registrar"}, ""),
        ("service_proof", "consult", {"registrar"}, ""),
        ("service_proof", "fee", {"registrar"}, ""),
        ("service_proof", "propose", {"registrar"}, "应在送达时或送达后上传"),
        ("other", "correct", {"handler"}, ""),
        ("other", "correct", {"registrar"}, ""),
        ("other", "correct", {"office_head"}, "由登记人员或承办人上传"),
        ("application", "closed", {"registrar"}, "已归档，案卷只读"),
        ("other", "closed", {"handler"}, "已归档，案卷只读"),
        ("letter", "accept", {"registrar"}, "请选择材料类别"),
    ],
)
def test_upload_rules_by_role_and_stage(kind, stage, roles, refused):
    problem = upload_refusal(kind, stage=stage, roles=roles)
    assert (refused in problem) if refused else problem == ""


def test_the_upload_box_offers_only_what_role_and_stage_allow():
    assert uploadable_kinds(stage="accept", roles={"registrar"}) == [
        "application",
        "id_proof",
        "other",
    ]
    assert uploadable_kinds(stage="serve", roles={"handler"}) == ["provided", "other"]
    assert uploadable_kinds(stage="closed", roles={"registrar", "handler"}) == []


# -- the service ----------------------------------------------------------------------------------


def refreshed(case) -> InformationRequest:
    return InformationRequest.objects.get(pk=case.pk)


def to_serve(case, handler, office_head):
    request_accept(actor=handler, case_id=case.pk, today=d("2026-03-03"))
    decision_propose(
        actor=handler,
        case_id=case.pk,
        proposal=Proposal(outcome="disclosed", articles=[f"{REG}第三十六条第（二）项"]),
        today=d("2026-03-04"),
    )
    secrecy_cleared(case, office_head)  # Art. 17 ¶2
    decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-05"))


def serve(case, registrar):
    request_serve(
        actor=registrar,
        case_id=case.pk,
        method="direct",
        served_on=d("2026-03-06"),
        today=d("2026-03-06"),
    )


@pytest.mark.django_db
def test_an_application_scan_is_kept_with_its_name_size_hash_and_an_audit_event(case, registrar):
    data = f.pdf(2)
    [document] = request_upload(
        actor=registrar,
        case_id=case.pk,
        kind="application",
        files=[f.upload("C:\\扫描\\申请书.pdf", data)],
    )
    document.refresh_from_db()
    assert (document.kind, document.title, document.original_name) == (
        "application",
        "申请书扫描件",
        "申请书.pdf",
    )
    assert (document.size, document.file_type) == (len(data), "pdf")
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    # Stored under a random name; the user's name is not in the path.
    stored = Path(document.file.path)
    assert RANDOM_NAME.fullmatch(stored.name) and "申请书" not in document.file.name
    assert stored.read_bytes() == data
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT))
    event = AuditEvent.objects.get(action="documents_uploaded")
    assert (event.actor, event.agency, event.from_state, event.to_state) == (
        registrar,
        case.agency,
        "accept",
        "accept",
    )
    assert event.reason == "申请书扫描件：申请书.pdf"
    assert event.data["documents"][0]["sha256"] == document.sha256


@pytest.mark.django_db
def test_one_bad_file_refuses_the_whole_upload_and_names_each_problem(case, registrar):
    with pytest.raises(ValidationError) as refused:
        request_upload(
            actor=registrar,
            case_id=case.pk,
            kind="id_proof",
            files=[
                f.upload("身份证正面.jpg", f.image("JPEG")),
                f.upload("身份证反面.pdf", f.EXE),
                f.upload("空.png", b""),
            ],
        )
    messages = refused.value.message_dict["files"]
    assert len(messages) == 2
    assert messages[0].startswith("身份证明：“身份证反面.pdf”")
    assert messages[1].startswith("身份证明：“空.png”是空文件")
    assert not CaseDocument.objects.filter(kind="id_proof").exists()
    assert stored_uploads() == []


@pytest.mark.django_db
def test_the_total_of_one_upload_is_limited(case, registrar, settings):
    settings.GONGKAI_UPLOAD_MAX_TOTAL_MB = 1
    half = f.pdf() + b"%" + b"0" * (600 * 1024)
    with pytest.raises(ValidationError, match=re.escape("合计1.2 MB，超过了每次上传1 MB的上限")):
        request_upload(
            actor=registrar,
            case_id=case.pk,
            kind="application",
            files=[f.upload("1.pdf", half), f.upload("2.pdf", half)],
        )


@pytest.mark.django_db
def test_nothing_chosen_is_a_message(case, registrar):
    with pytest.raises(ValidationError, match="请选择要上传的申请书扫描件文件"):
        request_upload(actor=registrar, case_id=case.pk, kind="application", files=[])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "kind", "message"),
    [
        ("handler", "application", "申请书扫描件由登记人员上传"),
        ("registrar", "provided", "提供的政府信息由承办人上传"),
        ("office_head", "other", "其他材料由登记人员或承办人上传"),
        ("outsider", "application", "不能办理其他机关的申请"),  # DOMAIN §1: agency-scoped
    ],
)
def test_roles_and_agencies_are_checked(case, request, persona, kind, message):
    user = request.getfixturevalue(persona)
    with pytest.raises(NotAllowed, match=message):
        request_upload(actor=user, case_id=case.pk, kind=kind, files=[f.upload("a.pdf", f.pdf())])
    assert stored_uploads() == []


@pytest.mark.django_db
def test_information_provided_from_the_proposal_until_service(
    case, handler, office_head, registrar
):
    def provide():
        return request_upload(
            actor=handler, case_id=case.pk, kind="provided", files=[f.upload("明细.xlsx", f.xlsx())]
        )

    with pytest.raises(StaleCase, match="应在提出办理意见至送达前上传；本案现处于“受理审查”阶段"):
        provide()
    request_accept(actor=handler, case_id=case.pk, today=d("2026-03-03"))
    provide()  # propose
    decision_propose(
        actor=handler,
        case_id=case.pk,
        proposal=Proposal(outcome="disclosed", articles=[f"{REG}第三十六条第（二）项"]),
        today=d("2026-03-04"),
    )
    provide()  # approve
    secrecy_cleared(case, office_head)  # Art. 17 ¶2
    decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-05"))
    provide()  # serve
    serve(case, registrar)
    with pytest.raises(StaleCase, match="本案现处于“归档”阶段"):
        provide()
    assert case.documents.filter(kind="provided", file_type="xlsx").count() == 3


@pytest.mark.django_db
def test_proof_of_service_at_or_after_service(case, handler, office_head, registrar):
    proof = [f.upload("送达回证.jpg", f.image("JPEG"))]
    with pytest.raises(StaleCase, match="应在送达时或送达后上传"):
        request_upload(actor=registrar, case_id=case.pk, kind="service_proof", files=proof)
    to_serve(case, handler, office_head)
    request_upload(actor=registrar, case_id=case.pk, kind="service_proof", files=proof)
    serve(case, registrar)
    request_upload(
        actor=registrar,
        case_id=case.pk,
        kind="service_proof",
        files=[f.upload("邮件回执.png", f.image("PNG"))],
    )
    assert case.documents.filter(kind="service_proof").count() == 2


@pytest.mark.django_db
def test_the_archived_case_is_read_only(case, handler, office_head, registrar):
    # DOMAIN §3.1 archive: the case file is closed.
    to_serve(case, handler, office_head)
    serve(case, registrar)
    request_archive(actor=registrar, case_id=case.pk, today=d("2026-03-09"))
    for user, kind in ((registrar, "application"), (handler, "other")):
        with pytest.raises(StaleCase, match="案件已归档，案卷只读"):
            request_upload(
                actor=user, case_id=case.pk, kind=kind, files=[f.upload("a.pdf", f.pdf())]
            )
    assert stored_uploads() == []


@pytest.mark.django_db
def test_application_scan_and_id_proof_handed_in_at_registration(registrar, agency, walk_in):
    case = request_register(
        actor=registrar,
        agency=agency,
        data=walk_in(),
        today=d("2026-03-02"),
        attachments={
            "application": [
                f.upload("申请表1.pdf", f.pdf()),
                f.upload("申请表2.jpg", f.image("JPEG")),
            ],
            "id_proof": [f.upload("身份证.png", f.image("PNG"))],
        },
    )
    uploads = case.documents.exclude(kind="letter").order_by("id")
    assert [(u.kind, u.original_name) for u in uploads] == [
        ("application", "申请表1.pdf"),
        ("application", "申请表2.jpg"),
        ("id_proof", "身份证.png"),
    ]
    assert AuditEvent.objects.filter(action="documents_uploaded").count() == 2


@pytest.mark.django_db
def test_a_bad_attachment_refuses_the_registration_and_takes_no_number(registrar, agency, walk_in):
    with pytest.raises(ValidationError) as refused:
        request_register(
            actor=registrar,
            agency=agency,
            data=walk_in(),
            today=d("2026-03-02"),
            attachments={"application": [f.upload("申请表.pdf", f.EXE)]},
        )
    assert "“申请表.pdf”" in refused.value.message_dict["application_files"][0]
    assert not InformationRequest.objects.exists()
    assert not CaseCounter.objects.filter(last__gt=0).exists()
    assert stored_uploads() == []


@pytest.mark.django_db
def test_files_of_a_registration_that_fails_after_storing_them_are_removed(
    registrar, agency, walk_in, monkeypatch
):
    from requests_app.services import registration

    real_audit = registration.audit

    def failing_audit(**kwargs):
        if kwargs["action"] == "documents_uploaded":
            assert len(stored_uploads()) == 1  # the file is on disk at this point
            raise RuntimeError("audit log unavailable")
        return real_audit(**kwargs)

    monkeypatch.setattr(registration, "audit", failing_audit)
    with pytest.raises(RuntimeError):
        request_register(
            actor=registrar,
            agency=agency,
            data=walk_in(),
            today=d("2026-03-02"),
            attachments={"application": [f.upload("申请表.pdf", f.pdf())]},
        )
    assert not InformationRequest.objects.exists()
    assert stored_uploads() == []
