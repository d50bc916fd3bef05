"""The staff site: viewflow's Material frame with Gongkai's applications in its menu."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
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
from requests_app.views import (
    CaseViewset,
    PendingNoticesViewset,
    RegistrationViewset,
    RequestTasksViewset,
    SecrecyReviewViewset,
    may_open,
)
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
    # The task lists (待办, 待领取, 已办) with their counts instead of one 办理任务 entry.
    menu_template_name="requests_app/menu.html",
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

secrecy = Application(
    title="保密审查",
    icon="verified_user",
    app_name="secrecy",
    # Art. 17 ¶2: the secrecy reviewer (and the office head of an agency without one) reviews
    # what a reply would disclose, on pages that show no applicant's data.
    permission=lambda user: not user.is_authenticated or may_open(user),
    viewsets=[SecrecyReviewViewset()],
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


site = GongkaiSite(
    title="公开 · 政府信息公开工作平台", viewsets=[requests, attributes, secrecy, tools]
)


class LoginView(auth_views.LoginView):
    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "password_reset_by_email": settings.GONGKAI_PASSWORD_RESET_BY_EMAIL,
        }


class _ByEmailOnly:
    """Without a mail server a reset link could never arrive: say so instead of claiming that a
    mail was sent."""

    def dispatch(self, request, *args, **kwargs):
        if not settings.GONGKAI_PASSWORD_RESET_BY_EMAIL:
            return TemplateResponse(
                request, "registration/password_reset_unavailable.html", status=404
            )
        return super().dispatch(request, *args, **kwargs)


class PasswordResetView(_ByEmailOnly, auth_views.PasswordResetView):
    pass


class PasswordResetDoneView(_ByEmailOnly, auth_views.PasswordResetDoneView):
    pass


class PasswordResetConfirmView(_ByEmailOnly, auth_views.PasswordResetConfirmView):
    pass


class PasswordResetCompleteView(_ByEmailOnly, auth_views.PasswordResetCompleteView):
    pass


class SiteAuthViewset(AuthViewset):
    login_view_class = LoginView
    pass_reset_view_class = PasswordResetView
    pass_reset_done_view_class = PasswordResetDoneView
    pass_reset_confirm_view_class = PasswordResetConfirmView
    pass_reset_complete_view_class = PasswordResetCompleteView


auth = SiteAuthViewset(with_profile_view=False)
