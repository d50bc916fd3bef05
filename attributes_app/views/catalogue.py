"""Pages of the catalogue of disclosure items (公开事项目录, DOMAIN §5): the list by area, an item
added or changed, the XLSX template, export and import (checked row by row, saved only when
confirmed), and the publication of numbered versions.

The disclosure office keeps the catalogue (``office_head``; the administrator too). Every page is
scoped to the user's agencies: another agency's item, version or upload is a 404; the services
check the role again.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import timedelta
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.views.generic import TemplateView

from attributes_app import catalogue, catalogue_sheet
from attributes_app.forms import CatalogueImportForm, CatalogueItemForm, CataloguePublishForm
from attributes_app.models import CatalogueItem, CataloguePublication
from attributes_app.older_sheet import SheetRefused
from attributes_app.services import (
    catalogue_import,
    catalogue_item_delete,
    catalogue_item_save,
    catalogue_publish,
)
from attributes_app.services.catalogue import publication_problems, working_copy
from attributes_app.views.base import RolePageMixin, RoleViewset, may_see
from workflow.errors import REFUSALS, add_to_form
from workflow.selectors import agencies_of
from workflow.spreadsheets import XLSX_CONTENT_TYPE
from workflow.text_input import clean_name, search_text

CATALOGUE_ROLES = frozenset({"office_head", "admin"})
UPLOADS = "catalogue-imports"
SESSION_KEY = "attributes_catalogue_imports"
KEPT_PER_SESSION = 5
KEEP_FOR = timedelta(days=2)


def url(name: str = "index", agency=None, **kwargs) -> str:
    address = reverse(f"attributes:catalogue:{name}", kwargs=kwargs or None)
    return f"{address}?{urlencode({'agency': agency.pk})}" if agency is not None else address


def chosen_agency(request):
    """The agency of ``?agency=`` among the user's (404 for another), else their first."""
    agencies = agencies_of(request.user)
    wanted = request.GET.get("agency", "") or request.POST.get("agency", "")
    if wanted:
        if not wanted.isdigit():
            raise Http404("没有找到这个机关。")
        return get_object_or_404(agencies, pk=wanted)
    agency = agencies.first()
    if agency is None:
        raise Http404("您还没有所属的机关。")
    return agency


def latest_publication(agency) -> CataloguePublication | None:
    return CataloguePublication.objects.filter(agency=agency).order_by("-version").first()


def changes_since(published: list[dict] | None, draft: list[dict]) -> dict[str, int]:
    """How the working copy differs from a published version: items added, changed, removed."""
    before = {row["id"]: row for row in published or []}
    after = {row["id"]: row for row in draft}
    return {
        "added": sum(1 for pk in after if pk not in before),
        "changed": sum(1 for pk, row in after.items() if pk in before and before[pk] != row),
        "removed": sum(1 for pk in before if pk not in after),
    }


def _xlsx(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _short(agency) -> str:
    return str(agency.short_name or agency.name)


class CatalogueView(RolePageMixin, TemplateView):
    """公开事项目录: the working copy by area, with filters, and where it stands against the
    latest published version."""

    template_name = "attributes_app/catalogue.html"
    roles = CATALOGUE_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agency = chosen_agency(self.request)
        area = self.request.GET.get("area", "")
        query = search_text(self.request.GET.get("q"))
        items = CatalogueItem.objects.filter(agency=agency)
        if area == "-":
            items = items.filter(area="")
        elif area:
            items = items.filter(area=area)
        if query:
            items = items.filter(
                Q(name__icontains=query)
                | Q(first_level__icontains=query)
                | Q(content__icontains=query)
                | Q(legal_basis__icontains=query)
                | Q(body__icontains=query)
            )
        rows = sorted(
            items,
            key=lambda i: (catalogue.area_order(i.area), i.first_level, i.name, i.pk),
        )
        groups: list[tuple[str, list[CatalogueItem]]] = []
        for item in rows:
            if not groups or groups[-1][0] != item.area:
                groups.append((item.area, []))
            groups[-1][1].append(item)
        latest = latest_publication(agency)
        draft = working_copy(agency)
        changes = changes_since(latest.items if latest else None, draft)
        context.update(
            agency=agency,
            agencies=agencies_of(self.request.user),
            areas=catalogue.pilot_areas(),
            area=area,
            q=query,
            groups=groups,
            shown=len(rows),
            total=len(draft),
            latest=latest,
            changes=changes,
            unpublished=any(changes.values()),
            channel_labels=catalogue.CHANNELS,
            source=catalogue.pilot_area_source(),
            filtered=bool(area or query),
        )
        return context


class CatalogueItemView(RolePageMixin, TemplateView):
    """An item added (no ``pk``) or changed."""

    template_name = "attributes_app/catalogue_item.html"
    roles = CATALOGUE_ROLES

    def _item(self) -> CatalogueItem | None:
        pk = self.kwargs.get("pk")
        if pk is None:
            return None
        return get_object_or_404(
            CatalogueItem.objects.select_related("agency"),
            pk=pk,
            agency__in=agencies_of(self.request.user),
        )

    def get(self, request, *args, **kwargs):
        item = self._item()
        agency = item.agency if item else chosen_agency(request)
        initial = CatalogueItemForm.initial_of(item) if item else {"levels": ["county"]}
        if item is None and request.GET.get("area") in catalogue.pilot_areas():
            initial["area"] = request.GET["area"]
        form = CatalogueItemForm(initial=initial)
        return self.render_to_response(self.get_context_data(form=form, item=item, agency=agency))

    def post(self, request, *args, **kwargs):
        item = self._item()
        agency = item.agency if item else chosen_agency(request)
        form = CatalogueItemForm(request.POST)
        status = 200
        if form.is_valid():
            try:
                saved = catalogue_item_save(
                    actor=request.user,
                    agency=agency,
                    data=form.to_data(),
                    item_id=item.pk if item else None,
                )
            except ValidationError as error:
                add_to_form(form, error)
            except REFUSALS as error:
                add_to_form(form, error)
                status = getattr(error, "status", 403)
            else:
                messages.success(request, f"已保存“{saved.name}”。目录已修改，发布后公众才能看到。")
                return HttpResponseRedirect(
                    url(agency=agency) + "&" + urlencode({"area": saved.area})
                )
        context = self.get_context_data(form=form, item=item, agency=agency)
        return self.render_to_response(context, status=status)


@login_required
def delete_item(request, pk: int):
    """删除 (POST only): the item leaves the working copy; linked documents keep it."""
    _manager_only(request)
    if request.method != "POST":
        raise Http404("请在事项页面上删除。")
    item = get_object_or_404(
        CatalogueItem.objects.select_related("agency"),
        pk=pk,
        agency__in=agencies_of(request.user),
    )
    try:
        catalogue_item_delete(actor=request.user, agency=item.agency, item_id=item.pk)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return HttpResponseRedirect(url("edit", pk=item.pk))
    except REFUSALS as error:
        raise PermissionDenied(str(error)) from None
    messages.success(request, f"已删除“{item.name}”。发布后公众页面才会去掉这个事项。")
    return HttpResponseRedirect(url(agency=item.agency))


def _manager_only(request) -> None:
    if not may_see(request.user, CATALOGUE_ROLES):
        raise PermissionDenied("公开事项目录由政务公开工作机构维护。")


@login_required
def template_file(request):
    """The empty template (the headers, the lists, the notes)."""
    _manager_only(request)
    agency = chosen_agency(request)
    body = catalogue_sheet.workbook_bytes([], caption=f"{agency.name}政务公开事项标准目录（模板）")
    return _xlsx(body, f"{_short(agency)}公开事项目录模板.xlsx")


@login_required
def export_file(request):
    """The working copy as it is now (a draft until published), in the template's columns:
    edited and imported again, it changes the same items."""
    _manager_only(request)
    agency = chosen_agency(request)
    stamp = timezone.localtime().strftime("%Y%m%d")
    body = catalogue_sheet.workbook_bytes(
        working_copy(agency), caption=f"{agency.name}政务公开事项标准目录（工作稿，{stamp}导出）"
    )
    return _xlsx(body, f"{_short(agency)}公开事项目录（工作稿）{stamp}.xlsx")


@login_required
def version_file(request, pk: int):
    _manager_only(request)
    publication = get_object_or_404(
        CataloguePublication.objects.select_related("agency"),
        pk=pk,
        agency__in=agencies_of(request.user),
    )
    agency = publication.agency
    body = catalogue_sheet.workbook_bytes(
        publication.items,
        caption=f"{agency.name}政务公开事项标准目录（第{publication.version}版）",
    )
    return _xlsx(body, f"{_short(agency)}公开事项目录第{publication.version}版.xlsx")


# -- import ---------------------------------------------------------------------------------------


def _sweep(now=None) -> int:
    """Delete uploads nobody confirmed within ``KEEP_FOR``; return how many."""
    now = now or timezone.now()
    try:
        names = default_storage.listdir(UPLOADS)[1]
    except (FileNotFoundError, NotImplementedError):
        return 0
    swept = 0
    for name in names:
        try:
            old = now - default_storage.get_modified_time(f"{UPLOADS}/{name}") > KEEP_FOR
        except (OSError, NotImplementedError):
            continue
        if old:
            _discard(name.removesuffix(".xlsx"))
            swept += 1
    return swept


def _keep(request, upload, agency) -> str:
    _sweep()
    token = uuid.uuid4().hex
    default_storage.save(f"{UPLOADS}/{token}.xlsx", upload)
    entries = request.session.get(SESSION_KEY, {})
    entries[token] = {"agency": agency.pk, "name": clean_name(PurePath(upload.name).name)[:200]}
    for old in list(entries)[:-KEPT_PER_SESSION]:
        _discard(old)
        del entries[old]
    request.session[SESSION_KEY] = entries
    return token


def _discard(token: str) -> None:
    with contextlib.suppress(OSError):
        default_storage.delete(f"{UPLOADS}/{token}.xlsx")


def _kept(request, token: str):
    """The agency and name of an upload of this session (404 for any other token)."""
    entry = request.session.get(SESSION_KEY, {}).get(token)
    path_ = f"{UPLOADS}/{token}.xlsx"
    if not entry or len(token) != 32 or not default_storage.exists(path_):
        raise Http404("没有找到这次上传：可能已经导入或过期，或者不是在这个浏览器中上传的。")
    agency = get_object_or_404(agencies_of(request.user), pk=entry["agency"])
    return agency, entry["name"], path_


def _check(path_: str, name: str) -> catalogue_sheet.CatalogueCheck:
    with default_storage.open(path_, "rb") as stream:
        return catalogue_sheet.check_file(stream, name)


class CatalogueImportView(RolePageMixin, TemplateView):
    """从表格导入: the columns explained, the template, the upload."""

    template_name = "attributes_app/catalogue_import.html"
    roles = CATALOGUE_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", CatalogueImportForm())
        context.update(
            agency=chosen_agency(self.request),
            columns=catalogue_sheet.COLUMNS,
            max_rows=catalogue_sheet.MAX_ROWS,
        )
        return context

    def post(self, request, *args, **kwargs):
        agency = chosen_agency(request)
        form = CatalogueImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                catalogue_sheet.check_file(upload, upload.name)
            except SheetRefused as error:
                form.add_error("file", error.messages[0])
            else:
                upload.seek(0)
                token = _keep(request, upload, agency)
                return HttpResponseRedirect(url("import_check", token=token))
        return self.render_to_response(self.get_context_data(form=form))


class CatalogueImportCheckView(RolePageMixin, TemplateView):
    """The check of an upload: every problem by row and column and nothing saved, or the summary
    of a clean file and the confirmation that saves it."""

    template_name = "attributes_app/catalogue_import_check.html"
    roles = CATALOGUE_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agency, name, path_ = _kept(self.request, kwargs["token"])
        check = _check(path_, name)
        existing = {
            (i.area, i.first_level, i.name)
            for i in CatalogueItem.objects.filter(agency=agency).only("area", "first_level", "name")
        }
        updates = sum(1 for d in check.items if (d.area, d.first_level, d.name) in existing)
        context.update(
            agency=agency,
            name=name,
            token=kwargs["token"],
            check=check,
            updates=updates,
            additions=len(check.items) - updates,
        )
        return context

    def post(self, request, *args, **kwargs):
        token = kwargs["token"]
        agency, name, path_ = _kept(request, token)
        check = _check(path_, name)
        if not check.clean:
            messages.error(request, "这个文件有问题，不能导入。请修改后重新上传。")
            return HttpResponseRedirect(url("import_check", token=token))
        try:
            result = catalogue_import(
                actor=request.user, agency=agency, items=check.items, file_name=name
            )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
            return HttpResponseRedirect(url("import_check", token=token))
        except REFUSALS as error:
            raise PermissionDenied(str(error)) from None
        _discard(token)
        entries = request.session.get(SESSION_KEY, {})
        entries.pop(token, None)
        request.session[SESSION_KEY] = entries
        messages.success(
            request,
            f"已导入：新增{result.created}个事项，修改{result.updated}个，"
            f"{result.unchanged}个与目录相同未改动。目录已修改，发布后公众才能看到。",
        )
        return HttpResponseRedirect(url(agency=agency))


# -- publication ----------------------------------------------------------------------------------


class CataloguePublishView(RolePageMixin, TemplateView):
    """发布: what changed since the latest version, what stops publication, the note."""

    template_name = "attributes_app/catalogue_publish.html"
    roles = CATALOGUE_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agency = chosen_agency(self.request)
        latest = latest_publication(agency)
        draft = working_copy(agency)
        changes = changes_since(latest.items if latest else None, draft)
        context.setdefault(
            "form",
            CataloguePublishForm(initial={"expected_version": latest.version if latest else 0}),
        )
        context.update(
            agency=agency,
            latest=latest,
            total=len(draft),
            changes=changes,
            unpublished=any(changes.values()),
            problems=publication_problems(draft),
            versions=CataloguePublication.objects.filter(agency=agency)
            .select_related("published_by")
            .order_by("-version")
            .defer("items"),
        )
        return context

    def post(self, request, *args, **kwargs):
        agency = chosen_agency(request)
        form = CataloguePublishForm(request.POST)
        status = 200
        if form.is_valid():
            try:
                publication = catalogue_publish(
                    actor=request.user,
                    agency=agency,
                    note=form.cleaned_data["note"],
                    expected_version=form.cleaned_data["expected_version"],
                )
            except ValidationError as error:
                add_to_form(form, error)
            except REFUSALS as error:
                add_to_form(form, error)
                status = getattr(error, "status", 403)
            else:
                messages.success(
                    request,
                    f"已发布公开事项目录第{publication.version}版（{publication.item_count}个事项）。",
                )
                return HttpResponseRedirect(url("publish", agency=agency))
        return self.render_to_response(self.get_context_data(form=form), status=status)


class CatalogueViewset(RoleViewset):
    title = "公开事项目录"
    icon = "list_alt"
    app_name = "catalogue"
    roles = CATALOGUE_ROLES

    index_path = path("", CatalogueView.as_view(), name="index")
    new_path = path("new/", CatalogueItemView.as_view(), name="new")
    edit_path = path("<int:pk>/", CatalogueItemView.as_view(), name="edit")
    delete_path = path("<int:pk>/delete/", delete_item, name="delete")
    template_path = path("template.xlsx", template_file, name="template")
    export_path = path("export.xlsx", export_file, name="export")
    import_path = path("import/", CatalogueImportView.as_view(), name="import")
    import_check_path = path(
        "import/<slug:token>/", CatalogueImportCheckView.as_view(), name="import_check"
    )
    publish_path = path("publish/", CataloguePublishView.as_view(), name="publish")
    version_path = path("versions/<int:pk>.xlsx", version_file, name="version")
