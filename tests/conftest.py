"""Shared fixtures: named personas acting for a demo agency, and an outsider from another one."""

import contextlib
import fcntl
import os
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import Group
from hypothesis import settings as hypothesis_settings

from requests_app.services import Registration, request_accept, request_register
from workflow.calendar import WorkingCalendar, invalidate_calendar_cache
from workflow.holiday_data import load_bundled

# The S3-compatible store (moto's server) for the tests of GONGKAI_STORAGE=s3.
pytest_plugins = ["tests.object_storage"]


def pytest_configure(config):
    # Personas are made for every test and dozens at a time for the permission matrices (also in
    # module-scoped fixtures); the real hasher (PBKDF2) is deliberately slow.
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()


# Hypothesis' deadline is a wall-clock assertion: on a loaded two-core machine a 200 ms example
# takes 900 ms and the test fails at random. Every example is still run and checked.
hypothesis_settings.register_profile("gongkai", deadline=None)
hypothesis_settings.load_profile("gongkai")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, django_db_modify_db_settings_parallel_suffix):
    """A stable SQLite test database, one per xdist worker (``var/test-gw0.sqlite3``, or
    ``var/test.sqlite3`` without xdist), so that ``--reuse-db`` finds it again.

    A file, not memory, so that live-server and concurrency tests share it. Each checkout has its
    own ``var/``; a second run in the same checkout finds the name locked and takes a name of its
    own process instead, so two runs never trample each other. PostgreSQL keeps pytest-django's
    names (``test_<name>_gw0`` …).
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        yield
        return
    worker = getattr(request.config, "workerinput", {}).get("workerid")
    stem = f"test-{worker}" if worker else "test"
    var = Path(settings.VAR_DIR)
    lock = (var / f"{stem}.lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        stem = f"{stem}-{os.getpid()}"
    database.setdefault("TEST", {})["NAME"] = str(var / f"{stem}.sqlite3")
    yield
    lock.close()


def pytest_collection_modifyitems(items):
    # The PostgreSQL pass of .ci/run selects the tests that touch the database with -m database.
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("django_db") or fixtures & {
            "db",
            "transactional_db",
            "django_db_setup",
            "live_server",
            "client",
            "admin_client",
        }:
            item.add_marker(pytest.mark.database)


@pytest.fixture(autouse=True, scope="session")
def _commit_at_block_end():
    # Under django_db the test's transaction never commits: work queued for after the commit
    # (letters' files) runs where the commit would have been. Transactional tests really commit
    # (no test transaction below the code's blocks): this does nothing for them.
    from workflow.after_commit import commit_at_block_end

    with commit_at_block_end():
        yield


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    invalidate_calendar_cache()
    yield
    invalidate_calendar_cache()


@pytest.fixture(scope="session")
def national_calendar() -> WorkingCalendar:
    """The bundled official schedules, no database: the calendar every pure test uses."""
    return WorkingCalendar(load_bundled())


def make_agency():
    """The agency of the personas (孝义)."""
    from workflow.models import Agency

    return Agency.objects.create(
        name="孝义市人民政府办公室",
        short_name="孝义市政府办",
        code="xiaoyi",
        case_number_prefix="孝政信申",
        reconsideration_organ="孝义市人民政府",
        court="孝义市人民法院",
    )


def make_other_agency():
    """Another agency (汾阳), whose cases the personas must never see."""
    from workflow.models import Agency

    return Agency.objects.create(name="汾阳市人民政府办公室", code="fenyang")


@pytest.fixture
def agency(db):
    return make_agency()


@pytest.fixture
def other_agency(db):
    return make_other_agency()


def _persona(django_user_model, username: str, agency, role: str | None = None):
    user = django_user_model.objects.create_user(username=username, password="pw")
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    if agency is not None:
        agency.staff.add(user)
    return user


@pytest.fixture
def registrar(django_user_model, agency):
    return _persona(django_user_model, "registrar", agency, "registrar")


@pytest.fixture
def handler(django_user_model, agency):
    return _persona(django_user_model, "handler", agency, "handler")


@pytest.fixture
def office_head(django_user_model, agency):
    return _persona(django_user_model, "office_head", agency, "office_head")


@pytest.fixture
def legal_reviewer(django_user_model, agency):
    return _persona(django_user_model, "legal_reviewer", agency, "legal_reviewer")


@pytest.fixture
def secrecy_reviewer(django_user_model, agency):
    return _persona(django_user_model, "secrecy_reviewer", agency, "secrecy_reviewer")


@pytest.fixture
def admin_user(django_user_model, agency):
    user = _persona(django_user_model, "sysadmin", agency, "admin")
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def superuser(django_user_model):
    """The installation's superuser: the national calendar and agencies themselves are theirs."""
    return django_user_model.objects.create_superuser(username="root", password="pw")


@pytest.fixture
def outsider(django_user_model, other_agency):
    return _persona(django_user_model, "outsider", other_agency, "handler")


def d(text: str) -> date:
    """Shorthand for ISO dates in tables of scenarios."""
    return date.fromisoformat(text)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def walk_in_registration(**changes) -> Registration:
    """A walk-in application by a person, received the day it is handed in (Art. 31)."""
    values = {
        "channel": "in_person",
        "arrival_date": date(2026, 3, 2),
        "receipt_date": date(2026, 3, 2),
        "applicant_kind": "person",
        "applicant_name": "张明华",
        "id_type": "resident_id",
        "id_number": "11010519491231002X",
        "phone": "13800000000",
        "description": "2025年孝义市城区老旧小区改造项目的资金拨付明细",
        "form_wanted": "electronic",
        "delivery": "email",
        "email": "zhang@example.com",
    }
    values.update(changes)
    return Registration(**values)


@pytest.fixture
def walk_in():
    """A factory of walk-in applications (``walk_in_registration``)."""
    return walk_in_registration


RECEIVED = date(2026, 3, 2)  # a Monday: the Art. 33 due date is 2026-03-30


@pytest.fixture
def case(request, registrar, agency, walk_in):
    """The walk-in application registered by the registrar, received on ``RECEIVED``.

    A module says how far its case has gone with ``pytest.mark.case(...)`` in ``pytestmark``:
    ``received`` (a date, or None for today), ``process=True`` to start its process as
    registration through the pages does, ``accepted`` (a date, or True for today) to have the
    handler accept it, ``frozen_at`` (a moment for time_machine) to register it at that moment.
    """
    options = {"received": RECEIVED, "process": False, "accepted": False, "frozen_at": None}
    for marker in reversed(list(request.node.iter_markers("case"))):
        unknown = set(marker.kwargs) - set(options)
        assert not marker.args and not unknown, f"pytest.mark.case: {marker.args} {unknown}"
        options.update(marker.kwargs)
    travel = (
        time_machine.travel(options["frozen_at"], tick=False)
        if options["frozen_at"]
        else contextlib.nullcontext()
    )
    # The handler exists before registration, as in the scenarios the options stand for.
    handler = request.getfixturevalue("handler") if options["accepted"] is not False else None
    with travel:
        registered = request_register(
            actor=registrar, agency=agency, data=walk_in(), today=options["received"]
        )
        if options["process"]:
            from requests_app.flows import start_request_process

            start_request_process(registered)
    if options["accepted"] is False:
        return registered
    accepted = options["accepted"]
    request_accept(
        actor=handler,
        case_id=registered.pk,
        today=None if accepted is True else accepted,
    )
    return type(registered).objects.get(pk=registered.pk)
