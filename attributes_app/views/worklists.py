"""Work lists of the document register: what waits for each role (待办文件), the disclosure
office's review queue, publication deadlines, and issued documents with neither a secrecy status
nor an attribute; with their menu entries.
"""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from django.views.generic import TemplateView

from attributes_app import lists, selectors
from attributes_app.views.base import (
    DRAFT_ROLES,
    ERROR_LIST_ROLES,
    OFFICE_ROLES,
    WORK_ROLES,
    RolePageMixin,
    RoleViewset,
    may_see,
    page_of,
)


class WorkView(RolePageMixin, TemplateView):
    """待办文件: what waits for the user by role (DOMAIN §4.1)."""

    template_name = "attributes_app/work.html"
    roles = WORK_ROLES
    LIMIT = 50

    SECTIONS = {
        "to_propose": ("待提出公开属性建议", "本单位尚未提出公开属性建议（或被退回）的文稿。"),
        "to_confirm": ("待签发确认", "本单位拟稿人已提出建议，待您签发时确认公开属性。"),
        "office_review": ("待公开办审查", "政策性文件拟依申请公开或不予公开，须先经审查。"),
        "secrecy_review": ("待保密审查", "已确定主动公开、尚未经保密审查同意的文件。"),
    }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sections = []
        for key, queryset in selectors.awaiting_action(self.request.user).items():
            title, help_text = self.SECTIONS[key]
            rows = list(queryset.order_by("pk")[: self.LIMIT + 1])
            sections.append(
                {
                    "key": key,
                    "title": title,
                    "help": help_text,
                    "rows": rows[: self.LIMIT],
                    "more": len(rows) > self.LIMIT,
                }
            )
        context.update(sections=sections, can_draft=may_see(self.request.user, DRAFT_ROLES))
        return context


class OfficeReviewView(RolePageMixin, TemplateView):
    """公开办审查: policy documents proposed non-proactive, waiting for the office's review."""

    template_name = "attributes_app/office_review.html"
    roles = OFFICE_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, query = page_of(self.request, lists.office_review_queue(self.request.user))
        context.update(page=page, query=query)
        return context


class PublicationsView(RolePageMixin, TemplateView):
    """公开期限: proactive documents not yet published (overdue, at risk, or all), and
    interpretations not yet published, soonest deadline first (DOMAIN §4.2)."""

    template_name = "attributes_app/publications.html"
    roles = OFFICE_ROLES
    SHOW = {
        "overdue": "已逾期",
        "at_risk": "临期",
        "all": "全部待公开",
        "interpretation": "待发布政策解读",
    }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        show = self.request.GET.get("show", "overdue")
        if show not in self.SHOW:
            show = "overdue"
        now = timezone.now()
        if show == "interpretation":
            tasks = selectors.interpretation_tasks(user, now=now)
        else:
            tasks = selectors.publication_tasks(user, now=now, only=None if show == "all" else show)
        page, query = page_of(self.request, tasks)
        counts = {
            "overdue": selectors.publication_tasks(user, now=now, only="overdue").count(),
            "at_risk": selectors.publication_tasks(user, now=now, only="at_risk").count(),
        }
        context.update(page=page, query=query, show=show, tabs=self.SHOW, counts=counts, now=now)
        return context


class ErrorListView(RolePageMixin, TemplateView):
    """既不确定密级也不确定公开属性: issued documents with neither (DOMAIN §4.1)."""

    template_name = "attributes_app/errors.html"
    roles = ERROR_LIST_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, query = page_of(self.request, selectors.documents_in_error(self.request.user))
        context.update(page=page, query=query)
        return context


# -- menu entries ---------------------------------------------------------------------------------


class WorkViewset(RoleViewset):
    title = "待办文件"
    icon = "assignment"
    app_name = "work"
    roles = WORK_ROLES

    index_path = path("", WorkView.as_view(), name="index")


class OfficeReviewViewset(RoleViewset):
    title = "公开办审查"
    icon = "fact_check"
    app_name = "office"
    roles = OFFICE_ROLES

    index_path = path("", OfficeReviewView.as_view(), name="index")


class PublicationsViewset(RoleViewset):
    title = "主动公开期限"
    icon = "alarm"
    app_name = "publications"
    roles = OFFICE_ROLES

    index_path = path("", PublicationsView.as_view(), name="index")


class ErrorListViewset(RoleViewset):
    title = "未定密级和属性"
    icon = "report_problem"
    app_name = "errors"
    roles = ERROR_LIST_ROLES

    index_path = path("", ErrorListView.as_view(), name="index")
