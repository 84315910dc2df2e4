"""Celery tasks of funding: closing unpaid top-ups whose payment page has expired, releasing
holds whose date has passed."""

from __future__ import annotations

from celery import shared_task

from payouts.funding.holds import holds_release_due
from payouts.funding.topups import topup_expire_stale


@shared_task(name="payouts.tasks.expire_stale_top_ups")
def expire_stale_top_ups() -> int:
    """Beat, every 15 minutes: mark expired the top-ups left unpaid (see topup_expire_stale)."""
    return topup_expire_stale()


@shared_task(name="payouts.tasks.release_due_holds")
def release_due_holds() -> dict:
    """Beat, daily: held → earnings for every hold whose date has passed (docs/PRODUCT.md,
    Holds)."""
    return {"released_cents": holds_release_due()}
