"""What payday would do if the month ended now (docs/PRODUCT.md, Payday, steps 1 to 6), for the
This-month page, the dashboards and the e-mails; and step 5 itself (eligible creators),
which payday uses too."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Case, QuerySet, Value, When

from payouts.funding.selectors import budgets_in_effect_cents
from payouts.ledger.models import Account
from payouts.ledger.selectors import balance_cents, balances_cents
from tips.clicks.models import Click
from tips.payday.split import Split, split_reader


@dataclasses.dataclass(frozen=True)
class Estimate:
    budget_cents: int
    wallet_cents: int
    given_cents: int
    commission_cents: int
    # (creator, share in cents) in the order payday hands out leftover cents.
    shares: list[tuple]
    # Creators clicked who would receive nothing (suspended or deleted accounts).
    excluded: list


def eligible_creators_by_reader(clicks: QuerySet) -> dict[int, set[int]]:
    """docs/PRODUCT.md, Payday step 5, for the readers of ``clicks`` (unrevoked clicks of one
    month): each reader's eligible creators, the distinct owners of what they clicked minus
    the reader minus suspended or deleted creators. Every reader of ``clicks`` is a key, with
    an empty set when nobody is eligible. One query; payday, the estimates and the dashboards
    all use it, so they cannot disagree on who gets a share.
    """
    eligible = Case(
        When(creator__is_active=True, creator__suspended_at__isnull=True, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    pairs = (
        # No ordering: Click's default ordering would turn DISTINCT into "every click".
        clicks.order_by()
        .annotate(eligible=eligible)
        .values_list("reader_id", "creator_id", "eligible")
        .distinct()
    )
    readers: dict[int, set[int]] = {}
    for reader_id, creator_id, is_eligible in pairs:
        creators = readers.setdefault(reader_id, set())
        if is_eligible and creator_id != reader_id:
            creators.add(creator_id)
    return readers


def estimate_splits(*, reader_ids: Iterable[int] | QuerySet, month: dt.date) -> dict[int, Split]:
    """What payday would do for each reader if ``month`` ended now: their budget in effect
    now, their wallet now, their eligible creators (``eligible_creators_by_reader``).

    ``reader_ids`` may be a list or a subquery (``values("reader")``); three queries,
    whatever the number of readers.
    """
    if not isinstance(reader_ids, QuerySet):
        reader_ids = list(set(reader_ids))
        if not reader_ids:
            return {}
    creators = eligible_creators_by_reader(
        Click.objects.filter(month=month, revoked_at__isnull=True, reader__in=reader_ids)
    )
    budgets = budgets_in_effect_cents(user_ids=reader_ids)
    balances = balances_cents(user_ids=reader_ids, kind=Account.Kind.WALLET)
    return {
        reader_id: split_reader(
            month=month,
            reader_pk=reader_id,
            budget_cents=budgets.get(reader_id, 0),
            wallet_cents=balances.get(reader_id, 0),
            creator_pks=creators.get(reader_id, ()),
        )
        for reader_id in set(budgets) | set(creators)
    }


def month_estimate(reader, month: dt.date) -> Estimate:
    """What payday would do with ``reader``'s money if ``month`` ended now, with the
    creators each share goes to and those clicked who would get nothing."""
    budget = budgets_in_effect_cents(user_ids=[reader.pk]).get(reader.pk, 0)
    wallet = balance_cents(reader, Account.Kind.WALLET)
    clicks = Click.objects.filter(reader=reader, month=month, revoked_at__isnull=True)
    creator_ids = set(clicks.values_list("creator_id", flat=True)) - {reader.pk}
    creators = get_user_model().objects.in_bulk(creator_ids)
    eligible = eligible_creators_by_reader(clicks).get(reader.pk, set())
    excluded = [creator for pk, creator in creators.items() if pk not in eligible]
    split = split_reader(
        month=month,
        reader_pk=reader.pk,
        budget_cents=budget,
        wallet_cents=wallet,
        creator_pks=eligible,
    )
    return Estimate(
        budget_cents=budget,
        wallet_cents=wallet,
        given_cents=split.given_cents,
        commission_cents=split.commission_cents,
        shares=[(creators[pk], cents) for pk, cents in split.shares.items()],
        excluded=excluded,
    )
