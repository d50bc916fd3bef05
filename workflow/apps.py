from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    default = True  # this module holds django-axes' configuration too
    name = "workflow"
    verbose_name = "公开工作平台"
    default_auto_field = "django.db.models.BigAutoField"


class LoginThrottleConfig(AxesConfig):
    """django-axes, named in Chinese in the admin."""

    verbose_name = "登录锁定"
