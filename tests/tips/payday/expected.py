"""docs/PRODUCT.md's payday rule written out a second time, independently of tips.payday.split, so
the tests compare the code against the rule rather than against itself."""

from __future__ import annotations

import dataclasses
import datetime as dt

from tests.tips.payday.helpers import sha_order


@dataclasses.dataclass
class Reader:
    pk: int
    budget: int
    wallet: int
    clicked: list[int]  # creator pks, possibly repeated, possibly the reader's own pk


def expected_split(
    month: dt.date, reader_pk: int, given: int, creators: list[int], rate: int = 1000
) -> tuple[int, dict[int, int]]:
    """(commission, {creator: share}) of ``given`` cents over the distinct eligible
    ``creators`` (steps 3 to 6); creators whose share is zero cents are left out."""
    creators = sorted(set(creators))
    if not creators or given <= 0:
        return 0, {}
    commission = (given * rate + 5000) // 10000
    net = given - commission
    shares = {}
    for position, pk in enumerate(sha_order(month, reader_pk, creators)):
        share = net // len(creators) + (position < net % len(creators))
        if share:
            shares[pk] = share
    return commission, shares


def expected_payday(
    month: dt.date, readers: list[Reader], ineligible: set[int], rate: int = 1000
) -> tuple[dict[int, int], dict[int, int], int]:
    """({reader: wallet after}, {creator: earnings received}, commission total)."""
    wallets: dict[int, int] = {}
    earned: dict[int, int] = {}
    commission_total = 0
    for reader in readers:
        creators = sorted({pk for pk in reader.clicked if pk != reader.pk} - ineligible)
        given = min(reader.budget, reader.wallet)
        if not creators or given <= 0:
            wallets[reader.pk] = reader.wallet
            continue
        commission, shares = expected_split(month, reader.pk, given, creators, rate)
        for pk in creators:
            earned[pk] = earned.get(pk, 0) + shares.get(pk, 0)
        wallets[reader.pk] = reader.wallet - given
        commission_total += commission
    return wallets, earned, commission_total
