"""The statutory clock of an information request (答复期限, DOMAIN §3.4). Pure: no Django import.

A case's clock is a list of ``ClockEvent`` values; ``evaluate`` derives from them, for a given day,
the due date, the working days used and left, the flags the inbox shows and a plain-language
explanation that cites the article behind each step.

Rules (Art. N = 《政府信息公开条例》):
- Art. 33 ¶2: reply within 20 working days of receipt; one extension of at most 20 working days,
  approved by the head of the disclosure office and notified before the original deadline.
- Art. 33 ¶3: time spent consulting third parties (Art. 32) and other agencies (Art. 34) does not
  count; neither does the time from a fee notice to the payment (Fee Rules).
- Art. 30: on receipt of the corrected application the period starts again from that day.
- Art. 35: asking the applicant for reasons does not stop the count (the article's remedy for a
  reasonable request that cannot be answered in time is a later date, not a pause); that later
  date, once approved and notified, is the due date. It is a fixed date: the Art. 33 ¶3 pauses
  and the Art. 33 ¶2 extension concern the Art. 33 periods and do not move it.
- A reconsideration decision or judgment that orders a new reply (责令重新答复) reopens a closed
  case: a new period of the days it sets (20 working days unless it says otherwise) runs from the
  agency's receipt of it, the receipt day not counted; the earlier period stays in the history.
- Counting (DOMAIN §2): the start day is not counted. A pause started on S and ended on E removes
  the working days after S up to and including E; counting resumes on the first working day after E.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Protocol

from workflow.cn import cn_date, cn_date_range

ART_RECEIPT = "《条例》第三十三条第二款"
ART_EXTENSION = "《条例》第三十三条第二款"
ART_CONSULTATION = "《条例》第三十三条第三款"
ART_CORRECTION = "《条例》第三十条"
ART_REASONS = "《条例》第三十五条"
FEE_RULES = "《政府信息公开信息处理费管理办法》"

MAX_EXTENSION_DAYS = 20
DEFAULT_LIMIT = 20
DEFAULT_AT_RISK_DAYS = 5


class Kind(StrEnum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    EXTEND = "extend"
    STOP = "stop"
    REASONS = "reasons"
    DEFER = "defer"
    REOPEN = "reopen"


#: Why a clock may be paused, with the words for people and the rule that allows it.
PAUSE_REASONS: dict[str, tuple[str, str]] = {
    "third_party": ("征求第三方意见", f"{ART_CONSULTATION}、第三十二条"),
    "agency": ("征求其他机关意见", f"{ART_CONSULTATION}、第三十四条"),
    "consultation": ("征求第三方和其他机关意见", ART_CONSULTATION),
    "fee": ("等待申请人缴纳信息处理费", FEE_RULES),
    # While the applicant corrects, the period does not run; the corrected application's
    # receipt starts it again (a new ``start``), which ends this pause.
    "correction": ("等待申请人补正", ART_CORRECTION),
}


class Calendar(Protocol):
    def is_working_day(self, day: date) -> bool: ...
    def add_working_days(self, day: date, n: int) -> date: ...
    def working_days_between(self, start: date, end: date) -> int: ...
    def is_provisional(self, day: date) -> bool: ...


@dataclass(frozen=True)
class ClockEvent:
    """One fact of a case's clock.

    ``kind``: ``start`` (receipt; a later start is the restart after correction and resets the
    count), ``pause`` (``reason`` is a key of ``PAUSE_REASONS``), ``resume``, ``extend`` (``days``
    working days, once, at most 20), ``reasons`` (the applicant was asked to explain, Art. 35:
    recorded, the count goes on), ``defer`` (the reply date is fixed at ``until``, Art. 35) or
    ``stop`` (the case is closed, e.g. the reply was served) or ``reopen`` (a decision or
    judgment received on ``on`` orders a new reply within ``days`` working days; ``reason``
    names it, e.g. "行政复议决定"; only after ``stop``).
    """

    kind: str
    on: date
    days: int = 0
    reason: str = ""
    until: date | None = None


@dataclass(frozen=True)
class ClockState:
    """What the clock says on ``today``."""

    start_date: date
    limit: int
    due_date: date | None
    original_due_date: date | None
    used: int
    left: int
    paused: bool
    paused_since: date | None
    projected_due_date: date | None
    extended_days: int
    provisional: bool
    provisional_years: tuple[int, ...]
    at_risk: bool
    overdue: bool
    stopped: bool
    stopped_on: date | None
    on_time: bool | None
    explanation: list[str] = field(default_factory=list)

    @property
    def overdue_days(self) -> int:
        return -self.left if self.left < 0 else 0


@dataclass
class _Period:
    start: date
    reason: str
    pauses: list[tuple[date, date, str]] = field(default_factory=list)
    open_pause: tuple[date, str] | None = None
    extension: tuple[date, int, str] | None = None
    deferral: tuple[date, date] | None = None  # (decided on, reply by), Art. 35
    limit: int | None = None  # a new reply's own period (reopen); None: the clock's limit


def _end_of_period(period: _Period, calendar: Calendar, total: int) -> tuple[date | None, int]:
    """The due date given the closed pauses (None if an open pause interrupts the count first),
    and how many working days are still left when the count stops at the open pause."""
    remaining = total
    cursor = period.start
    for first, last, _ in period.pauses:
        available = calendar.working_days_between(cursor, first)
        if available >= remaining:
            return calendar.add_working_days(cursor, remaining), 0
        remaining -= available
        cursor = last
    if period.open_pause is not None:
        available = calendar.working_days_between(cursor, period.open_pause[0])
        if available >= remaining:
            return calendar.add_working_days(cursor, remaining), 0
        return None, remaining - available
    return calendar.add_working_days(cursor, remaining), 0


def _used_until(period: _Period, calendar: Calendar, until: date) -> int:
    """Counted working days in (start, until], leaving out the paused spans."""
    spans: list[tuple[date, date]] = []
    cursor = period.start
    for first, last, _ in period.pauses:
        spans.append((cursor, first))
        cursor = last
    spans.append((cursor, period.open_pause[0] if period.open_pause else until))
    used = 0
    for a, b in spans:
        end = min(b, until)
        if end > a:
            used += calendar.working_days_between(a, end)
    return used


def _check_deferral(
    period: _Period, event: ClockEvent, due: date | None, calendar: Calendar
) -> date:
    """Art. 35: a later reply date, once, fixed before the Art. 33 due date runs out and later
    than it, on a working day. Returns that date."""
    if period.deferral is not None:
        raise ValueError(
            f"已于{cn_date(period.deferral[0])}确定延迟答复期限为{cn_date(period.deferral[1])}，"
            f"不能再次确定（{ART_REASONS}）。"
        )
    until = event.until
    if until is None:
        raise ValueError(f"确定延迟答复须写明延迟后的答复期限（{ART_REASONS}）。")
    if due is not None and event.on > due:
        raise ValueError(
            f"答复期限已于{cn_date(due)}届满，延迟答复的期限应在第三十三条规定的期限内确定并告知"
            f"申请人，{cn_date(event.on)}不能再确定（{ART_REASONS}）。"
        )
    floor = due or event.on
    if until <= floor:
        what = (
            f"按第三十三条计算的答复期限{cn_date(due)}" if due else f"确定之日{cn_date(event.on)}"
        )
        raise ValueError(f"延迟答复期限{cn_date(until)}应晚于{what}（{ART_REASONS}）。")
    if not calendar.is_working_day(until):
        raise ValueError(f"延迟答复期限{cn_date(until)}不是工作日，请选择一个工作日。")
    return until


def _pause_words(reason: str) -> tuple[str, str]:
    try:
        return PAUSE_REASONS[reason]
    except KeyError:
        allowed = "、".join(f"{k}（{v[0]}）" for k, v in PAUSE_REASONS.items())
        raise ValueError(f"暂停计时的理由“{reason}”没有法律依据；只能是：{allowed}。") from None


@dataclass
class _Walk:
    """What reading the events builds up: the current period (a restart after correction opens a
    new one), the explanation so far and, once the case is closed, when and why."""

    calendar: Calendar
    limit: int
    lines: list[str] = field(default_factory=list)
    period: _Period | None = None
    stopped_on: date | None = None
    stop_reason: str = ""

    @property
    def current(self) -> _Period:
        # ``evaluate`` checks that the first event is a start, which opens the first period.
        assert self.period is not None
        return self.period

    def art33_due(self) -> date | None:
        """The Art. 33 due date so far (None while an open pause interrupts the count)."""
        period = self.current
        extension_days = period.extension[1] if period.extension else 0
        return _end_of_period(period, self.calendar, self.period_limit + extension_days)[0]

    @property
    def period_limit(self) -> int:
        """The working days of the current period: a new reply's own, or the clock's."""
        return self.current.limit or self.limit

    def due(self) -> date | None:
        """The due date so far: the Art. 35 date once fixed, else the Art. 33 one."""
        period = self.current
        return period.deferral[1] if period.deferral is not None else self.art33_due()


def _on_start(walk: _Walk, event: ClockEvent, due: date | None) -> None:
    if walk.period is None:
        walk.lines.append(
            f"{cn_date(event.on)}收到申请，应当自收到申请之日起{walk.limit}个工作日内答复，"
            f"收到申请当日不计算在内（{ART_RECEIPT}）。"
        )
    else:
        walk.lines.append(
            f"{cn_date(event.on)}收到补正后的申请，答复期限自该日起重新计算{walk.limit}个工作日，"
            f"此前已用的时间、暂停和延期不再计算（{ART_CORRECTION}）。"
        )
    walk.period = _Period(start=event.on, reason=event.reason)


def _on_pause(walk: _Walk, event: ClockEvent, due: date | None) -> None:
    period = walk.current
    words, _ = _pause_words(event.reason)
    if period.open_pause is not None:
        raise ValueError(
            f"计时已自{cn_date(period.open_pause[0])}起暂停，不能再次暂停；"
            "多项征求意见同时进行时，从第一份函件发出暂停到最后一份答复或期限届满恢复。"
        )
    if due is not None and event.on > due:
        raise ValueError(
            f"答复期限已于{cn_date(due)}届满，{cn_date(event.on)}不能再暂停计时（{words}）。"
        )
    period.open_pause = (event.on, event.reason)


def _on_resume(walk: _Walk, event: ClockEvent, due: date | None) -> None:
    period = walk.current
    if period.open_pause is None:
        raise ValueError(f"{cn_date(event.on)}恢复计时，但计时此前并未暂停。")
    first, reason = period.open_pause
    words, basis = PAUSE_REASONS[reason]
    span = cn_date_range(first, event.on)
    if period.deferral is not None:
        walk.lines.append(
            f"{span}{words}；答复期限已依照{ART_REASONS}确定为"
            f"{cn_date(period.deferral[1])}，不因此顺延。"
        )
    elif due is not None:
        walk.lines.append(
            f"{span}{words}；暂停开始时答复期限的工作日已经用完，暂停不延后答复期限（{basis}）。"
        )
    else:
        removed = walk.calendar.working_days_between(first, event.on)
        walk.lines.append(f"{span}{words}，期间不计入答复期限（扣除{removed}个工作日，{basis}）。")
    period.pauses.append((first, event.on, reason))
    period.open_pause = None


def _on_extend(walk: _Walk, event: ClockEvent, due: date | None) -> None:
    period = walk.current
    if period.deferral is not None:
        raise ValueError(
            f"{cn_date(period.deferral[0])}已依照{ART_REASONS}确定延迟答复期限为"
            f"{cn_date(period.deferral[1])}，答复期限以该日期为准，"
            f"不能再依照{ART_EXTENSION}延期。"
        )
    if period.extension is not None:
        raise ValueError(
            f"答复期限已于{cn_date(period.extension[0])}延长过一次，"
            f"不能再次延长（{ART_EXTENSION}）。"
        )
    if not 1 <= event.days <= MAX_EXTENSION_DAYS:
        raise ValueError(
            f"延长的期限最长不得超过{MAX_EXTENSION_DAYS}个工作日，"
            f"填写的是{event.days}个工作日（{ART_EXTENSION}）。"
        )
    if due is not None and event.on > due:
        raise ValueError(
            f"答复期限已于{cn_date(due)}届满，延期须在期限届满前告知申请人，"
            f"{cn_date(event.on)}不能再延期（{ART_EXTENSION}）。"
        )
    period.extension = (event.on, event.days, event.reason)
    walk.lines.append(
        f"{cn_date(event.on)}经政府信息公开工作机构负责人同意，"
        f"答复期限延长{event.days}个工作日（{ART_EXTENSION}）。"
    )


def _on_reasons(walk: _Walk, event: ClockEvent, due: date | None) -> None:
    walk.lines.append(
        f"{cn_date(event.on)}要求申请人说明理由（{ART_REASONS}）；等待说明期间答复期限照常计算，"
        "不暂停：理由合理但无法在第三十三条规定的期限内答复的，"
        "该条规定的办法是确定延迟答复的合理期限并告知申请人。"
    )


def _on_defer(walk: _Walk, event: ClockEvent, due: date | None) -> None:
    period = walk.current
    until = _check_deferral(period, event, due, walk.calendar)
    period.deferral = (event.on, until)
    walk.lines.append(
        f"{cn_date(event.on)}经审查，申请人说明的理由合理，但无法在《条例》第三十三条"
        f"规定的期限内答复，经政府信息公开工作机构负责人同意，确定延迟答复期限为"
        f"{cn_date(until)}并告知申请人（{ART_REASONS}）。"
    )


def _on_stop(walk: _Walk, event: ClockEvent, due: date | None) -> None:
    walk.stopped_on = event.on
    walk.stop_reason = event.reason


def _on_reopen(walk: _Walk, event: ClockEvent, due: date | None) -> None:
    if walk.stopped_on is None:
        raise ValueError(
            f"{cn_date(event.on)}责令重新答复，但申请尚未办结：只有已经答复（办结）的申请才能重新答复。"
        )
    if not 1 <= event.days <= 366:
        raise ValueError(f"重新答复的期限应为1至366个工作日，填写的是{event.days}个工作日。")
    what = event.reason or "行政复议决定或判决"
    walk.lines.append(
        f"{cn_date(event.on)}收到{what}，责令重新答复：应当自收到之日起{event.days}个工作日内"
        "重新答复，收到当日不计算在内；此前的答复期限、暂停和延期不再计算。"
    )
    walk.period = _Period(start=event.on, reason=event.reason, limit=event.days)
    walk.stopped_on = None
    walk.stop_reason = ""


_Handler = Callable[[_Walk, ClockEvent, date | None], None]

#: One handler per kind of event: it checks the event against the clock so far (raising
#: ``ValueError`` with the rule broken), records it and adds its line to the explanation.
#: ``due`` is the due date before the event (None for a start, or while the count is paused).
_HANDLERS: dict[str, _Handler] = {
    Kind.START: _on_start,
    Kind.PAUSE: _on_pause,
    Kind.RESUME: _on_resume,
    Kind.EXTEND: _on_extend,
    Kind.REASONS: _on_reasons,
    Kind.DEFER: _on_defer,
    Kind.STOP: _on_stop,
    Kind.REOPEN: _on_reopen,
}


def _read(
    events: list[ClockEvent] | tuple[ClockEvent, ...],
    *,
    calendar: Calendar,
    today: date,
    limit: int,
) -> _Walk:
    """Check the events' sequence and hand each to its kind's handler."""
    if not events:
        raise ValueError("没有任何计时事件：至少需要“收到申请”（start）。")
    if events[0].kind != Kind.START:
        raise ValueError(f"第一个计时事件必须是收到申请（start），而不是“{events[0].kind}”。")

    walk = _Walk(calendar=calendar, limit=limit)
    previous: date | None = None
    for event in events:
        kind = event.kind
        handler = _HANDLERS.get(kind)
        if handler is None:
            raise ValueError(f"未知的计时事件类型“{kind}”。")
        if walk.stopped_on is not None and kind != Kind.REOPEN:
            raise ValueError(
                f"{cn_date(walk.stopped_on)}已经办结，之后不能再有计时事件（{kind}）。"
            )
        if previous is not None and event.on < previous:
            raise ValueError(
                f"计时事件的日期{cn_date(event.on)}早于前一事件的日期{cn_date(previous)}，"
                "事件必须按发生顺序排列。"
            )
        if event.on > today:
            raise ValueError(f"计时事件的日期{cn_date(event.on)}晚于今天{cn_date(today)}。")
        previous = event.on
        handler(walk, event, None if kind in (Kind.START, Kind.REOPEN) else walk.due())
    return walk


def _build_state(walk: _Walk, *, today: date, at_risk_days: int) -> ClockState:
    """The clock's figures once every event is read (the explanation is left empty)."""
    calendar = walk.calendar
    period = walk.current
    stopped_on = walk.stopped_on
    extension_days = period.extension[1] if period.extension else 0
    total = walk.period_limit + extension_days
    due, left_at_pause = _end_of_period(period, calendar, total)
    if period.deferral is not None:
        due = period.deferral[1]
    original_due, _ = _end_of_period(
        _Period(period.start, period.reason, period.pauses, period.open_pause),
        calendar,
        walk.period_limit,
    )

    as_of = stopped_on or today
    used = _used_until(period, calendar, as_of)
    paused = due is None and stopped_on is None
    paused_since = period.open_pause[0] if period.open_pause else None

    projected = None
    if due is None and paused_since is not None:
        projected = calendar.add_working_days(max(today, paused_since), left_at_pause)
        left = left_at_pause
    elif due is not None and period.deferral is not None:
        left = (
            calendar.working_days_between(as_of, due)
            if as_of <= due
            else -calendar.working_days_between(due, as_of)
        )
    else:
        left = total - used

    horizon = due or projected or as_of
    provisional_years = tuple(
        y
        for y in range(period.start.year, horizon.year + 1)
        if calendar.is_provisional(date(y, 1, 1))
    )
    overdue = due is not None and as_of > due
    on_time = None
    if stopped_on is not None:
        on_time = due is None or stopped_on <= due

    return ClockState(
        start_date=period.start,
        limit=total,
        due_date=due,
        original_due_date=original_due,
        used=used,
        left=left,
        paused=paused,
        paused_since=paused_since if paused else None,
        projected_due_date=projected if paused else None,
        extended_days=extension_days,
        provisional=bool(provisional_years),
        provisional_years=provisional_years,
        at_risk=(not overdue and not paused and stopped_on is None and left <= at_risk_days),
        overdue=overdue,
        stopped=stopped_on is not None,
        stopped_on=stopped_on,
        on_time=on_time,
    )


def _explain_pause(walk: _Walk, state: ClockState, *, today: date) -> list[str]:
    """A pause still open: what it does to the count."""
    period = walk.current
    if period.open_pause is None or state.stopped:
        return []
    since, reason = period.open_pause
    words, basis = PAUSE_REASONS[reason]
    if state.paused:
        assert state.projected_due_date is not None
        return [
            f"自{cn_date(since)}起{words}，计时暂停（{basis}）；"
            f"暂停前已用{state.used}个工作日，"
            f"尚余{state.left}个工作日，恢复计时后从次一工作日起继续计算；"
            f"如{cn_date(max(today, since))}恢复计时，"
            f"答复期限为{cn_date(state.projected_due_date)}。"
        ]
    # Paused, but the due date stands: fixed under Art. 35, or already reached when the pause
    # began.
    if period.deferral is not None:
        return [
            f"自{cn_date(since)}起{words}；答复期限已依照{ART_REASONS}"
            f"确定为{cn_date(period.deferral[1])}，不因此顺延。"
        ]
    return [
        f"自{cn_date(since)}起{words}；暂停开始时答复期限的工作日已经用完，"
        f"暂停不延后答复期限（{basis}）。"
    ]


def _explain_due(walk: _Walk, state: ClockState) -> list[str]:
    """The due date and what it rests on (the Art. 35 date, an extension, a provisional year)."""
    period = walk.current
    due = state.due_date
    lines: list[str] = []
    if due is not None:
        if period.deferral is not None:
            art33_due = walk.art33_due()
            before = (
                f"按《条例》第三十三条计算的答复期限为{cn_date(art33_due)}，" if art33_due else ""
            )
            lines.append(f"{before}延迟答复期限为{cn_date(due)}（{ART_REASONS}）。")
        elif state.extended_days and state.original_due_date is not None:
            lines.append(
                f"原答复期限为{cn_date(state.original_due_date)}，"
                f"延长后的答复期限为{cn_date(due)}。"
            )
        else:
            lines.append(f"答复期限为{cn_date(due)}。")
    if state.provisional_years:
        years = "、".join(f"{y}年" for y in state.provisional_years)
        lines.append(
            f"注意：{years}的国务院节假日安排尚未发布，该年度按法定节假日暂定计算（不含调休），"
            "安排发布后将重新计算，期限可能变化。"
        )
    return lines


def _explain_standing(walk: _Walk, state: ClockState, *, today: date) -> list[str]:
    """Where the case stands: closed in time or late, or the days used and left on ``today``."""
    calendar = walk.calendar
    due = state.due_date
    stopped_on = state.stopped_on
    if stopped_on is not None:
        what = f"（{walk.stop_reason}）" if walk.stop_reason else ""
        if state.on_time:
            return [f"{cn_date(stopped_on)}办结{what}，在答复期限内。"]
        late = calendar.working_days_between(due, stopped_on) if due else 0
        return [f"{cn_date(stopped_on)}办结{what}，超过答复期限{late}个工作日。"]
    if due is None:
        return []
    if state.overdue:
        late = calendar.working_days_between(due, today)
        return [f"截至{cn_date(today)}，已超过答复期限{late}个工作日。"]
    if walk.current.deferral is not None:
        return [f"截至{cn_date(today)}，距延迟答复期限尚余{state.left}个工作日。"]
    return [f"截至{cn_date(today)}，已用{state.used}个工作日，尚余{state.left}个工作日。"]


def _explain(walk: _Walk, state: ClockState, *, today: date) -> list[str]:
    """The closing lines of the explanation: where the clock stands on ``today``."""
    return [
        *_explain_pause(walk, state, today=today),
        *_explain_due(walk, state),
        *_explain_standing(walk, state, today=today),
    ]


def evaluate(
    events: list[ClockEvent] | tuple[ClockEvent, ...],
    *,
    calendar: Calendar,
    today: date,
    limit: int = DEFAULT_LIMIT,
    at_risk_days: int = DEFAULT_AT_RISK_DAYS,
) -> ClockState:
    """Derive the clock's state on ``today`` from ``events`` (in the order they happened).

    Raises ``ValueError`` with a Chinese message for an impossible sequence: no start, events out
    of order or after ``today``, resume without pause, a second pause, a second extension, an
    extension of more than 20 days or after the due date, a pause after the due date, a second
    deferral, a deferral after the due date or to a date not later than it or not a working day,
    an extension after a deferral, anything after stop.
    """
    walk = _read(events, calendar=calendar, today=today, limit=limit)
    state = _build_state(walk, today=today, at_risk_days=at_risk_days)
    return replace(state, explanation=[*walk.lines, *_explain(walk, state, today=today)])


def notice_period_end(
    calendar: Calendar,
    *,
    served_on: date,
    days: int,
    by_post: bool = False,
    postal_receipt_days: int | None = None,
) -> tuple[date, date]:
    """(receipt, end) of a period that runs "自收到……之日起N个工作日" (Arts. 30, 32, 34; Fee Rules
    "收到收费通知次日起20个工作日内"): the day of receipt is not counted, the period ends with the
    N-th working day after it (DOMAIN §2). The receipt is the day of service, or — for a notice
    handed to the post when the agency sets an assumed delivery time — the
    ``postal_receipt_days``-th working day after 交邮之日 (DOMAIN §3.8)."""
    receipt = served_on
    if by_post and postal_receipt_days:
        receipt = calendar.add_working_days(served_on, postal_receipt_days)
    return receipt, calendar.add_working_days(receipt, days)
