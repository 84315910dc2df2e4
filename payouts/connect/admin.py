"""Admin of creators' payment accounts: read-only, with the clear-flag action."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from flattr_clone.admin import ActionsNeedPermissionMixin, ReadOnlyAdmin, confirm_action
from payouts.connect.models import PaymentAccount
from payouts.connect.services import connect_flag_clear


class FlaggedFilter(admin.SimpleListFilter):
    title = gettext_lazy("payouts flagged")
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(payouts_flagged_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(payouts_flagged_at__isnull=True)
        return queryset


@admin.register(PaymentAccount)
class PaymentAccountAdmin(ActionsNeedPermissionMixin, ReadOnlyAdmin):
    list_display = [
        "user",
        "provider",
        "status",
        "provider_account_id",
        "consecutive_failures",
        "payouts_flagged_at",
        "updated_at",
    ]
    list_filter = [FlaggedFilter, "status", "provider"]
    search_fields = ["user__email", "user__handle", "provider_account_id"]
    list_select_related = ["user"]
    actions = ["clear_flags"]

    def has_clear_flag_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("payouts.clear_payout_flag")

    @admin.action(
        description=gettext_lazy("Clear the payout flag of selected creators"),
        permissions=["clear_flag"],
    )
    def clear_flags(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        flagged = queryset.filter(payouts_flagged_at__isnull=False).select_related("user")
        if "confirm" not in request.POST:
            return confirm_action(
                self,
                request,
                flagged,
                action="clear_flags",
                template="payouts/payouts_admin_confirm.html",
                title=_("Clear payout flags"),
                text=_(
                    "Payouts to these creators will resume in the next batch. Check first "
                    "that their payment account can receive money:"
                ),
            )
        done = 0
        for account in flagged:
            if connect_flag_clear(account=account):
                self.log_change(
                    request,
                    account,
                    _("Payout flag cleared (was: %(reason)s)") % {"reason": account.flag_reason},
                )
                done += 1
        messages.success(
            request,
            ngettext("%(count)d flag cleared.", "%(count)d flags cleared.", done) % {"count": done},
        )
        return None
