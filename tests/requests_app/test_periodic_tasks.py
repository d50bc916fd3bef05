"""The periodic work as Celery beat runs it (``CELERY_BEAT_SCHEDULE``): the same functions as the
``run_dispatcher`` / cron commands, called as tasks."""

from datetime import date

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings

from config.celery import app
from requests_app import tasks
from requests_app.flows import RequestFlow, process_for
from requests_app.models import InformationRequest, ReasonsRequest
from requests_app.services import request_register
from tests.requests_app.test_flow_art35 import ask_through_the_accept_task, open_tasks
from workflow.tasks import fire_timers

pytestmark = pytest.mark.django_db


def test_beat_runs_the_timers_the_sweeps_and_the_daily_refresh():
    app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert {entry["task"] for entry in schedule.values()} <= set(app.tasks)
    assert schedule["fire-due-timers"]["schedule"] == 60.0
    assert schedule["sweep-jobs"]["schedule"] == 60.0
    assert schedule["refresh-deadlines"]["schedule"] == crontab(minute=5, hour=0)
    assert schedule["keep-report-tallies"]["task"] == "requests_app.keep_report_tallies"
    assert app.conf.timezone == "Asia/Shanghai"
    # A Redis broker hands a message on again only after the longest job could have ended.
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert visibility > settings.GONGKAI_JOB_STALE_MINUTES * 60
    assert (app.conf.task_acks_late, app.conf.task_reject_on_worker_lost) == (True, True)
    assert (app.conf.worker_prefetch_multiplier, app.conf.task_ignore_result) == (1, True)


def test_the_daily_refresh_sends_one_task_per_agency_with_open_cases(
    registrar, agency, other_agency, walk_in, monkeypatch
):
    other_agency.staff.add(registrar)
    third = type(agency).objects.create(name="介休市人民政府办公室", code="jiexiu")
    third.staff.add(registrar)
    for each in (agency, agency, other_agency, third):
        request_register(actor=registrar, agency=each, data=walk_in(), today=date(2026, 3, 2))
    InformationRequest.objects.filter(agency=third).update(stage=InformationRequest.Stage.CLOSED)
    sent: list[int] = []
    monkeypatch.setattr(tasks.refresh_agency_deadlines, "delay", sent.append)
    assert tasks.refresh_deadlines() == 2
    assert sorted(sent) == sorted([agency.pk, other_agency.pk])  # none for closed cases only


def test_one_agencys_refresh_moves_its_cases_only(registrar, agency, other_agency, walk_in):
    other_agency.staff.add(registrar)
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False):
        ours = request_register(actor=registrar, agency=agency, data=walk_in())
        theirs = request_register(actor=registrar, agency=other_agency, data=walk_in())
    with time_machine.travel("2026-03-23 09:00 +0800", tick=False):
        assert tasks.refresh_agency_deadlines(agency.pk) == 1
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.days_left, ours.at_risk) == (5, True)
    assert theirs.days_left == 20  # its own task moves it


@pytest.mark.case(process=True)
def test_the_timer_task_fires_due_timers(client, case, handler):
    with time_machine.travel("2026-03-03 09:00 +0800", tick=False):
        ask_through_the_accept_task(client, handler, case)
    with time_machine.travel("2026-03-25 00:01 +0800", tick=False):
        fire_timers()
    assert ReasonsRequest.objects.get(request=case).status == "lapsed"
    assert open_tasks(case) == ["reasons_decide"]
    assert process_for(case).task_set.get(flow_task=RequestFlow.reasons__timeout).status == "DONE"


def test_the_nightly_task_keeps_the_annual_report_counts(agency, other_agency):
    from requests_app.models import ReportTally
    from requests_app.tasks import keep_report_tallies

    assert keep_report_tallies() >= 2
    assert {agency.pk, other_agency.pk} <= set(
        ReportTally.objects.values_list("agency_id", flat=True)
    )
