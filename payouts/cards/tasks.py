"""Celery tasks of saved cards: one attempt of a charge, the beat job for charges that are due,
and what follows a payday (automatic top-ups, month charges not tried yet, switch-off)."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from payouts.cards.charges import charge_collect, charges_due
from payouts.cards.topups import charges_after_payday_run


@shared_task(name="payouts.tasks.collect_charge", acks_late=True)
def collect_charge(*, charge_id: int) -> str:
    """Make the next attempt of one charge, if it is due (see charge_collect)."""
    return charge_collect(charge_id)


@shared_task(name="payouts.tasks.charges_due")
def charges_due_task() -> int:
    """Beat, every 15 minutes: retry declined charges on schedule, ask about lost answers."""
    return charges_due()


@shared_task(name="payouts.cards.tasks.charges_after_payday")
def charges_after_payday(*, month: str) -> dict:
    """A payday follow-up: automatic top-ups, then every month charge not tried yet."""
    return charges_after_payday_run(month=month)


def charges_enqueue(charge_ids) -> None:
    """After the caller's transaction commits, try each charge (a Celery task each)."""
    ids = list(charge_ids)
    transaction.on_commit(lambda: [collect_charge.delay(charge_id=pk) for pk in ids])
