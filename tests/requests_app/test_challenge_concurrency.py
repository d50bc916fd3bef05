"""Two people saving the same reconsideration record at the same moment: exactly one wins, the
other is told in Chinese (issue #13 §1)."""

from __future__ import annotations

import pytest
import time_machine

from requests_app.models import Challenge, ClockEntry, InformationRequest
from requests_app.services import StaleCase, challenge_record, challenge_update
from tests.conftest import _persona, d
from tests.requests_app.flow_helpers import advance, register
from tests.requests_app.test_challenges import ordered_new_reply, reconsideration
from tests.requests_app.test_concurrent_completion import race
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)
TODAY = d("2026-06-30")


@pytest.fixture(autouse=True)
def _on_a_working_day():
    with time_machine.travel("2026-06-30 09:00 +0800", tick=False):
        yield


@pytest.fixture
def served(registrar, handler, office_head, agency, walk_in):
    staff = {"registrar": registrar, "handler": handler, "office_head": office_head}
    return advance(register(registrar, agency, walk_in), "archive", staff)


@pytest.fixture
def second_reviewer(django_user_model, agency):
    return _persona(django_user_model, "legal_reviewer_2", agency, "legal_reviewer")


def test_two_edits_of_the_same_version_keep_exactly_one(served, legal_reviewer, second_reviewer):
    challenge = challenge_record(
        actor=legal_reviewer, case_id=served.pk, data=reconsideration(), today=TODAY
    )
    outcomes = race(
        lambda: challenge_update(
            actor=legal_reviewer,
            challenge_id=challenge.pk,
            version=1,
            data=reconsideration(result="upheld", concluded_on=d("2026-06-01")),
            today=TODAY,
        ),
        lambda: challenge_update(
            actor=second_reviewer,
            challenge_id=challenge.pk,
            version=1,
            data=reconsideration(result="other", detail="dismissed", concluded_on=d("2026-06-02")),
            today=TODAY,
        ),
    )
    errors = [o.error for o in outcomes]
    assert sum(e is None for e in errors) == 1, errors
    (lost,) = [e for e in errors if e is not None]
    assert isinstance(lost, StaleCase) and "已由他人修改" in str(lost)
    challenge.refresh_from_db()
    assert challenge.version == 2
    assert AuditEvent.objects.filter(action="challenge_updated").count() == 1


def test_two_orders_to_reply_anew_reopen_the_case_once(served, legal_reviewer, second_reviewer):
    challenge = challenge_record(
        actor=legal_reviewer, case_id=served.pk, data=reconsideration(), today=TODAY
    )
    outcomes = race(
        *(
            lambda actor=actor: challenge_update(
                actor=actor,
                challenge_id=challenge.pk,
                version=1,
                data=ordered_new_reply(),
                today=TODAY,
            )
            for actor in (legal_reviewer, second_reviewer)
        )
    )
    errors = [o.error for o in outcomes]
    assert sum(e is None for e in errors) == 1, errors
    assert ClockEntry.objects.filter(kind="reopen").count() == 1
    assert AuditEvent.objects.filter(action="request_reopened").count() == 1
    assert InformationRequest.objects.get(pk=served.pk).stage == "propose"


def test_the_same_record_entered_twice_at_once_is_kept_once(
    served, legal_reviewer, second_reviewer
):
    outcomes = race(
        *(
            lambda actor=actor: challenge_record(
                actor=actor, case_id=served.pk, data=reconsideration(), today=TODAY
            )
            for actor in (legal_reviewer, second_reviewer)
        )
    )
    errors = [o.error for o in outcomes]
    assert sum(e is None for e in errors) == 1, errors
    assert Challenge.objects.count() == 1
