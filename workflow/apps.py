from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = "公开工作平台"
    default_auto_field = "django.db.models.BigAutoField"
