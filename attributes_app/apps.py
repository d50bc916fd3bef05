from django.apps import AppConfig


class AttributesAppConfig(AppConfig):
    name = "attributes_app"
    label = "attributes_app"
    verbose_name = "公开属性"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from attributes_app import app_site, case_extension, dashboard, webhooks
        from attributes_app.annual_report import count_documents
        from attributes_app.letter_contexts import register_letters
        from requests_app.annual_report.sources import register_table2_source

        from attributes_app import deadline_sync  # noqa: F401  # isort: skip  (the recomputer)

        # The app's section of the staff site, and its letter kinds for the letter engine.
        app_site.register()
        register_letters()
        # The named documents on a case, and what they mean for its handling.
        case_extension.register()
        # Its panels on the dashboard (workflow.dashboard).
        dashboard.register()
        # Table 二 of the requests app's annual report counts the rules and normative documents.
        register_table2_source(count_documents)
        # The events its audit log and deadlines mean for the agencies' systems.
        webhooks.register()
