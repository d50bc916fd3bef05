"""The public calendar (no token): is a day a working day and why, the n-th working day after a
date, and the statutory clock of a list of events — computed by the same calendar
(``workflow.calendar.get_calendar``) and the same clock (``workflow.clock.evaluate``) as the cases
and the deadline calculator.

The answers of the two GETs depend only on the calendar's data: they are cacheable
(``Cache-Control: public``) with an ETag that changes when that data changes (an imported notice or
an adjustment moves ``CalendarRevision``; a new release may bring new holiday files), and a
repeated call with ``If-None-Match`` gets 304.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import date
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from workflow.api.concurrency import etag_of
from workflow.api.errors import ApiError
from workflow.api.named_errors import NamedErrorsSerializer
from workflow.api.views import PublicView
from workflow.calendar import (
    DAY_REASONS,
    CalendarRangeError,
    DayInfo,
    WorkingCalendar,
    current_revision,
    get_calendar,
    iter_days,
)
from workflow.clock import DEFAULT_AT_RISK_DAYS, PAUSE_REASONS, ClockEvent, ClockState, evaluate
from workflow.cn import cn_date, cn_date_range, cn_weekday
from workflow.models import Agency

#: How long a cache may keep a calendar answer without asking again (seconds).
MAX_AGE = 600
#: At most this many working days are added in one call (a year and a half of working days).
MAX_DAYS = 366
#: At most this many events in one clock: a case has a start, a few pauses, an extension, a stop.
MAX_EVENTS = 200

#: The kinds of clock event, with their words (the same as ``requests_app.models.ClockEntry``).
EVENT_KINDS: dict[str, str] = {
    "start": "开始计算",
    "pause": "暂停计时",
    "resume": "恢复计时",
    "extend": "延长期限",
    "stop": "办结",
    "reasons": "要求说明理由",
    "defer": "延迟答复",
    "reopen": "责令重新答复",
}

#: The choices as drf-spectacular names them (``ENUM_NAME_OVERRIDES``): fields named ``kind`` or
#: ``reason`` elsewhere carry other codes.
EVENT_KIND_CHOICES = list(EVENT_KINDS.items())
DAY_REASON_CHOICES = list(DAY_REASONS.items())

_AGENCY_HELP = "机关代码（可不填）：填写时按该机关的本地调整（如地方性假日）计算，不填按全国安排。"


# -- serializers ---------------------------------------------------------------------------------


class AgencyQuery(NamedErrorsSerializer):
    agency = serializers.CharField(
        label="机关代码", required=False, allow_blank=True, max_length=40, help_text=_AGENCY_HELP
    )


class DayQuery(AgencyQuery):
    date = serializers.DateField(label="日期", help_text="要查询的日期，如 2026-10-01。")


class AddQuery(AgencyQuery):
    start = serializers.DateField(
        label="起算日期", help_text="起算的日期；当日不计算在内，自次日起算。"
    )
    days = serializers.IntegerField(
        label="工作日数",
        min_value=1,
        max_value=MAX_DAYS,
        help_text=f"要加的工作日数，1 至 {MAX_DAYS}。",
    )


class CalendarSpecialDaySerializer(serializers.Serializer):
    date = serializers.DateField(help_text="日期")
    weekday = serializers.CharField(help_text="星期，如“周四”")
    working = serializers.BooleanField(help_text="是否工作日")
    provisional = serializers.BooleanField(
        help_text="该年度的国务院节假日安排尚未发布，按法定节假日暂定（不含调休）"
    )
    reason = serializers.ChoiceField(
        choices=DAY_REASON_CHOICES,
        help_text="是否工作日的原因："
        + "；".join(f"{code}：{label}" for code, label in DAY_REASONS.items()),
    )
    reason_label = serializers.CharField(help_text="原因的中文名称")
    festival = serializers.CharField(help_text="涉及的节日名称，如“国庆节”；没有则为空")
    note = serializers.CharField(
        help_text="依据，如“国庆节放假（国务院办公厅关于2026年部分节假日安排的通知）”"
    )


class CalendarDayAnswer(CalendarSpecialDaySerializer):
    agency = serializers.CharField(allow_null=True, help_text="适用的机关代码；全国安排为 null")
    explanation = serializers.CharField(help_text="一句话说明，如“2026年10月1日（周四）休息：……”")


class CalendarAddAnswer(serializers.Serializer):
    agency = serializers.CharField(allow_null=True, help_text="适用的机关代码；全国安排为 null")
    start = serializers.DateField(help_text="起算日期（当日不计算在内）")
    days = serializers.IntegerField(help_text="工作日数")
    result = serializers.DateField(help_text="第 days 个工作日，即期限的最后一天")
    result_weekday = serializers.CharField(help_text="结果日期的星期")
    provisional = serializers.BooleanField(
        help_text="期间涉及尚未发布国务院节假日安排的年度：结果为暂定，安排发布后可能变化"
    )
    provisional_years = serializers.ListField(
        child=serializers.IntegerField(), help_text="暂定计算的年度"
    )
    explanation = serializers.ListField(
        child=serializers.CharField(), help_text="计算说明（中文，逐条）"
    )
    special_days = CalendarSpecialDaySerializer(many=True, help_text="期间的节假日、调休和本地调整")


class CalendarClockEventSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        label="事件类型",
        choices=EVENT_KIND_CHOICES,
        help_text="计时事件："
        + "；".join(f"{code}：{label}" for code, label in EVENT_KINDS.items())
        + "。第一个事件必须是 start（收到申请）；再有 start 为收到补正后的申请，重新计算。",
    )
    on = serializers.DateField(label="日期", help_text="事件发生的日期")
    days = serializers.IntegerField(
        label="工作日数",
        required=False,
        default=0,
        min_value=0,
        max_value=32767,
        help_text="extend：延长的工作日数（至多20）；reopen：重新答复的期限（工作日）",
    )
    reason = serializers.CharField(
        label="理由",
        required=False,
        default="",
        allow_blank=True,
        max_length=40,
        help_text="pause：暂停的理由代码，"
        + "、".join(f"{code}（{words}）" for code, (words, _) in PAUSE_REASONS.items())
        + "；stop、reopen：说明（如“行政复议决定”）",
    )
    until = serializers.DateField(
        label="延迟答复期限",
        required=False,
        allow_null=True,
        default=None,
        help_text="defer：确定的延迟答复期限（《条例》第三十五条）",
    )


class CalendarClockQuery(NamedErrorsSerializer):
    agency = serializers.CharField(
        label="机关代码", required=False, allow_blank=True, max_length=40, help_text=_AGENCY_HELP
    )
    today = serializers.DateField(
        label="计算日",
        required=False,
        allow_null=True,
        default=None,
        help_text="按哪一天计算已用和剩余的工作日；不填为今天（北京时间）。",
    )
    events = CalendarClockEventSerializer(
        label="计时事件",
        many=True,
        min_length=1,
        max_length=MAX_EVENTS,
        help_text=f"按发生顺序排列的计时事件，1 至 {MAX_EVENTS} 个。",
    )


class CalendarClockAnswer(serializers.Serializer):
    agency = serializers.CharField(allow_null=True, help_text="适用的机关代码；全国安排为 null")
    today = serializers.DateField(help_text="计算日")
    start_date = serializers.DateField(help_text="本期答复期限的起算日（收到申请或补正之日）")
    limit = serializers.IntegerField(help_text="答复期限的工作日数（含延长）")
    due_date = serializers.DateField(
        allow_null=True, help_text="答复期限；计时暂停、期限未定时为 null"
    )
    original_due_date = serializers.DateField(allow_null=True, help_text="延长前的答复期限")
    used = serializers.IntegerField(help_text="已用的工作日数")
    days_left = serializers.IntegerField(help_text="剩余的工作日数；已超期时为负数")
    paused = serializers.BooleanField(help_text="计时是否暂停中")
    paused_since = serializers.DateField(allow_null=True, help_text="暂停开始的日期")
    projected_due_date = serializers.DateField(
        allow_null=True, help_text="暂停中时：如计算日恢复计时，答复期限将是哪一天"
    )
    extended_days = serializers.IntegerField(help_text="延长的工作日数")
    provisional = serializers.BooleanField(
        help_text="期限涉及尚未发布国务院节假日安排的年度：暂定，安排发布后可能变化"
    )
    provisional_years = serializers.ListField(
        child=serializers.IntegerField(), help_text="暂定计算的年度"
    )
    at_risk = serializers.BooleanField(help_text="是否临期（剩余工作日不多于机关的临期提醒天数）")
    overdue = serializers.BooleanField(help_text="是否已超过答复期限")
    overdue_days = serializers.IntegerField(help_text="超过答复期限的工作日数")
    stopped = serializers.BooleanField(help_text="是否已办结")
    stopped_on = serializers.DateField(allow_null=True, help_text="办结日期")
    on_time = serializers.BooleanField(allow_null=True, help_text="办结时是否在答复期限内")
    explanation = serializers.ListField(
        child=serializers.CharField(),
        help_text="计算说明（中文，逐条，引用所依据的条款；与案件页面所示相同）",
    )
    special_days = CalendarSpecialDaySerializer(many=True, help_text="期间的节假日、调休和本地调整")


# -- what the answers say ------------------------------------------------------------------------


def day_data(info: DayInfo) -> dict:
    return {
        "date": info.day,
        "weekday": cn_weekday(info.day),
        "working": info.working,
        "provisional": info.provisional,
        "reason": info.reason,
        "reason_label": DAY_REASONS[info.reason],
        "festival": info.festival,
        "note": info.note,
    }


def special_days(calendar: WorkingCalendar, start: date, end: date) -> list[DayInfo]:
    """The days in (start, end] that are not plain weekdays or weekends (as the deadline
    calculator lists them)."""
    days = iter_days(start, end) if start < end else ()
    return [
        info
        for info in map(calendar.day_info, days)
        if info.day != start and info.reason not in ("workday", "weekend")
    ]


def _runs(days: list[DayInfo]) -> list[list[DayInfo]]:
    """Consecutive days that say the same, together (a week of 国庆节 is one line)."""
    runs: list[list[DayInfo]] = []
    for info in days:
        last = runs[-1][-1] if runs else None
        if (
            last is not None
            and info.day.toordinal() == last.day.toordinal() + 1
            and (info.working, info.note) == (last.working, last.note)
        ):
            runs[-1].append(info)
        else:
            runs.append([info])
    return runs


def provisional_words(years: list[int] | tuple[int, ...]) -> str:
    listed = "、".join(f"{year}年" for year in years)
    return (
        f"注意：{listed}的国务院节假日安排尚未发布，该年度按法定节假日暂定计算（不含调休），"
        "安排发布后将重新计算，日期可能变化。"
    )


def day_sentence(info: DayInfo) -> str:
    when = f"{cn_date(info.day)}（{cn_weekday(info.day)}）"
    if info.reason == "workday":
        sentence = f"{when}是工作日。"
    elif info.reason == "weekend":
        sentence = f"{when}是周末，休息。"
    else:
        sentence = f"{when}{'上班' if info.working else '休息'}：{info.note}。"
    if info.provisional:
        sentence += provisional_words([info.day.year])
    return sentence


def add_explanation(
    calendar: WorkingCalendar, start: date, days: int, result: date, special: list[DayInfo]
) -> list[str]:
    lines = [
        f"自{cn_date(start)}起计算{days}个工作日，{cn_date(start)}当日不计算在内，自次日起算。"
    ]
    for run in _runs(special):
        first, last = run[0], run[-1]
        span = cn_date(first.day) if len(run) == 1 else cn_date_range(first.day, last.day)
        state = "上班" if first.working else "休息，不计入"
        lines.append(f"{span}{state}：{first.note}。")
    lines.append(f"第{days}个工作日是{cn_date(result)}（{cn_weekday(result)}），即期限的最后一天。")
    years = calendar.provisional_years_between(start, result)
    if years:
        lines.append(provisional_words(years))
    return lines


# -- parsing -------------------------------------------------------------------------------------


def _parsed(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _agency(code: str) -> Agency | None:
    if not code:
        return None
    if "\x00" in code:
        raise _invalid("agency", "机关代码不能包含空字符。")
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise _invalid("agency", f"机关代码：没有代码为“{code}”的机关。")
    return agency


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "invalid", message, {field: [message]})


def _in_range(calendar: WorkingCalendar, day: date, field: str, label: str) -> None:
    if not calendar.first_day <= day <= calendar.last_day:
        raise _invalid(
            field,
            f"{label}：{cn_date(day)}超出工作日历的范围"
            f"（{calendar.first_day.year}年至{calendar.last_day.year}年）。",
        )


# -- caching -------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _bundled_digest(directory: str) -> str:
    """What the bundled holiday files hold (they change only with a new release)."""
    digest = hashlib.sha256()
    for path in sorted(Path(directory).glob("*.toml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def calendar_etag(request) -> str:
    """The ETag of a calendar answer: the calendar's data (imported notices and adjustments move
    ``CalendarRevision``, a release may bring new holiday files) and the question asked."""
    return etag_of(
        "calendar",
        current_revision(),
        _bundled_digest(str(settings.HOLIDAYS_DIR)),
        request.get_full_path(),
    )


def _not_modified(request, etag: str) -> bool:
    given = request.headers.get("If-None-Match", "")
    tags = [tag.strip().removeprefix("W/") for tag in given.split(",")]
    return "*" in tags or etag in tags


class CachedCalendarView(PublicView):
    """A GET whose answer depends only on the calendar's data: cacheable, with an ETag."""

    def get(self, request):
        etag = calendar_etag(request)
        if _not_modified(request, etag):
            response = Response(status=304)
        else:
            response = Response(self.answer(request))
        response["ETag"] = etag
        response["Cache-Control"] = f"public, max-age={MAX_AGE}"
        return response

    def answer(self, request) -> dict:  # pragma: no cover - overridden
        raise NotImplementedError


_CACHE_NOTE = (
    f"公开接口，无需令牌，按来源地址限制调用频率。答复可缓存（Cache-Control: public, "
    f"max-age={MAX_AGE}），ETag 在节假日安排导入或工作日调整后改变；"
    "带 If-None-Match 重新请求、日历未变时返回 304。"
)
_ERRORS = {422: OpenApiResponse(description="输入有误：字段说明见 fields（中文）。")}
_AGENCY_PARAMETER = OpenApiParameter("agency", str, description=_AGENCY_HELP)


class WorkingDayView(CachedCalendarView):
    @extend_schema(
        operation_id="calendar_day",
        summary="查询某日是否工作日",
        description="某日是否工作日，以及原因：周末、法定节假日（节日名称和通知）、调休上班、"
        "本机关调整；年度安排尚未发布时为暂定。" + _CACHE_NOTE,
        parameters=[
            OpenApiParameter("date", date, required=True, description="日期，如 2026-10-01"),
            _AGENCY_PARAMETER,
        ],
        responses={200: CalendarDayAnswer, 304: None, **_ERRORS},
        tags=["工作日日历"],
        auth=[],
    )
    def get(self, request):
        return super().get(request)

    def answer(self, request) -> dict:
        data = _parsed(DayQuery, request.query_params)
        agency = _agency(data.get("agency", ""))
        calendar = get_calendar(agency)
        _in_range(calendar, data["date"], "date", "日期")
        info = calendar.day_info(data["date"])
        return {
            **day_data(info),
            "agency": agency.code if agency else None,
            "explanation": day_sentence(info),
        }


class AddWorkingDaysView(CachedCalendarView):
    @extend_schema(
        operation_id="calendar_add_working_days",
        summary="计算若干个工作日后的日期",
        description="自起算日期起第 n 个工作日（起算日当日不计算在内，DOMAIN §2），附中文计算说明"
        "和期间的节假日、调休；涉及尚未发布安排的年度时标为暂定。"
        f"工作日数为 1 至 {MAX_DAYS}。" + _CACHE_NOTE,
        parameters=[
            OpenApiParameter("start", date, required=True, description="起算日期，如 2026-09-30"),
            OpenApiParameter("days", int, required=True, description=f"工作日数，1 至 {MAX_DAYS}"),
            _AGENCY_PARAMETER,
        ],
        responses={200: CalendarAddAnswer, 304: None, **_ERRORS},
        tags=["工作日日历"],
        auth=[],
    )
    def get(self, request):
        return super().get(request)

    def answer(self, request) -> dict:
        data = _parsed(AddQuery, request.query_params)
        agency = _agency(data.get("agency", ""))
        calendar = get_calendar(agency)
        start, days = data["start"], data["days"]
        _in_range(calendar, start, "start", "起算日期")
        try:
            result = calendar.add_working_days(start, days)
        except CalendarRangeError as error:
            raise _invalid("days", f"工作日数：{error}") from None
        special = special_days(calendar, start, result)
        years = calendar.provisional_years_between(start, result)
        return {
            "agency": agency.code if agency else None,
            "start": start,
            "days": days,
            "result": result,
            "result_weekday": cn_weekday(result),
            "provisional": bool(years),
            "provisional_years": years,
            "explanation": add_explanation(calendar, start, days, result, special),
            "special_days": [day_data(info) for info in special],
        }


def clock_answer(state: ClockState, calendar: WorkingCalendar, today: date) -> dict:
    """The clock's figures as the API gives them (the case page's, by the same names)."""
    end = state.due_date or state.projected_due_date or today
    return {
        "today": today,
        "start_date": state.start_date,
        "limit": state.limit,
        "due_date": state.due_date,
        "original_due_date": state.original_due_date,
        "used": state.used,
        "days_left": state.left,
        "paused": state.paused,
        "paused_since": state.paused_since,
        "projected_due_date": state.projected_due_date,
        "extended_days": state.extended_days,
        "provisional": state.provisional,
        "provisional_years": list(state.provisional_years),
        "at_risk": state.at_risk,
        "overdue": state.overdue,
        "overdue_days": state.overdue_days,
        "stopped": state.stopped,
        "stopped_on": state.stopped_on,
        "on_time": state.on_time,
        "explanation": list(state.explanation),
        "special_days": [day_data(info) for info in special_days(calendar, state.start_date, end)],
    }


class ClockView(PublicView):
    @extend_schema(
        operation_id="calendar_clock",
        summary="按计时事件计算答复期限",
        description="按《政府信息公开条例》第三十三条等计算答复期限：给出按发生顺序排列的计时事件"
        "（收到申请、暂停、恢复、延长、办结……），返回答复期限、计算日的剩余工作日、是否暂停、"
        "是否暂定和逐条的中文说明——与案件页面和期限计算器使用同一计时规则。"
        "事件顺序不合规则（如未暂停就恢复、延长超过20个工作日）时返回 422 和原因。"
        f"至多 {MAX_EVENTS} 个事件。这一 POST 只计算、不登记任何数据，"
        "因此不需要 Idempotency-Key；公开接口，无需令牌，按来源地址限制调用频率，不缓存。",
        request=CalendarClockQuery,
        responses={200: CalendarClockAnswer, **_ERRORS},
        tags=["工作日日历"],
        auth=[],
    )
    def post(self, request):
        data = _parsed(CalendarClockQuery, request.data)
        agency = _agency(data.get("agency", ""))
        calendar = get_calendar(agency)
        today = data.get("today") or timezone.localdate()
        _in_range(calendar, today, "today", "计算日")
        for index, event in enumerate(data["events"]):
            where = f"计时事件第{index + 1}项的"
            _in_range(calendar, event["on"], f"events.{index}.on", f"{where}日期")
            if event.get("until"):
                _in_range(calendar, event["until"], f"events.{index}.until", f"{where}延迟答复期限")
        events = [
            ClockEvent(
                kind=e["kind"], on=e["on"], days=e["days"], reason=e["reason"], until=e["until"]
            )
            for e in data["events"]
        ]
        try:
            state = evaluate(
                events,
                calendar=calendar,
                today=today,
                at_risk_days=agency.at_risk_days if agency else DEFAULT_AT_RISK_DAYS,
            )
        except ValueError as error:
            raise _invalid("events", f"计时事件：{error}") from None
        answer = clock_answer(state, calendar, today)
        response = Response({"agency": agency.code if agency else None, **answer})
        response["Cache-Control"] = "no-store"
        return response
