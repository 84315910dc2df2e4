"""The monthly split of one reader's money (docs/PRODUCT.md, Payday, steps 2 to 6).

``split_given`` is a pure function; ``split_reader`` applies it with the platform's
commission rate to what a reader gives. Payday, the This-month estimate, the
dashboards and the home page's example all call these, so there is exactly one
implementation of the arithmetic and one reader of the rate setting.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterable

from django.conf import settings

from flattr_clone.months import format_month


@dataclasses.dataclass(frozen=True)
class Split:
    given_cents: int
    commission_cents: int
    net_cents: int
    # creator pk -> share in cents; creators whose share is zero are absent.
    shares: dict[int, int]


def commission_rate_basis_points() -> int:
    """docs/PRODUCT.md, Payday step 3: the commission rate in basis points (setting, default
    1000)."""
    return settings.COMMISSION_RATE_BASIS_POINTS


def amount_given(*, budget_cents: int, wallet_cents: int) -> int:
    """docs/PRODUCT.md, Payday step 2: ``given`` = min(budget, wallet balance), never below zero."""
    return max(0, min(budget_cents, wallet_cents))


def commission_of(given_cents: int, rate_basis_points: int) -> int:
    """Round half up of ``given × rate``: ``(given * rate + 5000) // 10000``."""
    return (given_cents * rate_basis_points + 5000) // 10000


def leftover_order(month: dt.date, reader_pk: int, creator_pks: Iterable[int]) -> list[int]:
    """Creators in the order leftover cents are handed out: ascending sha256 of
    ``"{YYYY-MM}:{reader_pk}:{creator_pk}"``."""

    prefix = f"{format_month(month)}:{reader_pk}:"

    def digest(creator_pk: int) -> bytes:
        # The raw digest sorts exactly like its hex form (hex keeps byte order), for less work.
        return hashlib.sha256(f"{prefix}{creator_pk}".encode()).digest()

    return sorted(set(creator_pks), key=digest)


def split_given(
    *,
    month: dt.date,
    reader_pk: int,
    given_cents: int,
    creator_pks: Iterable[int],
    rate_basis_points: int,
) -> Split:
    """Split ``given_cents`` of ``reader_pk`` in ``month`` across the eligible ``creator_pks``.

    The caller has already removed the reader and suspended or deleted creators.
    With no creator or nothing given, nothing moves (all zeros).
    """
    if type(given_cents) is not int or given_cents < 0:
        raise ValueError(f"given must be a non-negative integer of cents, not {given_cents!r}")
    creators = set(creator_pks)
    if given_cents == 0 or not creators:
        return Split(0, 0, 0, {})
    commission = commission_of(given_cents, rate_basis_points)
    net = given_cents - commission
    base, leftover = divmod(net, len(creators))
    # Order only matters when there are leftover cents to hand out (payday's hot loop).
    creators = leftover_order(month, reader_pk, creators) if leftover else sorted(creators)
    shares = {}
    for index, creator_pk in enumerate(creators):
        share = base + (1 if index < leftover else 0)
        if share:
            shares[creator_pk] = share
    assert commission + sum(shares.values()) == given_cents
    return Split(given_cents, commission, net, shares)


def split_reader(
    *,
    month: dt.date,
    reader_pk: int,
    budget_cents: int,
    wallet_cents: int,
    creator_pks: Iterable[int],
) -> Split:
    """docs/PRODUCT.md, Payday steps 2 to 6 for one reader: what they give out of ``budget_cents``
    and ``wallet_cents``, split across their eligible ``creator_pks`` at the platform's rate."""
    return split_given(
        month=month,
        reader_pk=reader_pk,
        given_cents=amount_given(budget_cents=budget_cents, wallet_cents=wallet_cents),
        creator_pks=creator_pks,
        rate_basis_points=commission_rate_basis_points(),
    )
