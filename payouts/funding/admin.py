"""Admin of budgets and top-ups: read-only."""

from django.contrib import admin

from flattr_clone.admin import ReadOnlyAdmin
from payouts.funding.models import BudgetChange, TopUp


@admin.register(BudgetChange)
class BudgetChangeAdmin(ReadOnlyAdmin):
    list_display = ["user", "amount_cents", "created_at"]
    search_fields = ["user__email", "user__handle"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"


@admin.register(TopUp)
class TopUpAdmin(ReadOnlyAdmin):
    """Top-ups change only through the provider's confirmation, never by hand."""

    list_display = [
        "id",
        "user",
        "amount_cents",
        "currency",
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
