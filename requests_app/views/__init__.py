"""The officers' pages of information requests, one module per family of pages."""

from requests_app.views.cases import CaseViewset, PendingNoticesViewset, RegistrationViewset
from requests_app.views.secrecy import SecrecyReviewViewset, may_open
from requests_app.views.tasks import BUSY, TASK_VIEWS, RequestTasksViewset

__all__ = [
    "BUSY",
    "TASK_VIEWS",
    "CaseViewset",
    "PendingNoticesViewset",
    "RegistrationViewset",
    "RequestTasksViewset",
    "SecrecyReviewViewset",
    "may_open",
]
