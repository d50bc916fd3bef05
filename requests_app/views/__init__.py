"""The officers' pages of information requests, one module per family of pages:

- ``cases``: the case list and the case page with its actions outside the tasks;
- ``registration``: registering an application;
- ``tasks``: the process's task pages and the inbox, queue and archive;
- ``documents``: the case's letters and uploads, and the register's documents a case names;
- ``notices``: the notices whose service is still to be recorded;
- ``secrecy``: the secrecy review of a reply (for the secrecy reviewer, who sees no applicant).

The names the site, the flow and the tests use are re-exported here.
"""

from requests_app.views.cases import CaseDetailView, CaseListView, CaseViewset
from requests_app.views.documents import case_document, case_upload_file
from requests_app.views.notices import PendingNoticesView, PendingNoticesViewset
from requests_app.views.registration import RegisterView, RegistrationViewset, is_registrar
from requests_app.views.secrecy import SecrecyReviewViewset, may_open
from requests_app.views.tasks import BUSY, TASK_VIEWS, RequestTasksViewset

__all__ = [
    "BUSY",
    "TASK_VIEWS",
    "CaseDetailView",
    "CaseListView",
    "CaseViewset",
    "PendingNoticesView",
    "PendingNoticesViewset",
    "RegisterView",
    "RegistrationViewset",
    "RequestTasksViewset",
    "SecrecyReviewViewset",
    "case_document",
    "case_upload_file",
    "is_registrar",
    "may_open",
]
