"""Admin of the ledger: accounts, transfers and self-checks, strictly read-only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from flattr_clone.admin import ReadableColumnsMixin, ReadOnlyAdmin
from payouts.ledger.models import Account, LedgerCheck, Transfer


@admin.register(Account)
class AccountAdmin(ReadableColumnsMixin, ReadOnlyAdmin):
    money_fields = {"balance_cents": _("balance")}
    list_display = ["id", "kind", "user", "name", "balance_cents", "created_at"]
    list_filter = ["kind"]
    search_fields = ["user__email", "user__handle", "name"]
    list_select_related = ["user"]


@admin.register(Transfer)
class TransferAdmin(ReadableColumnsMixin, ReadOnlyAdmin):
    money_fields = {"amount_cents": _("amount")}
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
    # Newest first by id: the primary key serves the page's ORDER BY ... LIMIT, where the
    # time column only has a BRIN index (it serves the date filters, not an order).
    ordering = ["-id"]
    show_full_result_count = False


@admin.register(LedgerCheck)
class LedgerCheckAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "ok"]
    list_filter = ["ok"]
