"""setup_demo's supervising government: the demo agency's parent, and its office head who sees
the agency's reports and dashboards."""

import pytest

from workflow.management.commands.setup_demo import DEMO_PASSWORD, demo_government
from workflow.models import Agency
from workflow.selectors import supervised_agencies

pytestmark = pytest.mark.django_db


def test_the_demo_agency_is_under_its_government_and_the_supervisor_sees_it(agency, other_agency):
    government, supervisor = demo_government(agency)
    agency.refresh_from_db()
    assert agency.parent == government
    assert government.parent is None
    assert list(supervised_agencies(supervisor)) == [agency]
    assert supervisor.check_password(DEMO_PASSWORD)
    assert list(supervisor.agencies.all()) == [government]
    # A second run (make run again) finds the same government and account.
    again, same = demo_government(agency)
    assert (again.pk, same.pk) == (government.pk, supervisor.pk)
    assert Agency.objects.filter(code=government.code).count() == 1
