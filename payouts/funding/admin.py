"""Admin of budgets and top-ups: read-only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from flattr_clone.admin import ReadableColumnsMixin, ReadOnlyAdmin
from payouts.funding.models import BudgetChange, TopUp


@admin.register(BudgetChange)
class BudgetChangeAdmin(ReadableColumnsMixin, ReadOnlyAdmin):
    money_fields = {"amount_cents": _("monthly budget")}
    list_display = ["user", "amount_cents", "created_at"]
    search_fields = ["user__email", "user__handle"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"


@admin.register(TopUp)
class TopUpAdmin(ReadableColumnsMixin, ReadOnlyAdmin):
    """Top-ups change only through the provider's confirmation, never by hand."""

    money_fields = {"amount_cents": _("amount"), "refunded_cents": _("refunded")}

    list_display = [
        "id",
        "user",
        "amount_cents",
        "provider",
        "status",
        "refunded_cents",
        "created_at",
        "completed_at",
    ]
    list_filter = ["status", "provider"]
    search_fields = ["=id", "user__email", "user__handle", "session_id", "payment_id"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
