"""PRODUCT.md's payday rule written out a second time, independently of tips.split, so the
tests compare the code against the rule rather than against itself."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib


@dataclasses.dataclass
class Reader:
    pk: int
    budget: int
    wallet: int
    clicked: list[int]  # creator pks, possibly repeated, possibly the reader's own pk


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
        commission = (given * rate + 5000) // 10000
        net = given - commission
        order = sorted(
            creators,
            key=lambda pk: hashlib.sha256(
                f"{month.year:04d}-{month.month:02d}:{reader.pk}:{pk}".encode()
            ).hexdigest(),
        )
        for position, pk in enumerate(order):
            earned[pk] = earned.get(pk, 0) + net // len(order) + (position < net % len(order))
        wallets[reader.pk] = reader.wallet - given
        commission_total += commission
    return wallets, earned, commission_total
