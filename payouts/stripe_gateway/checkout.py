"""Stripe Checkout: hosted payment pages for wallet top-ups.

A Checkout Session in ``payment`` mode charges one line item, "Wallet top-up",
of the top-up's amount. The session carries the top-up id (``metadata`` and
``client_reference_id``) so the webhook can find the row written before the
call. Nothing here credits a wallet: only the signed webhook does.
"""

from __future__ import annotations

import stripe

from payouts.stripe_gateway import StripeNotConfigured, client


class CheckoutUnavailable(Exception):
    """Stripe could not create the session; the reader can try again later."""


def create_session(
    *,
    topup_id: int,
    amount_cents: int,
    currency: str,
    product_name: str,
    customer_email: str,
    success_url: str,
    cancel_url: str,
    idempotency_key: str,
    expires_at: int | None = None,
) -> dict:
    """Create a Checkout Session for one top-up; returns it (``id``, ``url``, ...) as a dict."""
    metadata = {"topup": str(topup_id)}
    params = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": currency.lower(),
                    "unit_amount": amount_cents,
                    "product_data": {"name": product_name},
                },
            }
        ],
        "client_reference_id": str(topup_id),
        "metadata": metadata,
        # Copied onto the PaymentIntent, so refunds and disputes carry the top-up id too.
        "payment_intent_data": {"metadata": metadata},
        "customer_email": customer_email,
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    if expires_at is not None:
        # A Unix time: the session closes then and Stripe sends checkout.session.expired.
        params["expires_at"] = expires_at
    try:
        session = client().v1.checkout.sessions.create(
            params, options={"idempotency_key": idempotency_key}
        )
    except stripe.StripeError as error:
        raise CheckoutUnavailable(str(error.user_message or error)) from error
    return session.to_dict()


def expire_session(session_id: str) -> dict:
    """Close an open Checkout Session now (the reader cancelled the top-up); Stripe refuses
    to expire a session that is no longer open."""
    try:
        session = client().v1.checkout.sessions.expire(session_id)
    except stripe.StripeError as error:
        raise CheckoutUnavailable(str(error.user_message or error)) from error
    return session.to_dict()


def retrieve_session(session_id: str) -> dict:
    """The current state of a Checkout Session."""
    try:
        session = client().v1.checkout.sessions.retrieve(session_id)
    except stripe.StripeError as error:
        raise CheckoutUnavailable(str(error.user_message or error)) from error
    return session.to_dict()


def card_fingerprint(payment_intent_id: str) -> str:
    """The fingerprint of the card that paid ``payment_intent_id`` (the same card always has
    the same one), or "" when Stripe cannot say (not a card, or Stripe unreachable)."""
    try:
        intent = client().v1.payment_intents.retrieve(
            payment_intent_id, {"expand": ["latest_charge"]}
        )
    except (stripe.StripeError, StripeNotConfigured):
        return ""
    charge = intent.to_dict().get("latest_charge") or {}
    if not isinstance(charge, dict):
        return ""
    card = (charge.get("payment_method_details") or {}).get("card") or {}
    return str(card.get("fingerprint") or "")[:64]
