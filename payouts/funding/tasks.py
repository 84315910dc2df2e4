"""Celery tasks of funding: closing unpaid top-ups whose payment page has expired."""

from __future__ import annotations

from celery import shared_task

from payouts.funding.topups import topup_expire_stale


@shared_task(name="payouts.tasks.expire_stale_top_ups")
def expire_stale_top_ups() -> int:
    """Beat, every 15 minutes: mark expired the top-ups left unpaid (see topup_expire_stale)."""
    return topup_expire_stale()
