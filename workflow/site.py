"""The staff site: viewflow's Material frame with Gongkai's applications in its menu."""

from viewflow.contrib.auth import AuthViewset
from viewflow.urls import Application, Site

from requests_app.task_views import RequestTasksViewset
from requests_app.views import CaseViewset, RegistrationViewset
from workflow.letters.views import LetterGalleryViewset
from workflow.views import DeadlineCalculatorViewset

requests = Application(
    title="依申请公开",
    icon="inbox",
    app_name="requests",
    viewsets=[CaseViewset(), RegistrationViewset(), RequestTasksViewset()],
)

tools = Application(
    title="期限与文书",
    icon="event",
    app_name="tools",
    viewsets=[DeadlineCalculatorViewset(), LetterGalleryViewset()],
)

site = Site(title="公开 · 政府信息公开工作平台", viewsets=[requests, tools])

auth = AuthViewset(with_profile_view=False)
