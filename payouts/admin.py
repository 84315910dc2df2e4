"""Admin of money. The ledger is strictly read-only here: a transfer is never added, edited
or deleted by hand (a correction is a new transfer posted by code, with its own key)."""

from django.contrib import admin

from flattr_clone.admin import ReadOnlyAdmin

from .models import Account, BudgetChange, LedgerCheck, ProviderEvent, TopUp, Transfer
from .payout_admin import PaymentAccountAdmin, PayoutAdmin, PayoutBatchAdmin  # noqa: F401


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "user", "name", "balance_cents", "created_at"]
    list_filter = ["kind"]
    search_fields = ["user__email", "user__handle", "name"]
    list_select_related = ["user"]


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "kind",
        "amount_cents",
        "debit",
        "credit",
        "idempotency_key",
        "reference",
    ]
    list_filter = ["kind", "created_at"]
    search_fields = [
        "idempotency_key",
        "reference",
        "debit__user__email",
        "debit__user__handle",
        "credit__user__email",
        "credit__user__handle",
    ]
    list_select_related = ["debit__user", "credit__user"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(LedgerCheck)
class LedgerCheckAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "ok"]
    list_filter = ["ok"]


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


@admin.register(ProviderEvent)
class ProviderEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "provider", "event_type", "outcome", "object_id", "top_up"]
    list_filter = ["outcome", "provider", "event_type"]
    search_fields = ["event_id", "object_id", "note", "=top_up__id"]
    date_hierarchy = "received_at"
