"""Admin of saved cards and charges: read-only; charges show their attempts, and operators
with ``payouts.retry_charge`` can retry pending charges now (confirmation, admin log)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from flattr_clone.admin import (
    ActionsNeedPermissionMixin,
    ReadableColumnsMixin,
    ReadOnlyAdmin,
    confirm_action,
)
from payouts.cards.charges import charge_collect
from payouts.cards.models import CardSetup, Charge, ChargeAttempt, PaymentCustomer, SavedCard
from payouts.funding.models import ReaderFunding


class ChargeAttemptInline(admin.StackedInline):
    model = ChargeAttempt
    extra = 0
    can_delete = False
    fields = [
        "number",
        "via",
        "status",
        "payment_intent_id",
        "session_id",
        "error_code",
        "error_message",
        "refund_id",
        "created_at",
        "answered_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Charge)
class ChargeAdmin(ActionsNeedPermissionMixin, ReadableColumnsMixin, ReadOnlyAdmin):
    """Charges change only through the provider's answers; "retry now" makes the next attempt
    at once (the last one is asked about first, like every retry)."""

    money_fields = {
        "amount_cents": gettext_lazy("amount"),
        "commission_cents": gettext_lazy("commission"),
    }
    month_fields = {"month": gettext_lazy("month")}
    list_display = [
        "id",
        "user",
        "kind",
        "month",
        "amount_cents",
        "status",
        "declines",
        "next_attempt_at",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "kind", "provider", "month"]
    search_fields = ["=id", "user__email", "user__handle", "payment_id"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    inlines = [ChargeAttemptInline]
    actions = ["retry_now"]

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("payouts.retry_charge")

    @admin.action(description=gettext_lazy("Retry selected charges now"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        pending = queryset.filter(status=Charge.Status.PENDING).select_related("user")
        if "confirm" not in request.POST:
            return confirm_action(
                self,
                request,
                pending,
                action="retry_now",
                template="payouts/payouts_admin_confirm.html",
                title=_("Retry charges now"),
                text=_(
                    "Each pending charge below gets its next attempt now; an attempt still "
                    "without an answer is asked about first. Charges waiting for the reader "
                    "to authenticate, collected or not collected are left out:"
                ),
            )
        if not pending:
            messages.warning(request, _("Nothing to retry."))
            return None
        for charge in pending:
            outcome = charge_collect(charge.pk, force=True)
            self.log_change(request, charge, _("Retried now: %(outcome)s") % {"outcome": outcome})
        messages.success(request, _("Charges retried: %(count)d.") % {"count": len(pending)})
        return None


@admin.register(SavedCard)
class SavedCardAdmin(ReadOnlyAdmin):
    list_display = [
        "user",
        "brand",
        "last4",
        "exp_month",
        "exp_year",
        "consented_at",
        "created_at",
        "removed_at",
    ]
    search_fields = ["user__email", "user__handle", "payment_method_id"]
    list_select_related = ["user"]


@admin.register(CardSetup)
class CardSetupAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "user",
        "provider",
        "status",
        "consented_at",
        "created_at",
        "completed_at",
    ]
    list_filter = ["status", "provider"]
    search_fields = ["=id", "user__email", "session_id"]
    list_select_related = ["user"]


@admin.register(PaymentCustomer)
class PaymentCustomerAdmin(ReadOnlyAdmin):
    list_display = ["user", "provider", "customer_id", "created_at"]
    search_fields = ["user__email", "customer_id"]
    list_select_related = ["user"]


@admin.register(ReaderFunding)
class ReaderFundingAdmin(ReadableColumnsMixin, ReadOnlyAdmin):
    money_fields = {"auto_top_up_cents": gettext_lazy("automatic top-up")}
    list_display = ["user", "mode", "auto_top_up_cents", "changed_at", "moved_to_prepaid_at"]
    list_filter = ["mode"]
    search_fields = ["user__email", "user__handle"]
    list_select_related = ["user"]
