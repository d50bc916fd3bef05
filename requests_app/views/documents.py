"""The case's documents: its letters and uploaded files to download. (The documents of the
agency's register a case names are the register's: ``attributes_app.views.case_documents``.)"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from requests_app.models import CaseDocument
from requests_app.selectors import require_request_role, visible_requests
from requests_app.uploads import FILE_TYPES
from workflow.downloads import file_view, stored_file_response
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
    return stored_file_response(stored, filename=name, as_attachment=fmt == "docx")


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
    return stored_file_response(
        document.file,
        filename=document.original_name,
        as_attachment=not file_type.inline,
        content_type=file_type.mime,
    )
