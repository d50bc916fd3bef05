"""Periods that run from the addressee's receipt of a notice (DOMAIN §3.8).

The correction period (Art. 30 "自收到本告知书之日起"), the third party's and the other agency's
15 working days (Arts. 32, 34 "自收到征求意见书之日起15个工作日内") and the 20 working days to pay
(Fee Rules "收到收费通知次日起20个工作日内") are counted from the recorded service, never from the
letter's date."""

import importlib
from datetime import date, timedelta

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.status import STATUS

from requests_app.flows import NEVER, RequestFlow, process_for, sync_process
from requests_app.models import Consultation, Fee, InformationRequest, NoticeService
from requests_app.services import (
    consultation_lapse,
    consultation_send,
    fee_lapsed,
    fee_notice,
    notice_record_service,
    request_accept,
    request_ask_correction,
    request_correction_lapsed,
)
from tests.conftest import d
from tests.requests_app.flow_helpers import open_tasks, refreshed, serve_notice
from workflow.calendar import get_calendar
from workflow.clock import notice_period_end
from workflow.errors import NotAllowed
from workflow.letters.render import build_letter, sample_context
from workflow.models import AuditEvent

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.case(process=True, frozen_at="2026-03-02 09:00 +0800"),
]
S = InformationRequest.Stage
LETTER_DAY = d("2026-03-03")  # Tuesday
POSTED = d("2026-03-09")  # handed to the post office 4 working days after the letter's date


def day_after(day: date) -> date:
    return day + timedelta(days=1)


def due_day(timer) -> date:
    """The local day on which a timer is due (it is due at 00:00 Asia/Shanghai)."""
    return timezone.localtime(timer.scheduled).date()


def ask_correction(case, handler):
    request_ask_correction(
        actor=handler, case_id=case.pk, items=["请写明文件名称"], today=LETTER_DAY
    )
    return NoticeService.objects.get(request=case, notice="correction")


def consult(case, handler, party="third_party", name="甲公司", on=LETTER_DAY):
    return consultation_send(
        actor=handler,
        case_id=case.pk,
        party=party,
        party_name=name,
        matter="合同金额",
        sent_on=on,
        today=on,
    )


def charge(case, handler, on=LETTER_DAY):
    return fee_notice(
        actor=handler,
        case_id=case.pk,
        method="per_page",
        quantity=100,
        payment_method="转账至指定账户",
        today=on,
    )


# -- the pure rule ---------------------------------------------------------------------------------


def test_the_period_counts_from_the_day_after_receipt(national_calendar):
    # DOMAIN §2 counting: the day of receipt is not counted; 15 working days from 2026-03-09.
    receipt, end = notice_period_end(national_calendar, served_on=POSTED, days=15)
    assert (receipt, end) == (POSTED, d("2026-03-30"))
    # An agency's assumed delivery for post: 3 working days after 交邮之日 is the receipt.
    receipt, end = notice_period_end(
        national_calendar, served_on=POSTED, days=15, by_post=True, postal_receipt_days=3
    )
    assert receipt == d("2026-03-12")
    assert end == national_calendar.add_working_days(d("2026-03-12"), 15)
    # The policy is only for post.
    assert notice_period_end(
        national_calendar, served_on=POSTED, days=15, by_post=False, postal_receipt_days=3
    )[0] == (POSTED)


# -- Art. 30: the correction notice ----------------------------------------------------------------


def test_a_postal_correction_notice_served_four_working_days_late_gets_its_full_period(
    case, handler, registrar
):
    # Art. 30 "自收到本告知书之日起": 15 working days from the service, not from the letter.
    service = ask_correction(case, handler)
    assert refreshed(case).correction_deadline is None
    serve_notice(
        case, "correction", registrar, POSTED, method="post", tracking_number="XA123456789CN"
    )
    service.refresh_from_db()
    calendar = get_calendar(case.agency_id)
    assert service.period_end == calendar.add_working_days(POSTED, 15) == d("2026-03-30")
    assert refreshed(case).correction_deadline == d("2026-03-30")
    from_letter = calendar.add_working_days(LETTER_DAY, 15)
    assert from_letter == d("2026-03-24")
    # The day after the letter-date count, and the period's own last day: nothing happens.
    assert request_correction_lapsed(case_id=case.pk, today=day_after(from_letter)) is None
    assert request_correction_lapsed(case_id=case.pk, today=d("2026-03-30")) is None
    assert refreshed(case).stage == S.CORRECT
    request_correction_lapsed(case_id=case.pk, today=d("2026-03-31"))
    assert refreshed(case).outcome == "abandoned_no_correction"


def test_correction_timer_waits_for_the_service_and_does_not_fire_a_day_early(
    client, case, handler, registrar
):
    # Art. 30 through the real process: no end and no firing until served; then on time.
    with time_machine.travel("2026-03-03 09:00 +0800", tick=False):
        ask_correction(case, handler)
        sync_process(case)
        assert open_tasks(case) == ["correct"]
        timer = process_for(case).task_set.get(flow_task=RequestFlow.correct__timeout)
        assert timer.status == STATUS.SCHEDULED and timer.scheduled == NEVER
    # Long after any letter-date count: not served, so nothing lapses.
    with time_machine.travel("2026-05-06 09:00 +0800", tick=False):
        call_command("workflow_timers")
        assert refreshed(case).stage == S.CORRECT
        # Served (late record of a postal service on 03-09): the timer moves to the period's end.
        notice_record_service(
            actor=registrar,
            service_id=NoticeService.objects.get(request=case).pk,
            method="post",
            served_on=POSTED,
            tracking_number="XA123456789CN",
        )
    timer.refresh_from_db()
    assert timer.status == STATUS.SCHEDULED
    assert due_day(timer) == d("2026-03-31")  # 00:00 the day after the period's last day
    assert refreshed(case).correction_deadline == d("2026-03-30")


def test_correction_timer_fires_the_day_after_the_period_from_service(case, handler, registrar):
    # Art. 30: served by post 4 working days after the letter; the timer fires only after 03-30.
    with time_machine.travel("2026-03-03 09:00 +0800", tick=False):
        ask_correction(case, handler)
        sync_process(case)
    with time_machine.travel("2026-03-09 17:00 +0800", tick=False):
        serve_notice(case, "correction", registrar, POSTED, method="post", tracking_number="X1")
    with time_machine.travel(
        "2026-03-25 09:00 +0800", tick=False
    ):  # the letter-date count's next day
        call_command("workflow_timers")
        assert refreshed(case).stage == S.CORRECT
    with time_machine.travel("2026-03-30 23:59 +0800", tick=False) as traveller:
        call_command("workflow_timers")
        assert refreshed(case).stage == S.CORRECT  # the period's last day is the applicant's
        traveller.shift(120)
        call_command("workflow_timers")
    lapsed = refreshed(case)
    assert (lapsed.stage, lapsed.outcome) == (S.SERVE, "abandoned_no_correction")
    assert open_tasks(case) == ["serve"]


def test_a_timer_that_fires_before_the_period_ends_does_nothing_and_rearms(
    case, handler, registrar
):
    # Defence in depth (Art. 30): a timer due too early (e.g. set by hand) leaves the case alone.
    with time_machine.travel("2026-03-03 09:00 +0800", tick=False):
        ask_correction(case, handler)
        sync_process(case)
        serve_notice(case, "correction", registrar, LETTER_DAY)
        timer = process_for(case).task_set.get(flow_task=RequestFlow.correct__timeout)
        timer.scheduled = timer.scheduled - timedelta(days=10)
        timer.save(update_fields=["scheduled"])
    with time_machine.travel("2026-03-20 09:00 +0800", tick=False):
        call_command("workflow_timers")
    assert refreshed(case).stage == S.CORRECT
    assert open_tasks(case) == ["correct"]
    rearmed = process_for(case).task_set.filter(
        flow_task=RequestFlow.correct__timeout, status=STATUS.SCHEDULED
    )
    assert [due_day(t) for t in rearmed] == [d("2026-03-25")]


# -- Arts. 32, 34: consultations -------------------------------------------------------------------


def test_consultation_timer_does_not_fire_a_day_early(case, handler, registrar):
    # Art. 32 "自收到征求意见书之日起15个工作日内": the third party's letter posted on 03-09.
    with time_machine.travel("2026-03-03 09:00 +0800", tick=False):
        request_accept(actor=handler, case_id=case.pk, today=LETTER_DAY)
        consultation = consult(case, handler)
        sync_process(case)
        assert Consultation.objects.get(pk=consultation.pk).limit_date is None
    with time_machine.travel("2026-03-09 17:00 +0800", tick=False):
        serve_notice(case, "third_party", registrar, POSTED, method="post", tracking_number="X2")
    consultation.refresh_from_db()
    assert consultation.limit_date == d("2026-03-30")
    with time_machine.travel("2026-03-30 23:59 +0800", tick=False) as traveller:
        call_command("workflow_timers")
        consultation.refresh_from_db()
        assert consultation.reply == Consultation.Reply.PENDING
        traveller.shift(120)
        call_command("workflow_timers")
    consultation.refresh_from_db()
    assert consultation.reply == Consultation.Reply.NO_REPLY
    assert consultation.replied_on == d("2026-03-30")
    assert refreshed(case).stage == S.PROPOSE


def test_the_consultation_pause_stays_open_while_a_letter_is_unserved(case, handler, registrar):
    # Art. 33 ¶3 with Arts. 32, 34: paused from the first letter to the last reply or the last
    # period's end; an unserved letter has no end, so the clock stays paused (no due date).
    request_accept(actor=handler, case_id=case.pk, today=LETTER_DAY)
    first = consult(case, handler)
    other = consult(case, handler, party="agency", name="乙局", on=d("2026-03-04"))
    serve_notice(case, "third_party", registrar, LETTER_DAY, today=d("2026-03-04"))
    first.refresh_from_db()
    assert consultation_lapse(consultation_id=first.pk, today=d("2026-04-20")).reply == "no_reply"
    # The agency's letter is not served: its silence cannot be consent yet (Art. 34).
    assert consultation_lapse(consultation_id=other.pk, today=d("2026-04-20")) is None
    paused = refreshed(case)
    assert paused.stage == S.CONSULT and paused.paused and paused.due_date is None
    serve_notice(case, "agency", registrar, d("2026-03-10"), today=d("2026-04-20"))
    other.refresh_from_db()
    assert other.limit_date == get_calendar(case.agency_id).add_working_days(d("2026-03-10"), 15)
    consultation_lapse(consultation_id=other.pk, today=d("2026-04-20"))
    resumed = refreshed(case)
    assert resumed.stage == S.PROPOSE and not resumed.paused
    assert resumed.clock_entries.filter(kind="resume").get().on == other.limit_date


def test_service_recorded_later_moves_the_end_and_the_timer(case, handler, registrar):
    # Art. 34: the other agency's 15 working days; a corrected service date moves the end.
    with time_machine.travel("2026-03-03 09:00 +0800", tick=False):
        request_accept(actor=handler, case_id=case.pk, today=LETTER_DAY)
        consultation = consult(case, handler, party="agency", name="乙局")
        sync_process(case)
        serve_notice(case, "agency", registrar, LETTER_DAY)
        timer = process_for(case).task_set.get(flow_task=RequestFlow.consult__timeout)
        assert due_day(timer) == d("2026-03-25")  # 00:00 the day after 03-24, Shanghai
    with time_machine.travel("2026-03-10 09:00 +0800", tick=False):
        service = NoticeService.objects.get(consultation=consultation)
        notice_record_service(
            actor=registrar,
            service_id=service.pk,
            method="post",
            served_on=POSTED,
            tracking_number="XA1",
        )
    consultation.refresh_from_db()
    assert consultation.limit_date == d("2026-03-30")
    timer.refresh_from_db()
    assert due_day(timer) == d("2026-03-31")
    assert AuditEvent.objects.filter(
        action="notice_service_corrected", object_id=str(case.pk)
    ).exists()
    with time_machine.travel("2026-03-25 09:00 +0800", tick=False):
        call_command("workflow_timers")
    consultation.refresh_from_db()
    assert consultation.reply == Consultation.Reply.PENDING


# -- Fee Rules -------------------------------------------------------------------------------------


def test_fee_period_has_no_end_until_served_and_then_counts_from_receipt(case, handler, registrar):
    # Fee Rules "收到收费通知次日起20个工作日内": never deemed abandoned before it is served.
    request_accept(actor=handler, case_id=case.pk, today=LETTER_DAY)
    charge(case, handler)
    assert fee_lapsed(case_id=case.pk, today=d("2026-06-01")) is None
    assert refreshed(case).stage == S.FEE
    serve_notice(
        case, "fee", registrar, POSTED, method="post", tracking_number="X3", today=d("2026-03-10")
    )
    fee = Fee.objects.get(request=case)
    assert fee.pay_by == get_calendar(case.agency_id).add_working_days(POSTED, 20)
    assert fee_lapsed(case_id=case.pk, today=fee.pay_by) is None
    fee_lapsed(case_id=case.pk, today=day_after(fee.pay_by))
    assert refreshed(case).outcome == "abandoned_no_payment"


def test_agency_assumed_postal_delivery_is_used_and_stated_in_the_letter(
    case, handler, registrar, agency
):
    # DOMAIN §3.8: an agency policy of assumed delivery for post, stated in the letter.
    agency.postal_receipt_days = 3
    agency.save()
    request_accept(actor=handler, case_id=case.pk, today=LETTER_DAY)
    charge(case, handler)
    letter = NoticeService.objects.get(request=case, notice="fee").letter
    assert letter is not None and letter.letter_kind == "fee_notice"
    serve_notice(
        case, "fee", registrar, POSTED, method="post", tracking_number="X4", today=d("2026-03-10")
    )
    service = NoticeService.objects.get(request=case, notice="fee")
    calendar = get_calendar(case.agency_id)
    assert service.received_on == calendar.add_working_days(POSTED, 3)
    assert service.period_end == calendar.add_working_days(service.received_on, 20)
    assert "交邮，按本机关规定推定" in service.explanation
    context = sample_context("fee_notice")
    context.agency.postal_receipt_days = 3
    assert "以交邮之日后第3个工作日为收到之日" in build_letter("fee_notice", context).plain_text()


# -- the service record ----------------------------------------------------------------------------


def test_service_is_validated_in_chinese(case, handler, registrar, office_head, outsider):
    service = ask_correction(case, handler)

    def record(actor=registrar, **changes):
        values = {"method": "direct", "served_on": LETTER_DAY, "today": d("2026-03-05")}
        values.update(changes)
        return notice_record_service(actor=actor, service_id=service.pk, **values)

    with pytest.raises(ValidationError) as early:
        record(served_on=d("2026-03-02"))
    assert "送达日期不能早于补正申请告知书的日期" in early.value.message_dict["served_on"][0]
    with pytest.raises(ValidationError) as future:
        record(served_on=d("2026-03-06"))
    assert "晚于今天" in future.value.message_dict["served_on"][0]
    with pytest.raises(ValidationError) as untracked:
        record(method="post")
    assert "邮件号码" in untracked.value.message_dict["tracking_number"][0]
    with pytest.raises(ValidationError) as unknown:
        record(method="courier")
    assert "送达方式" in unknown.value.message_dict["method"][0]
    with pytest.raises(NotAllowed):
        record(actor=office_head)
    with pytest.raises(NotAllowed):
        record(actor=outsider)
    record()
    event = AuditEvent.objects.get(action="notice_served", object_id=str(case.pk))
    assert "2026年3月3日送达，补正期限至2026年3月24日（含当日）" in event.reason
    assert any(
        "补正期限至2026年3月24日（含当日）" in line for line in refreshed(case).clock_explanation
    )


def test_letters_state_the_period_as_the_law_words_it_and_no_unknown_date(case, handler):
    # Art. 30, 32, 34, Fee Rules: the letter is issued before its service, so no end date.
    for kind, words in [
        ("correction_notice", "自收到本告知书之日起15个工作日内将补正后的申请"),
        ("third_party_consultation", "自收到本函之日起15个工作日内提出"),
        ("agency_consultation", "自收到本函之日起15个工作日内提出"),
        ("fee_notice", "自收到本通知次日起20个工作日内缴纳"),
    ]:
        text = build_letter(kind, sample_context(kind)).plain_text()
        assert words in text, kind
        assert "（含当日）" not in text
    dated = sample_context("correction_notice", correction_deadline="2026-03-30")
    assert "即2026年3月30日（含当日）前" in build_letter("correction_notice", dated).plain_text()


# -- the case page and the registrar's list --------------------------------------------------------


def test_case_page_shows_pending_service_and_records_it(client, case, handler, registrar):
    ask_correction(case, handler)
    client.force_login(registrar)
    listing = client.get(reverse("requests:notices:index")).content.decode()
    assert case.case_number in listing and "补正申请告知书" in listing
    page = client.get(reverse("requests:cases:detail", args=[case.pk])).content.decode()
    assert "待送达" in page and 'id="action-notice_service"' in page
    service = NoticeService.objects.get(request=case)
    url = reverse("requests:cases:action", args=[case.pk, "notice_service"])
    refused = client.post(url, {"service": service.pk, "method": "post", "served_on": "2026-03-09"})
    assert refused.status_code == 200
    assert "邮件号码" in refused.content.decode()
    assert 'value="2026-03-09"' in refused.content.decode()  # what was typed is kept
    with time_machine.travel("2026-03-10 09:00 +0800", tick=False):
        done = client.post(
            url,
            {
                "service": service.pk,
                "method": "post",
                "served_on": "2026-03-09",
                "tracking_number": "XA123456789CN",
            },
        )
        assert done.status_code == 302
        # still the same working session (the idle timeout counts from the last request)
        page = client.get(reverse("requests:cases:detail", args=[case.pk])).content.decode()
        listing = client.get(reverse("requests:notices:index")).content.decode()
    assert "已送达：2026年3月9日" in page
    assert "补正期限至2026年3月30日（含当日）" in page
    assert case.case_number not in listing


def test_other_agencies_notices_are_not_listed(client, case, handler, outsider, django_user_model):
    ask_correction(case, handler)
    from django.contrib.auth.models import Group

    outsider.groups.add(Group.objects.get(name="registrar"))
    client.force_login(outsider)
    listing = client.get(reverse("requests:notices:index"))
    assert listing.status_code == 200
    assert case.case_number not in listing.content.decode()


# -- the upgrade -----------------------------------------------------------------------------------


def test_migration_presumes_service_on_the_letter_date_and_says_so(case, handler):
    # Notices issued before this change: their letter date becomes their assumed service date,
    # their period ends stay, and the case's history says so.
    request_accept(actor=handler, case_id=case.pk, today=LETTER_DAY)
    consultation = consult(case, handler)
    NoticeService.objects.filter(request=case).delete()
    Consultation.objects.filter(pk=consultation.pk).update(limit_date=d("2026-03-24"))
    migration = importlib.import_module("requests_app.migrations.0013_notice_service")
    migration.presume_service(apps, None)
    service = NoticeService.objects.get(consultation=consultation)
    assert service.presumed and service.served_on == LETTER_DAY
    assert service.period_end == d("2026-03-24")
    assert service.letter.letter_kind == "third_party_consultation"
    event = AuditEvent.objects.get(action="notice_service_presumed", object_id=str(case.pk))
    assert "按告知书日期推定送达（系统升级）" in event.reason
    assert "按告知书日期推定2026年3月3日送达（系统升级）" in service.explanation


def test_a_withdrawn_case_has_no_notice_left_to_serve(case, handler, registrar):
    # A withdrawal ends the consultation's wait (the case goes to 送达): nothing left to count.
    from requests_app.services import StaleCase, pending_notices, request_withdraw

    request_accept(actor=handler, case_id=case.pk, today=LETTER_DAY)
    consult(case, handler)
    assert pending_notices(registrar).filter(request=case).exists()
    request_withdraw(
        actor=registrar, case_id=case.pk, on=LETTER_DAY, reason="书面撤回", today=LETTER_DAY
    )
    assert not pending_notices(registrar).filter(request=case).exists()
    with pytest.raises(StaleCase, match="不能再登记或更改送达"):
        serve_notice(case, "third_party", registrar, LETTER_DAY)


def test_a_calendar_change_moves_an_open_period_and_its_timer(case, handler, registrar, admin_user):
    # DOMAIN §2 with Art. 30: a local day off inside the correction period moves its end (and
    # the timer), and the change lists it among the moved deadlines.
    from workflow.services import calendar_adjustment_save

    with time_machine.travel("2026-03-03 09:00 +0800", tick=False):
        ask_correction(case, handler)
        sync_process(case)
        serve_notice(case, "correction", registrar, LETTER_DAY)
        assert refreshed(case).correction_deadline == d("2026-03-24")
        _, moved = calendar_adjustment_save(
            actor=admin_user,
            day=d("2026-03-10"),
            kind="off",
            reason="本地纪念日",
            agency=case.agency,
        )
    assert refreshed(case).correction_deadline == d("2026-03-25")
    assert NoticeService.objects.get(request=case).period_end == d("2026-03-25")
    timer = process_for(case).task_set.get(flow_task=RequestFlow.correct__timeout)
    assert due_day(timer) == d("2026-03-26")
    assert (d("2026-03-24"), d("2026-03-25")) in [(m.old_due, m.new_due) for m in moved]


@time_machine.travel("2026-12-16 09:00 +0800", tick=False)
def test_an_end_in_a_year_without_its_schedule_is_shown_provisional(
    client, registrar, handler, agency, walk_in
):
    # DOMAIN §2: a deadline that depends on a provisional year is marked wherever it is shown.
    from requests_app.services import request_register

    received = d("2026-12-15")
    data = walk_in(arrival_date=received, receipt_date=received)
    case = request_register(actor=registrar, agency=agency, data=data, today=received)
    request_ask_correction(
        actor=handler, case_id=case.pk, items=["请写明年份"], today=d("2026-12-16")
    )
    serve_notice(case, "correction", registrar, d("2026-12-16"))
    client.force_login(registrar)
    page = client.get(reverse("requests:cases:detail", args=[case.pk])).content.decode()
    table = page[page.index('id="notice-services"') :]
    table = table[: table.index("</table>")]
    assert "补正期限至2027年" in table and "暂定期限" in table
