"""Selectors (reads) for the reader, creator and operator dashboards.

Past months come from the ledger only: payday posts every reader's money with
the reference ``payday:YYYY-MM`` (commission: wallet → commission account,
distribution: wallet → creator earnings), so a month's numbers are the sums of
those transfers and a dashboard can never disagree with a balance. The current
month is an estimate made with the one payday arithmetic, ``tips.payday.estimates``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.conf import settings
from django.db.models import Count, Q, Sum

from flattr_clone.months import month_of, month_start, previous_month
from payouts.ledger.models import Account, Transfer
from tips.clicks.models import Click
from tips.clicks.selectors import month_clicks
from tips.payday.estimates import Estimate, estimate_splits, month_estimate
from tips.payday.keys import PAYDAY_PREFIX, month_of_reference, payday_reference
from tips.subscriptions.selectors import subscriber_counts
from tips.things.models import Thing


def last_months(count: int = 12, *, until: dt.date | None = None) -> list[dt.date]:
    """The ``count`` months ending with ``until`` (default: the last month that has ended),
    oldest first."""
    month = until or previous_month(month_of())
    months = [month]
    for _ in range(count - 1):
        month = previous_month(month)
        months.append(month)
    return list(reversed(months))


# --- Estimates for the current month --------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CreatorEstimate:
    month: dt.date
    amount_cents: int
    readers: int
    suspended: bool


def creator_estimate(*, creator, month: dt.date | None = None) -> CreatorEstimate:
    """This month's live estimate for ``creator``: the sum of their shares in the split of every
    reader who clicked one of their things this month (or ``month``)."""
    month = month or month_of()
    readers = (
        Click.objects.filter(month=month, creator=creator, revoked_at__isnull=True)
        .exclude(reader=creator)
        .order_by()
        .values("reader")
    )
    count = readers.distinct().count()
    if creator.is_suspended or not creator.is_active:
        return CreatorEstimate(month, 0, count, creator.is_suspended)
    splits = estimate_splits(reader_ids=readers, month=month)
    amount = sum(split.shares.get(creator.pk, 0) for split in splits.values())
    return CreatorEstimate(month, amount, count, False)


# --- Creator ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class MonthEarnings:
    month: dt.date
    readers: int
    amount_cents: int


def creator_earnings_by_month(
    *, creator, months: list[dt.date] | None = None
) -> list[MonthEarnings]:
    """Payday distributions credited to ``creator``'s earnings, per month (oldest first, months
    without any as zero): the amount and the number of distinct readers it came from."""
    months = months or last_months()
    references = [payday_reference(month) for month in months]
    rows = (
        Transfer.objects.filter(
            kind=Transfer.Kind.DISTRIBUTION,
            credit__kind=Account.Kind.EARNINGS,
            credit__user=creator,
            reference__in=references,
        )
        .values("reference")
        .annotate(amount=Sum("amount_cents"), readers=Count("debit", distinct=True))
    )
    by_reference = {row["reference"]: row for row in rows}
    result = []
    for month, reference in zip(months, references, strict=True):
        row = by_reference.get(reference)
        result.append(
            MonthEarnings(month, row["readers"] if row else 0, row["amount"] if row else 0)
        )
    return result


def creator_earnings_all_months(*, creator) -> list[MonthEarnings]:
    """Every month ``creator`` ever received a distribution, oldest first (for the CSV export)."""
    references = (
        Transfer.objects.filter(
            kind=Transfer.Kind.DISTRIBUTION,
            credit__kind=Account.Kind.EARNINGS,
            credit__user=creator,
            reference__startswith=PAYDAY_PREFIX,
        )
        .values_list("reference", flat=True)
        .distinct()
    )
    months = sorted({month_of_reference(reference) for reference in references})
    if not months:
        return []
    return creator_earnings_by_month(creator=creator, months=months)


@dataclasses.dataclass(frozen=True)
class ThingClicks:
    thing: Thing
    this_month: int
    all_time: int
    # Readers whose subscription flattrs the thing every month (running, not paused).
    subscribers: int = 0


def clicks_by_thing(*, creator) -> list[ThingClicks]:
    """``creator``'s things with their unrevoked clicks this month and all time and their
    subscribers, most clicked first."""
    month = month_of()
    counted = Q(clicks__revoked_at__isnull=True)
    things = (
        Thing.objects.filter(owner=creator)
        .annotate(
            this_month=Count("clicks", filter=counted & Q(clicks__month=month)),
            all_time=Count("clicks", filter=counted),
        )
        .order_by("-this_month", "-all_time", "title", "pk")
    )
    things = list(things)
    subscribers = subscriber_counts(thing_ids=[thing.pk for thing in things], month=month)
    return [
        ThingClicks(thing, thing.this_month, thing.all_time, subscribers.get(thing.pk, 0))
        for thing in things
    ]


def payout_progress_percent(balance_cents: int) -> int:
    minimum = settings.PAYOUT_MINIMUM_CENTS
    if minimum <= 0:
        return 100
    return min(100, balance_cents * 100 // minimum)


# --- Reader ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ClickRow:
    click: Click
    # The creator's estimated share; None when the creator is excluded (suspended, deleted).
    share_cents: int | None
    # False on the creator's later rows: their share is counted once, on the first.
    first_for_creator: bool = True


@dataclasses.dataclass(frozen=True)
class ReaderThisMonth:
    month: dt.date
    rows: list[ClickRow]
    estimate: Estimate
    creators: int

    @property
    def budget_cents(self) -> int:
        return self.estimate.budget_cents

    @property
    def balance_cents(self) -> int:
        return self.estimate.wallet_cents

    @property
    def wallet_short(self) -> bool:
        """The wallet cannot cover a full month of the budget."""
        return self.estimate.wallet_cents < self.estimate.budget_cents


def reader_this_month(*, reader) -> ReaderThisMonth:
    """The reader's unrevoked clicks this month with the payday estimate if the month ended now
    (``tips.payday.estimates.month_estimate``, the same one the This-month page shows)."""
    month = month_of()
    estimate = month_estimate(reader, month)
    shares = {creator.pk: cents for creator, cents in estimate.shares}
    excluded = {creator.pk for creator in estimate.excluded}
    rows, seen = [], set()
    for click in month_clicks(reader, month):
        if click.revoked_at is not None:
            continue
        share = None if click.creator_id in excluded else shares.get(click.creator_id, 0)
        rows.append(ClickRow(click, share, click.creator_id not in seen))
        seen.add(click.creator_id)
    creators = len({row.click.creator_id for row in rows})
    return ReaderThisMonth(month, rows, estimate, creators)


# --- Operator ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PlatformMonth:
    month: dt.date
    given_cents: int
    commission_cents: int
    distributed_cents: int
    paying_readers: int
    paid_creators: int
    clicking_readers: int
    clicked_creators: int


def platform_by_month(*, months: list[dt.date] | None = None) -> list[PlatformMonth]:
    """The platform's volume per month (newest first): money from payday transfers, activity
    from clicks. One grouped query for the money and one for the clicks."""
    months = months or last_months()
    references = [payday_reference(month) for month in months]
    distribution = Q(kind=Transfer.Kind.DISTRIBUTION)
    money = {
        row["reference"]: row
        for row in Transfer.objects.filter(
            reference__in=references,
            # Paydays run after their month: the bound lets the BRIN index skip older pages.
            created_at__gte=month_start(min(months)),
            kind__in=[Transfer.Kind.COMMISSION, Transfer.Kind.DISTRIBUTION],
        )
        .values("reference")
        .annotate(
            commission=Sum("amount_cents", filter=Q(kind=Transfer.Kind.COMMISSION)),
            distributed=Sum("amount_cents", filter=distribution),
            # A reader who gave paid the commission or a share: count wallets over both kinds.
            payers=Count("debit", distinct=True),
            payees=Count("credit", distinct=True, filter=distribution),
        )
    }
    activity = {
        row["month"]: row
        for row in Click.objects.filter(month__in=months, revoked_at__isnull=True)
        .values("month")
        .annotate(readers=Count("reader", distinct=True), creators=Count("creator", distinct=True))
    }
    result = []
    for month, reference in zip(months, references, strict=True):
        row = money.get(reference, {})
        commission_cents = row.get("commission") or 0
        distributed_cents = row.get("distributed") or 0
        clicks = activity.get(month, {})
        result.append(
            PlatformMonth(
                month=month,
                given_cents=commission_cents + distributed_cents,
                commission_cents=commission_cents,
                distributed_cents=distributed_cents,
                paying_readers=row.get("payers") or 0,
                paid_creators=row.get("payees") or 0,
                clicking_readers=clicks.get("readers", 0),
                clicked_creators=clicks.get("creators", 0),
            )
        )
    return list(reversed(result))
