"""An agency's 系统管理员 registers, changes, rotates and revokes its API clients (never deletes
them: their history stays)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen: what this migration grants (workflow.roles.ROLE_PERMISSIONS["admin"] names them too).
GRANT = [
    ("workflow", "add_apiclient"),
    ("workflow", "change_apiclient"),
    ("workflow", "view_apiclient"),
]


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return [
        permission
        for app_label, codename in GRANT
        for permission in Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        )
    ]


def forward(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure ours exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name="admin")
    group.permissions.add(*_permissions(apps))


def backward(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name="admin").first()
    if group:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0015_api_clients"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forward, backward)]
