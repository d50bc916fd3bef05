"""What the document register adds to a request's handling (``requests_app.extensions``):

- the "documents this request names" panel on the case page and the accept and propose tasks;
- the block on proposing while a named document waits for its drafting unit's determination;
- the named documents transferred to the archives, for the reply's Archives Law paragraph.

Registered by ``AttributesAppConfig.ready()``; the requests app does not know this app.
"""

from __future__ import annotations

from requests_app.extensions import CaseExtension, register_case_extension


def _panel(context, case, *, task: bool = False) -> str:
    # The page module is imported when a page is drawn, not at start-up (it imports forms).
    from attributes_app.views.case_documents import named_documents_panel

    return named_documents_panel(context, case, task=task)


def register() -> None:
    from attributes_app.selectors import archived_for_letter, determination_block

    register_case_extension(
        CaseExtension(
            name="named_documents",
            order=10,
            panel=_panel,
            propose_block=determination_block,
            archived_documents=archived_for_letter,
        )
    )
