"""Withdrawal tasks: send the refunds of a withdrawal, and find the ones left behind."""

from __future__ import annotations

from celery import shared_task

from payouts.withdrawals.services import (
    WithdrawalTransientError,
    withdrawal_send,
    withdrawals_unsent,
)


@shared_task(bind=True, name="payouts.withdrawals.tasks.send_withdrawal", max_retries=10)
def send_withdrawal(self, withdrawal_id: int) -> str:
    """Ask the provider for a withdrawal's refunds; an unknown outcome is asked again with
    the same idempotency keys, waiting longer each time (1 min, 2, 4 … up to 6 h)."""
    try:
        withdrawal_send(withdrawal_id=withdrawal_id)
    except WithdrawalTransientError as error:
        if self.request.retries >= self.max_retries:
            return "sending"
        countdown = min(60 * 2**self.request.retries, 6 * 3600)
        raise self.retry(exc=error, countdown=countdown) from error
    return "done"


@shared_task(name="payouts.withdrawals.tasks.resend_withdrawals")
def resend_withdrawals() -> int:
    """Beat: refunds still being sent after ten minutes (a lost task) are asked again."""
    ids = withdrawals_unsent()
    for withdrawal_id in ids:
        send_withdrawal.delay(withdrawal_id)
    return len(ids)
