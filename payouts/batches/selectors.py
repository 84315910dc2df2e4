"""Reads about payouts."""

from __future__ import annotations

from payouts.batches.models import Payout


def latest_payout(*, user) -> Payout | None:
    """The creator's most recent payout, whatever its state."""
    return Payout.objects.filter(user=user).order_by("-created_at", "-pk").first()
