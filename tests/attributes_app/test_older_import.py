"""Importing older documents from a spreadsheet (DOMAIN §4.4, in bulk): the template, the upload
and its check (every problem by row and column, nothing imported on any), the confirmation and
the background job (one transaction, checked again), and who may do it."""

import csv
import io
import zipfile
from datetime import date, datetime

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from attributes_app.jobs import IMPORT_OLDER
from attributes_app.models import Document
from attributes_app.older_import import (
    ImportRefused,
    older_documents_import,
    older_import_check,
)
from attributes_app.older_sheet import COLUMNS, EXAMPLE_TITLE, SheetRefused
from attributes_app.services import DocumentData, document_register, drafting_unit_save
from tests.conftest import _persona, d
from workflow.errors import NotAllowed
from workflow.models import AuditEvent, Job

pytestmark = pytest.mark.django_db
HEADERS = [c.header for c in COLUMNS]
INDEX = reverse("attributes:documents:older_import:index")
REGISTER = reverse("attributes:documents:index")


@pytest.fixture(autouse=True)
def _march_2026(settings):
    settings.GONGKAI_JOBS = "inline"
    with time_machine.travel("2026-03-03 10:00 +0800", tick=False):
        yield


@pytest.fixture
def client(client, django_capture_on_commit_callbacks):
    """The test client whose requests run the jobs they submit (inline, after the commit)."""

    class Client:
        def __getattr__(self, name):
            return getattr(client, name)

        def post(self, *args, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return client.post(*args, **kwargs)

    return Client()


def url(name: str, **kwargs) -> str:
    return reverse(f"attributes:documents:older_import:{name}", kwargs=kwargs)


def row(**values) -> dict:
    """One document as the officer lists it (by header), defaults for the rest."""
    base = {
        "起草单位": "综合科",
        "文件标题": "关于城区土地征收补偿标准的通知",
        "文号": "孝政发〔2015〕12号",
        "文件类型": "行政规范性文件",
        "成文日期": "2015-04-03",
        "印发日期": "2015-04-08",
        "密级状态": "非涉密",
        "效力状态": "已废止",
        "修改失效废止日期": "2021-06-30",
        "效力说明": "被孝政发〔2021〕7号文件废止",
        "施行日期": "",
    }
    base.update(values)
    return base


def three_rows() -> list[dict]:
    return [
        row(),
        row(
            文件标题="孝义市城区老旧小区改造实施方案",
            文号="孝政办发〔2019〕3号",
            文件类型="政策性文件",
            成文日期="2019/3/1",
            印发日期="2019年3月5日",
            效力状态="",
            修改失效废止日期="",
            效力说明="",
            施行日期="2019-04-01",
        ),
        row(
            起草单位="法规科",
            文件标题="2018年第三次常务会议纪要",
            文号="",
            文件类型="",
            成文日期="2018-07-10",
            印发日期="2018-07-12",
            密级状态="",
            效力状态="有效",
            修改失效废止日期="",
            效力说明="",
        ),
    ]


def xlsx_bytes(rows: list[dict], headers=HEADERS, *, blank_rows_after: int = 0) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for values in rows:
        sheet.append([values.get(h, "") or None for h in headers])
    for _ in range(blank_rows_after):
        sheet.append([None] * len(headers))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[dict], encoding: str = "utf-8-sig", headers=HEADERS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for values in rows:
        writer.writerow([values.get(h, "") for h in headers])
    return buffer.getvalue().encode(encoding)


def check(actor, agency, content: bytes, name: str = "清单.xlsx"):
    return older_import_check(
        actor=actor, agency=agency, file=ContentFile(content, name=name), name=name
    )


def upload(client, content: bytes, name: str = "已印发文件清单.xlsx", agency=None):
    data = {"file": SimpleUploadedFile(name, content)}
    if agency is not None:
        data["agency"] = agency.pk
    return client.post(INDEX, data)


def confirm(client, response):
    """Confirm the checked upload the response was redirected to; the job runs inline."""
    return client.post(response["Location"])


@pytest.fixture
def units(unit, other_unit):
    """综合科 and 法规科 of the personas' agency."""
    return unit, other_unit


@pytest.fixture
def other_office_head(django_user_model, other_agency):
    return _persona(django_user_model, "other_office_head", other_agency, "office_head")


# -- a clean file -----------------------------------------------------------------------------


def test_a_clean_workbook_is_summarised_then_imported_with_the_pages_audit_event(
    client, office_head, agency, units
):
    rows = three_rows()
    rows[0]["成文日期"] = datetime(2015, 4, 3)  # noqa: DTZ001  # an Excel date cell: naive
    rows[0]["印发日期"] = date(2015, 4, 8)
    client.force_login(office_head)
    assert 'id="older-import"' in client.get(REGISTER).content.decode()

    checked = upload(client, xlsx_bytes(rows, blank_rows_after=3))
    assert checked.status_code == 302
    page = client.get(checked["Location"]).content.decode()
    assert "检查通过" in page and "<strong>3</strong> 份文件" in page
    assert "综合科" in page and "法规科" in page and "已废止" in page
    assert "未确定密级" in page  # the 纪要's empty secrecy: it will be on the error list
    assert not Document.objects.exists()  # checking imports nothing

    started = confirm(client, checked)
    job = Job.objects.get(kind=IMPORT_OLDER)
    assert started["Location"] == url("job", job_pk=job.pk)
    assert job.status == Job.Status.DONE, job.message
    assert job.total == 3 and "已从“已印发文件清单.xlsx”导入3份已印发的文件" in job.message
    assert job.result["url"] == url("done", job_pk=job.pk)

    notice = Document.objects.get(number="孝政发〔2015〕12号")
    assert (notice.formed_on, notice.issued_on) == (d("2015-04-03"), d("2015-04-08"))
    assert (notice.kind, notice.secrecy) == ("normative", "non_secret")
    assert (notice.validity, notice.validity_changed_on) == ("repealed", d("2021-06-30"))
    assert notice.validity_note == "被孝政发〔2021〕7号文件废止"
    assert (notice.attribute_state, notice.attribute, notice.drafter) == ("undetermined", "", None)
    assert notice.created_by == office_head
    plan = Document.objects.get(number="孝政办发〔2019〕3号")
    assert (plan.formed_on, plan.issued_on) == (d("2019-03-01"), d("2019-03-05"))
    assert plan.kind == "policy"
    assert (plan.validity, plan.effective_on) == ("in_force", d("2019-04-01"))
    minutes = Document.objects.get(title="2018年第三次常务会议纪要")
    assert (minutes.number, minutes.kind, minutes.secrecy) == ("", "other", "undetermined")
    assert minutes.drafting_unit.name == "法规科"

    events = AuditEvent.objects.filter(action="document_registered").order_by("object_id")
    assert [e.reason for e in events] == [
        f"批量导入已印发的文件（已印发文件清单.xlsx，第{n}行）" for n in (2, 3, 4)
    ]
    assert {(e.actor, e.agency, e.from_state, e.to_state) for e in events} == {
        (office_head, agency, "undetermined", "undetermined")
    }
    assert events[0].data["job"] == job.pk and len(events[0].data["sha256"]) == 64
    assert AuditEvent.objects.filter(action="older_documents_imported").count() == 1

    done = client.get(job.result["url"]).content.decode()
    assert "在文件登记簿中查看尚未确定公开属性的文件" in done
    register = client.get(f"{REGISTER}?attribute=none").content.decode()
    assert "<strong>3</strong> 份文件" in register
    # The stored upload went with the import; its page says it was imported.
    assert "已经确认导入" in client.get(checked["Location"]).content.decode()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_files_as_excel_saves_them_are_imported(client, office_head, units, encoding):
    content = csv_bytes(three_rows(), encoding)
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            content.decode("utf-8")  # really not UTF-8: the fallback is exercised
    client.force_login(office_head)
    checked = upload(client, content, "清单.csv")
    assert "检查通过" in client.get(checked["Location"]).content.decode()
    confirm(client, checked)
    assert Job.objects.get().status == Job.Status.DONE
    assert sorted(Document.objects.values_list("title", flat=True)) == sorted(
        r["文件标题"] for r in three_rows()
    )


def test_confirming_twice_imports_once(client, office_head, units):
    client.force_login(office_head)
    checked = upload(client, xlsx_bytes(three_rows()))
    first = confirm(client, checked)
    second = confirm(client, checked)
    assert first["Location"] == second["Location"]
    assert Job.objects.count() == 1 and Document.objects.count() == 3


# -- problems ------------------------------------------------------------------------------------


def test_every_kind_of_problem_is_named_by_row_and_column(office_head, agency, units, draft):
    draft(title="已登记的文件", number="孝政发〔2016〕1号")
    rows = [
        row(),  # row 2: fine
        row(起草单位="财政局", 文号="A1"),  # 3: unknown unit
        row(文件标题="", 文号="A2"),  # 4: no title
        row(文件类型="通知", 文号="A3"),  # 5: unknown kind
        row(成文日期="2015-02-30", 文号="A4"),  # 6: no such day
        row(成文日期="去年", 文号="A5"),  # 7: not a date
        row(成文日期="2026-03-04", 印发日期="2026-03-05", 文号="A6"),  # 8: future
        row(印发日期="2015-04-01", 文号="A7"),  # 9: issued before formed
        row(密级状态="机密", 文号="A8"),  # 10: classified
        row(密级状态="内部", 文号="A9"),  # 11: unknown secrecy
        row(效力状态="作废", 文号="A10"),  # 12: unknown validity
        row(修改失效废止日期="", 文号="A11"),  # 13: repealed without its date
        row(效力状态="有效", 文号="A12"),  # 14: in force with a date
        row(),  # 15: the same 文号 as row 2
        row(文号="孝政发〔2016〕1号"),  # 16: already in the register
        row(文件标题=EXAMPLE_TITLE, 文号="A13"),  # 17: the template's example
        row(文件标题="长" * 301, 文号="A14"),  # 18: too long
        row(成文日期="", 印发日期="", 文号="A15"),  # 19: dates missing
        row(修改失效废止日期="2015-01-01", 文号="A16"),  # 20: repealed before issued
    ]
    found = check(office_head, agency, xlsx_bytes(rows))
    where = {(p.row, p.column): p.message for p in found.problems}
    assert not any(r == 2 for r, _ in where)
    expected = {
        (3, "起草单位"): "孝义市人民政府办公室没有名为“财政局”的起草单位（现有：法规科、综合科）",
        (4, "文件标题"): "请填写文件标题",
        (5, "文件类型"): (
            "“通知”不是可以填写的文件类型，请填写政策性文件、规章、行政规范性文件或其他公文；不填为其他公文。"
        ),
        (6, "成文日期"): "“2015-02-30”不是有效的日期",
        (7, "成文日期"): "“去年”不是日期，请写作2015-04-08、2015/4/8或2015年4月8日",
        (8, "成文日期"): "晚于今天",
        (9, "印发日期"): "印发日期不能早于成文日期",
        (10, "密级状态"): "涉密文件不在本系统登记和办理",
        (11, "密级状态"): "“内部”不是可以填写的密级状态",
        (12, "效力状态"): "“作废”不是可以填写的效力状态",
        (13, "修改失效废止日期"): "请填写文件废止的日期",
        (14, "修改失效废止日期"): "效力状态是“有效”，却填写了修改、失效或废止日期",
        (15, "文号"): "与第2行的文号相同",
        (16, "文号"): "本机关已有文号为“孝政发〔2016〕1号”的文件",
        (17, "文件标题"): "这是模板中的示例行",
        (18, "文件标题"): "文件标题不能超过300个字（现有301个）",
        (19, "成文日期"): "请填写成文日期",
        (19, "印发日期"): "请填写印发日期",
        (20, "修改失效废止日期"): "废止日期不能早于印发日期",
    }
    for key, message in expected.items():
        assert message in where.get(key, ""), (key, where.get(key))
    letters = {p.column: p.letter for p in found.problems if p.column}
    assert (letters["起草单位"], letters["文号"], letters["成文日期"]) == ("A", "C", "E")
    assert not found.clean and found.documents == len(rows)


def test_nothing_is_imported_when_any_row_has_a_problem(client, office_head, units):
    rows = [*three_rows(), row(文号="孝政发〔2020〕9号", 印发日期="2015-03-01")]
    client.force_login(office_head)
    checked = upload(client, xlsx_bytes(rows))
    page = client.get(checked["Location"]).content.decode()
    assert "文件中有 1 个问题，没有导入任何文件" in page
    assert "第5行 印发日期（F列）" in page and "印发日期不能早于成文日期" in page
    assert 'id="confirm-import"' not in page
    refused = confirm(client, checked)  # a forged confirmation
    assert refused["Location"] == checked["Location"]
    assert not Job.objects.exists() and not Document.objects.exists()
    with pytest.raises(ImportRefused) as error:
        older_documents_import(
            actor=office_head,
            agency=units[0].agency,
            file=ContentFile(xlsx_bytes(rows), name="清单.xlsx"),
            name="清单.xlsx",
        )
    assert "没有导入任何文件" in error.value.messages[0]
    assert (
        not Document.objects.exists()
        and not AuditEvent.objects.filter(action="document_registered").exists()
    )


def test_headers_blank_rows_and_cells_without_a_column(office_head, agency, units):
    headers = [*HEADERS, "备注", ""]
    rows = [row(), {}, row(文号="B1", 备注="请核对")]
    content = xlsx_bytes(rows, headers)
    workbook = load_workbook(io.BytesIO(content))
    workbook.active.cell(row=4, column=len(headers), value="漏在没有列名的列里")
    buffer = io.BytesIO()
    workbook.save(buffer)
    found = check(office_head, agency, buffer.getvalue())
    messages = [(p.row, p.message) for p in found.problems]
    assert any(r == 1 and "不认识列名“备注”" in m for r, m in messages)
    assert any(r == 4 and "M列没有列名" in m and "漏在没有列名的列里" in m for r, m in messages)
    assert found.skipped == 1 and found.documents == 2

    missing = [h for h in HEADERS if h not in ("文件标题", "印发日期")]
    found = check(office_head, agency, xlsx_bytes([row()], missing))
    assert [p.message for p in found.problems] == [
        "缺少“文件标题”列。第一行应是列名，请使用模板（起草单位、文件标题、文号、文件类型、成文日期、"
        "印发日期、密级状态、效力状态、修改失效废止日期、效力说明、施行日期）。",
        "缺少“印发日期”列。第一行应是列名，请使用模板（起草单位、文件标题、文号、文件类型、成文日期、"
        "印发日期、密级状态、效力状态、修改失效废止日期、效力说明、施行日期）。",
    ]
    # Headers with notes, as people write them, are understood.
    workbook = load_workbook(io.BytesIO(xlsx_bytes([row()])))
    for cell in workbook.active[1]:
        cell.value = f"{cell.value}（选填）" if cell.value == "文号" else f"{cell.value}*"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert check(office_head, agency, buffer.getvalue()).clean


def test_too_many_rows_is_one_problem(settings, office_head, agency, units):
    settings.GONGKAI_OLDER_IMPORT_MAX_ROWS = 2
    rows = [row(文号=f"C{n}") for n in range(4)]
    found = check(office_head, agency, csv_bytes(rows), "清单.csv")
    assert [p.message for p in found.problems] == [
        "表格中超过2份文件（从第4行起超出），一次最多导入2份。请分成几个文件分批导入。"
    ]


def test_a_document_without_a_number_imported_twice_is_caught(client, office_head, units):
    minutes = [r for r in three_rows() if not r["文号"]]
    client.force_login(office_head)
    confirm(client, upload(client, csv_bytes(minutes), "纪要.csv"))
    assert Document.objects.count() == 1
    again = check(office_head, units[0].agency, csv_bytes(minutes), "纪要.csv")
    assert "可能已经导入过" in again.problems[0].message
    twice = check(office_head, units[0].agency, csv_bytes(minutes * 2), "纪要.csv")
    assert any("与第2行是同一份文件" in p.message for p in twice.problems)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("清单.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "旧版Excel（.xls）"),
        ("清单.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "旧版Excel（.xls）"),
        ("清单.xlsx", b"%PDF-1.7\n", "是PDF文件"),
        ("清单.xlsx", "起草单位,文件标题\n".encode(), "内容是文本（CSV），与扩展名.xlsx不符"),
        ("清单.csv", None, "内容是Excel工作簿，与扩展名.csv不符"),
        ("清单.xlsx", b"PK\x03\x04broken", "已损坏"),
        ("清单.txt", "起草单位\n".encode(), "请上传Excel工作簿（.xlsx）或CSV文件"),
        ("清单.csv", "起草单位,文件标题\n".encode("utf-16"), "UTF-16编码"),
        ("清单.csv", b"\x81\x30" * 10 + b"\xff\xff\xff", "无法识别"),
    ],
)
def test_files_that_are_not_the_spreadsheet_are_refused_in_chinese(
    client, office_head, units, name, content, message
):
    if content is None:
        content = xlsx_bytes([row()])
    client.force_login(office_head)
    response = upload(client, content, name)
    page = response.content.decode()
    assert response.status_code == 200 and message in page, page[-3000:]
    assert "文件没有保存" in page


def test_a_word_file_and_an_empty_file_are_refused(office_head, agency, units):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(SheetRefused, match="是Word文件"):
        check(office_head, agency, buffer.getvalue(), "清单.xlsx")
    assert "文件是空的" in check(office_head, agency, b"\n\n", "清单.csv").problems[0].message
    only_header = check(office_head, agency, csv_bytes([]), "清单.csv")
    assert only_header.problems[0].message == "文件中只有列名，没有要导入的文件。"


def test_the_problem_page_is_capped_and_the_whole_list_downloads(client, office_head, units):
    rows = [row(文号=f"D{n}", 文件类型="通知") for n in range(120)]
    client.force_login(office_head)
    checked = upload(client, csv_bytes(rows), "清单.csv")
    page = client.get(checked["Location"]).content.decode()
    assert "共 <strong>120</strong> 个问题" in page and "第 1 / 3 页" in page
    assert page.count("“通知”不是可以填写的文件类型") == 50
    last = client.get(f"{checked['Location']}?page=3").content.decode()
    assert last.count("“通知”不是可以填写的文件类型") == 20
    token = checked["Location"].rstrip("/").rsplit("/", 1)[1]
    listed = client.get(url("problems", token=token))
    assert listed["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(listed.content.decode("utf-8-sig"))))
    assert lines[0] == ["行号", "列", "列名", "问题"]
    assert len(lines) == 121 and lines[1][:3] == ["2", "D", "文件类型"]


# -- the race between check and confirmation ------------------------------------------------------


def test_a_number_registered_after_the_check_fails_the_job_and_imports_nothing(
    client, office_head, agency, units
):
    client.force_login(office_head)
    checked = upload(client, xlsx_bytes(three_rows()))
    assert "检查通过" in client.get(checked["Location"]).content.decode()
    # Meanwhile someone registers one of the file's numbers on the page.
    document_register(
        actor=office_head,
        agency=agency,
        data=DocumentData(
            title="另一份文件",
            drafting_unit_id=units[0].pk,
            number="孝政办发〔2019〕3号",
            formed_on=d("2019-03-01"),
            issued_on=d("2019-03-01"),
        ),
    )
    confirm(client, checked)
    job = Job.objects.get(kind=IMPORT_OLDER)
    assert job.status == Job.Status.FAILED
    assert job.message.startswith("没有导入任何文件，登记簿没有改动。检查之后登记簿可能已有变化")
    assert "第3行 文号（C列）：本机关已有文号为“孝政办发〔2019〕3号”的文件" in job.message
    assert list(Document.objects.values_list("title", flat=True)) == ["另一份文件"]
    assert not AuditEvent.objects.filter(reason__startswith="批量导入").exists()
    page = client.get(url("job", job_pk=job.pk)).content.decode()
    assert "本机关已有文号为“孝政办发〔2019〕3号”的文件" in page


def test_a_number_committed_by_another_transaction_mid_import_is_named(
    monkeypatch, office_head, agency, units, draft
):
    # PostgreSQL: another transaction commits the number after this one checked; the unique
    # constraint refuses the insert. Simulated by a check that does not see the number once.
    from attributes_app import older_import

    draft(title="刚登记的文件", number="孝政发〔2015〕12号")
    real = older_import._register_problems
    calls = []

    def blind_once(*args):
        calls.append(1)
        return [] if len(calls) == 1 else real(*args)

    monkeypatch.setattr(older_import, "_register_problems", blind_once)
    with pytest.raises(ImportRefused) as error:
        older_documents_import(
            actor=office_head,
            agency=agency,
            file=ContentFile(xlsx_bytes(three_rows()), name="清单.xlsx"),
            name="清单.xlsx",
        )
    message = error.value.messages[0]
    assert message.startswith("没有导入任何文件，登记簿没有改动。导入时登记簿刚好发生了变化。")
    assert "第2行 文号（C列）：本机关已有文号为“孝政发〔2015〕12号”的文件" in message
    assert list(Document.objects.values_list("title", flat=True)) == ["刚登记的文件"]
    assert not AuditEvent.objects.filter(reason__startswith="批量导入").exists()


# -- who may -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["registrar", "drafter", "unit_head", "legal_reviewer"])
def test_only_the_disclosure_office_may_import(request, client, units, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get(INDEX).status_code == 403
    assert upload(client, xlsx_bytes(three_rows())).status_code == 403
    assert client.get(url("template", fmt="xlsx")).status_code == 403
    assert 'id="older-import"' not in client.get(REGISTER).content.decode()
    with pytest.raises(NotAllowed, match="政务公开工作机构负责人"):
        check(user, units[0].agency, xlsx_bytes(three_rows()))
    with pytest.raises(NotAllowed):
        older_documents_import(
            actor=user,
            agency=units[0].agency,
            file=ContentFile(xlsx_bytes(three_rows()), name="a.xlsx"),
            name="a.xlsx",
        )
    assert not Document.objects.exists()


def test_another_agency_never_reaches_ours(
    client, office_head, other_office_head, agency, other_agency, units
):
    # Their office cannot import into our agency, nor name our units for theirs.
    with pytest.raises(NotAllowed, match="不是孝义市人民政府办公室的工作人员"):
        check(other_office_head, agency, xlsx_bytes(three_rows()))
    drafting_unit_save(actor=_admin_of(other_agency), agency=other_agency, name="办公室")
    found = check(other_office_head, other_agency, xlsx_bytes(three_rows()))
    assert "汾阳市人民政府办公室没有名为“综合科”的起草单位（现有：办公室）" in (
        found.problems[0].message
    )
    client.force_login(other_office_head)
    assert upload(client, xlsx_bytes(three_rows()), agency=agency).status_code == 200
    assert not Document.objects.exists()

    # Our upload and job are 404 for them, and for anyone in another browser session.
    client.force_login(office_head)
    checked = upload(client, xlsx_bytes(three_rows()))
    token = checked["Location"].rstrip("/").rsplit("/", 1)[1]
    confirm(client, checked)
    job = Job.objects.get()
    client.force_login(other_office_head)
    for address in (
        checked["Location"],
        url("problems", token=token),
        url("job", job_pk=job.pk),
        url("job_status", job_pk=job.pk),
        url("done", job_pk=job.pk),
    ):
        assert client.get(address).status_code == 404, address
    assert client.post(checked["Location"]).status_code == 404


def _admin_of(agency):
    from django.contrib.auth.models import User

    return _persona(User, f"admin_{agency.code}", agency, "admin")


# -- the template ---------------------------------------------------------------------------------


def test_the_workbook_template_explains_itself_and_round_trips(client, office_head, units):
    client.force_login(office_head)
    response = client.get(url("template", fmt="xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["文件清单", "填写说明"]
    sheet = workbook["文件清单"]
    assert [c.value for c in sheet[1]] == HEADERS
    example = [c.value for c in sheet[2]]
    assert example[0] == "法规科" and example[1] == EXAMPLE_TITLE
    assert example[4] == datetime(2015, 4, 3)  # noqa: DTZ001  # an Excel date cell: naive
    notes = [[c.value for c in r] for r in workbook["填写说明"].iter_rows()]
    assert notes[0] == ["列名", "是否必填", "填写说明", "可以填写的内容"]
    assert notes[8] == ["效力状态", "可不填", COLUMNS[7].explain, "有效、已修改、已失效、已废止"]
    assert notes[1][3] == "法规科、综合科"

    # Left as downloaded, the example is refused, not imported.
    found = check(office_head, units[0].agency, response.content)
    assert [p.message for p in found.problems] == [
        "这是模板中的示例行，请删除这一行，或改为真实的文件。"
    ]
    # Filled in: the example row replaced by real documents.
    sheet.delete_rows(2)
    sheet.append(["综合科", "关于加强政务公开工作的通知", "孝政办发〔2017〕8号", "其他公文"])
    sheet.cell(row=2, column=5, value=datetime(2017, 5, 2))  # noqa: DTZ001  # Excel: naive
    sheet.cell(row=2, column=6, value="2017/5/4")
    sheet.append(["法规科", "孝义市行政规范性文件管理办法", "孝政发〔2016〕2号", "行政规范性文件"])
    sheet.cell(row=3, column=5, value="2016年1月5日")
    sheet.cell(row=3, column=6, value="2016年1月8日")
    sheet.cell(row=3, column=7, value="非涉密")
    sheet.cell(row=3, column=8, value="已修改")
    sheet.cell(row=3, column=9, value=datetime(2020, 2, 1))  # noqa: DTZ001  # Excel: naive
    buffer = io.BytesIO()
    workbook.save(buffer)
    confirm(client, upload(client, buffer.getvalue(), "填好的模板.xlsx"))
    assert Job.objects.get().status == Job.Status.DONE
    amended = Document.objects.get(number="孝政发〔2016〕2号")
    assert (amended.validity, amended.validity_changed_on) == ("amended", d("2020-02-01"))
    assert Document.objects.get(number="孝政办发〔2017〕8号").issued_on == d("2017-05-04")


def test_the_csv_template_round_trips(client, office_head, units):
    client.force_login(office_head)
    response = client.get(url("template", fmt="csv"))
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == HEADERS and lines[1][1] == EXAMPLE_TITLE
    lines[1][1] = "关于做好防汛工作的通知"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(lines)
    confirm(client, upload(client, buffer.getvalue().encode("gb18030"), "模板.csv"))
    document = Document.objects.get()
    assert (document.title, document.number) == ("关于做好防汛工作的通知", "孝政发〔2015〕12号")
    assert (document.validity, document.effective_on) == ("repealed", d("2015-05-01"))


def test_the_page_explains_the_columns_and_lists_recent_imports(client, office_head, units):
    client.force_login(office_head)
    confirm(client, upload(client, xlsx_bytes(three_rows())))
    page = client.get(INDEX).content.decode()
    for column in COLUMNS:
        assert column.header in page and column.explain in page
    assert "最近的导入" in page and "已完成" in page


def test_what_the_officer_typed_comes_back_inert_in_the_problem_list(client, office_head, units):
    client.force_login(office_head)
    checked = upload(client, csv_bytes([row()], headers=[*HEADERS[:-1], "=1+1"]), "清单.csv")
    token = checked["Location"].rstrip("/").rsplit("/", 1)[1]
    listed = client.get(url("problems", token=token)).content.decode("utf-8-sig")
    first = list(csv.reader(io.StringIO(listed)))[1]
    assert first[2] == "'=1+1" and "不认识列名“=1+1”" in first[3]


def test_a_check_nobody_confirms_is_swept_after_two_days(client, office_head, units, settings):
    from attributes_app import older_uploads

    settings.SESSION_COOKIE_AGE = 7 * 24 * 3600  # the same session days later: no idle logout
    client.force_login(office_head)
    stale = upload(client, xlsx_bytes(three_rows()))
    with time_machine.travel("2026-03-06 10:00 +0800", tick=False):
        fresh = upload(client, xlsx_bytes(three_rows()))
        # The session still names it; its stored check is gone, and the page says so.
        assert client.get(stale["Location"]).status_code == 404
        assert client.post(stale["Location"]).status_code == 404
        assert client.get(fresh["Location"]).status_code == 200
    folders = older_uploads.default_storage.listdir(older_uploads.DIR)[0]
    assert folders == [fresh["Location"].rstrip("/").rsplit("/", 1)[1]]
    assert not Job.objects.exists() and not Document.objects.exists()


def test_a_job_whose_file_is_gone_says_so(office_head, agency, units):
    from workflow.jobs import run, submit

    job = submit(
        kind=IMPORT_OLDER,
        title="导入",
        actor=office_head,
        agency=agency,
        params={"path": "older-imports/0/upload.xlsx", "name": "清单.xlsx", "sha256": ""},
        total=3,
    )
    job = run(job.pk)
    assert job.status == Job.Status.FAILED
    assert job.message.startswith("上传的“清单.xlsx”已不在服务器上")


def test_one_import_at_a_time_per_agency_unless_the_other_was_cut_off(
    client, office_head, agency, units, settings
):
    from django.utils import timezone

    settings.SESSION_COOKIE_AGE = 7 * 24 * 3600  # the same session hours later: no idle logout
    client.force_login(office_head)
    other = Job.objects.create(
        kind=IMPORT_OLDER,
        title="从“另一个清单.xlsx”导入5份已印发的文件",
        agency=agency,
        created_by=office_head,
        created_at=timezone.now(),
        status=Job.Status.RUNNING,
        started_at=timezone.now(),
    )
    checked = upload(client, xlsx_bytes(three_rows()))
    waited = confirm(client, checked)
    assert waited["Location"] == checked["Location"]
    assert "正在导入另一个文件" in client.get(checked["Location"]).content.decode()
    assert not Document.objects.exists()
    with time_machine.travel("2026-03-03 13:00 +0800", tick=False):  # cut off after 2 hours
        confirm(client, checked)
    assert Document.objects.count() == 3
    assert Job.objects.exclude(pk=other.pk).get().status == Job.Status.DONE


def test_an_import_whose_process_is_gone_lets_the_officer_confirm_again_at_once(
    client, office_head, agency, units
):
    # Issue #10, point 6: an import cut off by a restart does not block the agency for 2 hours.
    import subprocess
    import sys

    from django.utils import timezone

    from workflow import jobs

    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    owner = jobs.owner_of(process.pid)
    process.kill()
    process.wait()
    client.force_login(office_head)
    checked = upload(client, xlsx_bytes(three_rows()))
    cut_off = Job.objects.create(
        kind=IMPORT_OLDER,
        title="从“已印发文件清单.xlsx”导入3份已印发的文件",
        agency=agency,
        created_by=office_head,
        created_at=timezone.now(),
        status=Job.Status.RUNNING,
        started_at=timezone.now(),
        owner=owner,
    )
    session = client.session
    entries = session["attributes_older_imports"]
    entries[checked["Location"].rstrip("/").rsplit("/", 1)[-1]]["job"] = cut_off.pk
    session["attributes_older_imports"] = entries
    session.save()
    recent = client.get(INDEX).content.decode()
    assert "办理中断（服务重启），未保存任何内容，请重新提交。" in recent
    assert "正在办理" not in recent
    page = client.get(checked["Location"]).content.decode()
    assert "这个文件已经确认导入" not in page  # the cut-off import is not taken for done
    cut_off.refresh_from_db()
    assert (cut_off.status, cut_off.message) == ("failed", jobs.INTERRUPTED)
    assert AuditEvent.objects.filter(action="job_cut_off", object_id=str(cut_off.pk)).exists()
    confirm(client, checked)
    assert Document.objects.count() == 3
    assert Job.objects.exclude(pk=cut_off.pk).get().status == Job.Status.DONE


def test_a_unit_named_like_a_formula_stays_text_in_both_templates(
    client, office_head, agency, admin_user, units
):
    # Issue #10 point 4: the templates carry the units' names, which a person typed.
    hostile = '=HYPERLINK("http://x","y")'
    drafting_unit_save(actor=admin_user, agency=agency, name=hostile)
    client.force_login(office_head)
    workbook = load_workbook(io.BytesIO(client.get(url("template", fmt="xlsx")).content))
    example = workbook["文件清单"]["A2"]
    assert (example.value, example.data_type) == (hostile, "s")
    allowed = workbook["填写说明"]["D2"]
    assert allowed.value.startswith(hostile) and allowed.data_type == "s"
    assert not [
        cell.coordinate
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    listed = client.get(url("template", fmt="csv")).content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(listed)))[1][0] == "'" + hostile


def many_rows(count: int) -> list[dict]:
    return [
        row(文件标题=f"关于第{n}批老旧小区改造项目的通知", 文号=f"孝政发〔2015〕{n}号")
        for n in range(1, count + 1)
    ]


def test_a_nul_anywhere_in_a_csv_is_named_by_row_and_column(client, office_head, agency, units):
    # Issue #10 point 7: a NUL after the first 4 KB passed the check and failed the job.
    from attributes_app.older_sheet import NUL_PROBLEM

    rows = many_rows(60)
    rows[0]["效力说明"] = "被孝政发〔2021〕7号文件\x00废止"
    rows[59]["文件标题"] = "关于第60批\x00老旧小区改造项目的通知"
    content = csv_bytes(rows)
    assert content.index(b"\x00") < 4096 < content.rindex(b"\x00")
    found = check(office_head, agency, content, "清单.csv")
    assert [(p.where(), p.message) for p in found.problems] == [
        ("第2行 效力说明（J列）", NUL_PROBLEM),
        ("第61行 文件标题（B列）", NUL_PROBLEM),
    ]
    client.force_login(office_head)
    checked = upload(client, content, "清单.csv")
    page = client.get(checked["Location"]).content.decode()
    assert "第61行" in page and "空字符" in page
    confirm(client, checked)
    assert not Document.objects.exists() and not Job.objects.exists()


def test_a_nul_in_the_header_row_is_named_and_the_rows_still_read(office_head, agency, units):
    from attributes_app.older_sheet import NUL_PROBLEM

    headers = [*HEADERS]
    headers[1] = "文件\x00标题"
    typed = row(**{headers[1]: "关于城区土地征收补偿标准的通知"})
    found = check(office_head, agency, csv_bytes([typed], headers=headers), "清单.csv")
    assert [(p.where(), p.message) for p in found.problems] == [
        ("第1行 文件标题（B列）", NUL_PROBLEM)
    ]


def test_a_binary_file_named_csv_is_still_refused_as_a_whole(office_head, agency, units):
    with pytest.raises(SheetRefused, match="不是文本文件"):
        check(office_head, agency, b"\x00\x01\x02\x03" * 2000, "清单.csv")
    # UTF-16 without its byte-order mark: every other byte is NUL.
    with pytest.raises(SheetRefused, match="不是文本文件"):
        check(
            office_head,
            agency,
            csv_bytes([row()]).decode("utf-8-sig").encode("utf-16-le"),
            "清单.csv",
        )


def test_invisible_controls_are_taken_out_of_imported_titles(client, office_head, units):
    # Issue #10 point 9: a title is read as it shows.
    client.force_login(office_head)
    rows = [row(文件标题="关于\u202e城区\u200b土地征收补偿标准的通知")]
    confirm(client, upload(client, xlsx_bytes(rows)))
    assert Document.objects.get().title == "关于城区土地征收补偿标准的通知"
