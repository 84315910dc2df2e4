"""The operators' dashboard inside the admin: volume, payday and payout status, ledger check.

Its views go through ``admin.site.admin_view``, so they need what every admin page
needs (staff, and the platform admin site's two-factor requirement), and then each
its own permission: ``tips.view_operations_dashboard`` to see it,
``payouts.run_ledger_check`` to run the ledger check (the "operator" group has both;
staff without them get 403). They render inside the admin's own layout. Mounted at
``/admin/operations/``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Min, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import LimitHit
from payouts.batches.models import Payout, PayoutBatch
from payouts.connect.models import PaymentAccount
from payouts.funding.models import Dispute
from payouts.ledger.checks import ledger_check
from payouts.ledger.models import Account, LedgerCheck
from payouts.reconciliation.models import Difference, ReconciliationRun
from payouts.reconciliation.services import margin_by_month
from tips.dashboards.selectors import platform_by_month
from tips.payday.charges import charge_totals
from tips.payday.models import PaydayRun

app_name = "operator"


def _admin_view(view, *, permission: str):
    """Protect ``view`` like any admin page, with the admin site in effect at request time,
    then answer 403 to staff without ``permission``."""
    guarded = permission_required(permission, raise_exception=True)(view)

    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return admin.site.admin_view(guarded)(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def payday_status(*, count: int = 3) -> list[PaydayRun]:
    """The latest payday runs, newest first, each with its month's charges to cards
    (``run.charged``, docs/PRODUCT.md Funding, Totals)."""
    runs = list(PaydayRun.objects.order_by("-month")[:count])
    for run in runs:
        run.charged = charge_totals(run.month)
    return runs


def payout_status() -> dict:
    """The latest payout batch with its payouts counted by status, and what needs attention."""
    batch = PayoutBatch.objects.order_by("-created_at", "-id").first()
    status: dict = {"batch": batch, "by_status": [], "flagged_accounts": 0}
    if batch is not None:
        rows = (
            Payout.objects.filter(batch=batch)
            .values("status")
            .annotate(count=Count("id"), amount=Sum("amount_cents"))
            .order_by("status")
        )
        labels = dict(Payout.Status.choices)
        status["by_status"] = [{"label": labels.get(r["status"], r["status"]), **r} for r in rows]
    status["flagged_accounts"] = PaymentAccount.objects.filter(
        payouts_flagged_at__isnull=False
    ).count()
    return status


def held_for_suspension() -> dict:
    """Suspended creators and the earnings held for them."""
    held = Account.objects.filter(
        kind=Account.Kind.EARNINGS, user__suspended_at__isnull=False
    ).aggregate(creators=Count("id", filter=Q(balance_cents__gt=0)), cents=Sum("balance_cents"))
    return {"creators": held["creators"] or 0, "cents": held["cents"] or 0}


def cannot_be_paid(now=None) -> dict:
    """Creators with money waiting and no payment account that can receive it
    (docs/PRODUCT.md, Creators who cannot be paid): all of them, and those whose first
    earnings are older than UNPAID_CREATOR_DAYS."""
    now = now or timezone.now()
    waiting = (
        Account.objects.filter(
            kind__in=[Account.Kind.EARNINGS, Account.Kind.HELD], balance_cents__gt=0
        )
        .exclude(user__payment_account__status=PaymentAccount.Status.READY)
        .values("user_id")
        .annotate(cents=Sum("balance_cents"), since=Min("credits__created_at"))
    )
    old = now - dt.timedelta(days=settings.UNPAID_CREATOR_DAYS)
    rows = list(waiting)
    long_ones = [row for row in rows if row["since"] and row["since"] < old]
    return {
        "creators": len({row["user_id"] for row in rows}),
        "cents": sum(row["cents"] for row in rows),
        "long_creators": len({row["user_id"] for row in long_ones}),
        "long_cents": sum(row["cents"] for row in long_ones),
        "days": settings.UNPAID_CREATOR_DAYS,
    }


def open_disputes() -> dict:
    rows = Dispute.objects.filter(status=Dispute.Status.OPEN).aggregate(
        count=Count("id"), cents=Sum("amount_cents")
    )
    return {"count": rows["count"] or 0, "cents": rows["cents"] or 0}


def platform_balances() -> dict:
    """Money the platform holds, by account kind (from the cached, checked balances)."""
    rows = Account.objects.values("kind").annotate(total=Sum("balance_cents"))
    return {row["kind"]: row["total"] or 0 for row in rows}


@require_GET
def operator_dashboard(request: HttpRequest) -> HttpResponse:
    """The platform at a glance for operators."""
    context = {
        **admin.site.each_context(request),
        "title": _("Operations dashboard"),
        "months": platform_by_month(),
        "paydays": payday_status(),
        "payouts": payout_status(),
        "held": held_for_suspension(),
        "balances": platform_balances(),
        "last_check": LedgerCheck.objects.order_by("-created_at", "-id").first(),
        # docs/PRODUCT.md, Reconciliation; Fees; Disputes.
        "last_reconciliation": ReconciliationRun.objects.order_by("-started_at", "-id").first(),
        "differences": list(Difference.objects.filter(resolved_at__isnull=True)[:20]),
        "differences_count": Difference.objects.filter(resolved_at__isnull=True).count(),
        "open_disputes": open_disputes(),
        # docs/PRODUCT.md, First payouts and velocity.
        "limits_reached": LimitHit.objects.filter(
            created_at__gte=timezone.now() - dt.timedelta(days=1)
        ).count(),
        "cannot_be_paid": cannot_be_paid(),
        "margin": margin_by_month(),
        "payout_minimum_cents": settings.PAYOUT_MINIMUM_CENTS,
    }
    return TemplateResponse(request, "admin/operator_dashboard.html", context)


@require_POST
def run_ledger_check(request: HttpRequest) -> HttpResponse:
    """Run the ledger self-check now, keep its result and log who ran it."""
    report = ledger_check(record=True)
    check = LedgerCheck.objects.order_by("-created_at", "-id").first()
    LogEntry.objects.log_actions(
        user_id=request.user.pk,
        queryset=[check],
        action_flag=ADDITION,
        change_message=_("Ran the ledger check from the operations dashboard."),
        single_object=True,
    )
    if report.ok:
        messages.success(
            request,
            _("Ledger check passed: %(accounts)s accounts, %(transfers)s transfers, sum zero.")
            % {"accounts": report.accounts, "transfers": report.transfers},
        )
    else:
        messages.error(
            request,
            _("Ledger check FAILED. See the report below and the ledger checks list."),
        )
    return redirect("operator:dashboard")


urlpatterns = [
    path(
        "",
        _admin_view(operator_dashboard, permission="tips.view_operations_dashboard"),
        name="dashboard",
    ),
    path(
        "ledger-check/",
        _admin_view(run_ledger_check, permission="payouts.run_ledger_check"),
        name="ledger_check",
    ),
]
