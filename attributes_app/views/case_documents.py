"""The documents of the agency's register a case names (DOMAIN §4.3, §4.4), on the case page
and in the accept and propose tasks: the panel (added to those pages through
``requests_app.extensions``) and the two buttons that name and unname a document. The reads are
``attributes_app.selectors``, the changes ``attributes_app.services.naming``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from viewflow.urls import Viewset

from attributes_app import selectors
from attributes_app.services import request_name_document, request_unname_document
from requests_app.models import InformationRequest
from requests_app.selectors import require_request_role, visible_requests
from requests_app.services import StaleCase
from workflow.errors import REFUSALS
from workflow.text_input import search_text


def named_documents_panel(context, case: InformationRequest, *, task: bool = False) -> str:
    """The named documents with their attribute and state, what waits for a determination, and
    (for the handler, while the case is examined) the register search to name more.

    The search term is the page's ``doc_q`` parameter, so the picker needs no view of its own.
    """
    request = context["request"]
    editable = selectors.may_name(request.user, case)
    q = search_text(request.GET.get("doc_q"))
    named = selectors.named_documents(case)
    values = {
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
    return render_to_string("attributes_app/_named_documents.html", values, request=request)


def _back(request, case: InformationRequest) -> str:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("requests:cases:detail", args=[case.pk])
    return target.split("#", 1)[0] + "#named-documents"


def _run(request, pk: int, call, done: str):
    require_request_role(request.user)
    case = get_object_or_404(visible_requests(request.user), pk=pk)
    try:
        document_id = int(request.POST.get("document_id", ""))
    except ValueError:
        messages.error(request, "请从本机关的文件台账中选择文件。")
        return HttpResponseRedirect(_back(request, case))
    try:
        call(actor=request.user, case_id=case.pk, document_id=document_id)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    except (*REFUSALS, StaleCase) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return HttpResponseRedirect(_back(request, case))


@login_required
@require_POST
def name_document(request, pk: int):
    """Name a document of the register (the case page's and tasks' picker)."""
    return _run(request, pk, request_name_document, "已关联申请涉及的文件。")


@login_required
@require_POST
def unname_document(request, pk: int):
    return _run(request, pk, request_unname_document, "已取消关联。")


class CaseDocumentsViewset(Viewset):
    """The buttons of the named-documents panel (their pages are the case's and the tasks')."""

    app_name = "case_documents"

    name_path = path("<int:pk>/add/", name_document, name="name")
    unname_path = path("<int:pk>/remove/", unname_document, name="unname")
