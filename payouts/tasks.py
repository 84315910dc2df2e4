"""Celery tasks of the payouts app. Each takes ids (or a month name) and calls one service."""

from __future__ import annotations

from celery import shared_task

# --- Payout batches (issue 6) ------------------------------------------------------


@shared_task(name="payouts.tasks.run_payout_batch")
def run_payout_batch(trigger: str = "manual") -> dict:
    """Run a payout batch now (by hand, or from beat)."""
    from .batches import payout_batch_run

    return payout_batch_run(trigger=trigger).as_dict()


@shared_task(name="payouts.tasks.payout_batch_after_payday")
def payout_batch_after_payday(month: str) -> dict:
    """PAYDAY_FOLLOW_UP_TASKS: the batch that pays the earnings of ``month``'s payday."""
    from .batches import payout_batch_run

    return payout_batch_run(trigger=f"payday:{month}").as_dict()


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
    from .batches import PayoutTransientError, batch_settle, payout_send
    from .models import Payout

    try:
        status = payout_send(payout_id=payout_id)
    except PayoutTransientError as error:
        if self.request.retries >= self.max_retries:
            return "sending"
        countdown = min(60 * 2**self.request.retries, 6 * 60 * 60)
        raise self.retry(exc=error, countdown=countdown) from error
    batch_settle(batch_id=Payout.objects.values_list("batch_id", flat=True).get(pk=payout_id))
    return status


# --- Ledger self-check (issue 3) ---------------------------------------------------


@shared_task(name="payouts.tasks.check_ledger")
def check_ledger() -> dict:
    """Run the ledger self-check (beat: hourly). A failure is logged CRITICAL with the
    report, so the operators' log alerting sees it; the report is also kept in the admin."""
    import logging

    from .ledger import ledger_check

    report = ledger_check()
    if not report.ok:
        logging.getLogger("payouts.ledger").critical(
            "LEDGER CHECK FAILED: money invariants do not hold: %s", report.as_dict()
        )
    return {"status": "ok" if report.ok else "failed", **report.as_dict()}
