"""The request app's parts of the staff site, registered by ``RequestsAppConfig.ready()``: the
依申请公开 section, the 保密审查 section, and the case list as the request roles' landing page.

The views are imported when the site is assembled (``config.site``), not at start-up.
"""

from viewflow.urls import Application

from workflow.registry import register_landing, register_section
from workflow.roles import has_request_role


def requests_application() -> Application:
    from requests_app.views import (
        CaseViewset,
        PendingNoticesViewset,
        RegistrationViewset,
        RequestTasksViewset,
    )
    from requests_app.views.annual_report import AnnualReportViewset
    from requests_app.views.guide import GuideViewset
    from requests_app.views.submissions import SubmissionViewset

    return Application(
        title="依申请公开",
        icon="inbox",
        app_name="requests",
        # Only the request roles see the cases (PIPL Art. 6); anonymous visitors pass here so
        # that each page sends them to the login page.
        permission=lambda user: not user.is_authenticated or has_request_role(user),
        # The task lists (待办, 待领取, 已办) with their counts instead of one 办理任务 entry.
        menu_template_name="requests_app/menu.html",
        viewsets=[
            CaseViewset(),
            RegistrationViewset(),
            # Art. 31(3): online applications wait here for the registrar's confirmation.
            SubmissionViewset(),
            RequestTasksViewset(),
            PendingNoticesViewset(),
            # The agency's annual report, and a supervising government's overview.
            AnnualReportViewset(),
            # The agency's 政府信息公开指南 (Art. 12), kept by the disclosure office.
            GuideViewset(),
        ],
    )


def secrecy_application() -> Application:
    from requests_app.views.secrecy import SecrecyReviewViewset, may_open

    return Application(
        title="保密审查",
        icon="verified_user",
        app_name="secrecy",
        # Art. 17 ¶2: the secrecy reviewer (and the office head of an agency without one)
        # reviews what a reply would disclose, on pages that show no applicant's data.
        permission=lambda user: not user.is_authenticated or may_open(user),
        viewsets=[SecrecyReviewViewset()],
    )


def register() -> None:
    register_section("requests", 10, requests_application)
    register_section("secrecy", 30, secrecy_application)
    # The request roles land on the case list.
    register_landing("requests:cases:index", 10, has_request_role)
