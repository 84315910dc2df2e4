"""Reads of the ledger: balances (docs/PRODUCT.md, Money: "A balance shown anywhere equals the
sum of that account's transfers"; the cached balance is kept equal to it, and
``ledger_check`` proves it)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from payouts.ledger.models import Account


def balances_cents(*, user_ids: Iterable[int] | QuerySet, kind: str) -> dict[int, int]:
    """Each user's balance of one account kind (wallet or earnings), in one query.

    ``user_ids`` may be a list or a subquery; users without such an account are absent
    (their balance is 0).
    """
    ids = user_ids if isinstance(user_ids, QuerySet) else list(user_ids)
    rows = Account.objects.filter(kind=kind, user__in=ids)
    return dict(rows.values_list("user_id", "balance_cents"))


def balance_cents(user, kind: str) -> int:
    """One user's balance of one account kind; 0 when the account does not exist yet."""
    return balances_cents(user_ids=[user.pk], kind=kind).get(user.pk, 0)
