"""Administration of accounts: users (with their agencies and roles), role groups, login lockouts.

A superuser manages every account. An agency's administrator (role ``admin``) manages the
accounts that work only for their own agencies: they may put them in those agencies, grant the
project's roles, deactivate them and set their passwords, but never make a superuser, give a
model permission directly or reach into another agency. Every change of access is an audit event.
"""

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from workflow.accounts import (
    access_of,
    audit_access_change,
    audit_password_set,
    audit_role_permissions,
    check_access_grant,
    manageable_users,
)
from workflow.models import Agency
from workflow.roles import ROLES
from workflow.selectors import agencies_of
from workflow.throttling import login_unlock

User = get_user_model()


def _superuser(request) -> bool:
    return request.user.is_active and request.user.is_superuser


class _AgenciesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class _WithAgencies(forms.ModelForm):
    agencies = _AgenciesField(
        label="所属机关",
        queryset=Agency.objects.all(),
        required=False,
        widget=FilteredSelectMultiple("机关", is_stacked=False),
        help_text="此人可以办理哪些机关的事务；看不到其他机关的数据。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["agencies"].initial = list(self.instance.agencies.all())


class UserChangeForm(_WithAgencies, auth_admin.UserChangeForm):
    pass


class UserCreationForm(_WithAgencies, auth_admin.AdminUserCreationForm):
    pass


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ["username", "first_name", "last_name", "is_active", "is_staff", "roles"]
    list_filter = ["is_active", "is_staff", "groups"]

    #: What an agency's administrator edits: no superuser flag, no direct model permission.
    scoped_fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("个人信息", {"fields": ["first_name", "last_name", "email"]}),
        ("机关与角色", {"fields": ["is_active", "agencies", "groups"]}),
        ("重要日期", {"fields": ["last_login", "date_joined"]}),
    ]

    @admin.display(description="角色")
    def roles(self, obj):
        return "、".join(ROLES.get(g.name, g.name) for g in obj.groups.all()) or "—"

    def get_queryset(self, request):
        return manageable_users(request.user, super().get_queryset(request)).prefetch_related(
            "groups"
        )

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated, never deleted: the audit log points at them.
        return _superuser(request) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["last_login", "date_joined"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"classes": ["wide"], "fields": list(self.add_fieldsets[0][1]["fields"])}),
                ("机关与角色", {"fields": ["agencies", "groups"]}),
            ]
        if request.user.is_superuser:
            fieldsets = [list(section) for section in super().get_fieldsets(request, obj)]
            fieldsets.insert(2, ("机关", {"fields": ["agencies"]}))
            return fieldsets
        return self.scoped_fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        agencies = Agency.objects.all() if request.user.is_superuser else agencies_of(request.user)
        superuser = request.user.is_superuser

        class ScopedForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.fields["agencies"].queryset = agencies
                self.fields["agencies"].required = not superuser

        return ScopedForm

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            # Only the project's roles, never a group a superuser made for other purposes.
            kwargs["queryset"] = Group.objects.filter(name__in=ROLES).order_by("name")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        request._access_before = access_of(User.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        user = form.instance
        before = request._access_before
        kept_groups = [] if before is None else [g for g in before.roles if g not in ROLES]
        super().save_related(request, form, formsets, change)
        if "agencies" in form.cleaned_data:
            chosen = {agency.pk for agency in form.cleaned_data["agencies"]}
            if not request.user.is_superuser:
                mine = set(agencies_of(request.user).values_list("pk", flat=True))
                # Memberships outside the administrator's agencies are not theirs to change.
                chosen |= (before.agencies if before else frozenset()) - mine
                user.groups.add(*Group.objects.filter(name__in=kept_groups))
            user.agencies.set(chosen)
        after = access_of(user)
        check_access_grant(
            actor=request.user,
            agencies=set(after.agencies),
            roles=set(after.roles - (before.roles if before else frozenset())),
        )
        if not request.user.is_superuser and user.is_staff != ("admin" in after.roles):
            # Only the agency's administrators open the admin site.
            user.is_staff = "admin" in after.roles
            user.save(update_fields=["is_staff"])
            after = access_of(user)
        audit_access_change(actor=request.user, user=user, before=before, after=after)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            audit_password_set(actor=request.user, user=self.get_object(request, id))
        return response


@admin.register(Group)
class GroupAdmin(auth_admin.GroupAdmin):
    """The role groups and their model permissions: the installation's, superusers only."""

    def save_related(self, request, form, formsets, change):
        group = form.instance
        before = set(group.permissions.values_list("codename", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(group.permissions.values_list("codename", flat=True))
        if before != after or not change:
            audit_role_permissions(actor=request.user, group=group, before=before, after=after)

    def has_module_permission(self, request):
        return _superuser(request)

    def has_view_permission(self, request, obj=None):
        return _superuser(request)

    def has_add_permission(self, request):
        return _superuser(request)

    def has_change_permission(self, request, obj=None):
        return _superuser(request)

    def has_delete_permission(self, request, obj=None):
        return _superuser(request)


for model in (AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class _SuperuserOnly:
    def has_module_permission(self, request):
        return _superuser(request)

    def has_view_permission(self, request, obj=None):
        return _superuser(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessAttempt)
class AccessAttemptAdmin(_SuperuserOnly, axes_admin.AccessAttemptAdmin):
    """Failed logins; deleting a row (or the action) unlocks, and the unlock is audited."""

    actions = ["unlock"]

    def has_delete_permission(self, request, obj=None):
        return _superuser(request)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="解除所选登录锁定")
    def unlock(self, request, queryset):
        count = 0
        for attempt in queryset:
            count += self._unlock(request, attempt)
        self.message_user(request, f"已解除锁定（清除{count}条失败记录）。")

    @staticmethod
    def _unlock(request, attempt) -> int:
        # The account is unlocked wherever its failures came from; a row without a username
        # (someone trying many names) unlocks its address.
        if attempt.username:
            return login_unlock(actor=request.user, username=attempt.username)
        return login_unlock(actor=request.user, ip_address=attempt.ip_address)

    def delete_model(self, request, obj):
        self._unlock(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(AccessLog)
class AccessLogAdmin(_SuperuserOnly, axes_admin.AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(_SuperuserOnly, axes_admin.AccessFailureLogAdmin):
    pass
