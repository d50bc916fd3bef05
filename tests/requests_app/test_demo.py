"""The demo cases carry an application scan now and then, and one a proof of service."""

import pytest
import time_machine
from django.utils import timezone

from requests_app.annual_report.counting import build_report
from requests_app.demo import (
    ART35_ART32_SCENARIOS,
    LAST_YEAR_SCENARIOS,
    application_scan,
    create_demo_challenges,
    create_demo_requests,
    create_last_year_requests,
    publish_last_year_report,
    service_proof_photo,
)
from requests_app.models import CaseDocument, InformationRequest, NoticeService
from requests_app.uploads import check_file
from tests.conftest import d


def test_the_demo_files_pass_the_upload_checks(walk_in):
    scan, problem = check_file("application", application_scan(walk_in()))
    assert (problem, scan.file_type.code) == ("", "pdf")
    case = InformationRequest(case_number="孝政信申〔2026〕1号", applicant_name="张明华")
    photo, problem = check_file("service_proof", service_proof_photo(case, d("2026-03-06")))
    assert (problem, photo.file_type.code) == ("", "jpeg")


@pytest.mark.django_db
def test_demo_cases_get_scans_and_one_served_case_its_proof(
    agency, registrar, handler, office_head, legal_reviewer
):
    users = {
        "registrar": registrar,
        "handler": handler,
        "office_head": office_head,
        "legal_reviewer": legal_reviewer,
    }
    # The first 14 scenarios reach the first case that is served and not yet archived; the
    # Art. 35 / Art. 32 cases (waiting for reasons, deferred, disclosed over an objection) follow.
    created = create_demo_requests(agency, users, count=14, write=lambda _: None)
    assert created == 14 + len(ART35_ART32_SCENARIOS) == 17
    scans = CaseDocument.objects.filter(kind="application")
    assert scans.count() == 3  # every seventh case: the 1st, 8th and 15th
    [proof] = CaseDocument.objects.filter(kind="service_proof")
    served = proof.request
    assert (served.stage, served.service_method) == ("archive", "direct")
    assert served.served_on <= timezone.localdate()
    # DOMAIN §3.8: some notices are served (their periods have ends), some still wait (待送达).
    notices = NoticeService.objects.filter(request__agency=agency)
    assert notices.filter(served_on__isnull=True).exists()
    assert notices.filter(served_on__isnull=False, period_end__isnull=False).exists()


@pytest.mark.django_db
def test_the_whole_demo_builds_every_outcome(
    agency, registrar, handler, office_head, legal_reviewer
):
    """``make run`` builds all 42 scenarios: each outcome's proposal must pass the services'
    checks as they stand (an Art. 15 refusal without consultation says why none was needed)."""
    users = {
        "registrar": registrar,
        "handler": handler,
        "office_head": office_head,
        "legal_reviewer": legal_reviewer,
    }
    created = create_demo_requests(agency, users, write=lambda _: None)
    assert created == 42 + len(ART35_ART32_SCENARIOS)
    outcomes = set(
        InformationRequest.objects.filter(agency=agency)
        .exclude(decision__isnull=True)
        .values_list("decision__outcome", flat=True)
    )
    assert "withheld_third_party" in outcomes


@pytest.mark.django_db
def test_last_year_has_carried_over_cases_challenges_and_its_published_report(
    agency, registrar, handler, office_head, legal_reviewer
):
    """Last year's demo cases all end; the two received in December are served in January, so
    last year's published report carries them over (四) and this year's counts them in 二; the
    reconsideration and lawsuits fill table 四; the report is published in January."""
    users = {
        "registrar": registrar,
        "handler": handler,
        "office_head": office_head,
        "legal_reviewer": legal_reviewer,
    }
    quiet = lambda _: None  # noqa: E731
    with time_machine.travel("2026-11-20 09:00 +0800", tick=False):
        cases = create_last_year_requests(agency, users, write=quiet)
        challenges = create_demo_challenges(agency, users, cases, write=quiet)
        report = publish_last_year_report(agency, users, write=quiet)
        this_year = build_report(agency, 2026)
        # A second run makes nothing more.
        assert create_last_year_requests(agency, users, write=quiet) == []
        assert publish_last_year_report(agency, users, write=quiet).pk == report.pk
    cases = list(InformationRequest.objects.filter(agency=agency).order_by("receipt_date"))
    assert len(cases) == len(LAST_YEAR_SCENARIOS)
    assert {case.year for case in cases} == {2025}
    assert {case.stage for case in cases} == {"closed"}
    carried = [case for case in cases if case.concluded_on.year == 2026]
    assert [(c.receipt_date.month, c.concluded_on.month) for c in carried] == [(12, 1), (12, 1)]
    outcomes = {case.outcome for case in cases}
    assert {"disclosed", "partly_disclosed", "withheld_process_info", "other"} <= outcomes
    assert {"abandoned_no_correction", "not_held", "not_our_agency"} <= outcomes

    assert (report.year, report.status, report.version) == (2025, "published", 1)
    assert timezone.localtime(report.published_at).date() == d("2026-01-20")
    rows = {row["label"][:2]: row["values"] for row in report.summary["table3"]["rows"]}
    assert rows["一、"][6] == len(LAST_YEAR_SCENARIOS)
    assert rows["（七"][6] == len(LAST_YEAR_SCENARIOS) - 2
    assert rows["四、"][6] == 2
    # Table 四: a reconsideration upheld; a lawsuit without one, withdrawn (其他结果); a lawsuit
    # after the reconsideration, pending.
    assert report.summary["table4"] == [1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1]
    assert [c.kind for c in challenges] == ["reconsideration", "lawsuit_after", "lawsuit_direct"]
    assert challenges[1].follows == challenges[0]
    assert all(c.filed_on >= c.request.served_on for c in challenges)
    # recorded through the service: each is in its case's history
    from workflow.models import AuditEvent

    assert AuditEvent.objects.filter(action="challenge_recorded").count() == len(challenges)
    # This year's report finds last year's carried over cases and agrees with the published one.
    assert this_year.table3["二"][6].value == 2
    [carryover] = [check for check in this_year.checks if "结转" in check.name]
    assert carryover.ok, carryover.detail
