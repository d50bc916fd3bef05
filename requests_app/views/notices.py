"""待送达的告知书: the notices whose service the registrar still has to record (DOMAIN §3.8)."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.urls import path
from django.views.generic import TemplateView
from viewflow.urls import AppMenuMixin, Viewset

from requests_app import services
from requests_app.views.registration import is_registrar

PENDING_NOTICES_SHOWN = 200


class PendingNoticesView(LoginRequiredMixin, UserPassesTestMixin, TemplateView):
    """The agency's notices whose service is not recorded yet (DOMAIN §3.8), for registrars."""

    template_name = "requests_app/pending_notices.html"

    def test_func(self) -> bool:
        return is_registrar(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        notices = list(services.pending_notices(self.request.user)[: PENDING_NOTICES_SHOWN + 1])
        context.update(
            notices=notices[:PENDING_NOTICES_SHOWN],
            truncated=len(notices) > PENDING_NOTICES_SHOWN,
        )
        return context


class PendingNoticesViewset(AppMenuMixin, Viewset):
    """依申请公开 › 待送达的告知书: in the menu of registrars only."""

    title = "待送达的告知书"
    icon = "outgoing_mail"
    app_name = "notices"

    index_path = path("", PendingNoticesView.as_view(), name="index")

    def has_view_permission(self, user, obj=None) -> bool:
        return is_registrar(user)
