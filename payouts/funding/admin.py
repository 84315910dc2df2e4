"""Admin of budgets, top-ups, holds and disputes: read-only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from flattr_clone.admin import ReadableColumnsMixin, ReadOnlyAdmin
from payouts.funding.models import BudgetChange, Dispute, Hold, TopUp


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


@admin.register(Hold)
class HoldAdmin(ReadableColumnsMixin, ReadOnlyAdmin):
    """Holds change only by payday, their release, refunds and disputes (docs/PRODUCT.md,
    Holds)."""

    money_fields = {
        "amount_cents": _("held at payday"),
        "held_cents": _("still held"),
        "released_cents": _("released"),
        "taken_cents": _("taken back"),
    }
    list_display = [
        "id",
        "creator",
        "top_up",
        "amount_cents",
        "held_cents",
        "released_cents",
        "taken_cents",
        "available_on",
    ]
    search_fields = ["creator__email", "creator__handle", "=top_up__id", "share_key"]
    list_select_related = ["creator", "top_up"]
    date_hierarchy = "available_on"


@admin.register(Dispute)
class DisputeAdmin(ReadableColumnsMixin, ReadOnlyAdmin):
    money_fields = {
        "amount_cents": _("amount"),
        "taken_cents": _("taken back"),
        "reinstated_cents": _("reinstated"),
    }
    list_display = [
        "dispute_id",
        "top_up",
        "amount_cents",
        "status",
        "reason",
        "taken_cents",
        "reinstated_cents",
        "created_at",
        "closed_at",
    ]
    list_filter = ["status", "reason"]
    search_fields = ["dispute_id", "top_up__payment_id", "top_up__user__email"]
    list_select_related = ["top_up"]
    date_hierarchy = "created_at"
