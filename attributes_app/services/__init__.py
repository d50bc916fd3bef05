"""State changes of documents and their disclosure attributes: one service per change (STYLE.md),
one module per step:

- ``register``: drafting units, documents' particulars and files;
- ``catalogue``: the catalogue of disclosure items, its import and its published versions;
- ``attribute``: the attribute's proposal, review, confirmation, return and determination;
- ``publication``: issuance, secrecy review, publication and its withdrawal, interpretation,
  classification, validity and process decisions;
- ``links``: requests that concern a document;
- ``naming``: the documents a request names, from the case page and the tasks;
- ``determination``: a drafting unit's answer by letter to the requests that wait for it;
- ``review``: the yearly review.

Every service is keyword-only with an explicit ``actor``, runs in one transaction, re-reads what it
changes under a row lock, checks the actor's permission (``attributes_app.permissions``) and the
current state, makes the change, and writes the audit event (and, for the attribute, its
``AttributeChange`` history row). Errors (``workflow.errors``):

- ``ValidationError``: bad input, keyed by field where there is one, in Chinese;
- ``IssueRefused`` (an ``Invalid``): the document may not be issued (不予发文), with why;
- ``NotAllowed``: the actor may not do this (other agency, wrong role, another unit);
- ``StaleDocument`` / ``StaleReview`` (each a ``Stale``): the state no longer allows the step;
  usually someone else acted first. The message says what the state is now.
"""

from attributes_app.services._common import IssueRefused, StaleDocument, StaleReview
from attributes_app.services.attribute import (
    attribute_confirm,
    attribute_determine,
    attribute_office_approve,
    attribute_office_return,
    attribute_propose,
    attribute_send_back,
)
from attributes_app.services.catalogue import (
    CatalogueItemData,
    ImportResult,
    catalogue_import,
    catalogue_item_delete,
    catalogue_item_save,
    catalogue_publish,
)
from attributes_app.services.determination import determination_answer
from attributes_app.services.links import document_link_request, document_unlink_request
from attributes_app.services.naming import request_name_document, request_unname_document
from attributes_app.services.publication import (
    document_issue,
    document_mark_classified,
    document_publish,
    document_record_process_decision,
    document_set_validity,
    interpretation_record,
    issue_refusal_of,
    publication_withdraw,
    secrecy_review_record,
)
from attributes_app.services.register import (
    TEXT_LIMITS,
    DocumentData,
    document_attach_interpretation,
    document_attach_text,
    document_problems,
    document_register,
    document_update,
    drafting_unit_save,
    interpretation_missing,
    new_document,
    number_taken,
    validate_document,
)
from attributes_app.services.review import (
    BulkResult,
    ReviewDecision,
    ReviewProposal,
    review_close,
    review_decide,
    review_decide_bulk,
    review_open,
    review_propose,
    review_propose_bulk,
)

__all__ = [
    "TEXT_LIMITS",
    "BulkResult",
    "CatalogueItemData",
    "DocumentData",
    "ImportResult",
    "IssueRefused",
    "ReviewDecision",
    "ReviewProposal",
    "StaleDocument",
    "StaleReview",
    "attribute_confirm",
    "attribute_determine",
    "attribute_office_approve",
    "attribute_office_return",
    "attribute_propose",
    "attribute_send_back",
    "catalogue_import",
    "catalogue_item_delete",
    "catalogue_item_save",
    "catalogue_publish",
    "determination_answer",
    "document_attach_interpretation",
    "document_attach_text",
    "document_issue",
    "document_link_request",
    "document_mark_classified",
    "document_problems",
    "document_publish",
    "document_record_process_decision",
    "document_register",
    "document_set_validity",
    "document_unlink_request",
    "document_update",
    "drafting_unit_save",
    "interpretation_missing",
    "interpretation_record",
    "issue_refusal_of",
    "new_document",
    "number_taken",
    "publication_withdraw",
    "request_name_document",
    "request_unname_document",
    "review_close",
    "review_decide",
    "review_decide_bulk",
    "review_open",
    "review_propose",
    "review_propose_bulk",
    "secrecy_review_record",
    "validate_document",
]
