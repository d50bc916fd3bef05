"""The public side of the demo installation, read as a stranger would: every page reachable by
a link from the agencies' home pages is opened, and none shows what is not meant to be public —
a staff member's name or account, an applicant, a third party, the reasons or the title of a
document that is not published — and none of one agency's addresses opens its things under
another agency's address.

It also proves what issue #16 asks of the demo: each demo agency has a guide, the agency a
directory with published documents, a catalogue and a published annual report; the supervising
government too."""

from __future__ import annotations

import io
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from attributes_app.models import Attribute, Document, ReviewItem
from requests_app.models import Consultation, InformationRequest, SecrecyReview
from workflow.management.commands.setup_demo import DEMO_AGENCY, DEMO_GOVERNMENT
from workflow.models import Agency
from workflow.roles import ROLES

pytestmark = pytest.mark.django_db

LINK = re.compile(r"""(?:href|src)="([^"#]+)""")
TEXTUAL = ("text/", "application/xml", "application/atom+xml", "application/json")


def crawl(client, start: str, *, limit: int = 600) -> dict[str, tuple[int, str]]:
    """Every address under ``/public/`` reachable from ``start`` by links (list pages beyond
    the first are left out): address → (status, text; empty for a file)."""
    seen: dict[str, tuple[int, str]] = {}
    queue = deque([start])
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        textual = response.get("Content-Type", "").startswith(TEXTUAL)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode() if textual else ""
        seen[url] = (response.status_code, text)
        for link in LINK.findall(text):
            parts = urlsplit(urljoin(url, link.replace("&amp;", "&")))
            if parts.netloc not in ("", "testserver") or not parts.path.startswith("/public/"):
                continue
            if "page=" in parts.query or parts.path.startswith("/public/captcha/"):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def not_public(agency) -> set[str]:
    """What the public must never read of ``agency``: staff accounts and names, applicants,
    third parties and opinions, the titles of documents not published and every reason."""
    found: set[str] = set()
    labels = set(ROLES.values())
    for user in get_user_model().objects.all():
        found.add(user.username)
        name = user.get_full_name().split(" ")[-1]
        if name not in labels and "（" not in name:
            found.add(name)
    for case in InformationRequest.objects.filter(agency=agency):
        found.update({case.applicant_name, case.id_number, case.phone, case.description[:24]})
    for consultation in Consultation.objects.filter(request__agency=agency):
        found.update({consultation.party_name, consultation.reasons})
    found.update(
        SecrecyReview.objects.filter(request__agency=agency).values_list("opinion", flat=True)
    )
    published = Document.objects.filter(
        agency=agency, attribute=Attribute.PROACTIVE, index_number__gt=""
    )
    for document in Document.objects.filter(agency=agency).exclude(pk__in=published):
        found.add(document.title)
    for document in Document.objects.filter(agency=agency):
        found.update(
            {document.attribute_reasons, document.office_review_opinion, document.drafter_name}
        )
    for item in ReviewItem.objects.filter(document__agency=agency):
        found.update({item.proposal_reasons, item.decision_reason})
    return {value for value in found if value and len(value.strip()) >= 2}


def test_the_crawl_would_see_a_leak(client, agency, registrar):
    """The check below is not blind: a staff account shown on a public page is found."""
    pages = crawl(client, "/public/")
    assert f"/public/{agency.code}/" in pages
    assert not any("registrar" in text for _, text in pages.values())
    agency.name = "孝义市人民政府办公室 registrar"
    agency.save()
    pages = crawl(client, "/public/")
    assert any("registrar" in text for _, text in pages.values())


def test_the_demo_public_side_shows_what_an_agency_publishes_and_nothing_else(client):
    call_command("setup_demo", force=True, stdout=io.StringIO())
    agency = Agency.objects.get(code=DEMO_AGENCY["code"])
    government = Agency.objects.get(code=DEMO_GOVERNMENT["code"])
    pages = crawl(client, f"/public/{agency.code}/")
    pages.update(crawl(client, f"/public/{government.code}/"))

    assert len(pages) >= 30  # home, guide, directory and its documents, catalogue, reports…
    broken = {url: status for url, (status, _) in pages.items() if status >= 400}
    assert not broken, broken

    def page(agency_, path):
        return pages[f"/public/{agency_.code}/{path}"][1]

    for each in (agency, government):
        guide = page(each, "guide/")
        assert "政府信息公开指南" in guide and each.reconsideration_organ in guide
    published = Document.objects.filter(
        agency=agency, attribute=Attribute.PROACTIVE, index_number__gt=""
    )
    own = Document.objects.filter(
        agency=government, attribute=Attribute.PROACTIVE, index_number__gt=""
    )
    assert published.count() >= 3 and own.count() >= 3
    for each, documents in ((agency, published), (government, own)):
        directory = page(each, "directory/")
        assert all(document.title in directory for document in documents[:5])
        assert any(
            url == f"/public/{each.code}/directory/{document.index_number}/"
            for url in pages
            for document in documents
        )
        catalogue = page(each, "catalogue/")
        assert "重大建设项目" in catalogue and "第1版" in catalogue
        reports = page(each, "reports/")
        assert "年度报告" in reports
        assert any(url.startswith(f"/public/{each.code}/reports/20") for url in pages)
    # The government's documents carry its own 文号 and are not the agency's.
    assert all(document.number.startswith("孝政发〔") for document in own)
    assert not own.filter(title__in=published.values("title")).exists()

    # Nothing that is not public, on any page or feed the crawl reached.
    secrets = not_public(agency) | not_public(government)
    assert len(secrets) >= 100 and "registrar" in secrets
    leaks = {
        secret: url for url, (_, text) in pages.items() for secret in secrets if secret in text
    }
    assert not leaks, leaks

    # Another agency's address never opens this agency's things.
    mine = [url for url in pages if url.startswith(f"/public/{agency.code}/")]
    for url in mine:
        theirs = url.replace(f"/public/{agency.code}/", f"/public/{government.code}/", 1)
        response = client.get(theirs)
        if response.status_code >= 400:
            continue
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert agency.name.encode() not in body, theirs
        for document in published:
            assert document.title.encode() not in body, (theirs, document.title)
    # …and the agency's address never opens the government's.
    for url in [url for url in pages if url.startswith(f"/public/{government.code}/")]:
        theirs = url.replace(f"/public/{government.code}/", f"/public/{agency.code}/", 1)
        response = client.get(theirs)
        if response.status_code >= 400:
            continue
        body = b"".join(response.streaming_content) if response.streaming else response.content
        for document in own:
            assert document.title.encode() not in body, (theirs, document.title)
