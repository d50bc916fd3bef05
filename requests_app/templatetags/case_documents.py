"""The "documents this request names" panel of the case page and the accept/propose tasks."""

from __future__ import annotations

from django import template

from requests_app import selectors
from workflow.text_input import search_text

register = template.Library()


@register.inclusion_tag("requests_app/_named_documents.html", takes_context=True)
def named_documents_panel(context, case, *, task: bool = False):
    """The named documents with their attribute and state, what waits for a determination, and
    (for the handler, while the case is examined) the register search to name more.

    The search term is the page's ``doc_q`` parameter, so the picker needs no view of its own.
    """
    request = context["request"]
    user = request.user
    editable = selectors.may_name(user, case)
    q = search_text(request.GET.get("doc_q"))
    named = selectors.named_documents(case)
    return {
        "case": case,
        "task": task,
        "named": named,
        "block": selectors.determination_block(case, named),
        "archived": [n for n in named if n.archive is not None],
        "editable": editable,
        "q": q,
        "matches": list(selectors.register_matches(case, q)) if editable and q else [],
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
