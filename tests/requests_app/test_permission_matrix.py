"""The permission matrix: every page and action × every role × own agency / another agency.

DOMAIN §1: users act for one or more agencies, and nobody sees another agency's cases. So:
- *seeing* is decided by the agency and the request roles (workflow.roles.REQUEST_ROLES): every
  registrar, handler, office head, legal reviewer and administrator of an agency sees its cases,
  lists, uploads, letters and task pages; the other roles (drafter, drafting unit head, secrecy
  reviewer) and a user without a role get 403 on all of them, since a case holds the applicant's
  ID number, phone, address and ID scans (PIPL Art. 6, minimum necessary; issue #10 point 8);
- *acting* is decided by the role: each step belongs to one role (DOMAIN §1, §3.1);
- another agency's case, letter, task or process is a 404, exactly like one that does not exist;
- the anonymous visitor is sent to the login page.

The tables below are the whole expectation, written out. Each cell is one request made with
the persona of its column against the object of its row, in a transaction rolled back after
the cell, so that every cell starts from the same state. A refused POST must change nothing:
no stage, no task, no audit event, no letter.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from attributes_app.services import (
    DocumentData,
    document_register,
    drafting_unit_save,
    request_name_document,
)
from requests_app.flows import RequestFlow, process_for, sync_process
from requests_app.models import (
    CaseDocument,
    Consultation,
    Extension,
    Fee,
    InformationRequest,
    SecrecyReview,
)
from requests_app.selectors import possible_duplicates
from requests_app.services import (
    Proposal,
    decision_propose,
    extension_approve,
    extension_ask,
    request_accept,
    request_upload,
)
from tests.conftest import _persona, make_agency, make_other_agency, walk_in_registration
from tests.requests_app.files import image
from tests.requests_app.flow_helpers import REG, STAGES, advance, register, url
from workflow.cn import cn_date
from workflow.letters.kinds import KINDS
from workflow.letters.render import FORMATS
from workflow.models import AuditEvent

R = InformationRequest

# -- the personas: one column each --------------------------------------------------------------

#: Columns of the tables, in order. All but the anonymous visitor work for the agency "own".
PERSONAS = (
    "anonymous",
    "no_role",
    "registrar",
    "handler",
    "office_head",
    "legal_reviewer",
    "drafter",
    "drafting_unit_head",
    "secrecy_reviewer",
    "admin",
)

#: The columns holding a request role (workflow.roles.REQUEST_ROLES): they read the cases.
REQUEST_PERSONAS = ("registrar", "handler", "office_head", "legal_reviewer", "admin")
#: The columns that read no case: what they see of one is what a document's attribute needs.
OTHER_PERSONAS = ("no_role", "drafter", "drafting_unit_head", "secrecy_reviewer")

# -- what a cell may say ------------------------------------------------------------------------
#   200   the page is shown
#   done  the POST took effect (and redirected on)
#   L     redirect to the login page, nothing changed
#   AL    redirect to the admin site's login page, nothing changed
#   403   forbidden, nothing changed
#   404   not found (another agency's object looks exactly like a missing one), nothing changed
#   msg   redirect back with a message saying why not, nothing changed
#   form  the page comes back with a form error saying why not, nothing changed
CODES = {"200", "done", "L", "AL", "403", "404", "msg", "form"}

TASK_URLS = ("detail", "assign", "execute", "unassign")


def _is_task_row(name: str) -> bool:
    return any(name.startswith(f"{node} {url}") for node in TASK_ROLES for url in TASK_URLS)


#: Who does each task (DOMAIN §1, §3.1): the rows of the task pages.
TASK_ROLES = {
    "accept": "handler",
    "correct": "registrar",
    "consult": "handler",
    "propose": "handler",
    "fee": "registrar",
    "legal_review": "legal_reviewer",
    "approve": "office_head",
    "serve": "registrar",
    "archive": "registrar",
}

# Objects of the agency the personas work for.
# Columns: anonymous, no role, registrar, handler, office head, legal reviewer, drafter,
# drafting unit head, secrecy reviewer, admin (系统管理员, is_staff).
# fmt: off
OWN = {
    #                             anon none reg  hand head lgl  drft unit secr admin
    "case list":                  "L    403  200  200  200  200  403  403  403  200",
    "case page":                  "L    403  200  200  200  200  403  403  403  200",
    "document":                   "L    403  200  200  200  200  403  403  403  200",
    "upload":                     "L    403  200  200  200  200  403  403  403  200",
    "register GET":               "L    403  200  403  403  403  403  403  403  403",
    "register POST":              "L    403  done 403  403  403  403  403  403  403",
    "inbox list":                 "L    403  200  200  200  200  403  403  403  200",
    "queue list":                 "L    403  200  200  200  200  403  403  403  200",
    "archive list":               "L    403  200  200  200  200  403  403  403  200",
    "bulk assign POST":           "L    403  403  done 403  403  403  403  403  403",
    "bulk unassign POST":         "L    403  403  done 403  403  403  403  403  403",
    "flow chart":                 "L    403  200  200  200  200  403  403  403  200",
    "process page":               "L    403  200  200  200  200  403  403  403  200",
    "process chart":              "L    403  200  200  200  200  403  403  403  200",
    "process cancel POST":        "L    403  403  403  403  403  403  403  403  403",
    # Case-page actions (outside the tasks).
    "extension ask POST":         "L    403  msg  done msg  msg  403  403  403  msg",
    "extension approve POST":     "L    403  msg  msg  done msg  403  403  403  msg",
    "withdraw POST":              "L    403  done done msg  msg  403  403  403  msg",
    "fee waive POST":             "L    403  msg  msg  done msg  403  403  403  msg",
    # Task pages: every node that has a view. "detail" is the read-only page of a task;
    # "assign" takes a task from the queue (queue steps only: consult and propose go straight
    # to the case's handler); "execute" and "unassign" are tried on a task its rightful
    # officer has taken, so for everyone else it is somebody else's task.
    "accept detail":              "L    403  200  200  200  200  403  403  403  200",
    "accept assign GET":          "L    403  403  200  403  403  403  403  403  403",
    "accept assign POST":         "L    403  403  done 403  403  403  403  403  403",
    "accept execute GET":         "L    403  msg  200  msg  msg  403  403  403  msg",
    "accept execute POST":        "L    403  msg  done msg  msg  403  403  403  msg",
    "accept unassign POST":       "L    403  msg  done msg  msg  403  403  403  msg",
    "correct detail":             "L    403  200  200  200  200  403  403  403  200",
    "correct assign GET":         "L    403  200  403  403  403  403  403  403  403",
    "correct assign POST":        "L    403  done 403  403  403  403  403  403  403",
    "correct execute GET":        "L    403  200  msg  msg  msg  403  403  403  msg",
    "correct execute POST":       "L    403  done msg  msg  msg  403  403  403  msg",
    "correct unassign POST":      "L    403  done msg  msg  msg  403  403  403  msg",
    "consult detail":             "L    403  200  200  200  200  403  403  403  200",
    "consult execute GET":        "L    403  msg  200  msg  msg  403  403  403  msg",
    "consult execute POST":       "L    403  msg  done msg  msg  403  403  403  msg",
    "consult unassign POST":      "L    403  msg  done msg  msg  403  403  403  msg",
    "propose detail":             "L    403  200  200  200  200  403  403  403  200",
    "propose execute GET":        "L    403  msg  200  msg  msg  403  403  403  msg",
    "propose execute POST":       "L    403  msg  done msg  msg  403  403  403  msg",
    "propose unassign POST":      "L    403  msg  done msg  msg  403  403  403  msg",
    "fee detail":                 "L    403  200  200  200  200  403  403  403  200",
    "fee assign GET":             "L    403  200  403  403  403  403  403  403  403",
    "fee assign POST":            "L    403  done 403  403  403  403  403  403  403",
    "fee execute GET":            "L    403  200  msg  msg  msg  403  403  403  msg",
    "fee execute POST":           "L    403  done msg  msg  msg  403  403  403  msg",
    "fee unassign POST":          "L    403  done msg  msg  msg  403  403  403  msg",
    "legal_review detail":        "L    403  200  200  200  200  403  403  403  200",
    "legal_review assign GET":    "L    403  403  403  403  200  403  403  403  403",
    "legal_review assign POST":   "L    403  403  403  403  done 403  403  403  403",
    "legal_review execute GET":   "L    403  msg  msg  msg  200  403  403  403  msg",
    "legal_review execute POST":  "L    403  msg  msg  msg  done 403  403  403  msg",
    "legal_review unassign POST": "L    403  msg  msg  msg  done 403  403  403  msg",
    "approve detail":             "L    403  200  200  200  200  403  403  403  200",
    "approve assign GET":         "L    403  403  403  200  403  403  403  403  403",
    "approve assign POST":        "L    403  403  403  done 403  403  403  403  403",
    "approve execute GET":        "L    403  msg  msg  200  msg  403  403  403  msg",
    "approve execute POST":       "L    403  msg  msg  done msg  403  403  403  msg",
    "approve unassign POST":      "L    403  msg  msg  done msg  403  403  403  msg",
    "serve detail":               "L    403  200  200  200  200  403  403  403  200",
    "serve assign GET":           "L    403  200  403  403  403  403  403  403  403",
    "serve assign POST":          "L    403  done 403  403  403  403  403  403  403",
    "serve execute GET":          "L    403  200  msg  msg  msg  403  403  403  msg",
    "serve execute POST":         "L    403  done msg  msg  msg  403  403  403  msg",
    "serve unassign POST":        "L    403  done msg  msg  msg  403  403  403  msg",
    "archive detail":             "L    403  200  200  200  200  403  403  403  200",
    "archive assign GET":         "L    403  200  403  403  403  403  403  403  403",
    "archive assign POST":        "L    403  done 403  403  403  403  403  403  403",
    "archive execute GET":        "L    403  200  msg  msg  msg  403  403  403  msg",
    "archive execute POST":       "L    403  done msg  msg  msg  403  403  403  msg",
    "archive unassign POST":      "L    403  done msg  msg  msg  403  403  403  msg",
    # Art. 17 ¶2: the secrecy review of what a reply discloses, on pages without the applicant's
    # data. The own agency has a secrecy reviewer, so its office head does not record it.
    "secrecy list":               "L    403  403  403  200  403  403  403  200  403",
    "secrecy review GET":         "L    403  403  403  msg  403  403  403  200  403",
    "secrecy review POST":        "L    403  403  403  msg  403  403  403  done 403",
    "secrecy file":               "L    403  403  403  404  403  403  403  200  403",
    # Tools: the rules and the sample letters hold no case data.
    "calculator":                 "L    200  200  200  200  200  200  200  200  200",
    "letter gallery":             "L    200  200  200  200  200  200  200  200  200",
    "letter preview":             "L    200  200  200  200  200  200  200  200  200",
    "admin index":                "AL   AL   AL   AL   AL   AL   AL   AL   AL   200",
}

#: The same rows against another agency's objects. Rows without an object of an agency
#: (lists, the gallery, the admin index) are not repeated here: that lists never show another
#: agency's cases is checked on their content below.
#: Another agency's case: not found for the request roles; refused, like their own agency's, for
#: the roles that see no case at all.
HIDDEN =                          "L    403  404  404  404  404  403  403  403  404"
SECRECY_HIDDEN =                  "L    403  403  403  404  403  403  403  404  403"
OTHER = {
    "register POST":              "L    403  form 403  403  403  403  403  403  403",
    "calculator":                 "L    form form form form form form form form form",
    "case page":                  HIDDEN,
    "document":                   HIDDEN,
    "upload":                     HIDDEN,
    "bulk assign POST":           HIDDEN,
    "bulk unassign POST":         HIDDEN,
    "process page":               HIDDEN,
    "process chart":              HIDDEN,
    "process cancel POST":        HIDDEN,
    "extension ask POST":         HIDDEN,
    "extension approve POST":     HIDDEN,
    "withdraw POST":              HIDDEN,
    "fee waive POST":             HIDDEN,
    # The secrecy pages: another agency's case is not found for the roles that open them.
    "secrecy review GET":         SECRECY_HIDDEN,
    "secrecy review POST":        SECRECY_HIDDEN,
    "secrecy file":               SECRECY_HIDDEN,
    # Every task URL of another agency's case.
    **{name: HIDDEN for name in OWN if _is_task_row(name)},
}
# fmt: on

#: Which open task of each stage is in whose queue, and who finds which in their inbox
#: (consult and propose go straight to the case's handler).
QUEUES = {
    "registrar": {"correct", "fee", "serve", "archive"},
    "handler": {"accept"},
    "office_head": {"approve"},
    "legal_reviewer": {"legal_review"},
}
INBOXES = {"handler": {"consult", "propose"}}

#: The letters that a case's life produces, each downloaded in every format it is kept in.
DOCUMENTS = (
    "receipt",
    "correction_notice",
    "third_party_consultation",
    "consultation_notice",
    "extension_notice",
    "fee_notice",
    "reply",
    "handling_sheet",
    "case_file",
)
QUEUE_NODES = ("accept", "correct", "fee", "legal_review", "approve", "serve", "archive")
TODAY = "2026-03-03"
#: The applicant's personal data that only the request roles may read (with the ID number and
#: phone of ``walk_in_registration``).
ADDRESS = "孝义市胜溪湖街道府前街18号"
ID_NUMBER = "11010519491231002X"
PHONE = "13800000000"


# -- the world: the same cases in both agencies, one at each stage ------------------------------


@dataclass
class Side:
    agency: object
    staff: dict  # role code -> the officer of this agency who holds it
    cases: dict = field(default_factory=dict)  # stage -> case
    #: A proposal to disclose, with a file, waiting for its secrecy review (Art. 17 ¶2).
    to_review: object = None

    def task(self, node: str) -> Task:
        case = self.cases[node]
        return Task.objects.get(
            process=process_for(case),
            flow_task=getattr(RequestFlow, node),
            status__in=(STATUS.NEW, STATUS.ASSIGNED),
        )


@dataclass
class World:
    own: Side
    other: Side
    personas: dict  # column -> user (None for the anonymous visitor)

    def side(self, name: str) -> Side:
        return self.own if name == "own" else self.other


def _build_side(agency, staff: dict, applicant: str) -> Side:
    side = Side(agency=agency, staff=staff)
    for stage in STAGES:
        case = register(
            staff["registrar"],
            agency,
            walk_in_registration,
            applicant_name=applicant,
            address=ADDRESS,
        )
        side.cases[stage] = advance(case, stage, staff)
    # The applicant's ID scan, kept with the case.
    request_upload(
        actor=staff["registrar"],
        case_id=side.cases["accept"].pk,
        kind="id_proof",
        files=[SimpleUploadedFile("身份证.png", image(), content_type="image/png")],
    )
    # Art. 33 ¶2: an extension asked and approved (its notice is a letter of the case), and one
    # asked and waiting for the office head.
    for stage, approve in (("propose", True), ("approve", False)):
        extension_ask(
            actor=staff["handler"], case_id=side.cases[stage].pk, days=10, reason="需要调取档案"
        )
        if approve:
            extension_approve(actor=staff["office_head"], case_id=side.cases[stage].pk)
    side.to_review = _waiting_for_secrecy_review(agency, staff, applicant)
    return side


def _waiting_for_secrecy_review(agency, staff: dict, applicant: str):
    case = register(
        staff["registrar"], agency, walk_in_registration, applicant_name=applicant, address=ADDRESS
    )
    request_accept(actor=staff["handler"], case_id=case.pk)
    decision_propose(
        actor=staff["handler"],
        case_id=case.pk,
        proposal=Proposal(
            outcome="disclosed",
            articles=[f"{REG}第三十六条第（二）项"],
            provided=["资金拨付明细表"],
            provide_form="electronic",
        ),
    )
    request_upload(
        actor=staff["handler"],
        case_id=case.pk,
        kind="provided",
        files=[SimpleUploadedFile("明细表.png", image(), content_type="image/png")],
    )
    sync_process(case)
    return case


@pytest.fixture(autouse=True)
def _media_in_tmp():
    """The world's letters are written once for the module (see ``world``)."""


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Both agencies' cases, built once through the services and rolled back at the end; each
    cell then runs in a savepoint of its own (like ``TestCase.setUpTestData``)."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    clock = time_machine.travel(f"{TODAY} 09:00 +0800", tick=False)
    media.enable()
    clock.start()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # a test's block that never commits, like setUpTestData's
        outer.__enter__()
        try:
            User = get_user_model()
            own_agency, other_agency = make_agency(), make_other_agency()
            other_agency.reconsideration_organ = "汾阳市人民政府"
            other_agency.court = "汾阳市人民法院"
            other_agency.save()
            personas = {"anonymous": None, "no_role": _persona(User, "no_role", own_agency)}
            for role in PERSONAS[2:]:
                username = "sysadmin" if role == "admin" else role
                personas[role] = _persona(User, username, own_agency, role)
            personas["admin"].is_staff = True
            personas["admin"].save()
            other_staff = {
                role: _persona(User, f"fenyang_{role}", other_agency, role)
                for role in ("registrar", "handler", "office_head", "legal_reviewer")
            }
            # A colleague in each request role, so that a new task waits in 待领取 for whoever
            # takes it (one officer alone in a role is given the task directly).
            for role in ("registrar", "handler", "office_head", "legal_reviewer"):
                _persona(User, f"deputy_{role}", own_agency, role)
                _persona(User, f"fenyang_deputy_{role}", other_agency, role)
            yield World(
                own=_build_side(own_agency, personas, "张明华"),
                other=_build_side(other_agency, other_staff, "李四"),
                personas=personas,
            )
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            clock.stop()
            media.disable()


@pytest.fixture(autouse=True)
def _at_world_time():
    with time_machine.travel(f"{TODAY} 10:00 +0800", tick=False):
        yield


# -- the rows: what each one requests -----------------------------------------------------------


@dataclass(frozen=True)
class Request:
    method: str
    url: Callable[[World, str], str]
    data: Callable[[World, str], dict] = lambda world, side: {}
    prepare: Callable[[World, str], None] | None = None
    #: For a "done" cell: did the POST take effect? (world, side, user) -> bool
    took_effect: Callable[[World, str, object], bool] | None = None


def _case_url(name: str, stage: str = "accept", **kwargs):
    def build(world, side):
        case = world.side(side).cases[stage]
        return reverse(f"requests:cases:{name}", kwargs={"pk": case.pk, **kwargs})

    return build


def _action(name: str, stage: str, data: dict, effect: str) -> Request:
    def took_effect(world, side, user):
        case = world.side(side).cases[stage]
        return AuditEvent.objects.filter(object_id=str(case.pk), action=effect).exists()

    return Request(
        "post",
        _case_url("action", stage, action=name),
        data=lambda world, side: data,
        took_effect=took_effect,
    )


def _document(kind: str, fmt: str) -> Request:
    def build(world, side):
        document = _documents_of(world.side(side))[kind]
        return reverse(
            "requests:cases:document",
            kwargs={"pk": document.request_id, "document_id": document.pk, "fmt": fmt},
        )

    return Request("get", build)


def _upload(world, side):
    document = CaseDocument.objects.get(
        request=world.side(side).cases["accept"], kind=CaseDocument.Kind.ID_PROOF
    )
    return reverse(
        "requests:cases:upload_file",
        kwargs={"pk": document.request_id, "document_id": document.pk},
    )


def _documents_of(side: Side) -> dict[str, CaseDocument]:
    documents = {}
    for document in CaseDocument.objects.filter(request__agency=side.agency).order_by("pk"):
        if document.is_upload:
            continue
        kind = document.letter_kind or document.kind
        if kind.startswith("reply"):
            kind = "reply"
        documents.setdefault(kind, document)
    return documents


def _owner(world, side, node):
    return world.side(side).staff[TASK_ROLES[node]]


def _take(node: str):
    """The task's rightful officer has taken it (consult and propose: already theirs)."""

    def prepare(world, side):
        task = world.side(side).task(node)
        if task.owner_id is None:
            task.flow_task.activation_class(task).assign(_owner(world, side, node))

    return prepare


def _task_url(node: str, action: str):
    def build(world, side):
        return url(world.side(side).task(node), action)

    return build


def _task_done(node: str):
    def took_effect(world, side, user):
        case = world.side(side).cases[node]
        done = Task.objects.filter(
            process=process_for(case), flow_task=getattr(RequestFlow, node), status=STATUS.DONE
        )
        return done.exists()

    return took_effect


def _assigned_to_user(node: str):
    def took_effect(world, side, user):
        return world.side(side).task(node).owner_id == user.pk

    return took_effect


def _back_in_queue(node: str):
    def took_effect(world, side, user):
        task = world.side(side).task(node)
        return (task.owner_id, task.status) == (None, STATUS.NEW)

    return took_effect


#: The main action of each task page, with valid values (field names without the prefix).
EXECUTE = {
    "accept": ("accept", {}),
    "correct": ("record", {"received_on": TODAY}),
    "consult": ("reply", {"reply": "agree", "replied_on": TODAY}),
    "propose": (
        "propose",
        {
            "outcome": "not_held",
            "articles": f"{REG}第三十六条第（四）项",
            "search_description": "检索了2025年全部收文和发文",
        },
    ),
    "fee": ("paid", {"paid_on": TODAY}),
    "legal_review": ("approve", {"comment": "合法"}),
    "approve": ("approve", {"comment": ""}),
    "serve": ("serve", {"method": "electronic", "served_on": TODAY}),
    "archive": ("archive", {}),
}


def _execute_data(node: str):
    def data(world, side):
        action, values = EXECUTE[node]
        if node == "consult":
            case = world.side(side).cases[node]
            values = {**values, "consultation": Consultation.objects.get(request=case).pk}
        return {"_action": action, **{f"{action}-{k}": v for k, v in values.items()}}

    return data


def _registration(world, side):
    agency = world.side(side).agency
    id_number = "11010519491231002X"
    # The world's cases are the same applicant's (same ID number): the registrar has been shown
    # them and confirms registering anyway (DOMAIN §3.1, Art. 36(6) repeat applications).
    shown = possible_duplicates(agency, id_number=id_number, applicant_name="王五")
    return {
        "agency": str(agency.pk),
        "kind": "disclosure",
        "channel": "in_person",
        "arrival_date": TODAY,
        "receipt_date": TODAY,
        "applicant_kind": "person",
        "applicant_name": "王五",
        "id_type": "resident_id",
        "id_number": id_number,
        "phone": "13800000000",
        "description": "2025年政府采购目录",
        "form_wanted": "electronic",
        "delivery": "email",
        "email": "wang@example.com",
        "confirm_duplicates": "on",
        "seen_duplicates": [str(c.pk) for c in shown],
        "token": uuid.uuid4().hex,
    }


def _new_case_registered(world, side, user):
    return R.objects.filter(applicant_name="王五", agency=world.side(side).agency).exists()


def _calculator(world, side):
    agency = world.side(side).agency
    query = f"agency={agency.pk}&receipt_date=2026-03-02&today={TODAY}"
    return f"{reverse('tools:deadline:index')}?{query}"


def _secrecy_url(name: str):
    def build(world, side):
        case = world.side(side).to_review
        if name == "file":
            document = case.documents.get(kind=CaseDocument.Kind.PROVIDED)
            return reverse("secrecy:replies:file", args=[case.pk, document.pk])
        return reverse(f"secrecy:replies:{name}", args=[case.pk])

    return build


def _secrecy_reviewed(world, side, user):
    return SecrecyReview.objects.filter(request=world.side(side).to_review, reviewer=user).exists()


def _bulk_assign_data(world, side):
    return {"pk": [world.side(side).task("accept").pk], "_confirm": "1"}


REQUESTS: dict[str, Request] = {
    "case list": Request("get", lambda world, side: reverse("requests:cases:index")),
    "case page": Request("get", _case_url("detail")),
    "upload": Request("get", _upload),
    "register GET": Request("get", lambda world, side: reverse("requests:register:index")),
    "register POST": Request(
        "post",
        lambda world, side: reverse("requests:register:index"),
        data=_registration,
        took_effect=_new_case_registered,
    ),
    "inbox list": Request("get", lambda world, side: reverse("requests:tasks:inbox")),
    "queue list": Request("get", lambda world, side: reverse("requests:tasks:queue")),
    "archive list": Request("get", lambda world, side: reverse("requests:tasks:archive")),
    "bulk assign POST": Request(
        "post",
        lambda world, side: reverse("requests:tasks:tasks_assign"),
        data=_bulk_assign_data,
        took_effect=_assigned_to_user("accept"),
    ),
    "bulk unassign POST": Request(
        "post",
        lambda world, side: reverse("requests:tasks:tasks_unassign"),
        data=_bulk_assign_data,
        prepare=_take("accept"),
        took_effect=_back_in_queue("accept"),
    ),
    "flow chart": Request("get", lambda world, side: reverse("requests:tasks:chart")),
    "process chart": Request(
        "get",
        lambda world, side: reverse(
            "requests:tasks:process_chart",
            args=[process_for(world.side(side).cases["accept"]).pk],
        ),
    ),
    "process page": Request(
        "get",
        lambda world, side: reverse(
            "requests:tasks:process_detail", args=[process_for(world.side(side).cases["accept"]).pk]
        ),
    ),
    "process cancel POST": Request(
        "post",
        lambda world, side: reverse(
            "requests:tasks:process_cancel", args=[process_for(world.side(side).cases["accept"]).pk]
        ),
        data=lambda world, side: {"_continue": "1"},
    ),
    "extension ask POST": _action(
        "extension_ask", "accept", {"days": "10", "reason": "需要调取档案"}, "extension_asked"
    ),
    "extension approve POST": _action("extension_approve", "approve", {}, "extension_approved"),
    "withdraw POST": _action(
        "withdraw", "accept", {"on": TODAY, "reason": "申请人书面撤回"}, "request_withdrawn"
    ),
    "fee waive POST": _action("fee_waive", "fee", {"reason": "申请人为低保对象"}, "fee_waived"),
    "secrecy list": Request("get", lambda world, side: reverse("secrecy:replies:index")),
    "secrecy review GET": Request("get", _secrecy_url("review")),
    "secrecy review POST": Request(
        "post",
        _secrecy_url("review"),
        data=lambda world, side: {"conclusion": "cleared", "opinion": "不涉及国家秘密，同意公开。"},
        took_effect=_secrecy_reviewed,
    ),
    "secrecy file": Request("get", _secrecy_url("file")),
    "calculator": Request("get", _calculator),
    "letter gallery": Request("get", lambda world, side: reverse("tools:letters:index")),
    "admin index": Request("get", lambda world, side: reverse("admin:index")),
}
for _node, _role in TASK_ROLES.items():
    REQUESTS[f"{_node} detail"] = Request("get", _task_url(_node, "detail"))
    if _node in QUEUE_NODES:
        REQUESTS[f"{_node} assign GET"] = Request("get", _task_url(_node, "assign"))
        REQUESTS[f"{_node} assign POST"] = Request(
            "post", _task_url(_node, "assign"), took_effect=_assigned_to_user(_node)
        )
    REQUESTS[f"{_node} execute GET"] = Request(
        "get", _task_url(_node, "execute"), prepare=_take(_node)
    )
    REQUESTS[f"{_node} execute POST"] = Request(
        "post",
        _task_url(_node, "execute"),
        data=_execute_data(_node),
        prepare=_take(_node),
        took_effect=_task_done(_node),
    )
    REQUESTS[f"{_node} unassign POST"] = Request(
        "post",
        _task_url(_node, "unassign"),
        prepare=_take(_node),
        took_effect=_back_in_queue(_node),
    )


# -- one cell ------------------------------------------------------------------------------------


def _state() -> tuple:
    """Everything a refused request must leave as it was."""
    return (
        list(R.objects.order_by("pk").values_list("pk", "stage", "outcome", "handler_id")),
        AuditEvent.objects.count(),
        list(Task.objects.order_by("pk").values_list("pk", "status", "owner_id")),
        CaseDocument.objects.count(),
        list(Extension.objects.order_by("pk").values_list("pk", "approved_on")),
        list(Fee.objects.order_by("pk").values_list("pk", "status")),
        list(Consultation.objects.order_by("pk").values_list("pk", "reply")),
        SecrecyReview.objects.count(),
    )


def _judge(expected: str, response, request: Request, world, side, user, before) -> str | None:
    """Why the response does not match ``expected`` (None when it does)."""
    status = response.status_code
    location = response.get("Location", "")
    if expected == "200":
        ok = status == 200
    elif expected == "done":
        ok = status == 302 and not location.startswith(("/accounts/login/", "/admin/login/"))
        if ok and not request.took_effect(world, side, user):
            return "redirected, but nothing took effect"
        return None if ok else f"got {status} {location}"
    elif expected == "L":
        ok = status == 302 and location.startswith(reverse("login"))
    elif expected == "AL":
        ok = status == 302 and location.startswith(reverse("admin:login"))
    elif expected in ("403", "404"):
        ok = status == int(expected)
    elif expected == "msg":
        said = [str(m) for m in get_messages(response.wsgi_request)]
        ok = status == 302 and not location.startswith("/accounts/login/") and any(said)
    elif expected == "form":
        form = (response.context or {}).get("form") if status == 200 else None
        ok = form is not None and bool(form.errors)
    else:
        raise AssertionError(f"unknown code {expected}")
    if not ok:
        return f"got {status} {location}".strip()
    if request.method == "post" and _state() != before:
        return "refused, but something changed"
    return None


def run_cell(world: World, name: str, request: Request, side: str, persona: str, expected: str):
    with transaction.atomic():
        try:
            if request.prepare:
                request.prepare(world, side)
            client = Client(raise_request_exception=False)
            user = world.personas[persona]
            if user is not None:
                client.force_login(user)
            before = _state() if request.method == "post" else None
            target = request.url(world, side)
            if request.method == "get":
                response = client.get(target)
            else:
                response = client.post(target, request.data(world, side))
            problem = _judge(expected, response, request, world, side, user, before)
        finally:
            transaction.set_rollback(True)
    if problem:
        return f"{name} / {persona} / {side}: expected {expected}, {problem}"
    return None


def _expectations(name: str, side: str) -> dict[str, str]:
    table = OWN if side == "own" else OTHER
    codes = table[name.split(" [")[0]].split()
    assert len(codes) == len(PERSONAS) and set(codes) <= CODES, name
    return dict(zip(PERSONAS, codes, strict=True))


def _check_row(world: World, name: str, request: Request) -> None:
    key = name.split(" [")[0]
    problems = []
    for side in ("own", "other"):
        if side == "other" and key not in OTHER:
            continue
        for persona, expected in _expectations(name, side).items():
            problem = run_cell(world, name, request, side, persona, expected)
            if problem:
                problems.append(problem)
    assert not problems, "\n".join(problems)


# -- the tests -----------------------------------------------------------------------------------


def test_every_row_has_a_request_and_every_request_a_row():
    assert set(REQUESTS) | {"document", "letter preview"} == set(OWN)
    assert set(OTHER) <= set(OWN)


@pytest.mark.parametrize("name", list(REQUESTS))
def test_matrix(world, db, name):
    # DOMAIN §1: see by agency, act by role; another agency's objects are not found.
    _check_row(world, name, REQUESTS[name])


@pytest.mark.parametrize(
    ("kind", "fmt"),
    # The case file is kept as PDF only; every letter in both formats.
    [(kind, fmt) for kind in DOCUMENTS for fmt in FORMATS if (kind, fmt) != ("case_file", "docx")],
)
def test_matrix_every_document_download(world, db, kind, fmt):
    # DOMAIN §1: a case's letters are the case's data.
    _check_row(world, f"document [{kind}.{fmt}]", _document(kind, fmt))


def test_the_world_holds_every_kind_of_document_the_matrix_downloads(world, db):
    for side in (world.own, world.other):
        assert set(_documents_of(side)) == set(DOCUMENTS)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", list(KINDS))
def test_matrix_every_letter_preview(world, db, kind, fmt, monkeypatch):
    # Who may fetch a sample; rendering itself is tested in tests/letters/test_gallery.py.
    monkeypatch.setattr(
        "workflow.letters.views.render_letter", lambda kind, context, fmt, **options: b"%PDF-sample"
    )
    request = Request("get", lambda world, side: reverse("tools:letters:file", args=[kind, fmt]))
    _check_row(world, f"letter preview [{kind}.{fmt}]", request)


# -- lists: what they show, not only that they open ---------------------------------------------


def _numbers_on(page: str, side: Side) -> set[str]:
    """The stages of ``side``'s cases whose case number appears on ``page``."""
    return {stage for stage, case in side.cases.items() if case.case_number in page}


@pytest.mark.parametrize("persona", REQUEST_PERSONAS)
def test_lists_show_the_own_agencys_cases_and_never_another_agencys(world, db, persona):
    # DOMAIN §1: "users see and act only on their agencies' cases, in every list".
    client = Client()
    client.force_login(world.personas[persona])
    # The list opens on the cases not yet finished; "全部" shows the archived one too.
    opened = client.get(reverse("requests:cases:index")).content.decode()
    assert _numbers_on(opened, world.own) == set(STAGES) - {"closed"}
    cases = client.get(reverse("requests:cases:index"), {"show": "all"}).content.decode()
    assert _numbers_on(cases, world.own) == set(STAGES)
    searches = {
        # Filters and the search cannot reach another agency's cases either.
        "cases by agency": {"agency": world.other.agency.pk, "show": "all"},
        "cases by number": {"q": world.other.cases["accept"].case_number, "show": "all"},
        "cases by applicant": {"q": "李四", "show": "all"},
    }
    pages = {"cases": cases}
    for name, query in searches.items():
        page = client.get(reverse("requests:cases:index"), query).content.decode()
        pages[name] = page.replace(str(query.get("q", "")), "")  # the search box echoes it
    for name in ("inbox", "queue", "archive"):
        pages[name] = client.get(reverse(f"requests:tasks:{name}")).content.decode()
    assert _numbers_on(pages["queue"], world.own) == QUEUES.get(persona, set())
    assert _numbers_on(pages["inbox"], world.own) == INBOXES.get(persona, set())
    own_link = reverse("requests:cases:detail", args=[world.own.cases["accept"].pk])
    assert f'"{own_link}' in cases  # the links are looked for as they are written
    theirs = world.other.cases.values()
    links = [reverse("requests:cases:detail", args=[case.pk]) for case in theirs]
    links += [f"/requests/tasks/{process_for(case).pk}/" for case in theirs]
    for name, page in pages.items():
        assert _numbers_on(page, world.other) == set(), name
        assert "李四" not in page and world.other.agency.name not in page, name
        assert not [link for link in links if f'"{link}' in page], name


def test_the_calculator_offers_only_the_users_agencies_calendars(world, db):
    client = Client()
    client.force_login(world.personas["handler"])
    page = client.get(reverse("tools:deadline:index")).content.decode()
    assert world.own.agency.name in page
    assert world.other.agency.name not in page


def test_taking_all_of_the_queue_takes_only_ones_own_queue(world, db):
    client = Client()
    client.force_login(world.personas["registrar"])
    response = client.post(
        reverse("requests:tasks:tasks_assign"), {"select_all": "1", "_confirm": "1"}
    )
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["已领取所选任务。"]
    taken = Task.objects.filter(owner=world.personas["registrar"], status=STATUS.ASSIGNED)
    assert {world.own.cases[t.flow_task.name] for t in taken} == {
        world.own.cases[node] for node in QUEUES["registrar"]
    }
    assert not Task.objects.filter(
        owner=world.personas["registrar"],
        process__in=[process_for(case) for case in world.other.cases.values()],
    ).exists()


def test_a_document_of_another_agency_cannot_be_reached_through_ones_own_case(world, db):
    theirs = _documents_of(world.other)["receipt"]
    client = Client()
    client.force_login(world.personas["registrar"])
    own_case = world.own.cases["accept"]
    response = client.get(
        reverse(
            "requests:cases:document",
            kwargs={"pk": own_case.pk, "document_id": theirs.pk, "fmt": "pdf"},
        )
    )
    assert response.status_code == 404


# -- need to know: what the roles without a request role see of a case --------------------------


def _waiting_document(world):
    """A 2019 document of the unit the unit head heads (the drafter drafts in it), without
    attribute, named by the own agency's case at acceptance: a determination the case waits for."""
    own = world.own
    unit = drafting_unit_save(
        actor=world.personas["admin"],
        agency=own.agency,
        name="综合科",
        members=[world.personas["drafter"]],
        heads=[world.personas["drafting_unit_head"]],
    )
    document = document_register(
        actor=world.personas["office_head"],
        agency=own.agency,
        data=DocumentData(
            title="关于城区老旧小区改造项目资金安排的通知",
            number="孝政办发〔2019〕23号",
            drafting_unit_id=unit.pk,
            formed_on=date(2019, 6, 14),
            issued_on=date(2019, 6, 17),
        ),
    )
    request_name_document(
        actor=world.personas["handler"], case_id=own.cases["accept"].pk, document_id=document.pk
    )
    return document


def _personal_data_in(page: str) -> list[str]:
    return [
        text
        for text in ("张明华", ID_NUMBER, PHONE, ADDRESS, "身份证.png", "zhang@example.com")
        if text in page
    ]


def test_the_world_holds_the_personal_data_the_other_roles_must_not_see(world, db):
    # The checks below would pass on an empty page: the request roles do see these data.
    client = Client()
    client.force_login(world.personas["handler"])
    case = world.own.cases["accept"]
    page = client.get(reverse("requests:cases:detail", args=[case.pk])).content.decode()
    assert _personal_data_in(page) == [
        "张明华",
        ID_NUMBER,
        PHONE,
        ADDRESS,
        "身份证.png",
        "zhang@example.com",
    ]


@pytest.mark.parametrize("persona", OTHER_PERSONAS)
def test_the_roles_without_a_request_role_see_no_applicant_data(world, db, persona):
    # Issue #10 point 8, PIPL Art. 6: a drafter, unit head or secrecy reviewer of the case's
    # own agency reads of a case only what the attribute of a document it names needs.
    document = _waiting_document(world)
    client = Client()
    client.force_login(world.personas[persona])
    pages = {
        "landing": client.get("/", follow=True),
        "work": client.get(reverse("attributes:work:index")),
        "register": client.get(reverse("attributes:documents:index")),
        "document": client.get(reverse("attributes:documents:detail", args=[document.pk])),
        "determinations": client.get(reverse("attributes:determinations:index")),
        "determination": client.get(
            reverse("attributes:determinations:detail", args=[document.pk])
        ),
    }
    case_link = reverse("requests:cases:detail", args=[world.own.cases["accept"].pk])
    for name, response in pages.items():
        assert response.status_code in (200, 403), name
        page = response.content.decode()
        assert _personal_data_in(page) == [], name
        # No way into the cases: no link to the case, no 依申请公开 menu.
        assert f'"{case_link}' not in page, name
        assert "申请台账" not in page and "/requests/" not in page, name


def test_the_unit_head_sees_what_the_determination_needs_of_the_case(world, db):
    # Issue #10 point 8: the case number, receipt date, request text and due date; no applicant.
    document = _waiting_document(world)
    case = R.objects.get(pk=world.own.cases["accept"].pk)
    client = Client()
    client.force_login(world.personas["drafting_unit_head"])
    page = client.get(reverse("attributes:determinations:detail", args=[document.pk]))
    assert page.status_code == 200
    waiting = page.content.decode().split('id="waiting"', 1)[1].split("</ul>", 1)[0]
    assert case.case_number in waiting
    assert "收到申请之日2026年3月2日" in waiting
    assert "2025年孝义市城区老旧小区改造项目的资金拨付明细" in waiting
    assert f"答复期限{cn_date(case.due_date)}" in waiting
    listed = client.get(reverse("attributes:determinations:index")).content.decode()
    assert case.case_number in listed
    assert _personal_data_in(listed) == []
    # The office head holds a request role: the same page links to the case.
    client.force_login(world.personas["office_head"])
    page = client.get(reverse("attributes:determinations:detail", args=[document.pk]))
    link = reverse("requests:cases:detail", args=[case.pk])
    assert f'href="{link}"' in page.content.decode()


@pytest.mark.parametrize(
    ("persona", "landing"),
    [
        ("registrar", "requests:cases:index"),
        ("handler", "requests:cases:index"),
        ("office_head", "requests:cases:index"),
        ("legal_reviewer", "requests:cases:index"),
        ("admin", "requests:cases:index"),
        ("drafter", "attributes:work:index"),
        ("drafting_unit_head", "attributes:work:index"),
        ("secrecy_reviewer", "attributes:work:index"),
        ("no_role", "tools:deadline:index"),
    ],
)
def test_each_role_lands_on_its_own_work_after_login(world, db, persona, landing):
    # Issue #10 point 8: drafters land on their work list of documents, not on the cases.
    client = Client()
    response = client.post(
        reverse("login"), {"username": world.personas[persona].username, "password": "pw"}
    )
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert (response.status_code, response["Location"]) == (302, reverse(landing))
    assert client.get(response["Location"]).status_code == 200


def test_the_menu_offers_the_requests_only_to_the_request_roles(world, db):
    for persona in PERSONAS[1:]:
        client = Client()
        client.force_login(world.personas[persona])
        page = client.get(reverse("tools:deadline:index")).content.decode()
        shown = f'href="{reverse("requests:index")}"' in page
        assert shown == (persona in REQUEST_PERSONAS), persona
