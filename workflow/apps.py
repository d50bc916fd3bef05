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


class WorkflowConfig(AppConfig):
    default = True  # this module holds django-axes' configuration too
    name = "workflow"
    verbose_name = "公开工作平台"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from workflow.registry import register_section

        # Last in the menu, after every app's sections.
        register_section("tools", 90, tools_application)


class LoginThrottleConfig(AxesConfig):
    """django-axes, named in Chinese in the admin."""

    verbose_name = "登录锁定"
