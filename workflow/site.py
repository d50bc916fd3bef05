"""The staff site: viewflow's Material frame with Gongkai's applications in its menu."""

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from viewflow.contrib.auth import AuthViewset
from viewflow.urls import Application, Site

from attributes_app.import_views import OlderImportViewset
from attributes_app.link_views import (
    DeterminationViewset,
    DocumentFilesViewset,
    ReviewFilesViewset,
)
from attributes_app.review_views import ReviewViewset, UnitReviewViewset
from attributes_app.views import (
    REGISTER_ROLES,
    WORK_ROLES,
    DocumentViewset,
    ErrorListViewset,
    OfficeReviewViewset,
    PublicationsViewset,
    WorkViewset,
    may_see,
)
from requests_app.task_views import RequestTasksViewset
from requests_app.views import CaseViewset, PendingNoticesViewset, RegistrationViewset
from workflow.letters.views import LetterGalleryViewset
from workflow.roles import has_request_role
from workflow.views import DeadlineCalculatorViewset

requests = Application(
    title="依申请公开",
    icon="inbox",
    app_name="requests",
    # Only the request roles see the cases (PIPL Art. 6); anonymous visitors pass here so that
    # each page sends them to the login page.
    permission=lambda user: not user.is_authenticated or has_request_role(user),
    viewsets=[
        CaseViewset(),
        RegistrationViewset(),
        RequestTasksViewset(),
        PendingNoticesViewset(),
    ],
)

attributes = Application(
    title="公开属性",
    icon="policy",
    app_name="attributes",
    # Anonymous visitors pass here so that each page sends them to the login page.
    permission=lambda user: not user.is_authenticated or may_see(user, REGISTER_ROLES),
    viewsets=[
        WorkViewset(),
        # 文件登记簿, with the spreadsheet import of older documents under it.
        DocumentViewset(viewsets=[OlderImportViewset()]),
        OfficeReviewViewset(),
        PublicationsViewset(),
        ErrorListViewset(),
        ReviewViewset(),
        UnitReviewViewset(),
        DeterminationViewset(),
        DocumentFilesViewset(),
        ReviewFilesViewset(),
    ],
)

tools = Application(
    title="期限与文书",
    icon="event",
    app_name="tools",
    viewsets=[DeadlineCalculatorViewset(), LetterGalleryViewset()],
)


def landing(request):
    """Where "/" (and so the login) leads, by role: the request roles to the case list, the
    drafting side (拟稿人、起草单位负责人、保密审查人员) to their work list of documents,
    other register roles to the register; a user without a role to the deadline calculator."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if has_request_role(user):
        target = "requests:cases:index"
    elif may_see(user, WORK_ROLES):
        target = "attributes:work:index"
    elif may_see(user, REGISTER_ROLES):
        target = "attributes:documents:index"
    else:
        target = "tools:deadline:index"
    return HttpResponseRedirect(reverse(target))


class GongkaiSite(Site):
    """The frame's site, whose front page is the user's landing page (``landing``)."""

    @property
    def index_path(self):
        return path("", landing, name="index")


site = GongkaiSite(title="公开 · 政府信息公开工作平台", viewsets=[requests, attributes, tools])

auth = AuthViewset(with_profile_view=False)
