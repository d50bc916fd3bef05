"""setup_demo's supervising government: the demo agency's parent, and its office head who sees
the agency's reports and dashboards."""

import pytest
from django.utils import timezone

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


def test_the_demo_government_publishes_its_own_documents_catalogue_and_report(agency):
    from attributes_app.demo import GOVERNMENT_DOCUMENTS, create_government_documents
    from attributes_app.models import Attribute, CataloguePublication, Document, Publication
    from requests_app.demo import GOVERNMENT_FIGURES, GOVERNMENT_TEXTS, publish_last_year_report
    from requests_app.models import AnnualReport
    from workflow.models import AuditEvent

    government, supervisor = demo_government(agency)
    lines: list[str] = []
    assert create_government_documents(government, write=lines.append) == 4
    documents = Document.objects.filter(agency=government)
    assert documents.count() == len(GOVERNMENT_DOCUMENTS) == 4
    for document in documents:
        assert document.attribute == Attribute.PROACTIVE
        assert document.index_number and document.number.startswith("孝政发〔")
        publication = Publication.objects.get(document=document)
        assert publication.published_on < timezone.localdate()
        assert document.file
    assert not Document.objects.filter(agency=agency).exists()
    assert CataloguePublication.objects.filter(agency=government).count() == 1
    assert AuditEvent.objects.filter(action="attribute_publish").count() == 4
    # Staff stay in one agency: the government's new accounts are its own, the agency's untouched.
    for user in government.staff.all():
        assert list(user.agencies.all()) == [government]
    assert not agency.staff.exists()
    assert any("gov_drafter" in line for line in lines)

    report = publish_last_year_report(
        government,
        {"office_head": supervisor},
        write=lines.append,
        figures=GOVERNMENT_FIGURES,
        texts_of=GOVERNMENT_TEXTS,
    )
    assert report.status == AnnualReport.Status.PUBLISHED and report.agency == government
    assert "（请填写）" not in report.texts["一"]

    # A second run creates nothing twice.
    assert create_government_documents(government, write=lines.append) == 0
    assert Document.objects.filter(agency=government).count() == 4
    again = publish_last_year_report(
        government,
        {"office_head": supervisor},
        write=lines.append,
        figures=GOVERNMENT_FIGURES,
        texts_of=GOVERNMENT_TEXTS,
    )
    assert again.pk == report.pk
    assert AnnualReport.objects.filter(agency=government).count() == 1
