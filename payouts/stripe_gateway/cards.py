"""Stripe for saved cards: Customers, Checkout in setup mode, PaymentMethods, and off-session
PaymentIntents (with a Checkout session in payment mode when the bank wants the reader).

Nothing here touches the ledger; ``payouts.cards`` decides what the answers mean.
"""

from __future__ import annotations

import dataclasses

import stripe

from payouts.stripe_gateway import client


class CardsUnavailable(Exception):
    """Stripe could not do it (network, configuration, refusal); the message is for logs."""


@dataclasses.dataclass(frozen=True)
class PaymentOutcome:
    """What Stripe said about one payment: ``status`` is ``succeeded``, ``processing``,
    ``requires_action``, ``declined``, ``canceled`` or ``unknown`` (no answer)."""

    status: str
    payment_intent_id: str = ""
    code: str = ""
    message: str = ""


def _intent_outcome(intent: dict) -> PaymentOutcome:
    status = intent.get("status") or ""
    error = intent.get("last_payment_error") or {}
    if status in ("requires_action", "requires_confirmation"):
        return PaymentOutcome("requires_action", intent["id"], "authentication_required")
    if status == "requires_payment_method":
        code = error.get("decline_code") or error.get("code") or "card_declined"
        if code == "authentication_required":
            return PaymentOutcome("requires_action", intent["id"], code, error.get("message", ""))
        return PaymentOutcome("declined", intent["id"], code, error.get("message", ""))
    if status in ("succeeded", "processing", "canceled"):
        return PaymentOutcome(status, intent["id"])
    return PaymentOutcome("unknown", intent.get("id", ""))


def create_customer(*, email: str, user_id: int, idempotency_key: str) -> str:
    try:
        customer = client().v1.customers.create(
            {"email": email, "metadata": {"user": str(user_id)}},
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise CardsUnavailable(str(error.user_message or error)) from error
    return customer["id"]


def create_setup_session(
    *,
    customer_id: str,
    setup_id: int,
    currency: str,
    success_url: str,
    cancel_url: str,
    idempotency_key: str,
) -> dict:
    """A Checkout Session in setup mode: the reader enters a card, Stripe keeps it for
    payments made while the reader is away (``usage=off_session``)."""
    metadata = {"card_setup": str(setup_id)}
    try:
        session = client().v1.checkout.sessions.create(
            {
                "mode": "setup",
                "customer": customer_id,
                "currency": currency.lower(),
                "payment_method_types": ["card"],
                "client_reference_id": str(setup_id),
                "metadata": metadata,
                "setup_intent_data": {"metadata": metadata},
                "success_url": success_url,
                "cancel_url": cancel_url,
            },
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise CardsUnavailable(str(error.user_message or error)) from error
    return session.to_dict()


def setup_session_card(session_id: str) -> dict | None:
    """The card a completed setup session saved: ``{"id", "brand", "last4", "exp_month",
    "exp_year"}``, or None while the session is not complete."""
    try:
        api = client().v1
        session = api.checkout.sessions.retrieve(session_id).to_dict()
        if session["status"] != "complete" or not session.get("setup_intent"):
            return None
        intent = api.setup_intents.retrieve(session["setup_intent"]).to_dict()
        if intent["status"] != "succeeded" or not intent.get("payment_method"):
            return None
        method = api.payment_methods.retrieve(intent["payment_method"]).to_dict()
    except stripe.StripeError as error:
        raise CardsUnavailable(str(error.user_message or error)) from error
    card = method["card"]
    return {
        "id": method["id"],
        "brand": card["brand"],
        "last4": card["last4"],
        "exp_month": int(card["exp_month"]),
        "exp_year": int(card["exp_year"]),
    }


def detach_payment_method(payment_method_id: str) -> None:
    try:
        client().v1.payment_methods.detach(payment_method_id)
    except stripe.InvalidRequestError:
        return  # already detached or gone: the card cannot be charged either way
    except stripe.StripeError as error:
        raise CardsUnavailable(str(error.user_message or error)) from error


def charge_off_session(
    *,
    amount_cents: int,
    currency: str,
    customer_id: str,
    payment_method_id: str,
    metadata: dict,
    description: str,
    idempotency_key: str,
) -> PaymentOutcome:
    """Create and confirm a PaymentIntent while the reader is away. A decline or a request for
    authentication is an answer (``declined``/``requires_action``), not an error; no answer
    at all is ``unknown``: the caller asks again later (``find_payment``)."""
    try:
        intent = client().v1.payment_intents.create(
            {
                "amount": amount_cents,
                "currency": currency.lower(),
                "customer": customer_id,
                "payment_method": payment_method_id,
                "off_session": True,
                "confirm": True,
                "metadata": metadata,
                "description": description,
            },
            options={"idempotency_key": idempotency_key},
        )
    except stripe.CardError as error:
        intent = (error.json_body or {}).get("error", {}).get("payment_intent") or {}
        code = error.code or "card_declined"
        if code == "authentication_required":
            return PaymentOutcome("requires_action", intent.get("id", ""), code, str(error))
        return PaymentOutcome(
            "declined", intent.get("id", ""), getattr(error, "decline_code", "") or code, str(error)
        )
    except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as error:
        return PaymentOutcome("unknown", "", "no_answer", str(error))
    except stripe.StripeError as error:
        raise CardsUnavailable(str(error.user_message or error)) from error
    return _intent_outcome(intent.to_dict())


def retrieve_payment(payment_intent_id: str) -> PaymentOutcome:
    try:
        intent = client().v1.payment_intents.retrieve(payment_intent_id)
    except stripe.StripeError as error:
        raise CardsUnavailable(str(error.user_message or error)) from error
    return _intent_outcome(intent.to_dict())


def find_payment(*, customer_id: str, attempt_key: str) -> PaymentOutcome | None:
    """The PaymentIntent an attempt made, found by its metadata among the customer's
    payments (for an attempt whose answer was lost, once Stripe forgot its key)."""
    try:
        intents = client().v1.payment_intents.list({"customer": customer_id, "limit": 100})
    except stripe.StripeError as error:
        raise CardsUnavailable(str(error.user_message or error)) from error
    for intent in (item.to_dict() for item in intents.data):
        if (intent.get("metadata") or {}).get("attempt") == attempt_key:
            return _intent_outcome(intent)
    return None


def cancel_payment(payment_intent_id: str) -> PaymentOutcome:
    """Cancel an open PaymentIntent; one that cannot be canceled any more is reported as is."""
    api = client().v1
    try:
        intent = api.payment_intents.cancel(payment_intent_id)
    except stripe.InvalidRequestError:
        return retrieve_payment(payment_intent_id)
    except stripe.StripeError as error:
        raise CardsUnavailable(str(error.user_message or error)) from error
    return _intent_outcome(intent.to_dict())


def create_payment_session(
    *,
    customer_id: str,
    amount_cents: int,
    currency: str,
    product_name: str,
    metadata: dict,
    success_url: str,
    cancel_url: str,
    idempotency_key: str,
) -> dict:
    """A Checkout Session in payment mode for the exact amount of a charge, paid by the reader."""
    try:
        session = client().v1.checkout.sessions.create(
            {
                "mode": "payment",
                "customer": customer_id,
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
                "metadata": metadata,
                "payment_intent_data": {"metadata": metadata},
                "success_url": success_url,
                "cancel_url": cancel_url,
            },
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise CardsUnavailable(str(error.user_message or error)) from error
    return session.to_dict()


def refund_payment(*, payment_intent_id: str, idempotency_key: str) -> str:
    try:
        refund = client().v1.refunds.create(
            {"payment_intent": payment_intent_id, "metadata": {"reason": "duplicate_charge"}},
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise CardsUnavailable(str(error.user_message or error)) from error
    return refund["id"]
