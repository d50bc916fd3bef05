"""Objects for the API's generated and matrix tests, made with the real services as officers and
OA make them: for one agency, a case just registered and one replied to (with its letters), an
uploaded file, a drafting unit, documents pushed from OA (one proposed, one issued), a webhook
endpoint, and a client of that agency holding every scope. ``seed(agency)`` returns their ids.

Webhook deliveries are left queued (``GONGKAI_JOBS=queue`` in the callers): nothing here calls
out of the machine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from attributes_app.services import (
    DocumentData,
    document_publish,
    document_register,
    drafting_unit_save,
    secrecy_review_record,
)
from attributes_app.services.oa import OaDocument, document_upsert
from requests_app.models import CaseDocument
from requests_app.services import (
    Proposal,
    Registration,
    decision_approve,
    decision_propose,
    decision_record_secrecy_review,
    request_accept,
    request_register,
    request_upload,
)
from requests_app.services.submissions import OnlineApplication, submission_create
from tests.attributes_app.helpers import issued
from workflow.api.clients import ClientData, client_create
from workflow.api.scopes import SCOPES

DAY = date(2026, 3, 2)  # a Monday
REG = "《中华人民共和国政府信息公开条例》"
SYSTEM = "oa"
PAGE = "https://www.example.gov.cn/zwgk/2026/"
#: A blank one-page PDF (what an applicant's scan is, as far as the checks go).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n165\n%%EOF\n"
)


@dataclass
class Seeds:
    agency_id: int
    token: str = ""
    client_id: int = 0
    #: kind → object id (``case``, ``letter`` …), for path parameters and bodies.
    ids: dict[str, object] = field(default_factory=dict)

    def __getitem__(self, kind: str):
        return self.ids[kind]


def persona(agency, username: str, role: str):
    user = get_user_model().objects.create_user(username=f"{username}-{agency.code}", password="pw")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    agency.staff.add(user)
    return user


def registration(**changes) -> Registration:
    values = {
        "channel": "in_person",
        "arrival_date": DAY,
        "receipt_date": DAY,
        "applicant_kind": "person",
        "applicant_name": "张明华",
        "id_type": "resident_id",
        "id_number": "11010519491231002X",
        "phone": "13800000000",
        "description": "2025年城区老旧小区改造项目的资金拨付明细",
        "form_wanted": "electronic",
        "delivery": "email",
        "email": "zhang@example.com",
    }
    values.update(changes)
    return Registration(**values)


def replied(case_id: int, *, handler, office_head) -> None:
    """The case accepted, its disclosure proposed, cleared and approved: the reply is issued."""
    request_accept(actor=handler, case_id=case_id, today=DAY)
    decision_propose(
        actor=handler,
        case_id=case_id,
        proposal=Proposal(
            outcome="disclosed",
            articles=[f"{REG}第三十六条第（二）项"],
            provided=["资金拨付明细表"],
            provide_form="electronic",
        ),
        today=date(2026, 3, 9),
    )
    decision_record_secrecy_review(
        actor=office_head,
        case_id=case_id,
        passed=True,
        opinion="经审查，拟公开的信息不涉及国家秘密。",
        today=date(2026, 3, 10),
    )
    decision_approve(actor=office_head, case_id=case_id, today=date(2026, 3, 10))


def online_application(**changes) -> OnlineApplication:
    values = {
        "applicant_kind": "person",
        "applicant_name": "王芳",
        "id_type": "resident_id",
        "id_number": "11010519491231002X",
        "phone": "13900000000",
        "description": "2025年本市公共租赁住房分配结果",
        "form_wanted": "electronic",
        "delivery": "email",
        "email": "wang@example.com",
    }
    values.update(changes)
    return OnlineApplication(**values)


def publishable(agency, unit, *, drafter, unit_head, reviewer, **changes):
    """A proactive document issued and cleared by the secrecy review: ready to publish."""
    values = {"title": "关于做好城区供暖工作的通知", "drafting_unit_id": unit.pk, "kind": "other"}
    values.update(changes)
    document = document_register(actor=drafter, agency=agency, data=DocumentData(**values))
    document = issued(document, drafter=drafter, head=unit_head)
    secrecy_review_record(
        actor=reviewer,
        document_id=document.pk,
        conclusion="cleared",
        opinion="经审查，不涉及国家秘密和工作秘密，同意公开。",
    )
    return document


def client_for(agency, *, actor, scopes=None, name="测试系统"):
    """A client of ``agency`` (every scope unless told) that is never throttled here."""
    return client_create(
        actor=actor,
        agency=agency,
        data=ClientData(
            name=name,
            system_code=SYSTEM,
            scopes=list(SCOPES) if scopes is None else list(scopes),
            rate=100_000,
        ),
    )


def seed(agency, *, superuser) -> Seeds:
    """Every kind of object the endpoints address, in ``agency``, and a client with every scope."""
    from workflow.webhooks import endpoint_create

    if not agency.reconsideration_organ:
        # A reply names where to appeal (Art. 36): the agency must say it.
        agency.reconsideration_organ = f"{agency.name.removesuffix('办公室')}"
        agency.court = f"{agency.name[:3]}人民法院"
        agency.save()
    registrar = persona(agency, "registrar", "registrar")
    handler = persona(agency, "handler", "handler")
    office_head = persona(agency, "office_head", "office_head")
    drafter = persona(agency, "drafter", "drafter")
    unit_head = persona(agency, "unit_head", "drafting_unit_head")
    admin = persona(agency, "admin", "admin")
    client, token = client_for(agency, actor=superuser)
    ids: dict[str, object] = {}

    case = request_register(actor=registrar, agency=agency, data=registration(), today=DAY)
    ids["case"] = case.pk
    [upload] = request_upload(
        actor=registrar,
        case_id=case.pk,
        kind="application",
        files=[SimpleUploadedFile("申请书.pdf", PDF)],
        today=DAY,
    )
    ids["upload"] = upload.pk
    ids["receipt"] = CaseDocument.objects.get(request=case, letter_kind="receipt").pk

    answered = request_register(
        actor=registrar,
        agency=agency,
        data=registration(applicant_name="李华", description="2025年城区道路维修资金"),
        today=DAY,
    )
    replied(answered.pk, handler=handler, office_head=office_head)
    ids["replied"] = answered.pk
    ids["reply"] = CaseDocument.objects.get(request=answered, letter_kind="reply").pk

    unit = drafting_unit_save(
        actor=admin, agency=agency, name="综合科", members=[drafter], heads=[unit_head]
    )
    ids["unit"] = unit.pk
    document, _ = document_upsert(
        actor=client.user,
        agency=agency,
        system_code=SYSTEM,
        external_id=f"OA-{agency.code}-2026-0001",
        data=OaDocument(
            title="关于做好2026年城区老旧小区改造工作的通知",
            drafting_unit_id=unit.pk,
            kind="other",
            attribute="proactive",
        ),
        today=DAY,
    )
    ids["document"] = document.pk
    ids["external_id"] = document.external_id

    reviewer = persona(agency, "secrecy_reviewer", "secrecy_reviewer")
    people = {"drafter": drafter, "unit_head": unit_head, "reviewer": reviewer}
    ids["publishable"] = publishable(agency, unit, **people).pk
    published = publishable(agency, unit, title="关于城区燃气管网改造的公告", **people)
    document_publish(actor=client.user, document_id=published.pk, url=f"{PAGE}1.html")
    ids["published"] = published.pk
    policy = publishable(agency, unit, title="城区老旧小区改造实施办法", kind="policy", **people)
    document_publish(actor=client.user, document_id=policy.pk, url=f"{PAGE}2.html")
    ids["policy"] = policy.pk

    submission = submission_create(
        actor=client.user, agency=agency, data=online_application(), external_ref="WEB-1"
    )
    ids["submission"] = submission.pk

    endpoint, _ = endpoint_create(
        actor=client.user,
        client=client,
        url="https://oa.example.invalid/gongkai/events",
        events=[],
    )
    ids["webhook"] = endpoint.pk
    return Seeds(agency_id=agency.pk, token=token, client_id=client.pk, ids=ids)
