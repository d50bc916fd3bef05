"""The engine's own pages: the deadline calculator (期限计算器)."""

from datetime import date

from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import path
from django.views.generic import TemplateView
from viewflow.urls import AppMenuMixin, Viewset

from workflow.calendar import CalendarRangeError, get_calendar, iter_days
from workflow.clock import ClockEvent, Kind, evaluate
from workflow.forms import DeadlineForm, PauseFormSet, default_today
from workflow.selectors import agencies_of


def _events_from(form: DeadlineForm, pauses: PauseFormSet) -> list[ClockEvent]:
    data = form.cleaned_data
    keyed: list[tuple[date, float, ClockEvent]] = [
        (data["receipt_date"], 0, ClockEvent(Kind.START, data["receipt_date"]))
    ]
    if data.get("correction_date"):
        keyed.append((data["correction_date"], 0, ClockEvent(Kind.START, data["correction_date"])))
    for pause in pauses:
        if not pause.used:
            continue
        start, end, reason = (pause.cleaned_data[k] for k in ("start", "end", "reason"))
        keyed.append((start, 2, ClockEvent(Kind.PAUSE, start, reason=reason)))
        if end:
            # A resume sorts before another pause of the same day, but after its own pause.
            keyed.append((end, 2.5 if end == start else 1, ClockEvent(Kind.RESUME, end)))
    if data.get("extension_date"):
        keyed.append(
            (
                data["extension_date"],
                3,
                ClockEvent(Kind.EXTEND, data["extension_date"], days=data["extension_days"]),
            )
        )
    keyed.sort(key=lambda item: (item[0], item[1]))
    return [event for _, _, event in keyed]


class DeadlineCalculatorView(LoginRequiredMixin, TemplateView):
    template_name = "workflow/deadline_calculator.html"

    def get(self, request, *args, **kwargs):
        agencies = agencies_of(request.user)
        if "receipt_date" in request.GET:
            form = DeadlineForm(request.GET, agencies=agencies)
            pauses = PauseFormSet(request.GET, prefix="pause")
        else:
            form = DeadlineForm(initial={"today": default_today()}, agencies=agencies)
            pauses = PauseFormSet(prefix="pause")
        context = {"form": form, "pauses": pauses, "result": None, "special_days": []}
        if form.is_bound and form.is_valid() and pauses.is_valid():
            agency = form.cleaned_data.get("agency") or None
            calendar = get_calendar(int(agency) if agency else None)
            try:
                state = evaluate(
                    _events_from(form, pauses),
                    calendar=calendar,
                    today=form.cleaned_data["today"],
                )
            except (ValueError, CalendarRangeError) as error:
                form.add_error(None, str(error))
            else:
                end = state.due_date or state.projected_due_date or form.cleaned_data["today"]
                context["result"] = state
                context["special_days"] = [
                    info
                    for info in map(calendar.day_info, iter_days(state.start_date, end))
                    if info.note not in ("工作日", "周末")
                ]
        return self.render_to_response(self.get_context_data(**context))


class DeadlineCalculatorViewset(AppMenuMixin, Viewset):
    title = "期限计算器"
    icon = "calculate"
    app_name = "deadline"

    index_path = path("", DeadlineCalculatorView.as_view(), name="index")
