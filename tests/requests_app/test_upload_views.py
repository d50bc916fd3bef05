"""Uploads in the pages: the walk-in registration form, the case page's upload box, the propose
and serve tasks, the agency-scoped download, and one submission for one case."""

import threading
import uuid

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from requests_app.flows import sync_process
from requests_app.models import CaseDocument, InformationRequest
from requests_app.services import request_archive, request_register, request_upload
from requests_app.uploads import human_size
from tests.conftest import _persona, d
from tests.requests_app import files as f
from tests.requests_app.flow_helpers import REG, assign, execute, refreshed, step, task
from tests.requests_app.test_uploads import serve, stored_uploads, to_serve
from tests.requests_app.test_views import detail, field_block, form_data

pytestmark = pytest.mark.django_db
R = InformationRequest
REGISTER = reverse("requests:register:index")


@pytest.fixture(autouse=True)
def _thursday_5_march_2026():
    with time_machine.travel("2026-03-05 10:00 +0800", tick=False):
        yield


def upload_url(case, document) -> str:
    return reverse("requests:cases:upload_file", args=[case.pk, document.pk])


# -- registration with files -----------------------------------------------------------------------


def test_a_walk_in_is_registered_with_its_application_scan_and_id_proof(client, registrar, agency):
    client.force_login(registrar)
    data = form_data(
        agency,
        application_files=[
            f.upload("申请表第1页.jpg", f.image("JPEG")),
            f.upload("申请表.pdf", f.pdf()),
        ],
        id_proof_files=[f.upload("身份证.png", f.image("PNG"))],
    )
    response = client.post(REGISTER, data, follow=True)
    case = R.objects.get()
    assert response.redirect_chain == [(detail(case) + "?notice=registered", 302)]
    uploads = response.context["uploads"]
    assert [(u.kind, u.original_name) for u in uploads] == [
        ("application", "申请表第1页.jpg"),
        ("application", "申请表.pdf"),
        ("id_proof", "身份证.png"),
    ]
    assert all(u.created_by == registrar for u in uploads)
    body = response.content.decode()
    assert "申请表第1页.jpg" in body and "身份证明" in body


def test_the_form_says_what_files_it_accepts_and_how_large(client, registrar):
    client.force_login(registrar)
    body = client.get(REGISTER).content.decode()
    block = field_block(body, "application_files")
    assert 'enctype="multipart/form-data"' in body
    assert "可上传PDF、JPEG、PNG、OFD文件" in block and "每个不超过20 MB" in block
    assert 'accept=".pdf,.jpg,.jpeg,.jpe,.png,.ofd"' in block
    assert "multiple" in block


def test_a_bad_file_keeps_everything_typed_and_asks_for_the_files_again(client, registrar, agency):
    client.force_login(registrar)
    data = form_data(
        agency,
        document_names="孝政办发〔2025〕12号",
        application_files=[f.upload("申请表.pdf", f.EXE)],
        id_proof_files=[f.upload("身份证.png", f.image("PNG"))],
    )
    response = client.post(REGISTER, data)
    assert response.status_code == 200
    assert not R.objects.exists() and not CaseDocument.objects.exists()
    assert stored_uploads() == []
    body = response.content.decode()
    block = field_block(body, "application_files")
    assert "申请书扫描件：“申请表.pdf”名为PDF文件，但内容不是PDF文件" in block
    assert "可以上传PDF、JPEG、PNG、OFD文件" in block
    assert "已选择的文件没有保存，请重新选择" in block
    assert "已选择的文件没有保存，请重新选择" in field_block(body, "id_proof_files")
    assert 'id="files-again"' in body
    for typed in ("孝政办发〔2025〕12号", "2025年孝义市城区老旧小区改造项目", "11010519491231002X"):
        assert typed in body
    # The same token comes back, so the corrected form still registers once.
    assert f'value="{data["token"]}"' in body


def test_no_files_chosen_no_notice_about_files(client, registrar, agency):
    client.force_login(registrar)
    body = client.post(REGISTER, form_data(agency, applicant_name="")).content.decode()
    assert "请填写申请人" in body
    assert "重新选择" not in body


def test_a_form_without_its_token_is_not_registered_and_keeps_what_was_typed(
    client, registrar, agency
):
    client.force_login(registrar)
    response = client.post(REGISTER, form_data(agency, token=""))
    assert response.status_code == 200
    assert not R.objects.exists()
    form = response.context["form"]
    assert "缺少防止重复登记的标记，尚未登记" in form.non_field_errors()[0]
    assert form["applicant_name"].value() == "张明华"
    fresh = form["token"].value()
    assert len(fresh) == 32
    assert client.post(REGISTER, form_data(agency, token=fresh)).status_code == 302


# -- one submission, one case ----------------------------------------------------------------------


def test_resubmitting_the_form_with_its_files_registers_and_keeps_them_once(
    client, registrar, agency
):
    client.force_login(registrar)
    token = uuid.uuid4().hex

    def post():
        return client.post(
            REGISTER,
            form_data(agency, token=token, application_files=[f.upload("申请表.pdf", f.pdf())]),
        )

    first, second = post(), post()  # double click, or back and resubmit
    case = R.objects.get()
    assert first["Location"] == detail(case) + "?notice=registered"
    assert second["Location"] == detail(case) + "?notice=resubmitted"
    assert case.documents.filter(kind="application").count() == 1
    assert len(stored_uploads()) == 1
    page = client.get(second["Location"]).content.decode()
    assert f"这份申请已经登记（{case.case_number}），没有重复登记" in page


def test_another_agencys_token_reveals_nothing(
    client, registrar, django_user_model, other_agency, agency, walk_in
):
    other = other_agency
    their_registrar = _persona(django_user_model, "their_registrar", other, "registrar")
    token = uuid.uuid4().hex
    request_register(
        actor=their_registrar,
        agency=other,
        data=walk_in(),
        today=d("2026-03-05"),
        submission_token=token,
    )
    client.force_login(registrar)
    response = client.post(REGISTER, form_data(agency, token=token))
    assert response.status_code == 200
    assert "这份登记表已经提交过" in response.context["form"].non_field_errors()[0]
    assert R.objects.filter(agency=agency).count() == 0
    assert "孝政信申" not in response.content.decode().split('id="register-form"')[0]


@pytest.mark.django_db(transaction=True)
def test_two_posts_of_one_form_at_once_register_one_case(registrar, agency):
    # Two browser tabs, or a double click the browser sent twice: the same token, at once.
    data = form_data(agency)
    responses, errors = [], []
    clients = [Client(), Client()]
    for c in clients:
        c.force_login(registrar)
    barrier = threading.Barrier(2)

    def post(c):
        try:
            barrier.wait()
            responses.append(c.post(REGISTER, data))
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    case = R.objects.get()
    assert sorted(r["Location"] for r in responses) == [
        detail(case) + "?notice=registered",
        detail(case) + "?notice=resubmitted",
    ]


def test_a_colleagues_registration_minutes_ago_is_shown_before_registering(
    client, registrar, django_user_model, agency
):
    # Art. 36(6): the same walk-in registered by two officers (different forms, tokens).
    colleague = _persona(django_user_model, "registrar2", agency, "registrar")
    colleague_client = Client()
    colleague_client.force_login(colleague)
    with time_machine.travel("2026-03-05 09:52 +0800", tick=False):
        assert colleague_client.post(REGISTER, form_data(agency)).status_code == 302
    first = R.objects.get()
    client.force_login(registrar)
    response = client.post(
        REGISTER, form_data(agency, application_files=[f.upload("申请表.pdf", f.pdf())])
    )
    assert response.status_code == 200
    assert response.context["duplicates"] == [first]
    body = response.content.decode()
    assert first.case_number in body
    assert f'name="seen_duplicates" value="{first.pk}"' in body
    assert 'id="files-again"' in body  # the scan must be chosen again before confirming
    assert "请重新选择文件" in field_block(body, "application_files")
    assert "请重新选择文件" not in field_block(body, "id_proof_files")  # none was chosen there
    assert R.objects.count() == 1


def test_a_confirmation_given_before_another_case_appeared_is_asked_again(
    client, registrar, django_user_model, agency, case, walk_in
):
    colleague = _persona(django_user_model, "registrar2", agency, "registrar")
    client.force_login(registrar)
    seen = [str(case.pk)]  # the list the registrar looked at
    # Meanwhile a colleague registers the same applicant again.
    newer = request_register(actor=colleague, agency=agency, data=walk_in(), today=d("2026-03-05"))
    response = client.post(
        REGISTER, form_data(agency, confirm_duplicates="on", seen_duplicates=seen)
    )
    assert response.status_code == 200
    assert R.objects.count() == 2
    assert response.context["duplicates"] == [newer, case]
    form = response.context["form"]
    assert "同一申请人刚刚又有申请登记" in form.non_field_errors()[0]
    assert not form["confirm_duplicates"].value()  # ticked again only after a new look


# -- the case page ---------------------------------------------------------------------------------


def test_the_case_page_lists_uploads_and_offers_the_kinds_the_role_and_stage_allow(
    client, case, registrar, handler
):
    [document] = request_upload(
        actor=registrar,
        case_id=case.pk,
        kind="application",
        files=[f.upload("申请表.pdf", f.pdf(3))],
        title="书面申请表",
    )
    client.force_login(registrar)
    response = client.get(detail(case))
    body = response.content.decode()
    row = body[body.index('id="upload-list"') :]
    size = human_size(document.size)
    for shown in ("申请书扫描件", "书面申请表", "申请表.pdf", size, "registrar", "2026年3月5日"):
        assert shown in row
    kinds = [value for value, _ in response.context["upload_form"].fields["kind"].choices]
    assert kinds == ["application", "id_proof", "other"]
    client.force_login(handler)
    kinds = [
        value for value, _ in client.get(detail(case)).context["upload_form"].fields["kind"].choices
    ]
    assert kinds == ["other"]  # provided information only from the proposal on


def test_uploading_on_the_case_page(client, case, registrar):
    client.force_login(registrar)
    response = client.post(
        reverse("requests:cases:action", args=[case.pk, "upload"]),
        {"kind": "id_proof", "title": "", "files": [f.upload("身份证.jpg", f.image("JPEG"))]},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#uploads")
    [document] = case.documents.filter(kind="id_proof")
    assert (document.original_name, document.file_type) == ("身份证.jpg", "jpeg")


def test_a_bad_upload_on_the_case_page_keeps_the_title_and_says_why(client, case, registrar):
    client.force_login(registrar)
    response = client.post(
        reverse("requests:cases:action", args=[case.pk, "upload"]),
        {"kind": "application", "title": "补交的申请表", "files": [f.upload("表.docx", f.docx())]},
    )
    assert response.status_code == 200
    form = response.context["upload_form"]
    assert "“表.docx”是DOCX文件，申请书扫描件不接受这种文件" in form.errors["files"][0]
    body = response.content.decode()
    assert 'value="补交的申请表"' in body
    assert "已选择的文件没有保存，请重新选择" in body
    assert not case.documents.filter(kind="application").exists()


def test_a_kind_the_role_does_not_allow_is_refused(client, case, handler):
    client.force_login(handler)
    response = client.post(
        reverse("requests:cases:action", args=[case.pk, "upload"]),
        {"kind": "application", "files": [f.upload("a.pdf", f.pdf())]},
    )
    assert response.status_code == 200
    assert "请从列表中选择一项" in response.context["upload_form"].errors["kind"][0]
    assert not case.documents.filter(kind="application").exists()


def test_the_archived_case_has_no_upload_box_and_refuses_uploads(
    client, case, handler, office_head, registrar
):
    to_serve(case, handler, office_head)
    serve(case, registrar)
    request_archive(actor=registrar, case_id=case.pk, today=d("2026-03-09"))
    client.force_login(registrar)
    page = client.get(detail(case))
    assert page.context["upload_form"] is None
    assert "已归档，案卷只读，不能再上传材料" in page.content.decode()
    response = client.post(
        reverse("requests:cases:action", args=[case.pk, "upload"]),
        {"kind": "other", "files": [f.upload("a.pdf", f.pdf())]},
    )
    assert response.status_code == 302
    assert not case.documents.filter(kind="other").exists()


# -- downloads -------------------------------------------------------------------------------------


def test_a_scan_opens_in_the_browser_under_its_own_name(client, case, registrar):
    data = f.pdf()
    [document] = request_upload(
        actor=registrar, case_id=case.pk, kind="application", files=[f.upload("申请表.pdf", data)]
    )
    client.force_login(registrar)
    response = client.get(upload_url(case, document))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == "inline; filename*=utf-8''%E7%94%B3%E8%AF%B7%E8%A1%A8.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == data


def test_other_files_are_downloaded_never_shown_as_a_page(client, case, registrar):
    [document] = request_upload(
        actor=registrar,
        case_id=case.pk,
        kind="other",
        files=[f.upload('说明"<script>.txt', "说明".encode())],
    )
    client.force_login(registrar)
    response = client.get(upload_url(case, document))
    assert response["Content-Type"] == "text/plain"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert "<" not in disposition and '"' not in disposition.split("''", 1)[1]


def test_another_agency_gets_404_for_uploads(
    client, case, registrar, outsider, walk_in, django_user_model
):
    # DOMAIN §1: nobody sees another agency's data.
    [document] = request_upload(
        actor=registrar, case_id=case.pk, kind="application", files=[f.upload("a.pdf", f.pdf())]
    )
    client.force_login(outsider)
    assert client.get(upload_url(case, document)).status_code == 404
    # Nor through a case of its own agency with our document's id.
    theirs = outsider.agencies.get()
    own = request_register(
        actor=_persona(django_user_model, "their_registrar", theirs, "registrar"),
        agency=theirs,
        data=walk_in(),
        today=d("2026-03-05"),
    )
    assert client.get(upload_url(own, document)).status_code == 404


def test_uploads_are_not_served_through_the_letters_address(client, case, registrar):
    [document] = request_upload(
        actor=registrar, case_id=case.pk, kind="application", files=[f.upload("a.pdf", f.pdf())]
    )
    client.force_login(registrar)
    url = reverse("requests:cases:document", args=[case.pk, document.pk, "pdf"])
    assert client.get(url).status_code == 404


# -- the task pages --------------------------------------------------------------------------------


def test_the_handler_attaches_the_information_provided_to_the_proposal(client, case, handler):
    step(client, handler, case, "accept", "accept")
    response = execute(
        client,
        handler,
        task(case, "propose"),
        "propose",
        outcome="disclosed",
        articles=f"{REG}第三十六条第（二）项",
        provide_form="electronic",
        provided_files=[f.upload("资金拨付明细.xlsx", f.xlsx()), f.upload("说明.pdf", f.pdf())],
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert refreshed(case).stage == R.Stage.APPROVE
    provided = case.documents.filter(kind="provided").order_by("id")
    assert [d.original_name for d in provided] == ["资金拨付明细.xlsx", "说明.pdf"]


def test_a_refused_proposal_keeps_no_files_and_asks_for_them_again(client, case, handler):
    step(client, handler, case, "accept", "accept")
    response = execute(
        client,
        handler,
        task(case, "propose"),
        "propose",
        outcome="partly_disclosed",  # needs the withheld parts (Art. 37)
        articles=f"{REG}第三十七条",
        provided_files=[f.upload("明细.xlsx", f.xlsx())],
    )
    assert response.status_code == 200
    assert refreshed(case).stage == R.Stage.PROPOSE
    assert not case.documents.filter(kind="provided").exists()
    assert stored_uploads() == []
    body = response.content.decode()
    assert "第三十七条" in body  # typed text kept
    assert "已选择的文件没有保存，请重新选择" in body


def test_the_registrar_attaches_the_signed_proof_of_service(
    client, case, handler, office_head, registrar
):
    to_serve(case, handler, office_head)
    sync_process(case)  # the steps above ran through the services
    fields = {"method": "post", "served_on": "2026-03-05"}
    proof = [f.upload("邮件详情单.jpg", f.image("JPEG"))]
    serve_task = task(case, "serve")
    assign(client, registrar, serve_task)
    # Post without a tracking number: refused, nothing kept, the files are asked for again.
    response = execute(client, registrar, serve_task, "serve", proof_files=proof, **fields)
    assert response.status_code == 200
    body = response.content.decode()
    assert "邮寄送达请填写邮件号码" in body
    assert "已选择的文件没有保存，请重新选择" in field_block(body, "proof_files")
    assert not case.documents.filter(kind="service_proof").exists()
    proof = [f.upload("邮件详情单.jpg", f.image("JPEG"))]
    response = execute(
        client,
        registrar,
        serve_task,
        "serve",
        proof_files=proof,
        tracking_number="1180000000001",
        **fields,
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert refreshed(case).stage == R.Stage.ARCHIVE
    [document] = case.documents.filter(kind="service_proof")
    assert document.original_name == "邮件详情单.jpg"


def test_uploads_letters_and_the_case_file_open_in_a_sandbox(
    client, case, handler, office_head, registrar
):
    # Issue #10, point 9: nothing opened in the browser runs as a page of this site.
    [scan] = request_upload(
        actor=registrar, case_id=case.pk, kind="application", files=[f.upload("a.png", f.image())]
    )
    to_serve(case, handler, office_head)
    serve(case, registrar)
    case_file = request_archive(actor=registrar, case_id=case.pk, today=d("2026-03-09"))
    letter = case.documents.filter(kind="letter").first()
    client.force_login(registrar)
    urls = [
        upload_url(case, scan),
        reverse("requests:cases:document", args=[case.pk, case_file.pk, "pdf"]),
        reverse("requests:cases:document", args=[case.pk, letter.pk, "pdf"]),
        reverse("requests:cases:document", args=[case.pk, letter.pk, "docx"]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Security-Policy"] == "sandbox", url
        assert response["X-Content-Type-Options"] == "nosniff", url
    # A page (not a file) keeps the site's own policy: its menus run.
    page_policy = client.get(detail(case))["Content-Security-Policy"]
    assert "sandbox" not in page_policy and "script-src 'self'" in page_policy


# -- limits kept while the request is received (issue #10, point 9) -----------------------------


@pytest.fixture
def kept_bytes(monkeypatch):
    """How many bytes of uploaded files Django's own handlers (memory, temporary file) kept."""
    from django.core.files import uploadhandler

    kept = {"bytes": 0}
    for handler in (
        uploadhandler.MemoryFileUploadHandler,
        uploadhandler.TemporaryFileUploadHandler,
    ):
        real = handler.receive_data_chunk

        def counting(self, raw_data, start, real=real):
            if getattr(self, "activated", True):  # the memory handler keeps small requests only
                kept["bytes"] += len(raw_data)
            return real(self, raw_data, start)

        monkeypatch.setattr(handler, "receive_data_chunk", counting)
    return kept


@pytest.fixture
def one_mb_limits(settings):
    settings.GONGKAI_UPLOAD_MAX_FILE_MB = 1
    settings.GONGKAI_DOCUMENT_MAX_MB = 1
    settings.GONGKAI_OLDER_IMPORT_MAX_MB = 1
    settings.GONGKAI_UPLOAD_MAX_TOTAL_MB = 2


def test_a_file_past_the_limit_is_not_kept_while_it_arrives(
    client, case, registrar, one_mb_limits, kept_bytes
):
    big = f.pdf() + b"%" + b"0" * (5 * 1024 * 1024)  # 5 MB against a limit of 1 MB
    client.force_login(registrar)
    response = client.post(
        reverse("requests:cases:action", args=[case.pk, "upload"]),
        {"kind": "application", "title": "补交的申请表", "files": [f.upload("大扫描.pdf", big)]},
    )
    assert response.status_code == 200
    [message] = response.context["upload_form"].errors["files"]
    assert f"“大扫描.pdf”有{human_size(len(big))}，超过了每个文件的上限" in message
    assert 'value="补交的申请表"' in response.content.decode()  # what was typed stays
    assert kept_bytes["bytes"] <= 1024 * 1024 + 64 * 1024  # up to the limit and one chunk
    assert not case.documents.filter(kind="application").exists()
    assert stored_uploads() == []


def test_files_past_the_total_of_one_request_are_not_kept(
    client, case, registrar, one_mb_limits, kept_bytes
):
    part = f.pdf() + b"%" + b"0" * (900 * 1024)
    client.force_login(registrar)
    response = client.post(
        reverse("requests:cases:action", args=[case.pk, "upload"]),
        {"kind": "other", "files": [f.upload(f"第{n}份.pdf", part) for n in (1, 2, 3)]},
    )
    assert response.status_code == 200
    [message] = response.context["upload_form"].errors["files"]
    assert "“第3份.pdf”没有接收：这次提交的文件合计超过了每次上传2 MB的上限" in message
    assert kept_bytes["bytes"] <= 2 * 1024 * 1024 + 64 * 1024
    assert not case.documents.filter(kind="other").exists()
    assert stored_uploads() == []
