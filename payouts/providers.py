"""Where top-ups are paid: Stripe Checkout, or the offline sandbox of the demo.

A provider's ``start`` opens a payment for a top-up row already written and
returns the URL to send the reader to. Providers never touch the ledger: the
wallet is credited by ``payouts.topups.topup_complete``, called by the signed
Stripe webhook or by the sandbox's test payment page.
"""

from __future__ import annotations

import secrets
from typing import Protocol

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import TopUp
from .stripe_gateway import StripeNotConfigured
from .stripe_gateway import checkout as stripe_checkout


class TopUpUnavailable(Exception):
    """The provider could not open a payment; the message is for the reader."""


class TopUpProvider(Protocol):
    name: str

    def start(self, topup: TopUp, *, success_url: str, cancel_url: str) -> tuple[str, str]:
        """Open a payment for ``topup``; return (provider session id, URL for the reader)."""
        ...


class StripeProvider:
    name = TopUp.Provider.STRIPE

    def start(self, topup: TopUp, *, success_url: str, cancel_url: str) -> tuple[str, str]:
        try:
            session = stripe_checkout.create_session(
                topup_id=topup.pk,
                amount_cents=topup.amount_cents,
                currency=topup.currency,
                product_name=_("Wallet top-up"),
                customer_email=topup.user.email,
                # Stripe replaces the placeholder with the session id on return.
                success_url=f"{success_url}?session_id={{CHECKOUT_SESSION_ID}}",
                cancel_url=cancel_url,
                idempotency_key=f"{topup.ledger_key}:checkout",
            )
        except (StripeNotConfigured, stripe_checkout.CheckoutUnavailable) as error:
            raise TopUpUnavailable(str(error)) from error
        return session["id"], session["url"]


class SandboxProvider:
    """The demo's provider: a test payment page on the platform itself, no real money."""

    name = TopUp.Provider.SANDBOX

    def start(self, topup: TopUp, *, success_url: str, cancel_url: str) -> tuple[str, str]:
        if not settings.PAYMENTS_SANDBOX:
            raise TopUpUnavailable("the payment sandbox is off")
        session_id = f"sbx_{secrets.token_urlsafe(18)}"
        return session_id, reverse("payouts:sandbox_checkout", args=[session_id])


def topup_provider() -> TopUpProvider:
    """The provider of this deployment: the sandbox in the demo, Stripe otherwise."""
    if settings.PAYMENTS_SANDBOX:
        return SandboxProvider()
    return StripeProvider()
