"""Payout batches (docs/PRODUCT.md, Payouts): one run pays every eligible creator.

A run resumes payouts left in flight, writes one payout per eligible creator
(``payouts.batches.services.payout_create``), sends each, and schedules a retry
(``payouts.batches.tasks.retry_payout``) for every unknown outcome.
"""

from __future__ import annotations

import secrets

from django.core.cache import cache

from payouts.batches.models import Payout, PayoutBatch
from payouts.batches.services import (
    BatchAlreadyRunning,
    BatchSummary,
    PayoutTransientError,
    batch_settle,
    batch_summary,
    eligible_earnings,
    payout_create,
    payout_send,
)
from payouts.batches.tasks import retry_payout
from payouts.funding.holds import holds_release_due
from payouts.ledger.alerts import alert_operators

_LOCK_KEY = "payouts:batch-lock"


_LOCK_SECONDS = 60 * 60


# --- The batch -------------------------------------------------------------------------


def payout_batch_run(*, trigger: str = "manual") -> BatchSummary:
    """Run one payout batch: resume payouts left in flight, then pay every eligible creator.

    Only one batch runs at a time. Safe to run again at any moment: payouts still
    ``sending`` are sent again with their own idempotency key.
    """
    token = secrets.token_hex(8)
    if not cache.add(_LOCK_KEY, token, _LOCK_SECONDS):
        raise BatchAlreadyRunning("another payout batch is running")
    try:
        return _run_batch(trigger)
    except Exception as error:
        # docs/PRODUCT.md, Alerts: a batch that failed is told to the operators at once.
        alert_operators(
            f"Payout batch failed ({trigger})",
            f"{type(error).__name__}: {error}\nPayouts left in flight are sent again by the "
            "next batch (python manage.py payouts).",
        )
        raise
    finally:
        if cache.get(_LOCK_KEY) == token:
            cache.delete(_LOCK_KEY)


def _run_batch(trigger: str) -> BatchSummary:
    """Resume payouts left in flight, then pay every eligible creator (the lock is held)."""
    resumed = payouts_resume()
    batch = payout_batch_prepare(trigger=trigger)
    for payout_id in batch.payouts.filter(status=Payout.Status.SENDING).values_list(
        "pk", flat=True
    ):
        _send_or_schedule_retry(payout_id)
    batch_settle(batch_id=batch.pk)
    return batch_summary(batch, resumed=resumed)


def payout_batch_preview() -> BatchSummary:
    """What a batch would do now, without writing anything (``--dry-run``)."""
    eligible = eligible_earnings()
    return BatchSummary(
        batch=None,
        payouts=len(eligible),
        paid=0,
        failed=0,
        sending=0,
        amount=sum(a.balance_cents for a in eligible),
        resumed=Payout.objects.filter(status=Payout.Status.SENDING).count(),
        status="dry_run",
        dry_run=True,
    )


def payout_batch_prepare(*, trigger: str) -> PayoutBatch:
    """Step one of a batch: a new batch with one payout per eligible creator, money in transit.

    No provider is called here; ``payout_send`` does that for each payout.
    """
    # Money whose hold has ended is available to this batch (docs/PRODUCT.md, Holds).
    holds_release_due()
    batch = PayoutBatch.objects.create(trigger=trigger[:40])
    for earnings in eligible_earnings():
        payout_create(batch=batch, user=earnings.user)
    return batch


def payouts_resume() -> int:
    """Send again every payout still in flight from earlier runs (same idempotency keys)."""
    pending = list(
        Payout.objects.filter(status=Payout.Status.SENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for payout_id in pending:
        _send_or_schedule_retry(payout_id)
    for batch_id in set(Payout.objects.filter(pk__in=pending).values_list("batch_id", flat=True)):
        batch_settle(batch_id=batch_id)
    return len(pending)


def _send_or_schedule_retry(payout_id: int) -> None:

    try:
        payout_send(payout_id=payout_id)
    except PayoutTransientError:
        retry_payout.delay_on_commit(payout_id)


def payout_retry_failed(*, payouts) -> BatchSummary | None:
    """Operators: pay again, now, the creators of these failed payouts (whole current earnings).

    A new payout with a new key is safe: the failed one was definitively refused.
    The flag is ignored, since an operator chose to retry; suspension and the
    payment account's state are not. Creators with a newer payout are skipped.
    """
    users = []
    for payout in payouts:
        if payout.status != Payout.Status.FAILED:
            continue
        if Payout.objects.filter(user_id=payout.user_id, pk__gt=payout.pk).exists():
            continue
        if payout.user not in users:
            users.append(payout.user)
    if not users:
        return None
    batch = PayoutBatch.objects.create(trigger="retry")
    created = [payout_create(batch=batch, user=user, ignore_flag=True) for user in users]
    for payout in created:
        if payout is not None:
            _send_or_schedule_retry(payout.pk)
    batch_settle(batch_id=batch.pk)
    return batch_summary(batch)
