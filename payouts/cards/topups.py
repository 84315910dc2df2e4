"""After payday (docs/PRODUCT.md, Funding): automatic top-ups of prepaid wallets that hold
less than next month's budget, and the month's charges not tried yet. When the operators have
switched "pay after the month" off, its readers are moved back to prepaid here, after the
payday of their last month in it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from flattr_clone.months import parse_month
from payouts.cards.charges import charge_collect
from payouts.cards.models import Charge, SavedCard
from payouts.cards.services import move_everyone_to_prepaid
from payouts.funding.models import FundingMode, ReaderFunding
from payouts.funding.selectors import budgets_in_effect_cents
from payouts.ledger.models import Account


def auto_top_ups_create(*, month: dt.date) -> list[int]:
    """One automatic top-up per prepaid reader who chose one, has a card in use, and whose
    wallet holds less than the budget now in effect (next month's). Idempotent per month."""
    fundings = list(ReaderFunding.objects.filter(mode=FundingMode.PREPAID, auto_top_up_cents__gt=0))
    if not fundings:
        return []
    ids = [funding.user_id for funding in fundings]
    cards = {
        card.user_id: card
        for card in SavedCard.objects.filter(user_id__in=ids, removed_at__isnull=True)
    }
    budgets = budgets_in_effect_cents(user_ids=ids)
    wallets = dict(
        Account.objects.filter(kind=Account.Kind.WALLET, user_id__in=ids).values_list(
            "user_id", "balance_cents"
        )
    )
    created = []
    for funding in fundings:
        card = cards.get(funding.user_id)
        budget = budgets.get(funding.user_id, 0)
        if card is None or not budget or wallets.get(funding.user_id, 0) >= budget:
            continue
        try:
            with transaction.atomic():
                charge = Charge.objects.create(
                    user_id=funding.user_id,
                    kind=Charge.Kind.TOP_UP,
                    month=month,
                    amount_cents=funding.auto_top_up_cents,
                    currency=settings.PLATFORM_CURRENCY,
                    provider=card.provider,
                    card=card,
                    next_attempt_at=timezone.now(),
                )
        except IntegrityError:
            continue  # this month's top-up exists already
        created.append(charge.pk)
    return created


def charges_after_payday_run(*, month: str) -> dict:
    month_date = parse_month(month)
    top_ups = auto_top_ups_create(month=month_date)
    tried = 0
    pending = Charge.objects.filter(
        month=month_date, status=Charge.Status.PENDING, attempts__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(pending):
        charge_collect(pk)
        tried += 1
    moved = 0 if settings.PAY_AFTER_MONTH_ENABLED else move_everyone_to_prepaid()
    return {"month": month, "auto_top_ups": len(top_ups), "tried": tried, "moved_to_prepaid": moved}
