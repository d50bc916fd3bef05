"""The attribute app's part of the staff site, registered by ``AttributesAppConfig.ready()``: the
公开属性 section, and where the drafting side and the other register roles land.

The views are imported when the site is assembled (``config.site``), not at start-up.
"""

from typing import Any

from viewflow.urls import Application

from workflow.registry import register_landing, register_section


def attributes_application() -> Application:
    from attributes_app.views import (
        REGISTER_ROLES,
        DocumentViewset,
        ErrorListViewset,
        OfficeReviewViewset,
        PublicationsViewset,
        WorkViewset,
        may_see,
    )
    from attributes_app.views.case_documents import CaseDocumentsViewset
    from attributes_app.views.catalogue import CatalogueViewset
    from attributes_app.views.imports import OlderImportViewset
    from attributes_app.views.links import (
        DeterminationViewset,
        DocumentFilesViewset,
        ReviewFilesViewset,
    )
    from attributes_app.views.review import ReviewViewset, UnitReviewViewset

    return Application(
        title="公开属性",
        icon="policy",
        app_name="attributes",
        # Anonymous visitors pass here so that each page sends them to the login page.
        permission=lambda user: not user.is_authenticated or may_see(user, REGISTER_ROLES),
        viewsets=[
            WorkViewset(),
            # 文件登记簿, with the spreadsheet import of older documents under it.
            DocumentViewset(viewsets=[OlderImportViewset()]),
            OfficeReviewViewset(),
            PublicationsViewset(),
            ErrorListViewset(),
            CatalogueViewset(),
            ReviewViewset(),
            UnitReviewViewset(),
            DeterminationViewset(),
            DocumentFilesViewset(),
            ReviewFilesViewset(),
            CaseDocumentsViewset(),
        ],
    )


def _drafting_side(user: Any) -> bool:
    """拟稿人、起草单位负责人、保密审查人员: their work list of documents."""
    from attributes_app.views import WORK_ROLES, may_see

    return may_see(user, WORK_ROLES)


def _register_roles(user: Any) -> bool:
    from attributes_app.views import REGISTER_ROLES, may_see

    return may_see(user, REGISTER_ROLES)


def register() -> None:
    register_section("attributes", 20, attributes_application)
    # After the request roles' case list (order 10).
    register_landing("attributes:work:index", 20, _drafting_side)
    register_landing("attributes:documents:index", 30, _register_roles)
