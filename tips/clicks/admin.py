"""Admin of clicks: read-only, filtered by month and revocation."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from flattr_clone.admin import ReadableColumnsMixin, ReadOnlyAdmin
from flattr_clone.months import format_month, parse_month
from tips.clicks.models import Click


class MonthFilter(admin.SimpleListFilter):
    title = _("month")
    parameter_name = "month"

    def lookups(self, request, model_admin):
        months = Click.objects.order_by("-month").values_list("month", flat=True).distinct()[:36]
        return [(format_month(m), format_month(m)) for m in months]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            return queryset.filter(month=parse_month(self.value()))
        except ValueError:
            return queryset.none()


class RevokedFilter(admin.SimpleListFilter):
    title = _("revoked")
    parameter_name = "revoked"

    def lookups(self, request, model_admin):
        return [("yes", _("Revoked")), ("no", _("Counted"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(revoked_at__isnull=True)
        return queryset


# Clicks decide where money goes at payday: operators look, readers revoke.
@admin.register(Click)
class ClickAdmin(ReadableColumnsMixin, ReadOnlyAdmin):
    month_fields = {"month": _("month")}
    list_display = ["thing", "reader", "creator", "month", "created_at", "revoked_at"]
    list_filter = [
        MonthFilter,
        RevokedFilter,
        ("creator", admin.RelatedOnlyFieldListFilter),
        ("reader", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = [
        "thing__title",
        "thing__url",
        "reader__handle",
        "reader__email",
        "creator__handle",
        "creator__email",
    ]
    raw_id_fields = ["reader", "thing", "creator"]
    list_select_related = ["thing", "reader", "creator"]
    date_hierarchy = "created_at"
