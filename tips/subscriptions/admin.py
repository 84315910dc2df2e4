"""Subscriptions in the admin, read-only: each with its months (what it did, or why not), and
the monthly runs with their progress and totals."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from flattr_clone.admin import ReadOnlyAdmin
from flattr_clone.months import format_month
from tips.subscriptions.models import Subscription, SubscriptionMonth, SubscriptionRun


class SubscriptionMonthInline(admin.TabularInline):
    model = SubscriptionMonth
    extra = 0
    can_delete = False
    fields = ["month", "outcome", "click", "refusal_code", "refusal_message", "notify"]
    readonly_fields = fields
    ordering = ["-month"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# Readers start, pause, resume and cancel their own subscriptions; operators look.
@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = [
        "thing",
        "reader",
        "status",
        "months",
        "first_month_label",
        "last_month_label",
        "created_at",
    ]
    list_filter = ["status", "months"]
    search_fields = [
        "thing__title",
        "thing__url",
        "reader__handle",
        "reader__email",
        "thing__owner__handle",
    ]
    raw_id_fields = ["reader", "thing"]
    list_select_related = ["thing", "reader"]
    readonly_fields = [f.name for f in Subscription._meta.fields]
    date_hierarchy = "created_at"
    inlines = [SubscriptionMonthInline]

    @admin.display(description=_("first month"), ordering="first_month")
    def first_month_label(self, subscription: Subscription) -> str:
        return format_month(subscription.first_month)

    @admin.display(description=_("last month"), ordering="last_month")
    def last_month_label(self, subscription: Subscription) -> str:
        if subscription.last_month is None:
            return _("until cancelled")
        return format_month(subscription.last_month)


@admin.register(SubscriptionMonth)
class SubscriptionMonthAdmin(ReadOnlyAdmin):
    list_display = ["subscription", "month", "outcome", "refusal_code", "notify", "created_at"]
    list_filter = ["outcome", "refusal_code", "month"]
    search_fields = ["subscription__reader__email", "subscription__reader__handle"]
    raw_id_fields = ["subscription", "click"]
    list_select_related = ["subscription__thing", "subscription__reader"]
    readonly_fields = [f.name for f in SubscriptionMonth._meta.fields]


# Runs are made by the monthly task itself, never typed in by hand.
@admin.register(SubscriptionRun)
class SubscriptionRunAdmin(ReadOnlyAdmin):
    list_display = [
        "month_label",
        "status",
        "progress",
        "subscriptions",
        "clicked",
        "already",
        "paused",
        "refused",
        "ended",
        "started_at",
        "finished_at",
    ]
    list_filter = ["status"]
    ordering = ["-month"]
    readonly_fields = [f.name for f in SubscriptionRun._meta.fields] + ["progress"]

    @admin.display(description=_("month"), ordering="month")
    def month_label(self, run: SubscriptionRun) -> str:
        return format_month(run.month)

    @admin.display(description=_("progress"))
    def progress(self, run: SubscriptionRun) -> str:
        return f"{run.chunks_done}/{run.chunks_total}"
