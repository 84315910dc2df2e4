"""Reads about wallets: budgets in effect, top-ups and the wallet's history.

Balances are read from the ledger (``payouts.ledger.selectors``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from payouts.funding.models import BudgetChange, TopUp
from payouts.ledger.models import Account, Transfer


def _changes_up_to(at: dt.datetime) -> QuerySet[BudgetChange]:
    """docs/PRODUCT.md, Payday step 1 ("budget changes are kept with their time"): the budget in
    effect at an instant is the last change made at or before it. The one place that says
    so; every budget reader below goes through it."""
    return BudgetChange.objects.filter(created_at__lte=at).order_by("-created_at", "-id")


def budget_in_effect_cents_subquery(user_ref, *, at: dt.datetime | None = None) -> Subquery:
    """The amount of the budget in effect at ``at`` (default now) of the user ``user_ref``
    (an ``OuterRef``), as a subquery to annotate with: NULL when never set."""
    latest = _changes_up_to(at or timezone.now()).filter(user=user_ref)
    return Subquery(latest.values("amount_cents")[:1])


def budget_in_effect(user, *, at: dt.datetime | None = None) -> BudgetChange | None:
    """The reader's budget change in effect at ``at`` (default now), or None if never set.

    For payday's "budget in effect at the end of M", pass ``at=month_last_instant(M)``.
    """
    return _changes_up_to(at or timezone.now()).filter(user=user).first()


def budgets_in_effect_cents(
    *, user_ids: Iterable[int] | QuerySet, at: dt.datetime | None = None
) -> dict[int, int]:
    """Each user's budget in cents in effect at ``at`` (default now), in one query; users
    who never set one are absent. ``user_ids`` may be a list or a subquery."""
    latest = _changes_up_to(at or timezone.now()).filter(user=OuterRef("pk"))
    among = Q(pk__in=user_ids) if isinstance(user_ids, QuerySet) else Q(pk__in_array=user_ids)
    rows = (
        get_user_model()
        .objects.filter(among)
        .annotate(budget=Subquery(latest.values("amount_cents")[:1]))
        .filter(budget__isnull=False)
    )
    return dict(rows.values_list("pk", "budget"))


def wallet_history(user) -> QuerySet[Transfer]:
    """Every transfer in or out of the reader's wallet, newest first."""
    # The wallet's id as a constant: the (debit, time) and (credit, time) indexes find its
    # transfers. Filtered through the joined accounts instead, the OR made PostgreSQL read
    # the whole ledger (1.8 s at a million transfers; issue 19's note has the plans).
    wallet = (
        Account.objects.filter(kind=Account.Kind.WALLET, user=user)
        .values_list("pk", flat=True)
        .first()
    )
    return (
        Transfer.objects.filter(Q(debit_id=wallet) | Q(credit_id=wallet))
        .select_related("debit__user", "credit__user")
        .order_by("-created_at", "-id")
    )


def top_ups_waiting(user) -> QuerySet[TopUp]:
    """The reader's top-ups started but not yet confirmed by the provider."""
    return TopUp.objects.filter(
        user=user, status__in=[TopUp.Status.CREATED, TopUp.Status.PENDING]
    ).order_by("-created_at", "-id")
