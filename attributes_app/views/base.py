"""What every page of the document register shares: who sees which page, the login-and-role
check, the bounded-count pages of a long list, and the menu entries' role test.

Views are thin: they authorise, validate a form and call one service. Every page and download is
scoped to the user's agencies (another agency's document is a 404); every action is checked
again by its service.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from viewflow.urls import AppMenuMixin, Viewset

from workflow.pagination import BoundedCountPaginator
from workflow.roles import user_roles

PAGE_SIZE = 20

#: Who sees which page (DOMAIN §1); services check every action again.
REGISTER_ROLES = frozenset(
    {
        "drafter",
        "drafting_unit_head",
        "office_head",
        "legal_reviewer",
        "secrecy_reviewer",
        "handler",
        "admin",
    }
)
WORK_ROLES = frozenset({"drafter", "drafting_unit_head", "office_head", "secrecy_reviewer"})
OFFICE_ROLES = frozenset({"office_head"})
ERROR_LIST_ROLES = frozenset({"office_head", "legal_reviewer"})
DRAFT_ROLES = frozenset({"drafter", "drafting_unit_head"})
OLDER_ROLES = frozenset({"drafter", "drafting_unit_head", "office_head"})


def may_see(user, roles: frozenset[str]) -> bool:
    """A menu entry and its page: the user holds one of ``roles``. No query beyond the user's
    roles, read once per request (every page below is scoped to the user's agencies)."""
    return user.is_authenticated and bool(user_roles(user) & roles)


class RolePageMixin(LoginRequiredMixin):
    """Login first; then one of ``roles`` or 403."""

    roles: frozenset[str] = frozenset()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_see(request.user, self.roles):
            raise PermissionDenied("您没有查看这个页面的角色。")
        return super().dispatch(request, *args, **kwargs)


def page_of(request, queryset, size: int = PAGE_SIZE):
    """The requested page of ``queryset`` and the query string of the other parameters.

    Counted up to a bound (``workflow.pagination``): a register of 90,000 documents is not
    counted on every page view; the page then says "more than" the bound."""
    paginator = BoundedCountPaginator(queryset, size, number=request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return paginator.get_page(), query.urlencode()


def document_url(document) -> str:
    return reverse("attributes:documents:detail", kwargs={"pk": document.pk})


class RoleViewset(AppMenuMixin, Viewset):
    """A menu entry of the 公开属性 application, shown to the holders of ``roles``."""

    roles: frozenset[str] = frozenset()

    def has_view_permission(self, user, obj=None) -> bool:
        return may_see(user, self.roles)
