"""The case's documents: its letters and uploaded files to download, and the documents of the
agency's register the case names (DOMAIN §4.3, §4.4: named on the case page and in the accept and
propose tasks; the reads are ``requests_app.selectors``, the changes
``requests_app.services.documents``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from requests_app.models import CaseDocument, InformationRequest
from requests_app.selectors import require_request_role, visible_requests
from requests_app.services import StaleCase, request_name_document, request_unname_document
from requests_app.uploads import FILE_TYPES
from workflow.downloads import file_view
from workflow.errors import REFUSALS
from workflow.letters.issuing import render_if_pending

# -- letters and uploads ------------------------------------------------------------------------


@login_required
@file_view
def case_document(request, pk: int, document_id: int, fmt: str):
    """A letter or the case file: only for the request roles (403 for the others) of the case's
    agency (404 for other agencies)."""
    require_request_role(request.user)
    case = get_object_or_404(visible_requests(request.user), pk=pk)
    document = get_object_or_404(CaseDocument, pk=document_id, request=case)
    if document.is_upload:
        raise Http404("上传的材料请从材料列表下载。")
    stored = document.docx if fmt == "docx" else document.file
    if not stored:
        raise Http404("没有这种格式的文件。")
    render_if_pending(stored.name)  # a letter whose render after its step's commit failed
    name = f"{case.case_number}-{document.title}.{stored.name.rsplit('.', 1)[-1]}"
    response = FileResponse(stored.open("rb"), filename=name, as_attachment=fmt == "docx")
    return response


@login_required
@file_view
def case_upload_file(request, pk: int, document_id: int):
    """An uploaded file, under its own (made safe) name and the type read from its content.

    Only for the request roles (403 for the others) of the case's agency (404 for other
    agencies). PDFs and images open in the browser; other files are downloaded, so that nothing
    a user uploaded runs as a page of this site.
    """
    require_request_role(request.user)
    case = get_object_or_404(visible_requests(request.user), pk=pk)
    document = get_object_or_404(CaseDocument, pk=document_id, request=case)
    file_type = FILE_TYPES.get(document.file_type)
    if not document.is_upload or file_type is None:
        raise Http404("没有这份材料。")
    return FileResponse(
        document.file.open("rb"),
        filename=document.original_name,
        as_attachment=not file_type.inline,
        content_type=file_type.mime,
    )


# -- the documents of the register the case names ---------------------------------------------


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
