"""Celery tasks that start a whole payout batch: by hand, from beat, or after payday
(``PAYDAY_FOLLOW_UP_TASKS``). The task names are the first version's."""

from __future__ import annotations

from celery import shared_task

from payouts.batches.runs import payout_batch_run


@shared_task(name="payouts.tasks.run_payout_batch")
def run_payout_batch(trigger: str = "manual") -> dict:
    """Run a payout batch now (by hand, or from beat)."""

    return payout_batch_run(trigger=trigger).as_dict()


@shared_task(name="payouts.tasks.payout_batch_after_payday")
def payout_batch_after_payday(month: str) -> dict:
    """PAYDAY_FOLLOW_UP_TASKS: the batch that pays the earnings of ``month``'s payday."""

    return payout_batch_run(trigger=f"payday:{month}").as_dict()
