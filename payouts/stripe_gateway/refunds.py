"""Stripe refunds: money of a paid top-up going back to the card it came from.

Errors come out as ``connect``'s two exceptions: ``TransientError`` (the outcome is
unknown: ask again with the same idempotency key) and ``RefusedError`` (nothing was
refunded)."""

from __future__ import annotations

from payouts.stripe_gateway import client
from payouts.stripe_gateway.connect import _call


def create_refund(
    *, payment_intent: str, amount_cents: int, metadata: dict, idempotency_key: str
) -> dict:
    """Refund ``amount_cents`` of a payment; returns the refund (``id``, ``status``, ...)."""
    params = {
        "payment_intent": payment_intent,
        "amount": amount_cents,
        "reason": "requested_by_customer",
        "metadata": metadata,
    }
    return _call(client().v1.refunds.create, params, {"idempotency_key": idempotency_key})
