"""The only code that talks to Stripe. Nothing else in the project imports ``stripe``.

Submodules by topic: ``checkout`` (wallet top-ups), ``connect`` (creator accounts
and payouts). This module holds what they share: the configured client and
webhook signature verification.
"""

from __future__ import annotations

import json

import stripe
from django.conf import settings


class StripeNotConfigured(RuntimeError):
    pass


def client() -> stripe.StripeClient:
    """A Stripe client from the settings of this moment (tests point it at the local fake)."""
    if not settings.STRIPE_SECRET_KEY:
        raise StripeNotConfigured("STRIPE_SECRET_KEY is not set")
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else {}
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base,
        # Our own retries reuse the same idempotency key (Celery retry with backoff);
        # the library's silent retries would hide failures from the payout records.
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS),
    )


def verify_event(payload: bytes, signature_header: str, secret: str) -> object:
    """The decoded JSON body of a webhook request, after checking its ``Stripe-Signature``.

    Raises ``stripe.SignatureVerificationError`` or ``ValueError`` when it is not
    a genuine, fresh body signed with ``secret``. A genuine body may still be any JSON
    value: the caller checks that it is an event.
    """
    if not secret:
        raise StripeNotConfigured("no webhook secret is configured")
    stripe.WebhookSignature.verify_header(
        payload, signature_header, secret, stripe.Webhook.DEFAULT_TOLERANCE
    )
    return json.loads(payload)


SignatureVerificationError = stripe.SignatureVerificationError
StripeError = stripe.StripeError
APIConnectionError = stripe.APIConnectionError
InvalidRequestError = stripe.InvalidRequestError
