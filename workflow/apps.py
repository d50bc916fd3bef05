from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig


def tools_application():
    """The engine's own menu section: the deadline calculator and the letter gallery."""
    from viewflow.urls import Application

    from workflow.letters.views import LetterGalleryViewset
    from workflow.views import DeadlineCalculatorViewset

    return Application(
        title="期限与文书",
        icon="event",
        app_name="tools",
        viewsets=[DeadlineCalculatorViewset(), LetterGalleryViewset()],
    )


def dashboard_application():
    """The engine's 统计分析 section: the dashboard whose panels the apps register."""
    from workflow.dashboard_views import dashboard_application

    return dashboard_application()


def _lands_on_dashboard(user) -> bool:
    from workflow.dashboard_views import lands_on_dashboard

    return lands_on_dashboard(user)


class WorkflowConfig(AppConfig):
    default = True  # this module holds django-axes' configuration too
    name = "workflow"
    verbose_name = "公开工作平台"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The API clients' admin pages (``workflow.api`` is no app of its own to be discovered).
        import workflow.api.admin  # noqa: F401
        from workflow import audit, webhooks
        from workflow.registry import register_landing, register_section

        # The events the apps make of audit events, emitted with them (workflow.webhooks).
        audit.listen("webhooks", webhooks.audited)

        # Last in the menu, after every app's sections.
        register_section("tools", 90, tools_application)
        # First: the figures; a supervising government's office head lands there.
        register_section("dashboard", 5, dashboard_application)
        register_landing("dashboard:overview:index", 5, _lands_on_dashboard)


class LoginThrottleConfig(AxesConfig):
    """django-axes, named in Chinese in the admin."""

    verbose_name = "登录锁定"
