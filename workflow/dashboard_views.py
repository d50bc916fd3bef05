"""The 工作概况 page: the registered panels (``workflow.dashboard``) for the chosen scope."""

from __future__ import annotations

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import path
from django.utils import timezone
from django.views.generic import TemplateView
from viewflow.urls import Application, AppMenuMixin, Viewset

from workflow import dashboard
from workflow.roles import user_roles
from workflow.selectors import supervised_agencies


class ScopeForm(forms.Form):
    scope = forms.ChoiceField(
        label="统计范围",
        required=False,
        error_messages={"invalid_choice": "统计范围：请从列表中选择机关（%(value)s 不在其中）。"},
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = [(s.code, s.label) for s in choices]


class DashboardView(LoginRequiredMixin, TemplateView):
    template_name = "workflow/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        choices = dashboard.scopes(user)
        by_code = {s.code: s for s in choices}
        form = ScopeForm(self.request.GET or None, choices=choices)
        scope = by_code[dashboard.OWN]
        if form.is_bound and form.is_valid() and form.cleaned_data.get("scope"):
            scope = by_code[form.cleaned_data["scope"]]
        agencies = list(scope.agencies)
        panels = dashboard.build_panels(user, agencies, today) if agencies else []
        context.update(
            form=form,
            scope=scope,
            many_scopes=len(choices) > 1,
            today=today,
            panels=[
                {
                    "name": name,
                    "panel": panel,
                    "chart_id": f"chart-{name}",
                    "option_id": f"chart-{name}-option",
                }
                for name, panel in panels
            ],
            reminders=dashboard.build_reminders(user, agencies, today) if agencies else [],
            linked=dashboard.links_allowed(user, agencies),
        )
        return context


class DashboardViewset(AppMenuMixin, Viewset):
    title = "工作概况"
    icon = "insights"
    app_name = "overview"

    index_path = path("", DashboardView.as_view(), name="index")


def may_see_dashboard(user) -> bool:
    """Anyone with a role sees the page (each panel decides whether it applies to them)."""
    return not user.is_authenticated or bool(user_roles(user))


def dashboard_application() -> Application:
    return Application(
        title="统计分析",
        icon="insights",
        app_name="dashboard",
        permission=may_see_dashboard,
        viewsets=[DashboardViewset()],
    )


def lands_on_dashboard(user) -> bool:
    """An office head of a supervising government lands on the dashboard: the figures of the
    agencies below are their daily work."""
    return supervised_agencies(user).exists()
