"""The monthly subscription run's worker task: one chunk of subscriptions. Enqueued by
``tips.subscriptions.runs``."""

from __future__ import annotations

from celery import shared_task

from tips.subscriptions.chunks import subscription_chunk_process


@shared_task(name="tips.subscriptions.tasks.subscription_chunk", acks_late=True)
def subscription_chunk(*, chunk_id: int) -> bool:
    """Make the clicks of one chunk of a subscription run (a no-op when it is done)."""
    return subscription_chunk_process(chunk_id=chunk_id)
