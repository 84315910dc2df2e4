"""Reads about paydays: what a reader gave, month by month, and to whom."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict

from payouts.ledger.models import Account, Transfer
from tips.payday.keys import PAYDAY_PREFIX, month_of_reference
from tips.payday.models import PaydayRecord


@dataclasses.dataclass
class Share:
    creator: object  # accounts.User
    cents: int


@dataclasses.dataclass
class MonthGiven:
    month: dt.date
    budget_cents: int
    given_cents: int
    commission_cents: int
    shares: list[Share]

    @property
    def distributed_cents(self) -> int:
        return self.given_cents - self.commission_cents


def history_of(user) -> list[MonthGiven]:
    """Every payday month of ``user`` as a reader, newest first, with each creator's share read
    from the ledger (the transfers referenced ``payday:<YYYY-MM>`` out of their wallet)."""
    shares: dict[dt.date, list[Share]] = defaultdict(list)
    transfers = (
        Transfer.objects.filter(
            kind=Transfer.Kind.DISTRIBUTION,
            debit__kind=Account.Kind.WALLET,
            debit__user=user,
            reference__startswith=PAYDAY_PREFIX,
        )
        .select_related("credit__user")
        .order_by("-amount_cents", "credit__user__handle")
    )
    for transfer in transfers:
        month = month_of_reference(transfer.reference)
        shares[month].append(Share(transfer.credit.user, transfer.amount_cents))
    return [
        MonthGiven(
            month=record.month,
            budget_cents=record.budget_cents,
            given_cents=record.given_cents,
            commission_cents=record.commission_cents,
            shares=shares.get(record.month, []),
        )
        for record in PaydayRecord.objects.filter(reader=user).order_by("-month")
    ]
