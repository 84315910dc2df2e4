from django.contrib import admin
from django.db.models import Max, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import Consent, DataExport, LegalDocument, LimitHit, RetiredHandle, User
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
        "closed_at",
        "date_joined",
    ]
    list_filter = [SuspendedFilter, "is_active", "is_staff", "monthly_emails", "date_joined"]
    search_fields = ["email", "handle", "display_name"]
    actions = [suspend_creators, unsuspend_creators]
    ordering = ["-date_joined"]
    # A suspension changes only through the actions above (the reason goes to the admin log);
    # here it is shown, not edited. Plain multiple selects for groups and permissions: the
    # two-column widget's markup fails accessibility checks.
    readonly_fields = [
        "last_login",
        "date_joined",
        "suspended_at",
        "suspension_reason",
        "closing_requested_at",
        "closed_at",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "email",
                    "handle",
                    "display_name",
                    "monthly_emails",
                    "payout_emails",
                    "news_emails",
                    "public_flattrs",
                ]
            },
        ),
        (_("Suspension"), {"fields": ["suspended_at", "suspension_reason"]}),
        (_("Closing"), {"fields": ["closing_requested_at", "closed_at"]}),
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


@admin.register(LegalDocument)
class LegalDocumentAdmin(admin.ModelAdmin):
    """Operators write the terms and the privacy policy here. A new document of a kind gets
    the next version number; with a publication date it becomes the current version and
    every user must accept it. A draft (no publication date) can be edited; a published
    version is a record of what people accepted and is read-only."""

    list_display = ["kind", "version", "title", "published_at", "created_at"]
    list_filter = ["kind"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["version", "created_at"]
        if obj.published_at is not None:
            return ["kind", "version", "title", "body", "published_at", "created_at"]
        return ["kind", "version", "created_at"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            latest = LegalDocument.objects.filter(kind=obj.kind).aggregate(v=Max("version"))["v"]
            obj.version = (latest or 0) + 1
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.consents.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["user", "document", "accepted_at"]
    list_filter = ["document"]
    search_fields = ["user__email", "user__handle"]
    readonly_fields = ["user", "document", "accepted_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DataExport)
class DataExportAdmin(admin.ModelAdmin):
    list_display = ["user", "status", "size_bytes", "created_at", "expires_at"]
    list_filter = ["status"]
    exclude = ["token"]
    readonly_fields = ["user", "status", "size_bytes", "created_at", "expires_at"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(RetiredHandle)
class RetiredHandleAdmin(admin.ModelAdmin):
    list_display = ["digest", "retired_at"]
    readonly_fields = ["digest", "retired_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LimitHit)
class LimitHitAdmin(admin.ModelAdmin):
    """Limits reached (docs/PRODUCT.md, First payouts and velocity): read-only."""

    list_display = ["created_at", "kind", "user", "ip", "key_digest", "detail"]
    list_filter = ["kind", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["user__email", "user__handle", "ip", "key_digest"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    readonly_fields = list_display

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
