"""Create the role groups of DOMAIN §1 with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen copies of workflow.roles at the time of this migration.
ROLES = [
    "registrar",
    "handler",
    "office_head",
    "legal_reviewer",
    "drafter",
    "drafting_unit_head",
    "secrecy_reviewer",
    "admin",
]
ROLE_PERMISSIONS = {
    "admin": [
        "workflow.add_agency",
        "workflow.change_agency",
        "workflow.view_agency",
        "workflow.add_calendaradjustment",
        "workflow.change_calendaradjustment",
        "workflow.delete_calendaradjustment",
        "workflow.view_calendaradjustment",
        "workflow.view_holidayschedule",
        "workflow.view_auditevent",
    ],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure ours exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for code in ROLES:
        group, _ = Group.objects.get_or_create(name=code)
        for dotted in ROLE_PERMISSIONS.get(code, []):
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
