"""Building blocks for payday tests: real rows, real ledger postings, no mocks. Wallets are
funded with ``tests.factories.TopUpFactory``."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.utils import timezone

from flattr_clone.months import month_end, month_start
from payouts.funding.models import BudgetChange
from payouts.ledger.models import Account
from tests.factories import BudgetChangeFactory, ClickFactory
from tips.clicks.models import Click

MONTH = dt.date(2025, 3, 1)


def set_budget(user, cents: int, *, at: dt.datetime | None = None) -> BudgetChange:
    return BudgetChangeFactory(user=user, amount_cents=cents, created_at=at or month_start(MONTH))


def click(reader, creator, *, month: dt.date = MONTH, revoked: bool = False) -> Click:
    """A click on a new thing of ``creator``, stored directly (the click service's own rules
    are not ours)."""
    at = month_start(month) + dt.timedelta(days=1)
    return ClickFactory(
        reader=reader,
        thing__owner=creator,
        month=month,
        created_at=at,
        revoked_at=at + dt.timedelta(hours=1) if revoked else None,
    )


def wallet(user) -> int:
    return (
        Account.objects.filter(kind="wallet", user=user)
        .values_list("balance_cents", flat=True)
        .first()
        or 0
    )


def earnings(user) -> int:
    return (
        Account.objects.filter(kind="earnings", user=user)
        .values_list("balance_cents", flat=True)
        .first()
        or 0
    )


def commission_total() -> int:
    return (
        Account.objects.filter(kind="commission").values_list("balance_cents", flat=True).first()
        or 0
    )


def sha_order(month: dt.date, reader_pk: int, creator_pks) -> list[int]:
    """docs/PRODUCT.md's leftover order, recomputed here independently of tips.payday.split."""
    digests = {
        pk: hashlib.sha256(
            f"{month.year:04d}-{month.month:02d}:{reader_pk}:{pk}".encode()
        ).hexdigest()
        for pk in creator_pks
    }
    return sorted(digests, key=digests.__getitem__)


def after(month: dt.date) -> dt.datetime:
    return month_end(month) + dt.timedelta(seconds=1)


def now() -> dt.datetime:
    return timezone.now()
