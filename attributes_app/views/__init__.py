"""The pages of the document register (公开属性)."""

from attributes_app.views.documents import (
    ACTIONS,
    OFFICE_ROLES,
    REGISTER_ROLES,
    WORK_ROLES,
    DocumentViewset,
    ErrorListViewset,
    OfficeReviewViewset,
    PublicationsViewset,
    RolePageMixin,
    WorkViewset,
    _RoleViewset,
    may_see,
    page_of,
)

__all__ = [
    "ACTIONS",
    "OFFICE_ROLES",
    "REGISTER_ROLES",
    "WORK_ROLES",
    "DocumentViewset",
    "ErrorListViewset",
    "OfficeReviewViewset",
    "PublicationsViewset",
    "RolePageMixin",
    "WorkViewset",
    "_RoleViewset",
    "may_see",
    "page_of",
]
