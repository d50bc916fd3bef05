"""The API clients in the admin: registered per agency by its 系统管理员 (or a superuser), the
token shown once, rotated or revoked with a reason; never deleted (the audit log and the
documents pushed by a client point at it).

Every change goes through ``workflow.api.clients`` (which audits it). The token is handed from
the POST that made it to the page that shows it through the session, and taken out of it when
shown: a reload of that page shows it no more, and a reload never posts the form again (which
would register a second client).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join

from workflow.admin import AgencyScopedAdmin
from workflow.api.clients import (
    ClientData,
    client_create,
    client_problems,
    client_revoke,
    client_update,
    token_rotate,
)
from workflow.api.scopes import SCOPES
from workflow.models import ApiClient
from workflow.selectors import agencies_of
from workflow.text_input import TextRulesMixin

#: The session key under which a new token waits for the page that shows it once.
TOKEN_SESSION_KEY = "gongkai_api_token"


class ApiClientForm(TextRulesMixin, forms.ModelForm):
    """What the administrator types; the rules are the service's (``client_problems``)."""

    scopes = forms.MultipleChoiceField(
        label="权限范围",
        choices=[(code, f"{label}（权限代码 {code}）") for code, label in SCOPES.items()],
        widget=forms.CheckboxSelectMultiple,
        help_text="只选该系统确实需要的权限。",
    )

    system_code = forms.CharField(
        label="系统代码",
        max_length=40,
        help_text=ApiClient._meta.get_field("system_code").help_text,
    )

    class Meta:
        model = ApiClient
        fields = ["agency", "name", "system_code", "scopes", "ip_allow_list", "expires_at", "rate"]

    def data_for_service(self) -> ClientData:
        cleaned = self.cleaned_data
        return ClientData(
            name=cleaned.get("name") or "",
            system_code=cleaned.get("system_code") or "",
            scopes=list(cleaned.get("scopes") or []),
            ip_allow_list=cleaned.get("ip_allow_list") or "",
            expires_at=cleaned.get("expires_at"),
            rate=cleaned["rate"] if cleaned.get("rate") is not None else 0,
        )

    def clean(self):
        cleaned = super().clean()
        keep = self.instance.expires_at if self.instance.pk else None
        problems = client_problems(self.data_for_service(), now=timezone.now(), kept_expiry=keep)
        for field, message in problems.items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        return cleaned


class RevokeForm(TextRulesMixin, forms.Form):
    reason = forms.CharField(
        label="吊销理由",
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="例如：系统停用、令牌可能泄露。将记入审计记录。",
    )


@admin.register(ApiClient)
class ApiClientAdmin(AgencyScopedAdmin):
    form = ApiClientForm
    list_display = [
        "name",
        "agency",
        "system_code",
        "scope_codes",
        "status",
        "expires_at",
        "last_used_at",
        "last_used_ip",
    ]
    list_filter = ["agency"]
    search_fields = ["name", "system_code", "token_prefix"]
    change_form_template = "admin/workflow/apiclient/change_form.html"
    #: Shown, never typed: who made the client, when it was last used and from where.
    facts = [
        "status",
        "token_label",
        "user_label",
        "created_by",
        "created_at",
        "revoked_at",
        "last_used_at",
        "last_used_ip",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agency", "user", "created_by")

    @admin.display(description="状态")
    def status(self, obj) -> str:
        if obj.revoked_at is not None:
            return "已吊销"
        if obj.expires_at is not None and obj.expires_at <= timezone.now():
            return "已过期"
        return "有效"

    @admin.display(description="令牌")
    def token_label(self, obj) -> str:
        return f"gk_{obj.token_prefix}_……（只在生成时显示一次）"

    @admin.display(description="操作账号")
    def user_label(self, obj) -> str:
        return f"{obj.user.get_username()}（不能登录页面，所做操作记在该客户端名下）"

    @admin.display(description="权限范围")
    def scope_codes(self, obj) -> str:
        return "、".join(obj.scopes) or "—"

    @admin.display(description="权限范围")
    def scope_list(self, obj):
        return format_html_join(
            "", "<div>{}（{}）</div>", ((SCOPES.get(s, s), s) for s in obj.scopes)
        )

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if not request.user.is_superuser:
            agencies = list(agencies_of(request.user)[:2])
            if len(agencies) == 1:  # the administrator of one agency registers for it
                initial.setdefault("agency", agencies[0].pk)
        return initial

    def get_fields(self, request, obj=None):
        typed = ["agency", "name", "system_code", "scopes", "ip_allow_list", "expires_at", "rate"]
        if obj is None:
            return typed
        if obj.revoked_at is not None:
            return [field if field != "scopes" else "scope_list" for field in typed] + self.facts
        return typed + self.facts

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.revoked_at is not None:
            return self.get_fields(request, obj)
        return ["agency", *self.facts]

    def has_delete_permission(self, request, obj=None):
        # Never deleted: the audit log and the documents it pushed name it.
        return False

    def has_change_permission(self, request, obj=None):
        # A revoked client's record stays as it was: shown, never changed.
        if obj is not None and obj.revoked_at is not None:
            return False
        return super().has_change_permission(request, obj)

    # -- saving through the services ---------------------------------------------------------

    def save_model(self, request, obj, form, change):
        data = form.data_for_service()
        if change:
            try:
                saved = client_update(actor=request.user, client_id=obj.pk, data=data)
            except ValidationError as error:  # revoked meanwhile, by another administrator
                messages.error(request, "；".join(error.messages))
                return
        else:
            saved, token = client_create(
                actor=request.user, agency=form.cleaned_data["agency"], data=data
            )
            self._hand_over(request, saved, token)
        # The admin's own log and redirect use the saved row.
        obj.__dict__.update(saved.__dict__)

    def save_related(self, request, form, formsets, change):
        pass  # no relations of its own; the client's user is made by the service

    def response_add(self, request, obj, post_url_continue=None):
        return HttpResponseRedirect(self._token_url(obj))

    @staticmethod
    def _hand_over(request, client: ApiClient, token: str) -> None:
        request.session[TOKEN_SESSION_KEY] = {"client": client.pk, "token": token}

    # -- the token page, rotation and revocation ---------------------------------------------

    def get_urls(self):
        def view(method):
            return self.admin_site.admin_view(method)

        return [
            path("<path:object_id>/token/", view(self.token_view), name="workflow_apiclient_token"),
            path(
                "<path:object_id>/rotate/", view(self.rotate_view), name="workflow_apiclient_rotate"
            ),
            path(
                "<path:object_id>/revoke/", view(self.revoke_view), name="workflow_apiclient_revoke"
            ),
            *super().get_urls(),
        ]

    def _client_or_gone(self, request, object_id, *, change: bool):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return None, self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        # The model permission: a revoked client is then told so, not refused blankly.
        allowed = (
            super().has_change_permission(request, obj)
            if change
            else self.has_view_or_change_permission(request, obj)
        )
        if not allowed:
            raise PermissionDenied
        return obj, None

    def _page(self, request, obj, template: str, **context):
        return TemplateResponse(
            request,
            f"admin/workflow/apiclient/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": obj,
                "title": context.pop("title"),
                **context,
            },
        )

    def _token_url(self, obj) -> str:
        return reverse(
            "admin:workflow_apiclient_token", args=[obj.pk], current_app=self.admin_site.name
        )

    def _change_url(self, obj) -> str:
        return reverse(
            "admin:workflow_apiclient_change", args=[obj.pk], current_app=self.admin_site.name
        )

    def token_view(self, request, object_id):
        """The token, once: taken out of the session as it is shown."""
        obj, gone = self._client_or_gone(request, object_id, change=False)
        if gone:
            return gone
        waiting = request.session.get(TOKEN_SESSION_KEY)
        if not waiting or waiting.get("client") != obj.pk:
            messages.warning(
                request, "令牌只在生成时显示一次，现已不能再查看。遗失时请“重新生成令牌”。"
            )
            return HttpResponseRedirect(self._change_url(obj))
        del request.session[TOKEN_SESSION_KEY]
        title = f"接口客户端“{obj.name}”的令牌"
        # admin_view marks the page never to be cached (no-store): not even the browser keeps it.
        return self._page(request, obj, "token.html", title=title, token=waiting["token"])

    def rotate_view(self, request, object_id):
        obj, gone = self._client_or_gone(request, object_id, change=True)
        if gone:
            return gone
        if obj.revoked_at is not None:
            messages.error(request, "该接口客户端已被吊销，不能重新生成令牌。")
            return HttpResponseRedirect(self._change_url(obj))
        if request.method == "POST":
            client, token = token_rotate(actor=request.user, client_id=obj.pk)
            self._hand_over(request, client, token)
            return HttpResponseRedirect(self._token_url(obj))
        return self._page(request, obj, "rotate.html", title=f"重新生成“{obj.name}”的令牌")

    def revoke_view(self, request, object_id):
        obj, gone = self._client_or_gone(request, object_id, change=True)
        if gone:
            return gone
        if obj.revoked_at is not None:
            messages.info(request, "该接口客户端已被吊销。")
            return HttpResponseRedirect(self._change_url(obj))
        form = RevokeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                client_revoke(
                    actor=request.user, client_id=obj.pk, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                form.add_error("reason", "；".join(error.messages))
            else:
                messages.success(request, f"已吊销接口客户端“{obj.name}”，其令牌即时失效。")
                return HttpResponseRedirect(self._change_url(obj))
        return self._page(
            request, obj, "revoke.html", title=f"吊销接口客户端“{obj.name}”", form=form
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra = {
            "can_act": obj is not None
            and obj.revoked_at is None
            and self.has_change_permission(request, obj),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context=extra)
