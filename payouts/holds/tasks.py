"""The daily release of holds whose date has passed (beat)."""

from __future__ import annotations

from celery import shared_task

from payouts.holds.services import holds_release_due


@shared_task(name="payouts.tasks.release_due_holds")
def release_due_holds() -> dict:
    """Held → earnings for every hold whose date has passed (docs/PRODUCT.md, Holds)."""
    return {"released_cents": holds_release_due()}
