"""Admin of payouts: batches, payouts and creators' payment accounts, all read-only.

Operators act only through two actions, each with a confirmation step and an
entry in the admin log, and each with its own permission: retry failed payouts (a
new payout of the creator's current earnings, sent now; ``payouts.retry_payout``)
and clear a payout flag (``payouts.clear_payout_flag``, in ``payouts.connect.admin``).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from flattr_clone.admin import (
    ActionsNeedPermissionMixin,
    ReadableColumnsMixin,
    ReadOnlyAdmin,
    confirm_action,
)
from flattr_clone.money import format_cents
from payouts.batches.models import Payout, PayoutBatch
from payouts.batches.runs import payout_retry_failed


class PayoutInline(ReadableColumnsMixin, admin.TabularInline):
    model = Payout
    money_fields = {"amount_cents": gettext_lazy("amount")}
    fields = ["user", "amount", "status", "attempts", "provider_transfer_id", "failure_code"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "created_at",
        "trigger",
        "status",
        "payout_count",
        "amount",
        "finished_at",
    ]
    list_filter = ["status"]
    date_hierarchy = "created_at"
    inlines = [PayoutInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(payout_count=Count("payouts"), amount=Sum("payouts__amount_cents"))
        )

    @admin.display(description=gettext_lazy("payouts"), ordering="payout_count")
    def payout_count(self, batch: PayoutBatch) -> int:
        return batch.payout_count

    @admin.display(description=gettext_lazy("amount"), ordering="amount")
    def amount(self, batch: PayoutBatch) -> str:
        return format_cents(batch.amount or 0)


@admin.register(Payout)
class PayoutAdmin(ActionsNeedPermissionMixin, ReadableColumnsMixin, ReadOnlyAdmin):
    money_fields = {
        "amount_cents": gettext_lazy("amount"),
        "reversed_cents": gettext_lazy("reversed"),
    }
    list_display = [
        "id",
        "user",
        "amount_cents",
        "status",
        "attempts",
        "provider",
        "provider_transfer_id",
        "failure_code",
        "created_at",
        "batch",
    ]
    list_filter = ["status", "provider", "created_at"]
    search_fields = ["=id", "user__email", "user__handle", "provider_transfer_id", "destination"]
    list_select_related = ["user", "batch"]
    date_hierarchy = "created_at"
    actions = ["retry_failed"]

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("payouts.retry_payout")

    @admin.action(
        description=gettext_lazy("Retry selected failed payouts now"), permissions=["retry"]
    )
    def retry_failed(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        failed = queryset.filter(status=Payout.Status.FAILED).select_related("user")
        if "confirm" not in request.POST:
            return confirm_action(
                self,
                request,
                failed,
                action="retry_failed",
                template="payouts/payouts_admin_confirm.html",
                title=_("Retry failed payouts"),
                text=_(
                    "Each creator below gets a new payout of their whole current earnings, "
                    "sent now, even if their payouts are flagged. Creators who have a newer "
                    "payout, are suspended or whose payment account cannot receive money are "
                    "skipped:"
                ),
            )
        summary = payout_retry_failed(payouts=list(failed))
        if summary is None:
            messages.warning(request, _("Nothing to retry."))
            return None
        for payout in PayoutBatch.objects.get(pk=summary.batch).payouts.all():
            self.log_addition(
                request,
                payout,
                _("Retry of a failed payout: %(status)s") % {"status": payout.get_status_display()},
            )
        messages.success(
            request,
            _("Retry batch %(batch)d: %(paid)d paid, %(failed)d failed, %(sending)d in flight.")
            % {
                "batch": summary.batch,
                "paid": summary.paid,
                "failed": summary.failed,
                "sending": summary.sending,
            },
        )
        return None
