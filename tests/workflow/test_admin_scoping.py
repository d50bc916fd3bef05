"""The permission matrix of the admin site: every admin page × four personas, with real objects of
two agencies (issue #10, point 2; DOMAIN §1: nobody sees another agency's data).

- ``superuser``: the installation's; everything, except deleting what must never be deleted.
- ``admin``: role 系统管理员 of agency 甲 (the objects of the rows belong to 甲).
- ``other_admin``: role 系统管理员 of agency 乙; 甲's objects look exactly like missing ones.
- ``staff``: a 承办人 of 甲 who may open the admin (``is_staff``) but holds no admin permission.

Installation-wide things (agencies themselves, the State Council calendar, adjustments for all
agencies, role groups, login lockouts, the engine's processes and tasks) are the superuser's.
The letter rows are read with the letter permissions granted to both administrators, to show that
the permission alone never opens another agency's templates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Process, Task

from requests_app.flows import process_for
from tests.conftest import _persona, d, make_agency, make_other_agency, walk_in_registration
from tests.requests_app.flow_helpers import register
from tests.workflow.test_services import _schedule_2027
from workflow.letters.engine import builtin_source
from workflow.letters.models import IssuedLetter, TemplateOverride
from workflow.models import Agency, AuditEvent, CalendarAdjustment, HolidaySchedule
from workflow.services import calendar_adjustment_save, holiday_schedule_import

PERSONAS = ("superuser", "admin", "other_admin", "staff")

#   200   the page is shown          gone  "not found" exactly as for a missing object
#   403   forbidden                  404   not found (a page of the admin's own, not a form)
# fmt: off
MATRIX = {
    # page                           superuser admin other_admin staff
    "admin index":                   "200  200  200  200",
    "user list":                     "200  200  200  403",
    "user add":                      "200  200  200  403",
    "user change":                   "200  200  gone 403",
    "user password":                 "200  200  404  403",
    "user history":                  "200  200  gone 403",
    "user delete":                   "200  403  403  403",
    "superuser change":              "200  gone gone 403",
    "group list":                    "200  403  403  403",
    "group change":                  "200  403  403  403",
    "agency list":                   "200  200  200  403",
    "agency add":                    "200  403  403  403",
    "agency change":                 "200  200  gone 403",
    "agency delete":                 "200  403  403  403",
    "adjustment list":               "200  200  200  403",
    "adjustment add":                "200  200  200  403",
    "adjustment change":             "200  200  gone 403",
    "adjustment delete":             "200  200  gone 403",
    "national adjustment change":    "200  200  200  403",
    "national adjustment delete":    "200  403  403  403",
    "holiday list":                  "200  200  200  403",
    "holiday import":                "200  403  403  403",
    "holiday change":                "200  200  200  403",
    "holiday delete":                "403  403  403  403",
    "audit list":                    "200  200  200  403",
    "audit change":                  "200  200  gone 403",
    "audit delete":                  "403  403  403  403",
    "override list":                 "200  200  200  403",
    "override change":               "200  200  gone 403",
    "override delete":               "200  200  gone 403",
    "override preview":              "200  200  404  403",
    "letter list":                   "200  200  200  403",
    "letter change":                 "200  200  gone 403",
    "letter delete":                 "403  403  403  403",
    "process list":                  "200  403  403  403",
    "process change":                "200  403  403  403",
    "process delete":                "403  403  403  403",
    "task list":                     "200  403  403  403",
    "task change":                   "200  403  403  403",
    "task delete":                   "403  403  403  403",
    "lockout list":                  "200  403  403  403",
    "lockout delete":                "200  403  403  403",
}
# fmt: on


@dataclass
class World:
    people: dict = field(default_factory=dict)
    own: dict = field(default_factory=dict)  # 甲's objects
    other: dict = field(default_factory=dict)  # 乙's objects


def _admin(django_user_model, username, agency):
    user = _persona(django_user_model, username, agency, "admin")
    user.is_staff = True
    user.save()
    letter_permissions = Permission.objects.filter(
        content_type__app_label="letters",
        codename__in=[
            "view_templateoverride",
            "add_templateoverride",
            "change_templateoverride",
            "delete_templateoverride",
            "view_issuedletter",
        ],
    )
    user.user_permissions.add(*letter_permissions)
    return user


def _objects(agency, people, registrar) -> dict:
    """One object of every scoped kind for ``agency``, made the way people make them."""
    admin = people["admin"] if agency.code == "xiaoyi" else people["other_admin"]
    adjustment, _ = calendar_adjustment_save(
        actor=admin, day=d("2026-03-04"), kind="off", reason=f"{agency.code}纪念日", agency=agency
    )
    case = register(registrar, agency, walk_in_registration)
    process = process_for(case)
    return {
        "user": _persona(type(admin), f"clerk-{agency.code}", agency, "handler"),
        "agency": agency,
        "adjustment": adjustment,
        "event": AuditEvent.objects.filter(agency=agency).first(),
        "override": TemplateOverride.objects.create(
            agency=agency, name="reply.txt", source=builtin_source("reply.txt"), updated_by=admin
        ),
        "letter": IssuedLetter.objects.create(
            agency=agency,
            kind="acknowledgement",
            number=f"{agency.code}-1",
            template_version="builtin",
            issued_at=timezone.now(),
            issued_by=registrar,
        ),
        "process": process,
        "task": process.task_set.order_by("pk").first(),
    }


@pytest.fixture
def world(django_user_model, superuser) -> World:
    own, other = make_agency(), make_other_agency()
    people = {
        "superuser": superuser,
        "admin": _admin(django_user_model, "admin-xiaoyi", own),
        "other_admin": _admin(django_user_model, "admin-fenyang", other),
    }
    staff = _persona(django_user_model, "staff-xiaoyi", own, "handler")
    staff.is_staff = True
    staff.save()
    people["staff"] = staff
    world = World(people=people)
    registrar_own = _persona(django_user_model, "reg-xiaoyi", own, "registrar")
    registrar_other = _persona(django_user_model, "reg-fenyang", other, "registrar")
    world.own = _objects(own, people, registrar_own)
    world.other = _objects(other, people, registrar_other)
    world.own["national"], _ = calendar_adjustment_save(
        actor=superuser, day=d("2026-03-05"), kind="off", reason="更正全国安排", agency=None
    )
    holiday_schedule_import(actor=superuser, schedule=_schedule_2027())
    world.own["schedule"] = HolidaySchedule.objects.get(year=2027)
    world.own["superuser"] = superuser
    world.own["group"] = Group.objects.get(name="admin")
    world.own["attempt"] = AccessAttempt.objects.create(
        username="clerk-xiaoyi",
        ip_address="10.0.0.9",
        user_agent="test",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
        failures_since_start=5,
        attempt_time=timezone.now(),
    )
    return world


def _admin_url(name: str, *args) -> str:
    return reverse(f"admin:{name}", args=args)


def _object_url(app_model: str, action: str) -> Callable[[dict], str]:
    return lambda objects, key: _admin_url(f"{app_model}_{action}", objects[key].pk)


URLS: dict[str, Callable[[dict], str]] = {
    "admin index": lambda o: _admin_url("index"),
    "user list": lambda o: _admin_url("auth_user_changelist"),
    "user add": lambda o: _admin_url("auth_user_add"),
    "user change": lambda o: _admin_url("auth_user_change", o["user"].pk),
    "user password": lambda o: _admin_url("auth_user_password_change", o["user"].pk),
    "user history": lambda o: _admin_url("auth_user_history", o["user"].pk),
    "user delete": lambda o: _admin_url("auth_user_delete", o["user"].pk),
    "superuser change": lambda o: _admin_url("auth_user_change", o["superuser"].pk),
    "group list": lambda o: _admin_url("auth_group_changelist"),
    "group change": lambda o: _admin_url("auth_group_change", o["group"].pk),
    "agency list": lambda o: _admin_url("workflow_agency_changelist"),
    "agency add": lambda o: _admin_url("workflow_agency_add"),
    "agency change": lambda o: _admin_url("workflow_agency_change", o["agency"].pk),
    "agency delete": lambda o: _admin_url("workflow_agency_delete", o["agency"].pk),
    "adjustment list": lambda o: _admin_url("workflow_calendaradjustment_changelist"),
    "adjustment add": lambda o: _admin_url("workflow_calendaradjustment_add"),
    "adjustment change": lambda o: _admin_url(
        "workflow_calendaradjustment_change", o["adjustment"].pk
    ),
    "adjustment delete": lambda o: _admin_url(
        "workflow_calendaradjustment_delete", o["adjustment"].pk
    ),
    "national adjustment change": lambda o: _admin_url(
        "workflow_calendaradjustment_change", o["national"].pk
    ),
    "national adjustment delete": lambda o: _admin_url(
        "workflow_calendaradjustment_delete", o["national"].pk
    ),
    "holiday list": lambda o: _admin_url("workflow_holidayschedule_changelist"),
    "holiday import": lambda o: _admin_url("workflow_holidayschedule_import"),
    "holiday change": lambda o: _admin_url("workflow_holidayschedule_change", o["schedule"].pk),
    "holiday delete": lambda o: _admin_url("workflow_holidayschedule_delete", o["schedule"].pk),
    "audit list": lambda o: _admin_url("workflow_auditevent_changelist"),
    "audit change": lambda o: _admin_url("workflow_auditevent_change", o["event"].pk),
    "audit delete": lambda o: _admin_url("workflow_auditevent_delete", o["event"].pk),
    "override list": lambda o: _admin_url("letters_templateoverride_changelist"),
    "override change": lambda o: _admin_url("letters_templateoverride_change", o["override"].pk),
    "override delete": lambda o: _admin_url("letters_templateoverride_delete", o["override"].pk),
    "override preview": lambda o: _admin_url("letters_templateoverride_preview", o["override"].pk),
    "letter list": lambda o: _admin_url("letters_issuedletter_changelist"),
    "letter change": lambda o: _admin_url("letters_issuedletter_change", o["letter"].pk),
    "letter delete": lambda o: _admin_url("letters_issuedletter_delete", o["letter"].pk),
    "process list": lambda o: _admin_url("viewflow_process_changelist"),
    "process change": lambda o: _admin_url("viewflow_process_change", o["process"].pk),
    "process delete": lambda o: _admin_url("viewflow_process_delete", o["process"].pk),
    "task list": lambda o: _admin_url("viewflow_task_changelist"),
    "task change": lambda o: _admin_url("viewflow_task_change", o["task"].pk),
    "task delete": lambda o: _admin_url("viewflow_task_delete", o["task"].pk),
    "lockout list": lambda o: _admin_url("axes_accessattempt_changelist"),
    "lockout delete": lambda o: _admin_url("axes_accessattempt_delete", o["attempt"].pk),
}


def _outcome(response) -> str:
    if response.status_code == 302 and response["Location"] == reverse("admin:index"):
        return "gone"
    return str(response.status_code)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_admin_page_has_a_row():
    assert set(URLS) == set(MATRIX)


@pytest.mark.django_db
def test_the_admin_permission_matrix(world):
    """# issue #10 point 2: one request per cell, against 甲's objects."""
    problems = []
    for page, row in MATRIX.items():
        for persona, expected in zip(PERSONAS, row.split(), strict=True):
            response = _client(world.people[persona]).get(URLS[page](world.own))
            got = _outcome(response)
            if got != expected:
                problems.append(f"{page} × {persona}: expected {expected}, got {got}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_another_agencys_object_looks_like_a_missing_one(world):
    client = _client(world.people["other_admin"])
    missing = client.get(_admin_url("workflow_calendaradjustment_change", 999_999))
    theirs = client.get(
        _admin_url("workflow_calendaradjustment_change", world.own["adjustment"].pk)
    )
    assert (missing.status_code, missing["Location"]) == (theirs.status_code, theirs["Location"])


LISTS = {
    "auth_user": "user",
    "workflow_agency": "agency",
    "workflow_calendaradjustment": "adjustment",
    "workflow_auditevent": "event",
    "letters_templateoverride": "override",
    "letters_issuedletter": "letter",
}


@pytest.mark.django_db
def test_lists_show_only_the_users_own_agencies(world):
    for app_model, key in LISTS.items():
        for persona, mine, theirs in (
            ("admin", world.own, world.other),
            ("other_admin", world.other, world.own),
        ):
            page = _client(world.people[persona]).get(_admin_url(f"{app_model}_changelist"))
            html = page.content.decode()
            assert page.status_code == 200
            assert _admin_url(f"{app_model}_change", mine[key].pk) in html, (app_model, persona)
            assert _admin_url(f"{app_model}_change", theirs[key].pk) not in html, (
                app_model,
                persona,
            )
        everything = _client(world.people["superuser"]).get(_admin_url(f"{app_model}_changelist"))
        for objects in (world.own, world.other):
            assert _admin_url(f"{app_model}_change", objects[key].pk) in everything.content.decode()
    # The agency filter names no other agency either.
    page = _client(world.people["admin"]).get(_admin_url("workflow_auditevent_changelist"))
    assert world.other["agency"].name not in page.content.decode()


# -- refused POSTs change nothing -------------------------------------------------------------


def _state() -> tuple:
    User = Group.user_set.rel.related_model
    return (
        sorted(CalendarAdjustment.objects.values_list("pk", "agency_id", "day", "kind", "reason")),
        sorted(Agency.staff.through.objects.values_list("agency_id", "user_id")),
        sorted(User.groups.through.objects.values_list("user_id", "group_id")),
        sorted(User.objects.values_list("pk", "is_active", "is_staff", "is_superuser", "password")),
        sorted(Agency.objects.values_list("pk", "name", "office_phone")),
        sorted(TemplateOverride.objects.values_list("pk", "source")),
        AuditEvent.objects.count(),
        Process.objects.count(),
        Task.objects.count(),
        HolidaySchedule.objects.count(),
    )


def _refused_posts(world) -> list[tuple[str, str, dict]]:
    own, other_agency = world.own, world.other["agency"]
    return [
        # another agency's objects
        (
            "workflow_calendaradjustment_change",
            own["adjustment"].pk,
            {"agency": own["agency"].pk, "day": "2026-03-09", "kind": "off", "reason": "x"},
        ),
        ("workflow_calendaradjustment_delete", own["adjustment"].pk, {"post": "yes"}),
        ("workflow_agency_change", own["agency"].pk, {"name": "改名", "office_phone": "1"}),
        ("auth_user_change", own["user"].pk, {"username": "x", "is_active": ""}),
        (
            "auth_user_password_change",
            own["user"].pk,
            {"password1": "Xk2!pass-word-9", "password2": "Xk2!pass-word-9"},
        ),
        ("letters_templateoverride_change", own["override"].pk, {"source": "x"}),
        ("letters_templateoverride_delete", own["override"].pk, {"post": "yes"}),
        ("workflow_auditevent_delete", own["event"].pk, {"post": "yes"}),
        # installation-wide things
        ("workflow_calendaradjustment_delete", own["national"].pk, {"post": "yes"}),
        ("viewflow_process_delete", own["process"].pk, {"post": "yes"}),
        ("viewflow_task_delete", own["task"].pk, {"post": "yes"}),
        ("workflow_holidayschedule_delete", own["schedule"].pk, {"post": "yes"}),
        ("auth_user_change", own["superuser"].pk, {"username": "x"}),
        ("workflow_agency_delete", other_agency.pk, {"post": "yes"}),
    ]


@pytest.mark.django_db
def test_refused_posts_change_nothing(world):
    before = _state()
    for persona in ("other_admin", "staff"):
        for name, pk, data in _refused_posts(world):
            if persona == "staff" and name == "workflow_agency_delete":
                continue
            with transaction.atomic():
                response = _client(world.people[persona]).post(_admin_url(name, pk), data)
            assert _outcome(response) in {"gone", "403", "404"}, (persona, name, response)
            assert _state() == before, (persona, name)
