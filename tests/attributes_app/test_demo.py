"""The demo register: every attribute state, overdue deadlines, reviews at every step."""

import pytest
import time_machine
from django.utils import timezone

from attributes_app.demo import PEOPLE, create_demo_documents
from attributes_app.models import (
    ArchiveTransfer,
    AttributeChange,
    AttributeReview,
    Determination,
    DeterminationLetter,
    Document,
    Publication,
    ReviewItem,
)
from attributes_app.selectors import documents_in_error, publication_tasks
from requests_app.models import CaseDocument
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(
    registrar,
    handler,
    office_head,
    legal_reviewer,
    admin_user,
    drafter,
    unit_head,
    secrecy_reviewer,
):
    return {
        "registrar": registrar,
        "handler": handler,
        "office_head": office_head,
        "legal_reviewer": legal_reviewer,
        "admin": admin_user,
        "drafter": drafter,
        "drafting_unit_head": unit_head,
        "secrecy_reviewer": secrecy_reviewer,
    }


def test_the_demo_covers_every_state_and_every_review_step(agency, users):
    agency.office_name = (
        "孝义市人民政府办公室政务公开科"  # as setup_demo's agency: letters go to it
    )
    agency.save()
    lines = []
    with time_machine.travel("2026-11-20 09:00 +0800", tick=False):
        created = create_demo_documents(agency, users, write=lines.append)
        states = set(Document.objects.values_list("attribute_state", flat=True))
        overdue = publication_tasks(users["office_head"], only="overdue").count()
        at_risk = publication_tasks(users["office_head"], only="at_risk").count()
        errors = documents_in_error(users["office_head"]).count()
    assert 35 <= created <= 45
    assert states == {
        "undetermined",
        "proposed",
        "office_review",
        "awaiting_publication",
        "published",
        "restricted",
        "classified",
    }
    assert overdue >= 2 and at_risk >= 1 and errors == 2
    assert Publication.objects.filter(published_late=True).exists()
    closed, open_ = AttributeReview.objects.order_by("year")
    assert (closed.year, closed.status, open_.year, open_.status) == (2025, "closed", 2026, "open")
    assert closed.report["changed"] == 2
    steps = set(ReviewItem.objects.filter(review=open_).values_list("status", flat=True))
    assert steps == {"with_unit", "proposed", "decided", "withdrawn"}
    # Art. 44: three different applicants were given one of the documents.
    assert ReviewItem.objects.filter(review=open_, signal_requests=True).count() == 1
    assert ReviewItem.objects.filter(review=open_, signal_process_decided=True).count() == 1
    # DOMAIN §4.4: every determination has its letter; one answered a request, which keeps a
    # copy and also names a document transferred to the archives.
    assert Determination.objects.count() == DeterminationLetter.objects.count() == 3
    kept = CaseDocument.objects.get(letter_kind="attribute_letter")
    named = set(kept.request.document_links.values_list("document__title", flat=True))
    archived = ArchiveTransfer.objects.get().document
    assert archived.title in named and len(named) == 2
    # The drafting histories read as they happened: confirmed (签发) on the formation date,
    # proposed before it, published on the day recorded, each in order, none after "now".
    confirmations = AttributeChange.objects.filter(
        source="confirmation", to_state__in=["awaiting_publication", "restricted"]
    ).select_related("document")
    assert confirmations.count() >= 10
    for change in confirmations:
        assert timezone.localtime(change.at).date() == change.document.formed_on
        assert change.document.confirmed_at == change.at
    for change in AttributeChange.objects.filter(source="drafting").select_related("document"):
        if change.document.formed_on:
            assert timezone.localtime(change.at).date() < change.document.formed_on
    for change in AttributeChange.objects.filter(source="publication").select_related(
        "document__publication"
    ):
        assert timezone.localtime(change.at).date() == change.document.publication.published_on
    for document in Document.objects.filter(proposed_at__isnull=False, confirmed_at__isnull=False):
        moments = list(
            AuditEvent.objects.filter(
                object_type="attributes_app.document", object_id=str(document.pk)
            )
            .order_by("id")
            .values_list("at", flat=True)
        )
        assert moments == sorted(moments) and moments[-1] <= timezone.now()
        assert document.created_at == moments[0] < document.confirmed_at
    # The demo's people log in with "demo".
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=next(iter(PEOPLE)))
    assert user.check_password("demo")
    # Run again: nothing is duplicated.
    assert create_demo_documents(agency, users, write=lines.append) == 0
