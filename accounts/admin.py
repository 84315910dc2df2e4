from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.operator_admin import suspend_creators, unsuspend_creators
from flattr_clone.admin import ActionsNeedPermissionMixin


class SuspendedFilter(admin.SimpleListFilter):
    title = _("suspended")
    parameter_name = "suspended"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(suspended_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(suspended_at__isnull=True)
        return queryset


@admin.register(User)
class UserAdmin(ActionsNeedPermissionMixin, admin.ModelAdmin):
    """Users without their password hash: passwords are reset by the user, never seen."""

    list_display = [
        "email",
        "handle",
        "display_name",
        "is_active",
        "is_staff",
        "suspended_at",
        "date_joined",
    ]
    list_filter = [SuspendedFilter, "is_active", "is_staff", "monthly_emails", "date_joined"]
    search_fields = ["email", "handle", "display_name"]
    actions = [suspend_creators, unsuspend_creators]
    ordering = ["-date_joined"]
    # A suspension changes only through the actions above (the reason goes to the admin log);
    # here it is shown, not edited. Plain multiple selects for groups and permissions: the
    # two-column widget's markup fails accessibility checks.
    readonly_fields = ["last_login", "date_joined", "suspended_at", "suspension_reason"]
    fieldsets = [
        (None, {"fields": ["email", "handle", "display_name", "monthly_emails", "public_flattrs"]}),
        (_("Suspension"), {"fields": ["suspended_at", "suspension_reason"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]

    def has_suspend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.suspend_user")

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        if not change:
            # The person sets their own password through "forgotten password".
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)
