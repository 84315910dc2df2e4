"""Reads about wallets: budgets in effect, balances, top-ups and the wallet's history."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from flattr_clone.months import month_end
from payouts.funding.models import BudgetChange, TopUp
from payouts.ledger.models import Account, Transfer


def budget_at(user, moment: dt.datetime) -> BudgetChange | None:
    """The budget change in effect at ``moment`` (the last one made at or before it)."""
    return (
        BudgetChange.objects.filter(user=user, created_at__lte=moment)
        .order_by("-created_at", "-id")
        .first()
    )


def budget_in_effect_at_end_of(user, month: dt.date) -> int | None:
    """The reader's budget in cents when ``month`` ended (payday's step 1), or None if unset.

    A change made exactly at the first instant of the next month belongs to that month.
    """
    change = (
        BudgetChange.objects.filter(user=user, created_at__lt=month_end(month))
        .order_by("-created_at", "-id")
        .first()
    )
    return change.amount_cents if change else None


def current_budget(user) -> int | None:
    """The reader's monthly budget in cents now, or None when they never set one."""
    change = budget_at(user, timezone.now())
    return change.amount_cents if change else None


def wallet_balance(user) -> int:
    """The wallet's balance in cents (0 before the first top-up)."""
    value = (
        Account.objects.filter(kind=Account.Kind.WALLET, user=user)
        .values_list("balance_cents", flat=True)
        .first()
    )
    return value or 0


def wallet_history(user) -> QuerySet[Transfer]:
    """Every transfer in or out of the reader's wallet, newest first."""
    return (
        Transfer.objects.filter(
            Q(debit__kind=Account.Kind.WALLET, debit__user=user)
            | Q(credit__kind=Account.Kind.WALLET, credit__user=user)
        )
        .select_related("debit__user", "credit__user")
        .order_by("-created_at", "-id")
    )


def top_ups_waiting(user) -> QuerySet[TopUp]:
    """The reader's top-ups started but not yet confirmed by the provider."""
    return TopUp.objects.filter(
        user=user, status__in=[TopUp.Status.CREATED, TopUp.Status.PENDING]
    ).order_by("-created_at", "-id")
