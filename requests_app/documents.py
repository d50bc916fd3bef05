"""The old home of the documents a request names, split by layer: the reads are in
``requests_app.selectors``, naming and unnaming in ``requests_app.case_documents``, the pages in
``requests_app.views.documents``.

Kept only so that modules not yet moved over keep importing from here; import from the new
places.
"""

from requests_app.case_documents import request_name_document, request_unname_document
from requests_app.selectors import (
    NAMING_STAGES,
    NamedDocument,
    archived_for_letter,
    determination_block,
    may_name,
    named_documents,
    needs_determination,
    pending_determinations,
    register_matches,
    require_determinations_answered,
)

__all__ = [
    "NAMING_STAGES",
    "NamedDocument",
    "archived_for_letter",
    "determination_block",
    "may_name",
    "named_documents",
    "needs_determination",
    "pending_determinations",
    "register_matches",
    "request_name_document",
    "request_unname_document",
    "require_determinations_answered",
]
