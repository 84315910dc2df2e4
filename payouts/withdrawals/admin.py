from django.contrib import admin

from payouts.withdrawals.models import Withdrawal, WithdrawalRefund


class WithdrawalRefundInline(admin.TabularInline):
    model = WithdrawalRefund
    extra = 0
    can_delete = False
    readonly_fields = [
        "topup",
        "amount_cents",
        "status",
        "provider_refund_id",
        "attempts",
        "last_error",
        "finished_at",
    ]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Withdrawal)
class WithdrawalAdmin(admin.ModelAdmin):
    """Withdrawals are records: read-only. A part refused by the provider is back in the
    wallet (status "Refused, back in the wallet"); on a closed account an operator returns it
    by hand."""

    list_display = ["pk", "user", "amount_cents", "reason", "created_at"]
    list_filter = ["reason", "refunds__status"]
    search_fields = ["user__email", "user__handle"]
    readonly_fields = ["user", "amount_cents", "reason", "created_at"]
    inlines = [WithdrawalRefundInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
