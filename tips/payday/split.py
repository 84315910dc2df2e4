"""The monthly split of one reader's money (PRODUCT.md, Payday, steps 3 to 6).

A pure function: payday, the "this month" estimate and the tests all call it,
so there is exactly one implementation of the arithmetic.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterable


@dataclasses.dataclass(frozen=True)
class Split:
    given_cents: int
    commission_cents: int
    net_cents: int
    # creator pk -> share in cents; creators whose share is zero are absent.
    shares: dict[int, int]


def commission_of(given_cents: int, rate_basis_points: int) -> int:
    """Round half up of ``given × rate``: ``(given * rate + 5000) // 10000``."""
    return (given_cents * rate_basis_points + 5000) // 10000


def leftover_order(month: dt.date, reader_pk: int, creator_pks: Iterable[int]) -> list[int]:
    """Creators in the order leftover cents are handed out: ascending sha256 of
    ``"{YYYY-MM}:{reader_pk}:{creator_pk}"``."""

    prefix = f"{month:%Y-%m}:{reader_pk}:"

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
