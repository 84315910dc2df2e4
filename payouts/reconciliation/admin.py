"""Admin of the reconciliation with Stripe: what Stripe said (read-only), the runs, the
differences (resolved by an operator with a note, logged), and the operators' audit log."""

from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from flattr_clone.admin import (
    ActionsNeedPermissionMixin,
    ReadableColumnsMixin,
    ReadOnlyAdmin,
    confirm_action,
)
from payouts.reconciliation.models import (
    Difference,
    ReconciliationRun,
    StripeBalanceTransaction,
    StripePayout,
)


@admin.register(StripeBalanceTransaction)
class StripeBalanceTransactionAdmin(ReadableColumnsMixin, ReadOnlyAdmin):
    money_fields = {"amount_cents": gettext_lazy("amount"), "fee_cents": gettext_lazy("fee")}
    list_display = [
        "txn_id",
        "type",
        "reporting_category",
        "amount_cents",
        "fee_cents",
        "source_id",
        "payment_id",
        "transfer_id",
        "created",
    ]
    list_filter = ["type", "reporting_category"]
    search_fields = ["=txn_id", "=source_id", "=payment_id", "=transfer_id"]
    date_hierarchy = "created"


@admin.register(StripePayout)
class StripePayoutAdmin(ReadableColumnsMixin, ReadOnlyAdmin):
    money_fields = {"amount_cents": gettext_lazy("amount")}
    list_display = ["payout_id", "amount_cents", "status", "created", "arrival_date"]
    list_filter = ["status"]
    date_hierarchy = "created"


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyAdmin):
    list_display = ["day", "started_at", "ok"]
    list_filter = ["ok"]
    date_hierarchy = "day"


class ResolvedFilter(admin.SimpleListFilter):
    title = gettext_lazy("resolved")
    parameter_name = "resolved_at__isnull"

    def lookups(self, request, model_admin):
        return [("True", _("No")), ("False", _("Yes"))]

    def queryset(self, request, queryset):
        if self.value() in ("True", "False"):
            return queryset.filter(resolved_at__isnull=self.value() == "True")
        return queryset


@admin.register(Difference)
class DifferenceAdmin(ActionsNeedPermissionMixin, ReadableColumnsMixin, ReadOnlyAdmin):
    money_fields = {
        "stripe_cents": gettext_lazy("Stripe says"),
        "ledger_cents": gettext_lazy("ledger says"),
    }
    list_display = [
        "found_at",
        "kind",
        "object_id",
        "stripe_cents",
        "ledger_cents",
        "day",
        "resolved_at",
        "resolved_by",
        "note",
    ]
    list_filter = [ResolvedFilter, "kind"]
    search_fields = ["=object_id", "note"]
    list_select_related = ["resolved_by"]
    actions = ["resolve"]

    def has_resolve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("payouts.resolve_difference")

    @admin.action(
        description=gettext_lazy("Mark selected differences resolved (with a note)"),
        permissions=["resolve"],
    )
    def resolve(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        open_ones = queryset.filter(resolved_at__isnull=True)
        note = (request.POST.get("note") or "").strip()
        if "confirm" not in request.POST or not note:
            if "confirm" in request.POST:
                messages.error(request, _("Say what was done about it: a note is required."))
            return confirm_action(
                self,
                request,
                open_ones,
                action="resolve",
                template="payouts/difference_resolve_confirm.html",
                title=_("Resolve reconciliation differences"),
                text=_(
                    "Correct the ledger first if it is wrong (a correction transfer), then say "
                    "what was done. The note is kept with each difference and in the audit log:"
                ),
            )
        now = timezone.now()
        done = 0
        for difference in open_ones:
            difference.resolved_at = now
            difference.resolved_by = request.user
            difference.note = note[:2000]
            difference.save(update_fields=["resolved_at", "resolved_by", "note"])
            self.log_change(request, difference, _("Resolved: %(note)s") % {"note": note[:500]})
            done += 1
        messages.success(
            request,
            ngettext("%(count)d difference resolved.", "%(count)d differences resolved.", done)
            % {"count": done},
        )
        return None


@admin.register(LogEntry)
class OperatorAuditLogAdmin(ReadOnlyAdmin):
    """Every operator action (suspensions, payout retries and flags, payday, ledger checks,
    resolved differences) as the admin logged it: who, when, what, why."""

    list_display = ["action_time", "user", "content_type", "object_repr", "change_message"]
    list_filter = ["content_type", "action_flag"]
    search_fields = ["object_repr", "change_message", "user__email"]
    list_select_related = ["user", "content_type"]
    date_hierarchy = "action_time"
