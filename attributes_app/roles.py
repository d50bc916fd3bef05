"""Model permissions of the document register held by each role (DOMAIN §1).

They open the admin and the pages' menus; what a user may *do* to a document is decided by role
and drafting unit in ``attributes_app.permissions``, which every service checks. The groups get
these permissions in the migration ``0002_role_permissions`` (a frozen copy).
"""

_VIEW = ["attributes_app.view_document", "attributes_app.view_attributechange"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    "admin": [
        *_VIEW,
        "attributes_app.add_draftingunit",
        "attributes_app.change_draftingunit",
        "attributes_app.view_draftingunit",
        "attributes_app.add_catalogueitem",
        "attributes_app.change_catalogueitem",
        "attributes_app.view_catalogueitem",
    ],
    "office_head": [
        *_VIEW,
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
        *_VIEW,
        "attributes_app.add_document",
        "attributes_app.change_document",
        "attributes_app.view_draftingunit",
        "attributes_app.view_catalogueitem",
        "attributes_app.view_reviewitem",
        "attributes_app.change_reviewitem",
    ],
    "drafting_unit_head": [
        *_VIEW,
        "attributes_app.change_document",
        "attributes_app.view_draftingunit",
        "attributes_app.view_catalogueitem",
        "attributes_app.add_determination",
        "attributes_app.view_determination",
        "attributes_app.view_reviewitem",
        "attributes_app.change_reviewitem",
    ],
    "secrecy_reviewer": [
        *_VIEW,
        "attributes_app.add_secrecyreview",
        "attributes_app.view_secrecyreview",
    ],
    "legal_reviewer": [
        *_VIEW,
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
