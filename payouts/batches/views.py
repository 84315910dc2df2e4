"""The creator's Payouts page: balance, progress to the minimum, next batch, history."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from payouts.batches.models import Payout
from payouts.batches.services import next_batch_at
from payouts.connect.services import (
    get_paid_state,
    payment_account_of,
)
from payouts.ledger.models import Account
from payouts.ledger.selectors import balance_cents


@login_required
@require_GET
def payouts_page(request: HttpRequest) -> HttpResponse:
    """The creator's earnings balance, progress toward the minimum, next batch and history."""
    balance = balance_cents(request.user, Account.Kind.EARNINGS)
    minimum = max(settings.PAYOUT_MINIMUM_CENTS, 1)
    progress = min(100, balance * 100 // minimum)
    return render(
        request,
        "payouts/payouts.html",
        {
            "balance_cents": balance,
            "minimum_cents": minimum,
            "missing_cents": max(0, minimum - balance),
            "progress": progress,
            "next_batch_at": next_batch_at(),
            "state": get_paid_state(request.user),
            "account": payment_account_of(request.user),
            "payouts": Payout.objects.filter(user=request.user).order_by("-created_at", "-pk")[
                :100
            ],
            "Status": Payout.Status,
            "suspended": request.user.is_suspended,
        },
    )
