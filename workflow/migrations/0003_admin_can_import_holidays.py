"""Administrators may import a holiday notice in the admin."""

from django.db import migrations


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="admin").first()
    permission = Permission.objects.filter(
        content_type__app_label="workflow", codename="add_holidayschedule"
    ).first()
    if group and permission:
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name="admin").first()
    if group:
        group.permissions.remove(
            *group.permissions.filter(
                content_type__app_label="workflow", codename="add_holidayschedule"
            )
        )


class Migration(migrations.Migration):
    dependencies = [("workflow", "0002_roles")]

    operations = [migrations.RunPython(grant, revoke)]
