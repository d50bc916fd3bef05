"""The roles of DOMAIN §1 get the model permissions of the document register."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen copy of attributes_app.roles.ROLE_PERMISSIONS at the time of this migration.
ROLE_PERMISSIONS = {
    "admin": [
        "attributes_app.view_document",
        "attributes_app.view_attributechange",
        "attributes_app.add_draftingunit",
        "attributes_app.change_draftingunit",
        "attributes_app.view_draftingunit",
        "attributes_app.add_catalogueitem",
        "attributes_app.change_catalogueitem",
        "attributes_app.view_catalogueitem",
    ],
    "office_head": [
        "attributes_app.view_document",
        "attributes_app.view_attributechange",
        "attributes_app.view_publication",
        "attributes_app.change_publication",
        "attributes_app.view_secrecyreview",
        "attributes_app.add_catalogueitem",
        "attributes_app.change_catalogueitem",
        "attributes_app.view_catalogueitem",
        "attributes_app.view_determination",
        "attributes_app.view_attributereview",
    ],
    "drafter": [
        "attributes_app.view_document",
        "attributes_app.view_attributechange",
        "attributes_app.add_document",
        "attributes_app.change_document",
        "attributes_app.view_draftingunit",
        "attributes_app.view_catalogueitem",
        "attributes_app.view_reviewitem",
        "attributes_app.change_reviewitem",
    ],
    "drafting_unit_head": [
        "attributes_app.view_document",
        "attributes_app.view_attributechange",
        "attributes_app.change_document",
        "attributes_app.view_draftingunit",
        "attributes_app.view_catalogueitem",
        "attributes_app.add_determination",
        "attributes_app.view_determination",
        "attributes_app.view_reviewitem",
        "attributes_app.change_reviewitem",
    ],
    "secrecy_reviewer": [
        "attributes_app.view_document",
        "attributes_app.view_attributechange",
        "attributes_app.add_secrecyreview",
        "attributes_app.view_secrecyreview",
    ],
    "legal_reviewer": [
        "attributes_app.view_document",
        "attributes_app.view_attributechange",
        "attributes_app.add_attributereview",
        "attributes_app.change_attributereview",
        "attributes_app.view_attributereview",
        "attributes_app.view_reviewitem",
        "attributes_app.change_reviewitem",
        "attributes_app.view_determination",
    ],
    "handler": [
        "attributes_app.view_document",
        "attributes_app.add_documentrequestlink",
        "attributes_app.view_documentrequestlink",
    ],
}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure ours exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, dotted_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for dotted in dotted_names:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=ROLE_PERMISSIONS):
        group.permissions.remove(
            *group.permissions.filter(content_type__app_label="attributes_app")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("attributes_app", "0001_document_register_and_attribute_review"),
        ("workflow", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
