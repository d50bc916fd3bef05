"""The staff site: viewflow's Material frame, its menu holding what the apps registered."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from viewflow.contrib.auth import AuthViewset
from viewflow.urls import Site

from workflow.registry import landing_url_name, sections


def landing(request):
    """Where "/" (and so the login) leads, by role, as the apps registered it
    (``workflow.registry``): the request roles to the case list, the drafting side
    (拟稿人、起草单位负责人、保密审查人员) to their work list of documents, other register roles
    to the register; a user without a role to the deadline calculator."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return HttpResponseRedirect(reverse(landing_url_name(user)))


class GongkaiSite(Site):
    """The frame's site, whose front page is the user's landing page (``landing``)."""

    @property
    def index_path(self):
        return path("", landing, name="index")


# The sections every installed app registered from its AppConfig.ready(), in menu order:
# 依申请公开, 公开属性, 保密审查, 期限与文书.
site = GongkaiSite(title="公开 · 政府信息公开工作平台", viewsets=sections())


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
