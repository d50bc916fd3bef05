"""Pages of the spreadsheet import of older documents (文件登记簿 › 从表格导入已印发的文件):
the template, the upload and its check, the list of problems (on the page, a page at a time,
and as CSV), the confirmation, and the job that imports.

The disclosure office only (``office_head``); the services check again. Every page is scoped:
an upload is found only in the session that made it and for an agency the user works for; a
job only by the user who submitted it. Anything else is a 404.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.views.generic import TemplateView
from viewflow.urls import Viewset

from attributes_app import jobs, older_sheet, older_uploads
from attributes_app.forms import OlderImportForm
from attributes_app.models import DraftingUnit
from attributes_app.older_import import ImportCheck, max_rows, older_import_check
from attributes_app.views.base import OFFICE_ROLES, RolePageMixin, may_see
from workflow.errors import NotAllowed, add_to_form
from workflow.job_views import JobView, job_of, job_status
from workflow.jobs import is_cut_off, reap
from workflow.models import Job
from workflow.selectors import agencies_of
from workflow.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, csv_bytes

PROBLEMS_PAGE = 50


def max_mb() -> int:
    """The largest spreadsheet accepted (``GONGKAI_OLDER_IMPORT_MAX_MB``)."""
    return getattr(settings, "GONGKAI_OLDER_IMPORT_MAX_MB", 20)


def import_url(name: str = "index", **kwargs) -> str:
    return reverse(f"attributes:documents:older_import:{name}", kwargs=kwargs or None)


def _kept_or_404(request, token: str) -> older_uploads.KeptImport:
    upload = older_uploads.kept(request, token)
    if upload is None:
        raise Http404("没有找到这次上传：可能已经过期，或者不是在这个浏览器中上传的。")
    return upload


def _running(agency) -> Job | None:
    """An import of ``agency`` still waiting or running (one cut off by a restart is not; one
    whose process is gone is marked so here, ``jobs.reap``)."""
    waiting = Job.objects.filter(
        kind=jobs.IMPORT_OLDER,
        agency=agency,
        status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
    ).order_by("created_at")
    return next((job for job in map(reap, waiting) if not is_cut_off(job)), None)


def _submitted(upload: older_uploads.KeptImport) -> bool:
    """The upload was confirmed and its import has not failed (one cut off by a restart, or
    refused, may be confirmed again: it saved nothing)."""
    if not upload.job_id:
        return False
    job = Job.objects.filter(pk=upload.job_id).first()
    return job is not None and reap(job).status != Job.Status.FAILED


class OlderImportView(RolePageMixin, TemplateView):
    """从表格导入已印发的文件: the columns explained, the template, the upload."""

    template_name = "attributes_app/older_import.html"
    roles = OFFICE_ROLES

    def _form(self, data=None, files=None) -> OlderImportForm:
        return OlderImportForm(
            data,
            files,
            agencies=agencies_of(self.request.user),
            max_mb=max_mb(),
            max_rows=max_rows(),
        )

    def post(self, request, *args, **kwargs):
        form = self._form(request.POST, request.FILES)
        status = 200
        if form.is_valid():
            agency = form.cleaned_data["agency"]
            upload = form.cleaned_data["file"]
            try:
                kind = older_sheet.sniff(upload, upload.name)
                check = older_import_check(
                    actor=request.user, agency=agency, file=upload, name=upload.name
                )
            except older_sheet.SheetRefused as error:
                form.add_error("file", error.messages[0])
            except NotAllowed as error:
                add_to_form(form, error)
                status = 403
            else:
                token = older_uploads.keep(
                    request, upload=upload, agency=agency, kind=kind, check=check
                )
                return HttpResponseRedirect(import_url("check", token=token))
        return self.render_to_response(self.get_context_data(form=form), status=status)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        agencies = list(agencies_of(user))
        context.update(
            form=kwargs.get("form") or self._form(),
            columns=older_sheet.COLUMNS,
            agencies=agencies,
            max_rows=max_rows(),
            recent=[
                reap(job)  # one whose process is gone shows as failed, not "正在办理"
                for job in Job.objects.filter(
                    kind=jobs.IMPORT_OLDER, created_by=user, agency__in=agencies
                )
                .select_related("agency")
                .order_by("-created_at")[:5]
            ],
        )
        return context


class OlderImportCheckView(RolePageMixin, TemplateView):
    """What the check found: every problem (a page at a time) and nothing imported, or the
    summary of a clean file and the confirmation that starts the import."""

    template_name = "attributes_app/older_import_check.html"
    roles = OFFICE_ROLES

    def post(self, request, *args, **kwargs):
        upload = _kept_or_404(request, kwargs["token"])
        if _submitted(upload):
            # Confirmed already (a second click, or going back): show that import.
            return HttpResponseRedirect(import_url("job", job_pk=upload.job_id))
        check = older_uploads.load_check(upload)
        if check is None:
            raise Http404("这次上传的检查结果已不在服务器上（保存时间已过），请重新上传。")
        if not check.clean:
            messages.error(request, "这个文件有问题，不能导入。请修改后重新上传。")
            return HttpResponseRedirect(import_url("check", token=upload.token))
        running = _running(upload.agency)
        if running is not None:
            messages.warning(
                request,
                f"{upload.agency.name}正在导入另一个文件（{running.title}），"
                "请等它完成后再确认，以免同一份文件导入两次。",
            )
            return HttpResponseRedirect(import_url("check", token=upload.token))
        job = jobs.submit_import_older(actor=request.user, upload=upload, documents=check.documents)
        older_uploads.mark_submitted(request, upload.token, job.pk)
        return HttpResponseRedirect(import_url("job", job_pk=job.pk))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        upload = _kept_or_404(self.request, kwargs["token"])
        if _submitted(upload):
            context.update(upload=upload, submitted=True)
            return context
        check = older_uploads.load_check(upload)
        if check is None:
            raise Http404("这次上传的检查结果已不在服务器上（保存时间已过），请重新上传。")
        # The problems are a list in memory: counting them costs nothing, so no bound.
        page = Paginator(check.problems, PROBLEMS_PAGE).get_page(self.request.GET.get("page"))
        context.update(
            upload=upload,
            check=check,
            page=page,
            query="",
            by_column=check.problems_by_column(),
            many_agencies=agencies_of(self.request.user).count() > 1,
        )
        return context


def _office_only(request) -> None:
    if not may_see(request.user, OFFICE_ROLES):
        raise PermissionDenied("从表格导入已印发的文件由政务公开工作机构办理。")


PROBLEM_COLUMNS = ["行号", "列", "列名", "问题"]


def problems_csv_bytes(check: ImportCheck) -> bytes:
    """Every problem of the check as CSV (UTF-8 with BOM, so Excel reads it); what the officer
    typed comes back in it as text, never as a formula."""
    return csv_bytes(
        PROBLEM_COLUMNS,
        (
            [problem.row or "", problem.letter, problem.column, problem.message]
            for problem in check.problems
        ),
    )


@login_required
def problems_csv(request, token: str):
    """The list of problems to work through in Excel beside the file."""
    _office_only(request)
    upload = _kept_or_404(request, token)
    check = older_uploads.load_check(upload)
    if check is None:
        raise Http404("这次上传的检查结果已不在服务器上，请重新上传。")
    response = HttpResponse(problems_csv_bytes(check), content_type=CSV_CONTENT_TYPE)
    stem = upload.name.rsplit(".", 1)[0] or "文件清单"
    response["Content-Disposition"] = content_disposition_header(True, f"{stem}的问题清单.csv")
    return response


@login_required
def template_file(request, fmt: str):
    """The template to fill in, with the agency's drafting units (``?agency=`` when the user
    works for several; the first one otherwise)."""
    _office_only(request)
    if fmt not in ("xlsx", "csv"):
        raise Http404("没有这种格式的模板。")
    agencies = agencies_of(request.user)
    wanted = request.GET.get("agency", "")
    agency = get_object_or_404(agencies, pk=wanted) if wanted.isdigit() else agencies.first()
    if agency is None:
        raise Http404("您还没有所属的机关。")
    units = list(
        DraftingUnit.objects.filter(agency=agency, active=True)
        .order_by("name")
        .values_list("name", flat=True)
    )
    example_unit = units[0] if units else "综合科"
    if fmt == "xlsx":
        body = older_sheet.template_xlsx(example_unit, units, max_rows=max_rows())
        content_type = XLSX_CONTENT_TYPE
    else:
        body = older_sheet.template_csv(example_unit)
        content_type = CSV_CONTENT_TYPE
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{agency.short_name or agency.name}已印发文件导入模板.{fmt}"
    )
    return response


class OlderImportJobView(RolePageMixin, JobView):
    roles = OFFICE_ROLES
    status_url_name = "attributes:documents:older_import:job_status"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["back_url"] = import_url()
        return context


@login_required
def older_import_job_status(request, job_pk: int):
    _office_only(request)
    return job_status(request, job_pk)


class OlderImportDoneView(RolePageMixin, TemplateView):
    """The result of a finished import: what was imported, and where to go on from here."""

    template_name = "attributes_app/older_import_done.html"
    roles = OFFICE_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = job_of(self.request.user, kwargs["job_pk"])
        if job.kind != jobs.IMPORT_OLDER or job.status != Job.Status.DONE:
            raise Http404("没有找到这次导入的结果。")
        context.update(
            job=job,
            by_unit=job.result.get("by_unit", {}),
            register_url=jobs.register_without_attribute_url(job.agency_id),
        )
        return context


class OlderImportViewset(Viewset):
    """Mounted under 文件登记簿 (``/attributes/documents/older_import/``); not in the menu: the
    register links it beside "登记已印发的文件"."""

    app_name = "older_import"

    index_path = path("", OlderImportView.as_view(), name="index")
    template_path = path("template.<str:fmt>", template_file, name="template")
    job_path = path("jobs/<int:job_pk>/", OlderImportJobView.as_view(), name="job")
    job_status_path = path("jobs/<int:job_pk>/status/", older_import_job_status, name="job_status")
    done_path = path("jobs/<int:job_pk>/done/", OlderImportDoneView.as_view(), name="done")
    check_path = path("<slug:token>/", OlderImportCheckView.as_view(), name="check")
    problems_path = path("<slug:token>/problems.csv", problems_csv, name="problems")
