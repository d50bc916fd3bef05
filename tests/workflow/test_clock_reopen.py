"""A reply ordered anew by a reconsideration decision or a judgment (责令重新答复): a new period
from the agency's receipt of the decision, after the case was closed."""

import pytest

from tests.conftest import d
from workflow.clock import ClockEvent, evaluate

E = ClockEvent
FIRST = [E("start", d("2026-03-02")), E("stop", d("2026-03-20"), reason="送达")]


def run(events, calendar, today):
    return evaluate(events, calendar=calendar, today=d(today))


def test_the_new_period_runs_from_the_receipt_with_the_days_the_decision_sets(national_calendar):
    # 2026-06-15 (Monday) + 20 working days, 端午节 2026-06-19 off: 2026-07-14.
    events = [*FIRST, E("reopen", d("2026-06-15"), days=20, reason="行政复议决定")]
    state = run(events, national_calendar, "2026-06-16")
    assert (state.due_date, state.stopped, state.used, state.left) == (
        d("2026-07-14"),
        False,
        1,
        19,
    )
    assert state.start_date == d("2026-06-15")
    assert any("收到行政复议决定，责令重新答复" in line for line in state.explanation)
    assert state.explanation[0].startswith("2026年3月2日收到申请")  # the history stays
    longer = run(
        [*events[:-1], E("reopen", d("2026-06-15"), days=30)], national_calendar, "2026-06-16"
    )
    assert longer.due_date == d("2026-07-28")


def test_the_new_reply_stops_the_clock_again_in_time_or_late(national_calendar):
    events = [*FIRST, E("reopen", d("2026-06-15"), days=20), E("stop", d("2026-07-15"))]
    state = run(events, national_calendar, "2026-07-20")
    assert (state.stopped, state.on_time, state.due_date) == (True, False, d("2026-07-14"))
    assert state.explanation[-1] == "2026年7月15日办结，超过答复期限1个工作日。"


def test_an_extension_of_the_new_period_adds_to_its_days(national_calendar):
    events = [*FIRST, E("reopen", d("2026-06-15"), days=10), E("extend", d("2026-06-20"), days=5)]
    state = run(events, national_calendar, "2026-06-22")
    assert state.due_date == national_calendar.add_working_days(d("2026-06-15"), 15)


@pytest.mark.parametrize(
    ("events", "words"),
    [
        ([E("start", d("2026-03-02")), E("reopen", d("2026-06-15"), days=20)], "尚未办结"),
        ([*FIRST, E("reopen", d("2026-06-15"), days=0)], "1至366个工作日"),
        ([*FIRST, E("reopen", d("2026-03-19"), days=20)], "早于前一事件"),
    ],
)
def test_impossible_reopenings_are_refused(national_calendar, events, words):
    with pytest.raises(ValueError, match=words):
        run(events, national_calendar, "2026-06-30")
