"""The administrator of an agency manages its accounts; agencies and the State Council calendar
are the installation's (superusers)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANT = [("auth", "add_user"), ("auth", "change_user"), ("auth", "view_user")]
REVOKE = [("workflow", "add_agency"), ("workflow", "add_holidayschedule")]


def _permissions(apps, pairs):
    Permission = apps.get_model("auth", "Permission")
    return [
        permission
        for app_label, codename in pairs
        for permission in Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        )
    ]


def forward(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group = apps.get_model("auth", "Group").objects.filter(name="admin").first()
    if group:
        group.permissions.add(*_permissions(apps, GRANT))
        group.permissions.remove(*_permissions(apps, REVOKE))


def backward(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name="admin").first()
    if group:
        group.permissions.remove(*_permissions(apps, GRANT))
        group.permissions.add(*_permissions(apps, REVOKE))


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0009_job_owner"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forward, backward)]
