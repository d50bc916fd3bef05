from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate


def _repair_search_index(sender, using, **kwargs) -> None:
    from requests_app.search import repair_sqlite_index

    repair_sqlite_index(connections[using])


def _uninstall_tally_triggers(sender, using, **kwargs) -> None:
    from requests_app.annual_report.tally_store import uninstall_triggers

    uninstall_triggers(connections[using])


def _install_tally_triggers(sender, using, **kwargs) -> None:
    from requests_app.annual_report.tally_store import install_triggers

    install_triggers(connections[using])


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    label = "requests_app"
    verbose_name = "依申请公开"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from requests_app import app_site, dashboard, webhooks
        from requests_app.letter_contexts import register_letters

        # Imported for their signal receivers: the deadline recomputer, and the search index's
        # state per database connection; and the process, which connects itself to the services
        # (``requests_app.process``).
        from requests_app import clock_sync, flows, search  # noqa: F401  # isort: skip

        post_migrate.connect(_repair_search_index, sender=self)
        # The triggers that mark the annual report's kept tallies stale: off while migrating
        # (they would stand in the way of altering the tables they read), back on after.
        pre_migrate.connect(_uninstall_tally_triggers, sender=self)
        post_migrate.connect(_install_tally_triggers, sender=self)
        # The app's sections of the staff site, and its letter kinds for the letter engine.
        app_site.register()
        register_letters()
        # Its panels and the annual report's reminder on the dashboard (workflow.dashboard).
        dashboard.register()
        # The events its audit log means for the agencies' systems (workflow.webhooks).
        webhooks.register()
