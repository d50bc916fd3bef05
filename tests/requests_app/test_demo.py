"""The demo cases carry an application scan now and then, and one a proof of service."""

import pytest
from django.utils import timezone

from requests_app.demo import (
    ART35_ART32_SCENARIOS,
    application_scan,
    create_demo_requests,
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
