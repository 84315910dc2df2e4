"""Payday's worker task: one chunk of readers. Enqueued by ``tips.payday.services``.

The task name is the first version's (``tips.tasks.*``): queued messages name it.
"""

from __future__ import annotations

from celery import shared_task

from tips.payday.chunks import payday_chunk_process


@shared_task(name="tips.tasks.payday_chunk", acks_late=True)
def payday_chunk(*, chunk_id: int) -> bool:
    """Process one chunk of a payday run (a no-op when it is already done)."""

    return payday_chunk_process(chunk_id=chunk_id)
