"""The staff site: viewflow's Material frame with Gongkai's applications in its menu."""

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
    DocumentViewset,
    ErrorListViewset,
    OfficeReviewViewset,
    PublicationsViewset,
    WorkViewset,
    may_see,
)
from requests_app.task_views import RequestTasksViewset
from requests_app.views import CaseViewset, RegistrationViewset
from workflow.letters.views import LetterGalleryViewset
from workflow.views import DeadlineCalculatorViewset

requests = Application(
    title="依申请公开",
    icon="inbox",
    app_name="requests",
    # The task lists (待办, 待领取, 已办) with their counts instead of one 办理任务 entry.
    menu_template_name="requests_app/menu.html",
    viewsets=[CaseViewset(), RegistrationViewset(), RequestTasksViewset()],
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

site = Site(title="公开 · 政府信息公开工作平台", viewsets=[requests, attributes, tools])

auth = AuthViewset(with_profile_view=False)
