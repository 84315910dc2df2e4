from __future__ import annotations

import dataclasses
import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Case, QuerySet, Value, When

from payouts.ledger.services import balance_cents
from tips.clicks.models import Click
from tips.clicks.selectors import current_budget_cents
from tips.payday.split import split_given

# --- This month's estimate --------------------------------------------------------


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
    """PRODUCT.md, Payday step 5, for the readers of ``clicks`` (unrevoked clicks of one
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


def month_estimate(reader, month: dt.date) -> Estimate:
    """What payday would do with ``reader``'s money if ``month`` ended now (tips.split)."""
    budget = current_budget_cents(reader)
    wallet = balance_cents(reader, "wallet")
    given = min(budget, wallet)
    clicks = Click.objects.filter(reader=reader, month=month, revoked_at__isnull=True)
    creator_ids = set(clicks.values_list("creator_id", flat=True)) - {reader.pk}
    creators = get_user_model().objects.in_bulk(creator_ids)
    eligible = eligible_creators_by_reader(clicks).get(reader.pk, set())
    excluded = [creator for pk, creator in creators.items() if pk not in eligible]
    split = split_given(
        month=month,
        reader_pk=reader.pk,
        given_cents=given,
        creator_pks=eligible,
        rate_basis_points=settings.COMMISSION_RATE_BASIS_POINTS,
    )
    return Estimate(
        budget_cents=budget,
        wallet_cents=wallet,
        given_cents=split.given_cents,
        commission_cents=split.commission_cents,
        shares=[(creators[pk], cents) for pk, cents in split.shares.items()],
        excluded=excluded,
    )
