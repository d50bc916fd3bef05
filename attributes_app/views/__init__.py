"""The pages of the document register (公开属性), one module per family of pages:

- ``base``: who sees which page, the role check, the bounded-count pages, the menu entries' test;
- ``documents``: the register, each document's page and its actions, the final text;
- ``drafting``: a new draft, an older document, a draft's particulars changed;
- ``worklists``: 待办文件, the office's review queue, publication deadlines, the error list;
- ``imports``: the spreadsheet import of older documents;
- ``catalogue``: the catalogue of disclosure items, its spreadsheets and published versions;
- ``links``: determinations and their letters, the marked text, archives, review files;
- ``review``: the yearly review and the drafting units' inbox.

The names the site's menu and the tests use are re-exported here.
"""

from attributes_app.views.base import (
    DRAFT_ROLES,
    ERROR_LIST_ROLES,
    OFFICE_ROLES,
    OLDER_ROLES,
    REGISTER_ROLES,
    WORK_ROLES,
    RolePageMixin,
    RoleViewset,
    document_url,
    may_see,
    page_of,
)
from attributes_app.views.documents import ACTIONS, DocumentViewset, available_actions
from attributes_app.views.imports import OlderImportViewset
from attributes_app.views.links import (
    DeterminationViewset,
    DocumentFilesViewset,
    ReviewFilesViewset,
)
from attributes_app.views.review import ReviewViewset, UnitReviewViewset
from attributes_app.views.worklists import (
    ErrorListViewset,
    OfficeReviewViewset,
    PublicationsViewset,
    WorkViewset,
)

__all__ = [
    "ACTIONS",
    "DRAFT_ROLES",
    "ERROR_LIST_ROLES",
    "OFFICE_ROLES",
    "OLDER_ROLES",
    "REGISTER_ROLES",
    "WORK_ROLES",
    "DeterminationViewset",
    "DocumentFilesViewset",
    "DocumentViewset",
    "ErrorListViewset",
    "OfficeReviewViewset",
    "OlderImportViewset",
    "PublicationsViewset",
    "ReviewFilesViewset",
    "ReviewViewset",
    "RolePageMixin",
    "RoleViewset",
    "UnitReviewViewset",
    "WorkViewset",
    "available_actions",
    "document_url",
    "may_see",
    "page_of",
]
