"""Payday for readers who pay after the month (docs/PRODUCT.md, Payday and Funding).

Separate from the chunk writer on purpose: ``take_pay_after_month_readers`` removes these
readers from a chunk's prepaid plan, and ``month_charges_create`` (in the chunk's
transaction) computes each one's split with ``given`` = budget, stores it with payday's own
idempotency keys on a ``Charge``, and enqueues the charges once the chunk commits. No money
moves here: ``payouts.cards.charges.charge_payment_confirmed`` posts the stored split when
the payment succeeds.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from flattr_clone.months import format_month, month_end, month_of
from payouts.cards.charges import month_split
from payouts.cards.models import Charge, SavedCard
from payouts.cards.services import pay_after_month_readers
from payouts.cards.tasks import charges_enqueue
from payouts.funding.models import FundingMode, ReaderFunding
from payouts.funding.selectors import budgets_in_effect_cents
from tips.clicks.models import Click
from tips.payday.estimates import eligible_creators_by_reader
from tips.payday.keys import commission_key, payday_reference, share_key
from tips.payday.split import commission_rate_basis_points, split_given

logger = logging.getLogger(__name__)


def take_pay_after_month_readers(readers: dict[int, set[int]]) -> dict[int, set[int]]:
    """Remove from ``readers`` (a chunk's readers and their creators) those who pay after the
    month, and return them."""
    charged = pay_after_month_readers(readers)
    return {pk: readers.pop(pk) for pk in sorted(charged)}


def month_charges_create(
    month: dt.date, readers: dict[int, set[int]], budgets: dict[int, int]
) -> list[int]:
    """Steps 1 and 3-6 with ``given`` = budget; one ``Charge`` per reader who gives something,
    idempotent (one per reader and month). Returns the ids of the month's charges of these
    readers, enqueued after commit."""
    if not readers:
        return []
    cards = {
        card.user_id: card
        for card in SavedCard.objects.filter(user_id__in_array=readers, removed_at__isnull=True)
    }
    rate = commission_rate_basis_points()
    reference = payday_reference(month)
    rows = []
    now = timezone.now()
    for reader_pk, creators in readers.items():
        split = split_given(
            month=month,
            reader_pk=reader_pk,
            given_cents=budgets.get(reader_pk, 0),
            creator_pks=creators,
            rate_basis_points=rate,
        )
        if not split.given_cents:
            continue
        card = cards.get(reader_pk)
        if card is None:
            logger.warning(
                "payday %s: reader %s pays after the month without a card", month, reader_pk
            )
            continue
        rows.append(
            Charge(
                user_id=reader_pk,
                kind=Charge.Kind.MONTH,
                month=month,
                amount_cents=split.given_cents,
                currency=settings.PLATFORM_CURRENCY,
                provider=card.provider,
                card=card,
                commission_cents=split.commission_cents,
                split=month_split(
                    reference=reference,
                    commission=(split.commission_cents, commission_key(month, reader_pk))
                    if split.commission_cents
                    else None,
                    shares=[
                        (pk, cents, share_key(month, reader_pk, pk))
                        for pk, cents in sorted(split.shares.items())
                    ],
                ),
                next_attempt_at=now,
            )
        )
    Charge.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    ids = list(
        Charge.objects.filter(
            kind=Charge.Kind.MONTH, month=month, user_id__in_array=readers, attempts__isnull=True
        ).values_list("pk", flat=True)
    )
    charges_enqueue(ids)
    return ids


def charged_readers_subquery(month: dt.date):
    """The readers charged for ``month`` (their split posts under payday's reference later,
    so the run's own totals leave them out)."""
    return Charge.objects.filter(kind=Charge.Kind.MONTH, month=month).values("user_id")


def charge_totals(month: dt.date) -> dict:
    """Money charged after the month, by state, in cents (payday's JSON and dashboard)."""
    rows = Charge.objects.filter(kind=Charge.Kind.MONTH, month=month).aggregate(
        charges=Count("pk"),
        amount=Sum("amount_cents"),
        collected=Sum("amount_cents", filter=Q(status=Charge.Status.SUCCEEDED)),
        pending=Sum("amount_cents", filter=Q(status__in=Charge.OPEN_STATUSES)),
        not_collected=Sum("amount_cents", filter=Q(status=Charge.Status.FAILED)),
        pending_count=Count("pk", filter=Q(status__in=Charge.OPEN_STATUSES)),
        not_collected_count=Count("pk", filter=Q(status=Charge.Status.FAILED)),
    )
    return {name: value or 0 for name, value in rows.items()}


def upcoming_charge_notices(*, now: dt.datetime | None = None) -> int:
    """``PAY_AFTER_NOTICE_DAYS`` before the month ends, tell each reader who pays after the
    month and clicked an eligible creator what will be charged (once per month)."""
    from django.contrib.auth import get_user_model

    from payouts.cards.emails import send_upcoming_charge

    now = now or timezone.now()
    month = month_of(now)
    if month_end(month) - now > dt.timedelta(days=settings.PAY_AFTER_NOTICE_DAYS):
        return 0
    fundings = ReaderFunding.objects.filter(mode=FundingMode.AFTER_MONTH).exclude(
        upcoming_notice_month=month
    )
    reader_ids = list(fundings.values_list("user_id", flat=True))
    creators = eligible_creators_by_reader(
        Click.objects.filter(month=month, revoked_at__isnull=True, reader_id__in=reader_ids)
    )
    budgets = budgets_in_effect_cents(user_ids=list(creators))
    users = get_user_model().objects.in_bulk(list(creators))
    sent = 0
    for reader_pk, found in creators.items():
        if not found or not budgets.get(reader_pk):
            continue
        updated = (
            ReaderFunding.objects.filter(user_id=reader_pk)
            .exclude(upcoming_notice_month=month)
            .update(upcoming_notice_month=month)
        )
        if updated:
            send_upcoming_charge(
                users[reader_pk], month_name=format_month(month), amount_cents=budgets[reader_pk]
            )
            sent += 1
    return sent
