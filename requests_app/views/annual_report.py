"""The annual report's pages (Art. 49–50; 国办公开办函〔2021〕30号; DOMAIN §6):

- the report of one agency for one year: tables 二, 三 and 四 with every number a link to what it
  counted, the checks shown on the cells they concern, the entered figures of table 二 (a form
  and a CSV import), the texts of parts 一, 五 and 六, the publish button, the versions and the
  files (DOCX, PDF, XLSX), and what changed since the published version;
- the list behind one number (the cases, reconsiderations and lawsuits, or documents);
- the supervising government's overview of the agencies below it.

Who sees what: an agency's staff with a request role see its report; a supervising government's
office head (``supervised_agencies``) sees the reports of the agencies below it, read only, and
the lists behind the numbers without the applicants. Any other agency's id is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.generic import TemplateView
from viewflow.urls import AppMenuMixin, Viewset

from requests_app import permissions
from requests_app.annual_report import output
from requests_app.annual_report.output import Grid, GridCell, Ref
from requests_app.annual_report.structure import Cell, ReportData
from workflow import text_input as limits
from workflow.cn import cn_date
from workflow.downloads import protect
from workflow.errors import REFUSALS, add_to_form
from workflow.models import Agency
from workflow.roles import has_request_role
from workflow.selectors import agencies_of, supervised_agencies
from workflow.text_input import TextRulesMixin

#: How many cases the carry-over note form lists one by one.
NOTE_CASES = 100
#: How many rows the list behind one number shows.
CELL_LIST_SHOWN = 500
#: The years a report can be asked for (the services' first year), up to this year.
FIRST_YEAR = 2008


# -- who sees which agency ------------------------------------------------------------------------


def own_agencies(user):
    """The agencies whose report ``user`` reads as staff: theirs, with a request role."""
    if not has_request_role(user):
        return Agency.objects.none()
    return agencies_of(user)


def may_open(user) -> bool:
    """Whether the menu offers the annual report to ``user``."""
    return user.is_authenticated and (
        own_agencies(user).exists() or supervised_agencies(user).exists()
    )


@dataclass(frozen=True)
class Access:
    agency: Agency
    #: the agency's own staff (may see the cases behind a number); else a supervisor (read only)
    staff: bool
    may_edit: bool
    may_publish: bool
    edit_refusal: str | None
    publish_refusal: str | None


def access(user, agency_id: int) -> Access:
    """``user``'s access to ``agency_id``'s report, or 404: another agency's id shows nothing."""
    agency = own_agencies(user).filter(pk=agency_id).first()
    staff = agency is not None
    if agency is None:
        agency = supervised_agencies(user).filter(pk=agency_id).first()
    if agency is None:
        raise Http404("没有这个机关的年度报告，或您无权查看。")
    edit = permissions.agency_refusal(user, agency.pk, "report_edit") if staff else _SUPERVISOR
    publish = (
        permissions.agency_refusal(user, agency.pk, "report_publish") if staff else _SUPERVISOR
    )
    return Access(agency, staff, edit is None, publish is None, edit, publish)


_SUPERVISOR = "上级政府只能查看所属机关的年度报告，由该机关自行编辑和发布。"


def _year(value) -> int:
    today = timezone.localdate()
    text = str(value or "")
    if not text.isascii() or not text.isdigit() or len(text) > 4:
        raise Http404("年度有误。")
    year = int(text)
    if not FIRST_YEAR <= year <= today.year:
        raise Http404(f"年度应在{FIRST_YEAR}年至{today.year}年之间。")
    return year


def default_year(today: date) -> int:
    """The year whose report is being prepared now: from 1 December this year's (due by 31
    January of the next year, as the dashboard reminds), before that last year's."""
    return today.year if today.month == 12 else today.year - 1


def deadline(year: int) -> date:
    """Art. 49: each agency publishes its report for ``year`` by 31 January of the next year."""
    from requests_app.annual_report.overview import deadline as due

    return due(year)


# -- the report's data ----------------------------------------------------------------------------


def _store():
    from requests_app.annual_report import store

    return store


def live_data(agency, year: int) -> ReportData:
    """The numbers as the records stand now, with the checks."""
    from requests_app.annual_report.counting import build_report

    return build_report(agency, year)


def suggested_texts(data: ReportData, agency) -> dict[str, str]:
    from requests_app.annual_report.texts import default_texts

    return default_texts(data, agency.name)


def _published_version(agency, year: int, version) -> object:
    """A published version of the report, or 404."""
    text = str(version or "")
    if not text.isascii() or not text.isdigit() or len(text) > 4:
        raise Http404("没有这一版本。")
    number = int(text)
    report = _store().versions(agency, year).filter(version=number, status="published").first()
    if report is None:
        raise Http404("没有这一版本。")
    return report


@dataclass
class Shown:
    """What a page shows: the numbers, the texts, and where they come from."""

    data: ReportData
    texts: dict[str, str]
    frozen: object | None = None  # the published version shown, when one is
    draft: object | None = None
    published: object | None = None  # the latest published version
    source: str = ""


def shown(agency, year: int, version=None) -> Shown:
    """A published version's frozen numbers and texts (``version``), or the live numbers with
    the draft's texts (pre-filled from the numbers while there is no draft)."""
    store = _store()
    if version not in (None, ""):
        report = _published_version(agency, year, version)
        data = store.published_data(report)
        when = cn_date(timezone.localtime(report.published_at).date())
        return Shown(
            data,
            dict(report.texts),
            frozen=report,
            published=store.latest_published(agency, year),
            source=f"第{report.version}版于{when}发布时的数字和文字（发布后不再变化）。",
        )
    data = live_data(agency, year)
    draft = store.draft_of(agency, year)
    published = store.latest_published(agency, year)
    if draft is not None:
        texts = dict(draft.texts)
    elif published is not None:
        texts = dict(store.versions(agency, year).get(pk=published.pk).texts)
    else:
        texts = suggested_texts(data, agency)
    today = timezone.localdate()
    return Shown(
        data,
        texts,
        draft=draft,
        published=published,
        source=(
            f"按截至{cn_date(today)}的记录实时统计（统计期限{year}年1月1日至{year}年12月31日；"
            "以收到申请之日、办结日期等记录的日期归入年度）。发布时冻结。"
        ),
    )


# -- the checks on the cells ----------------------------------------------------------------------


def _ints(cells: list[Cell]) -> list[int]:
    return [int(output.as_number(cell.value)) for cell in cells]


def cell_problems(data: ReportData) -> dict[Ref, list[str]]:
    """The failing checks, placed on the cells they concern, each with its reason in words.

    A check names a rule of the format; where it fails, the numbers show which cells break
    it (a row's 总计, a column's （七）总计 or 四, a group's 总计 in table 四, row 二 against
    last year, the figures not entered)."""
    from requests_app.annual_report import checks as names
    from requests_app.annual_report.structure import TABLE3_COLUMNS, TABLE3_ROWS, TABLE4_GROUPS

    failing = {check.name: check for check in data.checks if not check.ok}
    found: dict[Ref, list[str]] = {}

    def add(ref: Ref, reason: str) -> None:
        found.setdefault(ref, []).append(reason)

    t3 = {key: _ints(cells) for key, cells in data.table3.items()}
    if names.SUM_OF_COLUMNS in failing:
        for spec in TABLE3_ROWS:
            row = t3.get(spec.key, [0] * 7)
            if sum(row[:6]) != row[6]:
                add(Ref("三", spec.key, 6), f"六类申请人之和为{sum(row[:6])}，总计为{row[6]}。")
    results = [spec.key for spec in TABLE3_ROWS if spec.key.startswith("三（")]
    results.remove("三（七）")
    if names.SUM_OF_RESULTS in failing:
        for column, label in enumerate(TABLE3_COLUMNS):
            parts = sum(t3.get(key, [0] * 7)[column] for key in results)
            total = t3.get("三（七）", [0] * 7)[column]
            if parts != total:
                add(
                    Ref("三", "三（七）", column),
                    f"{label}列（一）至（六）各项之和为{parts}，（七）总计为{total}。",
                )
    if names.BALANCE in failing:
        for column, label in enumerate(TABLE3_COLUMNS):
            before = t3.get("一", [0] * 7)[column] + t3.get("二", [0] * 7)[column]
            after = t3.get("三（七）", [0] * 7)[column] + t3.get("四", [0] * 7)[column]
            if before != after:
                add(
                    Ref("三", "四", column),
                    f"{label}列第一项加第二项为{before}，第三项（七）加第四项为{after}。",
                )
    if names.CARRYOVER in failing:
        add(Ref("三", "二", 6), failing[names.CARRYOVER].detail)
    if names.TABLE4_TOTALS in failing:
        values = _ints(data.table4) + [0] * 15
        for group, name in enumerate(TABLE4_GROUPS):
            parts, total = sum(values[5 * group : 5 * group + 4]), values[5 * group + 4]
            if parts != total:
                add(Ref("四", "", 5 * group + 4), f"{name}四项之和为{parts}，总计为{total}。")
    if names.FIGURES in failing:
        from requests_app.annual_report.counting import FIGURE_ROWS

        detail = failing[names.FIGURES].detail
        for row in FIGURE_ROWS.values():
            if row in detail:
                add(Ref("二", row, 0), f"“{row}”尚未录入（没有的请录入0，并写明数据来源）。")
    return found


# -- the tables on the page -----------------------------------------------------------------------


@dataclass
class PageCell:
    """A grid cell as the page shows it: its link and its problems."""

    cell: GridCell
    url: str = ""
    problems: list[str] = field(default_factory=list)
    anchor: str = ""

    def __getattr__(self, name):
        return getattr(self.cell, name)


@dataclass
class PageTable:
    grid: Grid
    rows: list[list[PageCell]]


def _document_url(pk: int) -> str:
    """The register's page of a document (when the register's pages are installed)."""
    try:
        return reverse("attributes:documents:detail", args=[pk])
    except NoReverseMatch:
        return ""


def page_tables(
    data: ReportData, agency, year: int, *, version=None, problems=None
) -> list[PageTable]:
    """Tables 二, 三 and 四 with every number's link and problems."""
    from requests_app.annual_report.counting import FIGURE_ROWS

    entered = set(FIGURE_ROWS.values())
    problems = problems or {}
    query = f"?version={version}" if version else ""
    found = []
    for grid in output.tables(data):
        rows = []
        for row in grid.rows:
            cells = []
            for cell in row:
                shown = PageCell(cell)
                if cell.ref is not None:
                    shown.anchor = f"cell-{cell.ref.slug}"
                    shown.problems = problems.get(cell.ref, [])
                    # Table 二's entered figures count nothing of this system: no list.
                    if cell.ref.table != "二" or cell.ref.key not in entered:
                        shown.url = (
                            reverse(
                                "requests:annual_report:cell",
                                args=[agency.pk, year, cell.ref.slug],
                            )
                            + query
                        )
                cells.append(shown)
            rows.append(cells)
        found.append(PageTable(grid, rows))
    return found


def change_lines(found) -> list[str]:
    """The changes since the published version (``diff.CellChange``), in words: the numbers,
    and the cases that entered or left a cell (counted with ids, so a cell whose number stayed
    the same but whose cases changed is listed too)."""
    lines = []
    for change in found or ():
        line = (
            f"{change.label}：已发布{output.printed(change.old)}，现为{output.printed(change.new)}"
        )
        moved = []
        if change.added:
            moved.append(f"新计入{len(change.added)}件")
        if change.removed:
            moved.append(f"不再计入{len(change.removed)}件")
        if moved:
            line += f"（{'，'.join(moved)}）"
        lines.append(line)
    return lines


# -- forms ----------------------------------------------------------------------------------------


FIGURE_FIELDS = (
    ("licensing", "行政许可", "件"),
    ("penalty", "行政处罚", "件"),
    ("coercion", "行政强制", "件"),
    ("fees", "行政事业性收费", "万元"),
)


class FiguresForm(TextRulesMixin, forms.Form):
    """表二's entered figures, each with where it comes from; an item left empty is not
    entered (the check says which are still missing)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label, unit in FIGURE_FIELDS:
            self.fields[name] = forms.CharField(
                label=f"{label}（{unit}）",
                required=False,
                max_length=30,
                help_text="本年处理决定数量" if unit == "件" else "本年收费金额，单位：万元",
            )
            self.fields[f"{name}_source"] = forms.CharField(
                label=f"{label}的数据来源",
                required=False,
                max_length=limits.NOTE,
                help_text="例如：本机关行政许可办件系统统计",
            )

    def clean(self):
        from requests_app.services.annual_report import parse_figure

        data = super().clean()
        for name, label, _unit in FIGURE_FIELDS:
            if name in self.errors or f"{name}_source" in self.errors:
                continue  # already told why
            text, source = data.get(name), (data.get(f"{name}_source") or "").strip()
            if not str(text or "").strip():
                if source:
                    self.add_error(name, f"请填写{label}的数字（没有的请填0）。")
                continue
            try:
                data[name] = parse_figure(name, text)
            except ValidationError as error:
                self.add_error(name, error.messages[0])
                continue
            if not source:
                self.add_error(f"{name}_source", f"请写明{label}的数据来源。")
        return data

    def figures(self) -> dict[str, tuple[Decimal, str]]:
        """The figures filled in: field → (value, source)."""
        data = self.cleaned_data
        return {
            name: (data[name], data[f"{name}_source"].strip())
            for name, _, _ in FIGURE_FIELDS
            if isinstance(data.get(name), Decimal)
        }


#: The CSV import's first row (the service's ``CSV_COLUMNS``).
MAX_CSV_BYTES = 256 * 1024


class FiguresImportForm(forms.Form):
    file = forms.FileField(
        label="CSV文件",
        error_messages={"required": "请选择要导入的CSV文件。"},
        help_text=(
            "第一行为“年度,项目,数值,数据来源”，以下每行一项：项目为行政许可、行政处罚、行政强制"
            "或行政事业性收费（金额单位：万元）。UTF-8或GBK编码，不超过256KB。有一行出错时全部不导入。"
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise ValidationError("CSV文件不能超过256KB。")
        return upload.read()


class TextsForm(TextRulesMixin, forms.Form):
    """The words of parts 一, 五 and 六 (pre-filled), and the carry-over note."""

    overview = forms.CharField(
        label=output.PART_HEADINGS["一"],
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    problems = forms.CharField(
        label=output.PART_HEADINGS["五"],
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    other = forms.CharField(
        label=output.PART_HEADINGS["六"],
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="应包括本年度收取信息处理费的情况。",
    )
    carryover_note = forms.CharField(
        label="上年结转数与上年度报告不一致的说明",
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "本系统中没有上年度已发布报告，或上年结转数与上年度报告的结转下年度继续办理数不一致"
            "时，请在此说明原因；其他情况可不填。"
        ),
    )

    def __init__(self, *args, cases=(), notes=None, **kwargs):
        super().__init__(*args, **kwargs)
        notes = notes or {}
        for pk, number in cases:
            self.fields[f"note_{pk}"] = forms.CharField(
                label=f"{number}的说明",
                required=False,
                max_length=limits.NOTE,
                initial=notes.get(str(pk), ""),
            )

    def texts(self) -> dict[str, str]:
        data = self.cleaned_data
        return {"一": data["overview"], "五": data["problems"], "六": data["other"]}

    def notes(self) -> dict[str, str]:
        """The carry-over notes: ``general`` and one per case (an empty one removes it)."""
        data = self.cleaned_data
        notes = {"general": data["carryover_note"].strip()}
        for name in self.fields:
            if name.startswith("note_"):
                notes[name.removeprefix("note_")] = data[name].strip()
        return notes

    def main_fields(self):
        return [self[name] for name in self.fields if not name.startswith("note_")]

    def case_fields(self):
        return [self[name] for name in self.fields if name.startswith("note_")]


class PublishForm(TextRulesMixin, forms.Form):
    correction_reason = forms.CharField(
        label="更正理由（发布更正版本时填写）",
        required=False,
        max_length=limits.NOTE,
    )


# -- the services ---------------------------------------------------------------------------------


def save_texts(user, agency, year: int, texts: dict[str, str], notes: dict[str, str]) -> None:
    from requests_app import services

    draft = services.report_draft(actor=user, agency=agency, year=year)
    services.report_save(actor=user, report_id=draft.pk, texts=texts, carryover_notes=notes)


def save_figures(user, agency, year: int, figures: dict[str, tuple[Decimal, str]]) -> None:
    from requests_app import services

    for name, (value, source) in figures.items():
        services.figure_set(
            actor=user, agency=agency, year=year, field=name, value=value, source=source
        )


def publish(user, agency, year: int, reason: str):
    """Publish the draft (made now when there is none: its texts are those shown)."""
    from requests_app import services

    draft = services.report_draft(actor=user, agency=agency, year=year)
    if reason:
        services.report_save(actor=user, report_id=draft.pk, correction_reason=reason)
    return services.report_publish(actor=user, report_id=draft.pk)


def carryover_cases(agency, year: int) -> list[int]:
    """The cases that make this year's 上年结转 differ from last year's published 结转下年度
    (each needs a note), when last year's report was published here with its ids."""
    from requests_app.annual_report.checks import carryover_difference

    found = carryover_difference(agency, year)
    return [*found[0], *found[1]] if found else []


# -- pages ----------------------------------------------------------------------------------------


class ReportIndexView(LoginRequiredMixin, TemplateView):
    """年度报告: the user's agencies' reports for a year, and the overview if they supervise."""

    template_name = "requests_app/annual_report/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if not may_open(user):
            raise PermissionDenied("您没有查看年度报告的角色。")
        today = timezone.localdate()
        year = self.request.GET.get("year")
        year = _year(year) if year else default_year(today)
        store = _store()
        rows = []
        for agency in own_agencies(user):
            rows.append(
                {
                    "agency": agency,
                    "status": status_of(agency, year, today, store=store),
                }
            )
        context.update(
            year=year,
            years=list(range(today.year, FIRST_YEAR - 1, -1)),
            rows=rows,
            supervises=supervised_agencies(user).exists(),
            deadline=deadline(year),
        )
        return context


@dataclass
class Status:
    """A report's state for a year: published (and when), draft, or none; late or not."""

    label: str
    published_at: object | None
    late: bool
    explanation: str
    version: int | None = None


def status_of(agency, year: int, today: date, *, store=None, published=None, draft=None) -> Status:
    """Published / draft / none; late when published after 31 January of the next year, or
    still unpublished after it (Art. 49)."""
    store = store or _store()
    due = deadline(year)
    if published is None:
        published = store.latest_published(agency, year)
    if published is not None:
        # The first publication is what the deadline asks about; a correction comes later.
        first = store.versions(agency, year).filter(status="published").order_by("version")[0]
        on = timezone.localtime(first.published_at).date()
        late = on > due
        words = f"于{cn_date(on)}发布" + (
            f"，晚于{cn_date(due)}的公布期限（《条例》第四十九条）" if late else ""
        )
        if published.version != first.version:
            words += f"；现行为第{published.version}版（更正）"
        return Status("已发布", published.published_at, late, words, published.version)
    if draft is None:
        draft = store.draft_of(agency, year)
    late = today > due
    when = (
        f"已超过{cn_date(due)}的公布期限（《条例》第四十九条），尚未发布"
        if late
        else f"应于{cn_date(due)}前发布（《条例》第四十九条）"
    )
    if draft is not None:
        return Status("草稿", None, late, f"已有草稿，{when}")
    return Status("未编制", None, late, f"尚未编制，{when}")


class ReportView(LoginRequiredMixin, TemplateView):
    """One agency's report for one year."""

    template_name = "requests_app/annual_report/report.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.access = access(request.user, kwargs["agency_id"])
        self.year = _year(kwargs["year"])
        return super().dispatch(request, *args, **kwargs)

    def note_cases(self) -> list:
        """The cases that each need a carry-over note (with their case numbers)."""
        if not hasattr(self, "_note_cases"):
            from requests_app.models import InformationRequest

            ids = carryover_cases(self.access.agency, self.year)[:NOTE_CASES]
            numbers = dict(
                InformationRequest.objects.filter(pk__in=ids).values_list("pk", "case_number")
            )
            self._note_cases = [(pk, numbers.get(pk, f"#{pk}")) for pk in ids]
        return self._note_cases

    def url(self, anchor: str = "") -> str:
        url = reverse("requests:annual_report:report", args=[self.access.agency.pk, self.year])
        return url + (f"#{anchor}" if anchor else "")

    def post(self, request, *args, **kwargs):
        action = kwargs.get("action", "")
        agency, year = self.access.agency, self.year
        forms_: dict[str, forms.Form] = {}
        if action in ("texts", "figures", "import"):
            if not self.access.may_edit:
                raise PermissionDenied(self.access.edit_refusal or "")
        elif action == "publish":
            if not self.access.may_publish:
                raise PermissionDenied(self.access.publish_refusal or "")
        else:
            raise Http404("没有这项操作。")
        try:
            if action == "texts":
                form = forms_["texts"] = TextsForm(request.POST, cases=self.note_cases())
                if form.is_valid():
                    save_texts(request.user, agency, year, form.texts(), form.notes())
                    messages.success(request, "已保存报告文字和说明。")
                    return HttpResponseRedirect(self.url("texts"))
            elif action == "figures":
                form = forms_["figures"] = FiguresForm(request.POST)
                if form.is_valid():
                    figures = form.figures()
                    if not figures:
                        form.add_error(None, "没有填写任何数字。")
                    else:
                        save_figures(request.user, agency, year, figures)
                        messages.success(request, f"已保存{len(figures)}项表二数字。")
                        return HttpResponseRedirect(self.url("figures"))
            elif action == "import":
                form = forms_["import"] = FiguresImportForm(request.POST, request.FILES)
                if form.is_valid():
                    from requests_app import services

                    result = services.figures_import_csv(
                        actor=request.user, agency=agency, content=form.cleaned_data["file"]
                    )
                    if result.problems:
                        for problem in result.problems:
                            form.add_error("file", problem)
                    else:
                        years = sorted({figure.year for figure in result.saved})
                        messages.success(
                            request,
                            f"已从CSV文件导入{len(result.saved)}项表二数字"
                            f"（{'、'.join(f'{y}年' for y in years)}）。",
                        )
                        return HttpResponseRedirect(self.url("figures"))
            else:
                form = forms_["publish"] = PublishForm(request.POST)
                if form.is_valid():
                    report = publish(
                        request.user, agency, year, form.cleaned_data["correction_reason"]
                    )
                    messages.success(request, f"已发布{year}年度报告（第{report.version}版）。")
                    return HttpResponseRedirect(self.url("versions"))
        except (ValidationError, *REFUSALS) as error:
            add_to_form(form, error)
        return self.render_to_response(self.get_context_data(bound=forms_, **kwargs))

    def get_context_data(self, bound=None, **kwargs):
        context = super().get_context_data(**kwargs)
        bound = bound or {}
        agency, year = self.access.agency, self.year
        version = self.request.GET.get("version") or None
        state = shown(agency, year, version)
        data = state.data
        problems = cell_problems(data)
        today = timezone.localdate()
        store = _store()
        versions = list(store.versions(agency, year).select_related("published_by"))
        text_problems = []
        if state.frozen is None:
            from requests_app.annual_report.texts import text_problems as read_numbers

            text_problems = read_numbers(state.texts, data)
        failing = [check for check in data.checks if not check.ok]
        publish_blocks = [f"{c.name}：{c.detail}" if c.detail else c.name for c in failing]
        publish_blocks += text_problems
        changed, texts_changed, latest = [], [], None
        if state.frozen is None and state.published is not None:
            latest = store.versions(agency, year).get(pk=state.published.pk)
            from requests_app.annual_report.diff import changes_since_published

            changed = change_lines(changes_since_published(agency, year))
            texts_changed = [
                output.PART_HEADINGS[key]
                for key in output.TEXT_PARTS
                if (latest.texts.get(key) or "").strip() != (state.texts.get(key) or "").strip()
            ]
            if state.draft is None and not changed:
                publish_blocks.append(
                    f"第{latest.version}版已发布，此后数字没有变化：如需更正文字，"
                    "请先修改并保存，形成新的草稿。"
                )
        figures = _entered_figures(agency, year)
        # The notes of the draft, else those the published version carried.
        notes = dict(((state.draft or latest) and (state.draft or latest).carryover_notes) or {})
        from requests_app.annual_report.checks import CARRYOVER

        carryover_failing = state.frozen is None and any(c.name == CARRYOVER for c in failing)
        context.update(
            agency=agency,
            year=year,
            years=list(range(today.year, FIRST_YEAR - 1, -1)),
            access=self.access,
            state=state,
            checks=data.checks,
            failing=failing,
            text_problems=text_problems,
            problem_list=[
                (output.cell_name(ref), f"cell-{ref.slug}", reasons)
                for ref, reasons in problems.items()
            ],
            tables=page_tables(data, agency, year, version=version, problems=problems),
            texts=[
                (output.PART_HEADINGS[key], output.part_paragraphs(key, data, state.texts))
                for key in output.TEXT_PARTS
            ],
            status=status_of(agency, year, today, store=store),
            deadline=deadline(year),
            versions=versions,
            changes=changed,
            texts_changed=texts_changed,
            figures=figures,
            publish_blocks=publish_blocks,
            editable=state.frozen is None and self.access.may_edit,
            texts_form=bound.get("texts")
            or TextsForm(
                initial={
                    "overview": state.texts.get("一", ""),
                    "problems": state.texts.get("五", ""),
                    "other": state.texts.get("六", ""),
                    "carryover_note": notes.get("general", ""),
                },
                cases=self.note_cases() if carryover_failing else (),
                notes=notes,
            ),
            figures_form=bound.get("figures")
            or FiguresForm(
                initial={
                    key: value
                    for name, figure in figures.items()
                    for key, value in (
                        (name, f"{figure.value.normalize():f}"),
                        (f"{name}_source", figure.source),
                    )
                }
            ),
            import_form=bound.get("import") or FiguresImportForm(),
            publish_form=bound.get("publish") or PublishForm(),
            formats=output.FORMATS,
            version=version,
        )
        return context


def _entered_rows() -> set[str]:
    from requests_app.annual_report.counting import FIGURE_ROWS

    return set(FIGURE_ROWS.values())


def _entered_figures(agency, year: int) -> dict:
    from requests_app.models import ReportFigure

    found = {
        figure.field: figure
        for figure in ReportFigure.objects.filter(agency=agency, year=year).select_related(
            "entered_by"
        )
    }
    return {name: found[name] for name, _, _ in FIGURE_FIELDS if name in found}


class CellView(LoginRequiredMixin, TemplateView):
    """What one number counted: the cases (table 三), the reconsiderations and lawsuits (table
    四), or the register's documents (table 二)."""

    template_name = "requests_app/annual_report/cell.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        found = access(user, kwargs["agency_id"])
        year = _year(kwargs["year"])
        ref = output.parse_ref(kwargs["ref"])
        if ref is None:
            raise Http404("没有这个数字。")
        version = self.request.GET.get("version") or None
        agency = found.agency
        store = _store()
        if version:
            report = _published_version(agency, year, version)
            data = store.published_data(report)
        else:
            report = None
            from requests_app.annual_report.counting import build_report

            data = build_report(agency, year, checks=False)
        cell = output.cell_at(data, ref)
        if cell is None:
            raise Http404("没有这个数字。")
        cases = challenges = documents = None
        if ref.table == "三":
            cases = self._cases(agency, year, ref, report, data)
        elif ref.table == "四":
            challenges = self._challenges(agency, year, ref, report, data)
        else:
            if ref.key in _entered_rows():
                raise Http404("这个数字由本机关录入，没有清单。")
            if report is None:  # the documents' ids are counted only when asked
                from requests_app.annual_report.counting import build_report as count

                cell = output.cell_at(count(agency, year, with_ids=True, checks=False), ref)
            documents = [(pk, _document_url(pk)) for pk in cell.ids[:CELL_LIST_SHOWN]]
        rows = cases if cases is not None else challenges
        context.update(
            agency=agency,
            year=year,
            ref=ref,
            name=output.cell_name(ref),
            value=output.printed(cell.value),
            report=report,
            staff=found.staff,
            cases=cases,
            challenges=challenges,
            documents=documents,
            truncated=(rows is not None and len(rows) > CELL_LIST_SHOWN)
            or (documents is not None and len(cell.ids) > CELL_LIST_SHOWN),
            shown_count=CELL_LIST_SHOWN,
            back=reverse("requests:annual_report:report", args=[agency.pk, year])
            + (f"?version={version}" if version else "")
            + f"#cell-{ref.slug}",
        )
        if cases is not None:
            context["cases"] = cases[:CELL_LIST_SHOWN]
        if challenges is not None:
            context["challenges"] = challenges[:CELL_LIST_SHOWN]
        return context

    def _cases(self, agency, year, ref, report, data):
        from requests_app.models import InformationRequest

        if report is not None:
            ids = output.cell_at(data, ref).ids
            rows = InformationRequest.objects.filter(agency=agency, pk__in=ids).order_by(
                "receipt_date", "id"
            )
        else:
            from requests_app.annual_report.counting import cases_behind

            rows = cases_behind(agency, year, ref.key, ref.index)
        return list(
            rows.only(
                "id",
                "case_number",
                "receipt_date",
                "concluded_on",
                "outcome",
                "stage",
                "applicant_kind",
                "organization_kind",
            )[: CELL_LIST_SHOWN + 1]
        )

    def _challenges(self, agency, year, ref, report, data):
        from requests_app.models import Challenge

        if report is not None:
            ids = output.cell_at(data, ref).ids
            rows = Challenge.objects.filter(request__agency=agency, pk__in=ids).order_by(
                "filed_on", "id"
            )
        else:
            from requests_app.annual_report.counting import challenges_behind

            rows = challenges_behind(agency, year, ref.index)
        return list(rows.select_related("request")[: CELL_LIST_SHOWN + 1])


def download(request, agency_id: int, year: int, fmt: str):
    """The report as a file: a published version's (``?version=``) or the current draft's."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(f"{reverse('login')}?next={request.path}")
    found = access(request.user, agency_id)
    year = _year(year)
    if fmt not in output.FORMATS:
        raise Http404("没有这种文件格式。")
    version = request.GET.get("version") or None
    state = shown(found.agency, year, version)
    content = output.render(
        state.data,
        fmt,
        agency=found.agency,
        texts=state.texts,
        draft=state.frozen is None,
    )
    name = output.file_name(found.agency.name, year, fmt)
    if state.frozen is not None:
        name = name.replace(f".{fmt}", f"（第{state.frozen.version}版）.{fmt}")
    else:
        name = name.replace(f".{fmt}", f"（草稿）.{fmt}")
    response = HttpResponse(content, content_type=output.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, name)
    return protect(response)


# -- the supervising government's overview --------------------------------------------------------


@dataclass
class OverviewRow:
    """One agency of the overview (``annual_report.overview.AgencyStatus``) with its page."""

    status: object
    url: str
    year: int

    def total(self, key: str) -> str:
        tally = self.status.tally
        return output.printed(tally.table3[key][6] if tally else 0)

    @property
    def received(self) -> str:
        return self.total("一")

    @property
    def carried(self) -> str:
        return self.total("二")

    @property
    def concluded(self) -> str:
        return self.total("三（七）")

    @property
    def carried_on(self) -> str:
        return self.total("四")

    @property
    def challenges(self) -> str:
        tally = self.status.tally
        return str(sum(tally.table4[i] for i in (4, 9, 14)) if tally else 0)

    @property
    def explanation(self) -> str:
        """The status in words, every date explained."""
        status, due = self.status, deadline(self.year)
        if status.published:
            words = f"于{cn_date(status.first_published_on)}首次发布"
            if status.late:
                words += f"，晚于{cn_date(due)}的公布期限"
            if status.version and status.version > 1:
                words += f"；现行为第{status.version}版（更正）"
            return words
        if status.overdue:
            return f"已超过{cn_date(due)}的公布期限，尚未发布"
        return f"应于{cn_date(due)}前发布"


class OverviewView(LoginRequiredMixin, TemplateView):
    """The supervising government's view of the agencies below it for one year: each agency's
    status, totals and failing checks, and the sum of their tables."""

    template_name = "requests_app/annual_report/overview.html"

    def get_context_data(self, **kwargs):
        from requests_app.annual_report.overview import build_overview

        context = super().get_context_data(**kwargs)
        user = self.request.user
        agencies = list(supervised_agencies(user))
        if not agencies:
            raise PermissionDenied(
                "只有上级政府的政务公开工作机构负责人可以查看所属机关的年度报告总览。"
            )
        today = timezone.localdate()
        year = self.request.GET.get("year")
        year = _year(year) if year else default_year(today)
        overview = build_overview(agencies, year, today=today)
        rows = [
            OverviewRow(
                row, reverse("requests:annual_report:report", args=[row.agency_id, year]), year
            )
            for row in overview.agencies
        ]
        context.update(
            year=year,
            years=list(range(today.year, FIRST_YEAR - 1, -1)),
            overview=overview,
            rows=rows,
            deadline=deadline(year),
            failing_count=sum(1 for row in overview.agencies if row.failing),
            total_checks=[check for check in overview.total.checks if not check.ok],
            tables=[
                PageTable(grid, [[_sum_cell(c) for c in row] for row in grid.rows])
                for grid in output.tables(overview.total)
            ],
        )
        return context


def _sum_cell(cell: GridCell) -> PageCell:
    return PageCell(cell, anchor=f"cell-{cell.ref.slug}" if cell.ref else "")


class AnnualReportViewset(AppMenuMixin, Viewset):
    """依申请公开 › 年度报告: an agency's reports and a supervisor's overview."""

    title = "年度报告"
    icon = "summarize"
    app_name = "annual_report"

    def has_view_permission(self, user, obj=None) -> bool:
        # The request roles (a supervisor is an office head): no query on every page's menu;
        # the pages themselves ask which agencies the user may see.
        return has_request_role(user)

    index_path = path("", ReportIndexView.as_view(), name="index")
    overview_path = path("overview/", OverviewView.as_view(), name="overview")
    report_path = path("<int:agency_id>/<int:year>/", ReportView.as_view(), name="report")
    action_path = path(
        "<int:agency_id>/<int:year>/actions/<slug:action>/", ReportView.as_view(), name="action"
    )
    cell_path = path("<int:agency_id>/<int:year>/cells/<str:ref>/", CellView.as_view(), name="cell")
    download_path = path("<int:agency_id>/<int:year>/report.<str:fmt>", download, name="download")
