"""The agency's 政府信息公开指南 (Art. 12) on the staff site: the draft (started from the
agency's data), its preview as the public will read it, publishing with a note, and the
versions.

Who: the agency's staff with a request role see it; the disclosure office's head and the
administrator edit and publish (``permissions``: ``guide_edit``, ``guide_publish``). Another
agency's id is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import NoReverseMatch, path, reverse
from django.views.generic import TemplateView
from viewflow.urls import AppMenuMixin, Viewset

from requests_app import permissions
from requests_app.models import Guide
from requests_app.public.guide import blocks, version_line
from requests_app.rules import guide as words
from requests_app.services import guide as service
from workflow import text_input as limits
from workflow.errors import REFUSALS, add_to_form
from workflow.models import Agency
from workflow.roles import has_request_role
from workflow.selectors import agencies_of
from workflow.text_input import TextRulesMixin

#: The form's groups of fields, as the guide's parts.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "受理机构（《条例》第十二条）",
        (
            "office_name",
            "office_address",
            "office_postcode",
            "office_hours",
            "office_phone",
            "office_fax",
            "office_email",
            "online_channel",
        ),
    ),
    ("一、主动公开", ("proactive_scope", "proactive_channels", "proactive_time_limit")),
    ("二、依申请公开", ("application_notes",)),
    (
        "三、监督和救济",
        ("reconsideration_organ", "court", "court_after_reconsideration", "supervision_notes"),
    ),
    ("四、其他事项", ("other_notes",)),
)
HELP = {
    "office_hours": "例如：工作日上午8:30—12:00，下午14:30—17:30（法定节假日除外）。",
    "online_channel": "本机关其他网站或政务服务平台的依申请公开栏目名称和网址；本网站的在线申请"
    "已由指南自动列入申请方式（附网址和链接），不需要在这里填写。",
    "proactive_time_limit": "已按本机关设置的主动公开期限生成，可以修改。",
    "application_notes": "如：申请表的领取和下载方式、当面提交的具体地点。申请方式、申请内容、"
    "办理时限和收费标准由系统按《条例》和收费管理办法写出，不需要在这里重复。",
    "reconsideration_organ": "2023年修订的《行政复议法》施行后一般为本级人民政府；垂直管理部门"
    "为上一级主管部门。",
    "court_after_reconsideration": "复议前置时行政复议机关改变原行政行为的，复议机关是被告，"
    "管辖法院可能不同；不填写时，指南写“依法向人民法院提起行政诉讼”。",
    "supervision_notes": "如：投诉、举报的受理机构和电话。",
}


def own_agencies(user):
    """The agencies whose guide ``user`` sees: theirs, with a request role."""
    if not has_request_role(user):
        return Agency.objects.none()
    return agencies_of(user)


@dataclass(frozen=True)
class Access:
    agency: Agency
    may_edit: bool
    may_publish: bool
    edit_refusal: str | None
    publish_refusal: str | None


def access(user, agency_id: int) -> Access:
    """``user``'s access to ``agency_id``'s guide, or 404: another agency's id shows nothing."""
    agency = own_agencies(user).filter(pk=agency_id).first()
    if agency is None:
        raise Http404("没有这个机关的公开指南，或您无权查看。")
    edit = permissions.agency_refusal(user, agency.pk, "guide_edit", of_what=service.OF_WHAT)
    publish = permissions.agency_refusal(user, agency.pk, "guide_publish", of_what=service.OF_WHAT)
    return Access(agency, edit is None, publish is None, edit, publish)


class GuideForm(TextRulesMixin, forms.Form):
    """The draft's fields, as the model limits them (the service checks them again)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in service.CONTENT_FIELDS:
            field = Guide._meta.get_field(name).formfield(required=False)
            if name in HELP:
                field.help_text = HELP[name]
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 4
            self.fields[name] = field
        self._apply_text_rules()

    def clean(self):
        cleaned = super().clean()
        for name in service.CONTENT_FIELDS:
            if name in cleaned and not self.has_error(name):
                try:
                    cleaned[name] = service.clean_value(name, cleaned[name])
                except ValidationError as error:
                    for field, messages_ in error.message_dict.items():
                        for message in messages_:
                            self.add_error(field if field in self.fields else None, message)
        return cleaned

    def groups(self):
        return [(title, [self[name] for name in names]) for title, names in GROUPS]

    def values(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in service.CONTENT_FIELDS}


class PublishForm(TextRulesMixin, forms.Form):
    note = forms.CharField(
        label="发布说明",
        required=False,
        max_length=limits.NOTE,
        help_text="修订版本须写明修订了什么，如：更新办公地址和联系电话。",
    )


def site_of(request) -> str:
    """The scheme and host the officer's browser used (``https://host``)."""
    return request.build_absolute_uri("/").rstrip("/")


def _preview(guide: Guide, agency: Agency, site: str):
    apply_url = service.apply_address(agency.code, base=site)
    facts = service.facts_of(guide, agency.name, apply_url=apply_url)
    return blocks(words.sections(facts), agency)


def public_url(agency: Agency) -> str:
    try:
        return reverse("public:guide", kwargs={"agency_code": agency.code})
    except NoReverseMatch:
        return ""


class GuideIndexView(LoginRequiredMixin, TemplateView):
    """公开指南: each of the user's agencies, its guide's state."""

    template_name = "requests_app/guide/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agencies = list(own_agencies(self.request.user))
        if not agencies:
            raise PermissionDenied("您没有查看公开指南的角色。")
        versions: dict[int, list[Guide]] = {}
        for guide in Guide.objects.filter(agency__in=agencies).order_by("version"):
            versions.setdefault(guide.agency_id, []).append(guide)
        rows = []
        for agency in agencies:
            mine = versions.get(agency.pk, [])
            published = [g for g in mine if g.status == Guide.Status.PUBLISHED]
            draft = next((g for g in mine if g.status == Guide.Status.DRAFT), None)
            rows.append(
                {
                    "agency": agency,
                    "published": published[-1] if published else None,
                    "draft": draft,
                }
            )
        context["rows"] = rows
        return context


class GuideView(LoginRequiredMixin, TemplateView):
    """One agency's guide: the draft's form and preview, publishing, the versions."""

    template_name = "requests_app/guide/guide.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.access = access(request.user, kwargs["agency_id"])
        return super().dispatch(request, *args, **kwargs)

    def url(self, anchor: str = "") -> str:
        url = reverse("requests:guide:guide", args=[self.access.agency.pk])
        return url + (f"#{anchor}" if anchor else "")

    def draft(self) -> Guide | None:
        return Guide.objects.filter(agency=self.access.agency, status=Guide.Status.DRAFT).first()

    def post(self, request, *args, **kwargs):
        action = kwargs.get("action", "")
        agency = self.access.agency
        if action in ("start", "save", "refill"):
            if not self.access.may_edit:
                raise PermissionDenied(self.access.edit_refusal or "")
        elif action == "publish":
            if not self.access.may_publish:
                raise PermissionDenied(self.access.publish_refusal or "")
        else:
            raise Http404("没有这项操作。")
        bound: dict[str, forms.Form] = {}
        if action == "start":
            try:
                draft = service.guide_draft(actor=request.user, agency=agency)
            except REFUSALS as error:
                messages.error(request, str(error))
                return HttpResponseRedirect(self.url())
            messages.success(request, f"已创建公开指南第{draft.version}版草稿。")
            return HttpResponseRedirect(self.url("edit"))
        draft = self.draft()
        form: forms.Form
        try:
            if draft is None:
                messages.warning(request, "草稿已不存在（可能刚刚发布），请重新打开。")
                return HttpResponseRedirect(self.url())
            if action == "refill":
                return self.refill(draft)
            if action == "save":
                form = bound["guide"] = GuideForm(request.POST)
                if form.is_valid():
                    service.guide_save(
                        actor=request.user,
                        guide_id=draft.pk,
                        values=form.values(),
                        agency_id=agency.pk,
                    )
                    messages.success(request, "已保存公开指南草稿。")
                    return HttpResponseRedirect(self.url("preview"))
            else:
                form = bound["publish"] = PublishForm(request.POST)
                if form.is_valid():
                    published = service.guide_publish(
                        actor=request.user,
                        guide_id=draft.pk,
                        note=form.cleaned_data["note"],
                        agency_id=agency.pk,
                        site=site_of(request),
                    )
                    messages.success(request, f"已发布公开指南第{published.version}版。")
                    return HttpResponseRedirect(self.url("versions"))
        except (ValidationError, *REFUSALS) as error:
            add_to_form(form, error)
        return self.render_to_response(self.get_context_data(bound=bound, **kwargs))

    def refill(self, draft: Guide):
        """Take over the agency's data that changed since the draft was made."""
        request, agency = self.request, self.access.agency
        changes = service.agency_changes(draft, agency)
        if changes:
            try:
                service.guide_save(
                    actor=request.user, guide_id=draft.pk, values=changes, agency_id=agency.pk
                )
            except (ValidationError, *REFUSALS) as error:
                problems = error.messages if isinstance(error, ValidationError) else [str(error)]
                messages.error(request, "没有更新：" + " ".join(problems))
                return HttpResponseRedirect(self.url("edit"))
            names = "、".join(service.label(name) for name in changes)
            messages.success(request, f"已按本机关信息更新：{names}。")
        return HttpResponseRedirect(self.url("edit"))

    def get_context_data(self, bound=None, **kwargs):
        context = super().get_context_data(**kwargs)
        bound = bound or {}
        agency = self.access.agency
        versions = list(
            Guide.objects.filter(agency=agency)
            .select_related("published_by")
            .order_by("-version")
            .defer("snapshot")
        )
        draft = next((g for g in versions if g.status == Guide.Status.DRAFT), None)
        published = next((g for g in versions if g.status == Guide.Status.PUBLISHED), None)
        context.update(
            agency=agency,
            access=self.access,
            draft=draft,
            published=published,
            versions=versions,
            public_url=public_url(agency),
        )
        if draft is not None:
            context.update(
                form=bound.get("guide")
                or GuideForm(initial={n: getattr(draft, n) for n in service.CONTENT_FIELDS}),
                publish_form=bound.get("publish") or PublishForm(),
                title=words.title(agency.name),
                sections=_preview(draft, agency, site_of(self.request)),
                publish_problems=service.publish_problems(draft),
                agency_changes=[
                    (service.label(name), getattr(draft, name), value)
                    for name, value in service.agency_changes(draft, agency).items()
                ],
            )
        return context


class GuideVersionView(LoginRequiredMixin, TemplateView):
    """A published version as it was frozen."""

    template_name = "requests_app/guide/version.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        found = access(self.request.user, kwargs["agency_id"])
        number = kwargs["version"]
        guide = None
        if 1 <= number <= 9999:
            guide = Guide.objects.filter(
                agency=found.agency, version=number, status=Guide.Status.PUBLISHED
            ).first()
        if guide is None:
            raise Http404("没有这一版本。")
        snapshot = guide.snapshot or {}
        context.update(
            agency=found.agency,
            guide=guide,
            title=snapshot.get("title") or words.title(found.agency.name),
            version_line=version_line(guide),
            sections=blocks(words.from_json(snapshot.get("sections", [])), found.agency),
        )
        return context


class GuideViewset(AppMenuMixin, Viewset):
    """依申请公开 › 公开指南: the agency's 政府信息公开指南."""

    title = "公开指南"
    icon = "menu_book"
    app_name = "guide"

    def has_view_permission(self, user, obj=None) -> bool:
        return has_request_role(user)

    index_path = path("", GuideIndexView.as_view(), name="index")
    guide_path = path("<int:agency_id>/", GuideView.as_view(), name="guide")
    action_path = path("<int:agency_id>/actions/<slug:action>/", GuideView.as_view(), name="action")
    version_path = path(
        "<int:agency_id>/versions/<int:version>/", GuideVersionView.as_view(), name="version"
    )
