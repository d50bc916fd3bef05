"""What the public may read of an agency's document register: its published proactive documents
(政府信息公开目录), nothing else. The public pages, the feed and the sitemap all read through here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, Max, Min, OuterRef, Q, QuerySet

from attributes_app import rules
from attributes_app.models import CatalogueItem, Document, DraftingUnit, Publication
from workflow.models import Agency
from workflow.text_input import search_text

INDEX_NUMBER_LIMIT = Document._meta.get_field("index_number").max_length
#: Words of a search, at most: each must appear in the title, the 文号 or the 索引号.
SEARCH_WORDS = 5


def public_documents(agency: Agency) -> QuerySet[Document]:
    """The agency's documents that are public now: proactive and published, not taken down
    (a takedown or a classification moves the document out of ``published``), newest first.

    Only the columns the public pages show are loaded; never the people, reasons or opinions.
    """
    return (
        Document.objects.filter(
            agency=agency,
            attribute_state=rules.PUBLISHED,
            attribute=rules.PROACTIVE,
            # The publication's agency too: the newest first then walks the publications' index
            # (agency, published_on) backwards instead of sorting the whole directory.
            publication__agency=agency,
            publication__published_on__isnull=False,
        )
        .exclude(index_number="")
        .select_related("publication", "drafting_unit", "catalogue_item")
        .only(
            "title",
            "number",
            "index_number",
            "kind",
            "formed_on",
            "issued_on",
            "effective_on",
            "validity",
            "validity_changed_on",
            "validity_note",
            "file",
            "agency_id",
            "drafting_unit__name",
            "catalogue_item__name",
            "publication__published_on",
            "publication__url",
            "publication__channel",
            "publication__interpretation_title",
            "publication__interpretation_url",
            "publication__interpretation_published_on",
        )
        .order_by("-publication__published_on", "-publication__pk")
    )


@dataclass(frozen=True)
class DirectoryFilters:
    """A directory search as read from the address: anything unusable is dropped, never an
    error (a hand-edited address shows the whole directory, not a failure)."""

    q: str = ""
    year: int | None = None
    unit: int | None = None
    validity: str = ""
    item: int | None = None

    @classmethod
    def from_query(cls, params) -> DirectoryFilters:
        def number(name: str) -> int | None:
            value = (params.get(name) or "").strip()
            return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None

        year = number("year")
        validity = params.get("validity") or ""
        return cls(
            q=search_text(params.get("q")),
            year=year if year is not None and 1949 <= year <= 9999 else None,
            unit=number("unit"),
            validity=validity if validity in Document.Validity.values else "",
            item=number("item"),
        )

    def as_params(self) -> dict[str, str]:
        """The filters for the pages' links (the next page keeps them)."""
        values = {
            "q": self.q,
            "year": self.year,
            "unit": self.unit,
            "validity": self.validity,
            "item": self.item,
        }
        return {name: str(value) for name, value in values.items() if value not in ("", None)}


def directory(agency: Agency, filters: DirectoryFilters) -> QuerySet[Document]:
    documents = public_documents(agency)
    for word in filters.q.split()[:SEARCH_WORDS]:
        documents = documents.filter(
            Q(title__icontains=word) | Q(number__icontains=word) | Q(index_number__icontains=word)
        )
    if filters.year:
        documents = documents.filter(publication__published_on__year=filters.year)
    if filters.unit:
        documents = documents.filter(drafting_unit_id=filters.unit)
    if filters.validity:
        documents = documents.filter(validity=filters.validity)
    if filters.item:
        documents = documents.filter(catalogue_item_id=filters.item)
    return documents


def directory_choices(agency: Agency) -> dict[str, list]:
    """The filters' options: the years from the first publication to the last, and only the
    units and catalogue items that have public documents (a unit with nothing published is not
    named to the public). Each is one query an index answers, however long the directory."""
    public = Document.objects.filter(
        attribute_state=rules.PUBLISHED, publication__published_on__isnull=False
    )
    # A takedown empties ``published_on``: a date there is a publication standing now.
    span = Publication.objects.filter(agency=agency, published_on__isnull=False).aggregate(
        first=Min("published_on"), last=Max("published_on")
    )
    years = list(range(span["last"].year, span["first"].year - 1, -1)) if span["last"] else []
    return {
        "years": years,
        "units": list(
            DraftingUnit.objects.filter(
                Exists(public.filter(drafting_unit=OuterRef("pk"))), agency=agency
            )
            .order_by("name")
            .values_list("pk", "name")
        ),
        "items": list(
            CatalogueItem.objects.filter(
                Exists(public.filter(catalogue_item=OuterRef("pk"))), agency=agency
            )
            .order_by("name")
            .values_list("pk", "name")
        ),
        "validities": list(Document.Validity.choices),
    }


def _could_be_an_index_number(text: str) -> bool:
    # An address is typed or pasted by anyone: what no number can be is not looked up (a NUL is
    # refused by PostgreSQL as a query parameter).
    return 0 < len(text) <= INDEX_NUMBER_LIMIT and "\x00" not in text


def public_document(agency: Agency, index_number: str) -> Document | None:
    """The public document with this 索引号, or None."""
    if not _could_be_an_index_number(index_number):
        return None
    return public_documents(agency).filter(index_number=index_number).first()


def was_public(agency: Agency, index_number: str) -> bool:
    """Whether this 索引号 was given to a document of the agency that is not public now (its page
    was taken down, or it turned classified): its page says so instead of "not found"."""
    if not _could_be_an_index_number(index_number):
        return False
    return (
        Document.objects.filter(agency=agency, index_number=index_number)
        .exclude(attribute_state=rules.PUBLISHED)
        .exists()
    )
