"""The payment providers: Stripe, or the offline sandbox of the demo. One module, one enum.

A provider opens payments for top-ups (``start_topup``: returns the provider's session
id and the URL to send the reader to) and sends payouts (``send_payout``: returns the
provider's transfer id, or raises ``TransientError`` for an unknown outcome, to retry
with the same idempotency key, or ``RefusedError`` when nothing was sent). Providers
never touch the ledger: the funding and payout services decide what the money does.
Only ``payouts.stripe_gateway`` talks to Stripe.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from payouts.stripe_gateway import StripeNotConfigured
from payouts.stripe_gateway import checkout as stripe_checkout
from payouts.stripe_gateway import connect as stripe_connect
from payouts.stripe_gateway import refunds as stripe_refunds
from payouts.stripe_gateway.connect import RefusedError, TransientError

if TYPE_CHECKING:
    from payouts.batches.models import Payout
    from payouts.funding.models import TopUp

__all__ = [
    "PaymentProvider",
    "Provider",
    "RefusedError",
    "TopUpUnavailable",
    "TransientError",
    "deployment_provider",
    "provider_for",
]


class Provider(models.TextChoices):
    """Where money comes from and goes to; stored on top-ups, payment accounts and payouts."""

    STRIPE = "stripe", gettext_lazy("Stripe")
    SANDBOX = "sandbox", gettext_lazy("Offline sandbox (demo)")


class TopUpUnavailable(Exception):
    """The provider could not open a payment; the message is for the reader."""


class PaymentProvider(Protocol):
    name: str

    def start_topup(self, topup: TopUp, *, success_url: str, cancel_url: str) -> tuple[str, str]:
        """Open a payment for ``topup``; return (provider session id, URL for the reader)."""
        ...

    def close_topup(self, topup: TopUp) -> str:
        """Close the payment page of an unpaid top-up; return the provider's state of it."""
        ...

    def send_payout(self, payout: Payout) -> str:
        """Send the payout; return the provider's transfer id."""
        ...

    def refund_topup(self, topup: TopUp, *, amount_cents: int, idempotency_key: str) -> str:
        """Give ``amount_cents`` of a paid top-up back to the card it came from; return the
        provider's refund id (``TransientError``: unknown outcome; ``RefusedError``: none)."""
        ...


class StripeProvider:
    name = Provider.STRIPE

    def start_topup(self, topup: TopUp, *, success_url: str, cancel_url: str) -> tuple[str, str]:
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
                expires_at=int(topup.expires_at.timestamp()),
            )
        except (StripeNotConfigured, stripe_checkout.CheckoutUnavailable) as error:
            raise TopUpUnavailable(str(error)) from error
        return session["id"], session["url"]

    def close_topup(self, topup: TopUp) -> str:
        """Close the top-up's payment page; returns its state at Stripe afterwards
        (``expired``, or ``complete`` when the reader paid in the meantime)."""
        try:
            return stripe_checkout.expire_session(topup.session_id)["status"]
        except stripe_checkout.CheckoutUnavailable:
            # Not open any more: paid, or expired already. Stripe's answer says which.
            try:
                return stripe_checkout.retrieve_session(topup.session_id)["status"]
            except (StripeNotConfigured, stripe_checkout.CheckoutUnavailable) as error:
                raise TopUpUnavailable(str(error)) from error
        except StripeNotConfigured as error:
            raise TopUpUnavailable(str(error)) from error

    def refund_topup(self, topup: TopUp, *, amount_cents: int, idempotency_key: str) -> str:
        if not topup.payment_id:
            raise RefusedError("the top-up has no Stripe payment to refund", code="no_payment")
        try:
            refund = stripe_refunds.create_refund(
                payment_intent=topup.payment_id,
                amount_cents=amount_cents,
                metadata={"topup": str(topup.pk), "reference": idempotency_key},
                idempotency_key=idempotency_key,
            )
        except StripeNotConfigured as error:
            raise RefusedError(str(error), code="not_configured", platform_problem=True) from error
        if refund.get("status") in ("failed", "canceled"):
            raise RefusedError(refund.get("failure_reason") or "refund failed", code="failed")
        return refund["id"]

    def send_payout(self, payout: Payout) -> str:
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
    """The demo's provider: a test payment page on the platform itself and payouts that
    succeed at once; no real money, and only while the sandbox is on."""

    name = Provider.SANDBOX

    def start_topup(self, topup: TopUp, *, success_url: str, cancel_url: str) -> tuple[str, str]:
        if not settings.PAYMENTS_SANDBOX:
            raise TopUpUnavailable("the payment sandbox is off")
        session_id = f"sbx_{secrets.token_urlsafe(18)}"
        return session_id, reverse("payouts:sandbox_checkout", args=[session_id])

    def close_topup(self, topup: TopUp) -> str:
        return "expired"

    def refund_topup(self, topup: TopUp, *, amount_cents: int, idempotency_key: str) -> str:
        if not settings.PAYMENTS_SANDBOX:
            raise RefusedError(
                "the offline sandbox is turned off", code="sandbox_off", platform_problem=True
            )
        return f"sandbox_re_{idempotency_key}"

    def send_payout(self, payout: Payout) -> str:
        if not settings.PAYMENTS_SANDBOX:
            raise RefusedError(
                "the offline sandbox is turned off", code="sandbox_off", platform_problem=True
            )
        return f"sandbox_tr_{payout.pk}"


def provider_for(name: str) -> PaymentProvider:
    """The provider a stored row names (a payout goes where its payment account is)."""
    if name == Provider.STRIPE:
        return StripeProvider()
    if name == Provider.SANDBOX:
        return SandboxProvider()
    raise ValueError(f"unknown payment provider {name!r}")


def deployment_provider() -> PaymentProvider:
    """The provider new top-ups use: the sandbox in the demo, Stripe otherwise."""
    return provider_for(Provider.SANDBOX if settings.PAYMENTS_SANDBOX else Provider.STRIPE)
