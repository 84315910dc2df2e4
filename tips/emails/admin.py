"""Read-only admin list of the monthly summaries claimed and sent (imported by tips.admin)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from flattr_clone.admin import ReadableColumnsMixin, ReadOnlyAdmin
from tips.emails.models import MonthlyEmail


@admin.register(MonthlyEmail)
class MonthlyEmailAdmin(ReadableColumnsMixin, ReadOnlyAdmin):
    """Which summary went to whom; a row without ``sent at`` was claimed by a sender that
    stopped before the mail server accepted it (it is not sent again automatically)."""

    month_fields = {"month": _("month")}
    list_display = ["user", "month", "kind", "created_at", "sent_at"]
    list_filter = ["kind", "month"]
    search_fields = ["user__email", "user__handle"]
    date_hierarchy = "month"
    list_select_related = ["user"]
    readonly_fields = ["user", "month", "kind", "created_at", "sent_at"]
