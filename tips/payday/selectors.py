"""Reads about paydays: what a reader gave, month by month, and to whom."""

from __future__ import annotations

import dataclasses
import datetime as dt

from flattr_clone.progress import Progress
from payouts.ledger.models import Account, Transfer
from tips.payday.keys import payday_reference, payday_transfers
from tips.payday.models import PaydayRecord


@dataclasses.dataclass(frozen=True)
class Share:
    creator: object  # accounts.User
    cents: int


@dataclasses.dataclass
class ReaderMonth:
    """What payday did with one reader's money in one month."""

    month: dt.date
    # The budget in effect at the end of the month, as payday read it.
    budget_cents: int = 0
    given_cents: int = 0
    commission_cents: int = 0
    # Each creator's share, largest first.
    shares: list[Share] = dataclasses.field(default_factory=list)

    @property
    def distributed_cents(self) -> int:
        return self.given_cents - self.commission_cents


def reader_history(
    *, reader, limit: int | None = None, month: dt.date | None = None
) -> list[ReaderMonth]:
    """Every month whose payday processed ``reader`` (newest first; at most ``limit`` of them,
    or only ``month``), with the budget payday used (its ``PaydayRecord``) and the money
    straight from the ledger: the payday transfers out of the reader's wallet, the commission
    and each creator's share. A month that gave nothing is there with zeros."""
    records = PaydayRecord.objects.filter(reader=reader).order_by("-month")
    if month is not None:
        records = records.filter(month=month)
    records = records.values_list("month", "budget_cents")
    if limit is not None:
        records = records[:limit]
    history = {
        payday_reference(record_month): ReaderMonth(record_month, budget_cents=budget_cents)
        for record_month, budget_cents in records
    }
    if not history:
        return []
    wallet_id = (
        Account.objects.filter(kind=Account.Kind.WALLET, user=reader)
        .values_list("pk", flat=True)
        .first()
    )
    if wallet_id is None:  # never funded: every month gave nothing
        return list(history.values())
    transfers = (
        Transfer.objects.filter(
            # The wallet's id as a constant: the (debit, time) index finds its few transfers.
            debit_id=wallet_id,
            kind__in=[Transfer.Kind.COMMISSION, Transfer.Kind.DISTRIBUTION],
            reference__in=list(history),
        )
        .select_related("credit__user")
        .order_by("-amount_cents", "credit__user__handle")
    )
    for transfer in transfers:
        entry = history[transfer.reference]
        entry.given_cents += transfer.amount_cents
        if transfer.kind == Transfer.Kind.COMMISSION:
            entry.commission_cents += transfer.amount_cents
        else:
            entry.shares.append(Share(transfer.credit.user, transfer.amount_cents))
    return list(history.values())


def reader_month(*, reader, month: dt.date) -> ReaderMonth:
    """What ``reader`` gave at the payday of ``month`` (all zeros when nothing)."""
    found = reader_history(reader=reader, month=month)
    return found[0] if found else ReaderMonth(month)


def payday_progress(*, month: dt.date) -> Progress:
    """How far the payday of ``month`` is: chunks done of the total, money moved so far (from
    the ledger), and whether it has ended (done, or failed with its last error)."""
    from django.db.models import Sum

    from tips.payday.models import PaydayRun

    run = PaydayRun.objects.get(month=month)
    moved = (
        Transfer.objects.filter(payday_transfers(month)).aggregate(total=Sum("amount_cents"))[
            "total"
        ]
        or 0
    )
    failed = run.status == PaydayRun.Status.FAILED
    return Progress(
        done=run.chunks_done,
        total=run.chunks_total,
        unit="chunks",
        moved_cents=moved,
        finished=run.status == PaydayRun.Status.DONE or failed,
        failure=(run.last_error or "failed") if failed else "",
    )
