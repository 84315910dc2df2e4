"""Withdrawal tasks: send the refunds of a withdrawal, and ask again for the ones left behind.

An unknown outcome (timeout, Stripe unreachable) is not retried in place: the part stays
"being refunded", its money in transit, and ``resend_withdrawals`` (beat, every 15 minutes)
asks again with the same idempotency key, so a refund is made once whatever happens."""

from __future__ import annotations

from celery import shared_task

from payouts.withdrawals.services import (
    WithdrawalTransientError,
    withdrawal_send,
    withdrawals_unsent,
)


@shared_task(name="payouts.withdrawals.tasks.send_withdrawal", acks_late=True)
def send_withdrawal(withdrawal_id: int) -> str:
    """Ask the provider for a withdrawal's refunds; "sending" when an outcome is unknown."""
    try:
        withdrawal_send(withdrawal_id=withdrawal_id)
    except WithdrawalTransientError:
        return "sending"
    return "done"


@shared_task(name="payouts.withdrawals.tasks.resend_withdrawals")
def resend_withdrawals() -> int:
    """Beat: refunds still being sent after ten minutes are asked again."""
    ids = withdrawals_unsent()
    for withdrawal_id in ids:
        send_withdrawal.delay(withdrawal_id)
    return len(ids)
