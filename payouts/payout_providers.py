"""Where payouts go: Stripe Connect transfers, or the offline sandbox of the demo.

A provider's ``send`` either returns the provider's transfer id, or raises
``TransientError`` (unknown outcome: retry later with the same idempotency key)
or ``RefusedError`` (definitive: nothing was sent). The payout services decide
what happens to the money; providers never touch the ledger.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings

from .models import Payout, Provider
from .stripe_gateway import StripeNotConfigured
from .stripe_gateway import connect as stripe_connect
from .stripe_gateway.connect import RefusedError, TransientError

__all__ = ["PayoutProvider", "RefusedError", "TransientError", "provider_for"]


class PayoutProvider(Protocol):
    name: str

    def send(self, payout: Payout) -> str:
        """Send the payout; return the provider's transfer id."""
        ...


class StripeProvider:
    name = Provider.STRIPE

    def send(self, payout: Payout) -> str:
        metadata = {"payout": str(payout.pk), "creator": str(payout.user_id)}
        try:
            if payout.attempts > 1:
                # An earlier attempt may have made the transfer, and Stripe forgets
                # idempotency keys after 24 hours: a resend must not make a second one.
                made = stripe_connect.find_transfer(
                    transfer_group=payout.batch.transfer_group, metadata={"payout": str(payout.pk)}
                )
                if made is not None:
                    return made["id"]
            transfer = stripe_connect.create_transfer(
                amount_cents=payout.amount_cents,
                currency=payout.currency,
                destination=payout.destination,
                transfer_group=payout.batch.transfer_group,
                metadata=metadata,
                idempotency_key=payout.idempotency_key,
            )
        except StripeNotConfigured as error:
            raise RefusedError(str(error), code="not_configured", platform_problem=True) from error
        return transfer["id"]


class SandboxProvider:
    """The demo's provider: every payout succeeds at once, and only while the sandbox is on."""

    name = Provider.SANDBOX

    def send(self, payout: Payout) -> str:
        if not settings.PAYMENTS_SANDBOX:
            raise RefusedError(
                "the offline sandbox is turned off", code="sandbox_off", platform_problem=True
            )
        return f"sandbox_tr_{payout.pk}"


def provider_for(name: str) -> PayoutProvider:
    if name == Provider.STRIPE:
        return StripeProvider()
    if name == Provider.SANDBOX:
        return SandboxProvider()
    raise ValueError(f"unknown payout provider {name!r}")
