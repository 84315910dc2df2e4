"""Building blocks for payday tests: real rows, real ledger postings, no mocks."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools

from django.utils import timezone

from flattr_clone.months import month_end, month_start
from payouts.funding.models import BudgetChange
from payouts.ledger.models import Account, Transfer
from payouts.ledger.services import post_transfer, system_account, wallet_of
from tips.clicks.models import Click
from tips.things.models import Thing

MONTH = dt.date(2025, 3, 1)
_serial = itertools.count(1)


def fund(user, cents: int) -> None:
    """A top-up from the sandbox, as the wallet feature posts it."""
    post_transfer(
        debit=system_account(Account.Kind.EXTERNAL, "sandbox"),
        credit=wallet_of(user),
        amount_cents=cents,
        idempotency_key=f"test-topup:{next(_serial)}",
        kind=Transfer.Kind.TOP_UP,
    )


def set_budget(user, cents: int, *, at: dt.datetime | None = None) -> BudgetChange:
    return BudgetChange.objects.create(
        user=user, amount_cents=cents, created_at=at or month_start(MONTH)
    )


def click(reader, creator, *, month: dt.date = MONTH, revoked: bool = False) -> Click:
    """A click made directly in the database (the click service's own rules are not ours)."""
    serial = next(_serial)
    thing = Thing.objects.create(
        owner=creator, url=f"https://example.com/{creator.pk}/{serial}", title=f"Post {serial}"
    )
    at = month_start(month) + dt.timedelta(days=1)
    return Click.objects.create(
        reader=reader,
        thing=thing,
        creator=creator,
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
    """PRODUCT.md's leftover order, recomputed here independently of tips.split."""
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
