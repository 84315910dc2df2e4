"""The reader's and the creator's dashboards and the creator's CSV exports.

Every view shows the signed-in user's own numbers: no URL carries a user id, so
nobody can ask for someone else's dashboard.
"""

from __future__ import annotations

import csv
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from flattr_clone.months import month_of
from payouts.batches.selectors import latest_payout
from payouts.cards.selectors import not_collected_by_creator
from payouts.funding.holds import held_by_date
from payouts.ledger.models import Account
from payouts.ledger.selectors import balance_cents
from tips.clicks.selectors import month_clicks, reader_blocker
from tips.dashboards.charts import earnings_chart
from tips.dashboards.selectors import (
    clicks_by_thing,
    creator_earnings_all_months,
    creator_earnings_by_month,
    creator_estimate,
    payout_progress_percent,
    reader_this_month,
)
from tips.firststeps.selectors import payout_account_missing, reader_setup
from tips.payday.estimates import month_estimate
from tips.payday.selectors import reader_history
from tips.subscriptions.selectors import refused_this_month_count, subscription_click_count


@login_required
@require_GET
def this_month(request: HttpRequest) -> HttpResponse:
    month = month_of()
    context = {
        "month": month,
        "clicks": month_clicks(request.user, month),
        "estimate": month_estimate(request.user, month),
        "blocker": reader_blocker(request.user),
        "subscription_clicks": subscription_click_count(reader=request.user, month=month),
        "subscriptions_refused": refused_this_month_count(reader=request.user, month=month),
    }
    return render(request, "tips/this_month.html", context)


def _cents_as_decimal(cents: int) -> str:
    """``1250`` → ``"12.50"``: exact, for spreadsheets (no float on the way)."""
    return str(Decimal(cents).scaleb(-2).quantize(Decimal("0.01")))


@require_GET
@login_required
def reader_dashboard(request: HttpRequest) -> HttpResponse:
    reader = request.user
    this_month = reader_this_month(reader=reader)
    history = reader_history(reader=reader, limit=12)
    return render(
        request,
        "dashboards/reader.html",
        {
            "this_month": this_month,
            "history": history,
            "setup": reader_setup(reader=reader),
        },
    )


@require_GET
@login_required
def creator_dashboard(request: HttpRequest) -> HttpResponse:
    creator = request.user
    earnings = creator_earnings_by_month(creator=creator)
    balance = balance_cents(creator, Account.Kind.EARNINGS)
    held = held_by_date(creator)
    return render(
        request,
        "dashboards/creator.html",
        {
            "earnings": earnings,
            "earnings_newest_first": list(reversed(earnings)),
            "chart": earnings_chart(earnings),
            "estimate": creator_estimate(creator=creator),
            "things": clicks_by_thing(creator=creator),
            "balance_cents": balance,
            "payout_minimum_cents": settings.PAYOUT_MINIMUM_CENTS,
            "payout_progress": payout_progress_percent(balance),
            "missing_cents": max(0, settings.PAYOUT_MINIMUM_CENTS - balance),
            "last_payout": latest_payout(user=creator),
            # docs/PRODUCT.md, Holds: money from recent risky payments, with its date.
            "held": held,
            "held_cents": sum(cents for _day, cents in held),
            "payout_account_missing": payout_account_missing(creator=creator),
            # Money from readers who pay after the month, still being collected or not collected.
            "charges_due": sorted(not_collected_by_creator(creator.pk).items(), reverse=True),
        },
    )


def _csv_response(filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Exports are personal: no shared cache may keep them.
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def earnings_csv(request: HttpRequest) -> HttpResponse:
    """Every month the creator received money: readers, cents and the decimal amount."""
    rows = creator_earnings_all_months(creator=request.user)
    response = _csv_response(f"earnings-{timezone.localdate():%Y-%m-%d}.csv")
    writer = csv.writer(response)
    writer.writerow(["month", "readers", "amount_cents", f"amount_{settings.PLATFORM_CURRENCY}"])
    for row in rows:
        writer.writerow(
            [
                f"{row.month:%Y-%m}",
                row.readers,
                row.amount_cents,
                _cents_as_decimal(row.amount_cents),
            ]
        )
    return response


@require_GET
@login_required
def clicks_csv(request: HttpRequest) -> HttpResponse:
    """Each of the creator's things with its clicks this month and all time, and its
    subscribers."""
    rows = clicks_by_thing(creator=request.user)
    response = _csv_response(f"clicks-{timezone.localdate():%Y-%m-%d}.csv")
    writer = csv.writer(response)
    writer.writerow(["thing", "url", "this_month", "all_time", "subscribers"])
    for row in rows:
        writer.writerow(
            [
                _csv_safe(row.thing.title),
                row.thing.url,
                row.this_month,
                row.all_time,
                row.subscribers,
            ]
        )
    return response


def _csv_safe(text: str) -> str:
    """Defuse spreadsheet formulas in user-written text (CSV injection)."""
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text
