from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "workflow.letters"
    label = "letters"
    verbose_name = "文书"
    default_auto_field = "django.db.models.BigAutoField"
