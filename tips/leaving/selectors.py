"""What leaving depends on: what the reader's clicks still need at payday, and whether a
payday must run before an account can close (PRODUCT.md, "Funding" and "Leaving")."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from flattr_clone.months import month_last_instant, month_of
from payouts.funding.selectors import budget_in_effect
from payouts.withdrawals.services import Withdrawable, withdrawable
from tips.clicks.models import Click
from tips.payday.models import PaydayRun


def months_waiting_for_payday(user, *, now: dt.datetime | None = None) -> list[dt.date]:
    """Ended months with a click of ``user`` (not revoked) whose payday has not finished."""
    current = month_of(now or timezone.now())
    months = set(
        Click.objects.filter(reader=user, revoked_at__isnull=True, month__lt=current)
        .values_list("month", flat=True)
        .distinct()
    )
    done = set(
        PaydayRun.objects.filter(month__in=months, status=PaydayRun.Status.DONE).values_list(
            "month", flat=True
        )
    )
    return sorted(months - done)


def _budget_cents(user, at: dt.datetime) -> int:
    change = budget_in_effect(user, at=at)
    return change.amount_cents if change else 0


def reserved_cents(user, *, now: dt.datetime | None = None) -> int:
    """What payday will still take from the wallet for clicks already made: the budget now
    if there is a click this month, plus the budget at the end of each ended month with a
    click whose payday has not finished (capped at the wallet by the caller)."""
    now = now or timezone.now()
    reserve = 0
    if Click.objects.filter(reader=user, revoked_at__isnull=True, month=month_of(now)).exists():
        reserve += _budget_cents(user, now)
    for month in months_waiting_for_payday(user, now=now):
        reserve += _budget_cents(user, month_last_instant(month))
    return reserve


def withdrawable_now(user, *, now: dt.datetime | None = None) -> Withdrawable:
    return withdrawable(user, reserved_cents=reserved_cents(user, now=now))
