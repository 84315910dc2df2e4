"""The payout worker task: send one payout again after an unknown outcome.

Enqueued by ``payouts.batches.runs``; the task name is the first version's.
"""

from __future__ import annotations

from celery import shared_task

from payouts.batches.models import Payout
from payouts.batches.services import PayoutTransientError, batch_settle, payout_send


@shared_task(
    bind=True,
    name="payouts.tasks.retry_payout",
    max_retries=10,
    # No autoretry: only an unknown outcome is retried, never a refusal.
    acks_late=True,
)
def retry_payout(self, payout_id: int) -> str:
    """Send a payout in flight again after a transient provider error, with the same
    idempotency key, waiting longer each time (1 min, 2, 4 … up to 6 h). After the last
    retry the payout stays in flight; the next batch picks it up."""
    try:
        status = payout_send(payout_id=payout_id)
    except PayoutTransientError as error:
        if self.request.retries >= self.max_retries:
            return "sending"
        countdown = min(60 * 2**self.request.retries, 6 * 60 * 60)
        raise self.retry(exc=error, countdown=countdown) from error
    batch_settle(batch_id=Payout.objects.values_list("batch_id", flat=True).get(pk=payout_id))
    return status
