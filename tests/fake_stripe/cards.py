"""Fake Stripe for saved cards: Customers, Checkout in setup mode, SetupIntents,
PaymentMethods, off-session PaymentIntents (with their failure modes) and refunds.

Test cards (Stripe's own numbers) decide what a charge does:
- ``4242424242424242`` succeeds;
- ``4000000000000002`` is declined (``card_declined`` / ``generic_decline``);
- ``4000000000009995`` is declined for ``insufficient_funds``;
- ``4000002760003184`` needs authentication when charged while the reader is away
  (402 ``authentication_required``; the PaymentIntent waits in ``requires_payment_method``).
``set_card_behaviour`` changes what a saved card does next (a decline, then a success).
Helpers at the bottom play the reader's part: completing a setup session with a card.
"""

from __future__ import annotations

import time

from tests.fake_stripe import checkout
from tests.fake_stripe.server import FakeStripe

TEST_CARDS = {
    "4242424242424242": "succeeded",
    "4000000000000002": "declined",
    "4000000000009995": "insufficient_funds",
    "4000002760003184": "authentication_required",
}


@FakeStripe.route("POST", r"/v1/customers")
def create_customer(fake: FakeStripe, params: dict, match) -> tuple[int, dict]:
    customer = {
        "id": fake.new_id("cus"),
        "object": "customer",
        "email": params.get("email"),
        "metadata": params.get("metadata") or {},
        "created": int(time.time()),
        "livemode": False,
    }
    return 200, fake.store("customers", customer)


def create_setup_session(fake: FakeStripe, params: dict) -> tuple[int, dict]:
    """``POST /v1/checkout/sessions`` with ``mode=setup`` (dispatched from checkout.py)."""
    customer = params.get("customer")
    if not customer or fake.get("customers", customer) is None:
        return fake.error(400, f"No such customer: '{customer}'", code="resource_missing")
    if not params.get("currency"):
        return fake.error(400, "Missing required param: currency.", code="parameter_missing")
    for name in ("success_url", "cancel_url"):
        if not str(params.get(name, "")).startswith(("http://", "https://")):
            return fake.error(400, f"Not a valid URL: {name}", code="url_invalid")
    session_id = fake.new_id("cs_test")
    now = int(time.time())
    session = {
        "id": session_id,
        "object": "checkout.session",
        "mode": "setup",
        "status": "open",
        "payment_status": "no_payment_required",
        "customer": customer,
        "currency": params["currency"],
        "client_reference_id": params.get("client_reference_id"),
        "metadata": params.get("metadata") or {},
        "setup_intent": None,
        "success_url": params["success_url"],
        "cancel_url": params["cancel_url"],
        "url": f"https://checkout.stripe.test/c/setup/{session_id}",
        "created": now,
        "expires_at": now + 24 * 60 * 60,
        "livemode": False,
    }
    fake.objects["setup_intent_metadata"][session_id] = (params.get("setup_intent_data") or {}).get(
        "metadata"
    ) or {}
    return 200, fake.store("checkout_sessions", session)


@FakeStripe.route("GET", r"/v1/setup_intents/(?P<id>seti_[A-Za-z0-9]+)")
def retrieve_setup_intent(fake: FakeStripe, params: dict, match) -> tuple[int, dict]:
    intent = fake.get("setup_intents", match["id"])
    if intent is None:
        return fake.error(404, f"No such setupintent: '{match['id']}'", code="resource_missing")
    return 200, intent


@FakeStripe.route("GET", r"/v1/payment_methods/(?P<id>pm_[A-Za-z0-9]+)")
def retrieve_payment_method(fake: FakeStripe, params: dict, match) -> tuple[int, dict]:
    method = fake.get("payment_methods", match["id"])
    if method is None:
        return fake.error(404, f"No such PaymentMethod: '{match['id']}'", code="resource_missing")
    return 200, _public(method)


@FakeStripe.route("POST", r"/v1/payment_methods/(?P<id>pm_[A-Za-z0-9]+)/detach")
def detach_payment_method(fake: FakeStripe, params: dict, match) -> tuple[int, dict]:
    method = fake.get("payment_methods", match["id"])
    if method is None:
        return fake.error(404, f"No such PaymentMethod: '{match['id']}'", code="resource_missing")
    if not method["customer"]:
        return fake.error(
            400,
            "The payment method you provided is not attached to a customer so detachment is "
            "impossible.",
            code="payment_method_unexpected_state",
        )
    method["customer"] = None
    return 200, _public(method)


def _public(method: dict) -> dict:
    return {key: value for key, value in method.items() if not key.startswith("_")}


@FakeStripe.route("POST", r"/v1/payment_intents")
def create_payment_intent(fake: FakeStripe, params: dict, match) -> tuple[int, dict]:
    amount = str(params.get("amount", ""))
    if not amount.isdigit() or int(amount) <= 0:
        return fake.error(400, "Invalid positive integer: amount", code="parameter_invalid")
    method = fake.get("payment_methods", params.get("payment_method") or "")
    if method is None:
        return fake.error(400, "No such PaymentMethod", code="resource_missing")
    customer = params.get("customer")
    if method["customer"] != customer:
        return fake.error(
            400,
            "The provided PaymentMethod was previously used without being attached to a "
            "Customer or was detached from a Customer, and may not be used again.",
            code="payment_method_unexpected_state",
        )
    if params.get("confirm") != "true" or params.get("off_session") != "true":
        return fake.error(400, "Only confirmed off-session payments are imitated.")
    intent = {
        "id": fake.new_id("pi"),
        "object": "payment_intent",
        "amount": int(amount),
        "amount_received": 0,
        "currency": params.get("currency"),
        "customer": customer,
        "payment_method": method["id"],
        "metadata": params.get("metadata") or {},
        "description": params.get("description"),
        "status": "processing",
        "last_payment_error": None,
        "created": int(time.time()),
        "livemode": False,
    }
    fake.store("payment_intents", intent)
    behaviour = method["_behaviour"]
    if behaviour == "succeeded":
        _succeed(fake, intent)
        return 200, intent
    if behaviour == "authentication_required":
        error = {
            "type": "card_error",
            "code": "authentication_required",
            "message": "Your card was declined. This transaction requires authentication.",
        }
    else:
        error = {
            "type": "card_error",
            "code": "card_declined",
            "decline_code": "insufficient_funds"
            if behaviour == "insufficient_funds"
            else "generic_decline",
            "message": "Your card was declined.",
        }
    intent.update(status="requires_payment_method", last_payment_error=dict(error))
    return 402, {"error": {**error, "payment_intent": dict(intent)}}


def _succeed(fake: FakeStripe, intent: dict) -> None:
    method = fake.get("payment_methods", intent.get("payment_method") or "") or {}
    charge_id = fake.new_id("ch")
    intent.update(status="succeeded", amount_received=intent["amount"], latest_charge=charge_id)
    charge = fake.store(
        "charges",
        {
            "id": charge_id,
            "object": "charge",
            "amount": intent["amount"],
            "amount_refunded": 0,
            "refunded": False,
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "metadata": {},
            "paid": True,
            # The same card always has the same fingerprint (a card paid through a payment
            # page without a saved method: a new one).
            "payment_method_details": {
                "type": "card",
                "card": {
                    "fingerprint": (method.get("card") or {}).get("fingerprint")
                    or fake.new_id("fp"),
                    "brand": "visa",
                    "last4": "4242",
                },
            },
        },
    )
    # The money reaches the platform's balance, minus Stripe's fee (reconciliation reads it).
    checkout.charge_settled(fake, charge)


# GET /v1/payment_intents/<id> (with ``expand[]=latest_charge``): tests/fake_stripe/checkout.py


@FakeStripe.route("GET", r"/v1/payment_intents")
def list_payment_intents(fake: FakeStripe, params: dict, match) -> tuple[int, dict]:
    intents = [
        intent
        for intent in fake.objects["payment_intents"].values()
        if not params.get("customer") or intent["customer"] == params["customer"]
    ]
    intents.sort(key=lambda intent: intent["created"], reverse=True)
    limit = int(params.get("limit") or 10)
    return 200, {
        "object": "list",
        "data": intents[:limit],
        "has_more": len(intents) > limit,
        "url": "/v1/payment_intents",
    }


@FakeStripe.route("POST", r"/v1/payment_intents/(?P<id>pi_[A-Za-z0-9]+)/cancel")
def cancel_payment_intent(fake: FakeStripe, params: dict, match) -> tuple[int, dict]:
    intent = fake.get("payment_intents", match["id"])
    if intent is None:
        return fake.error(404, f"No such payment_intent: '{match['id']}'", code="resource_missing")
    if intent["status"] not in (
        "requires_payment_method",
        "requires_capture",
        "requires_confirmation",
        "requires_action",
        "processing",
    ):
        return fake.error(
            400,
            f"You cannot cancel this PaymentIntent because it has a status of {intent['status']}.",
            code="payment_intent_unexpected_state",
        )
    intent.update(status="canceled", cancellation_reason="requested_by_customer")
    return 200, intent


# --- Helpers: the reader's part ----------------------------------------------------------


def complete_setup(fake: FakeStripe, session_id: str, number: str = "4242424242424242") -> dict:
    """The reader enters test card ``number`` on Stripe's setup page and confirms."""
    session = fake.get("checkout_sessions", session_id)
    assert session["mode"] == "setup" and session["status"] == "open"
    method = {
        "id": fake.new_id("pm"),
        "object": "payment_method",
        "type": "card",
        "customer": session["customer"],
        "card": {
            "brand": "visa",
            "last4": number[-4:],
            "exp_month": 4,
            "exp_year": 2031,
            "fingerprint": fake.new_id("fp"),
        },
        "_behaviour": TEST_CARDS[number],
    }
    fake.store("payment_methods", method)
    intent = {
        "id": fake.new_id("seti"),
        "object": "setup_intent",
        "status": "succeeded",
        "usage": "off_session",
        "customer": session["customer"],
        "payment_method": method["id"],
        "metadata": fake.objects["setup_intent_metadata"].get(session_id, {}),
    }
    fake.store("setup_intents", intent)
    session.update(status="complete", setup_intent=intent["id"], url=None)
    return dict(session)


def set_card_behaviour(fake: FakeStripe, payment_method_id: str, number: str) -> None:
    """From now on the saved card behaves like test card ``number`` (e.g. the bank relents)."""
    fake.get("payment_methods", payment_method_id)["_behaviour"] = TEST_CARDS[number]


def pay_charge_session(fake: FakeStripe, session_id: str) -> dict:
    """The reader pays a charge's Checkout session (authenticating with the bank): a succeeded
    PaymentIntent carrying the session's metadata."""
    session = fake.get("checkout_sessions", session_id)
    intent = {
        "id": fake.new_id("pi"),
        "object": "payment_intent",
        "amount": session["amount_total"],
        "amount_received": 0,
        "currency": session["currency"],
        "customer": session.get("customer"),
        "payment_method": None,
        "metadata": fake.objects["payment_intent_metadata"].get(session_id, {}),
        "status": "processing",
        "last_payment_error": None,
        "created": int(time.time()),
        "livemode": False,
    }
    fake.store("payment_intents", intent)
    _succeed(fake, intent)
    session.update(status="complete", payment_status="paid", payment_intent=intent["id"])
    return dict(session)
