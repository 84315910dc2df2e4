"""Fake Stripe Checkout: sessions in payment mode, and what happens after the reader pays.

Behaves like the parts of Stripe the top-up code relies on: a session needs
``mode=payment``, one line item with a positive integer ``unit_amount`` and a
currency, and both return URLs; it is created ``open`` and ``unpaid`` with a
hosted ``url``; ``success_url`` keeps the ``{CHECKOUT_SESSION_ID}`` placeholder.
Idempotency keys are handled by the server (see server.py).

Helpers at the bottom play Stripe's and the card holder's parts: paying a session
(card or delayed bank debit), refunding or disputing its charge, and building and
delivering signed webhook events to the platform.
"""

from __future__ import annotations

import json
import time

from tests.fake_stripe import balance
from tests.fake_stripe.server import FakeStripe, sign_payload

PLATFORM_WEBHOOK_SECRET = "whsec_test_platform"


@FakeStripe.route("POST", r"/v1/checkout/sessions")
def create_session(fake: FakeStripe, params: dict, match) -> tuple[int, dict]:
    if params.get("mode") == "setup":
        from tests.fake_stripe.cards import create_setup_session

        return create_setup_session(fake, params)
    if params.get("mode") != "payment":
        return fake.error(400, "Only payment mode is imitated.", code="parameter_invalid")
    for name in ("success_url", "cancel_url"):
        if not str(params.get(name, "")).startswith(("http://", "https://")):
            return fake.error(400, f"Not a valid URL: {name}", code="url_invalid")
    items = params.get("line_items") or []
    if len(items) != 1:
        return fake.error(400, "Exactly one line item is imitated.", code="parameter_invalid")
    price = items[0].get("price_data") or {}
    amount = price.get("unit_amount", "")
    if not str(amount).isdigit() or int(amount) <= 0:
        return fake.error(400, "Invalid positive integer: unit_amount", code="parameter_invalid")
    if not price.get("currency") or not (price.get("product_data") or {}).get("name"):
        return fake.error(400, "Missing currency or product name.", code="parameter_missing")
    now = int(time.time())
    expires_at = params.get("expires_at", "")
    if expires_at == "":
        expires_at = now + 24 * 60 * 60  # Stripe's default: 24 hours
    elif not str(expires_at).isdigit() or not (
        now + 30 * 60 - 5 <= int(expires_at) <= now + 24 * 60 * 60 + 5
    ):
        return fake.error(
            400,
            "The expires_at timestamp must be between 30 minutes and 24 hours from now.",
            code="parameter_invalid",
        )
    session_id = fake.new_id("cs_test")
    session = {
        "id": session_id,
        "object": "checkout.session",
        "mode": "payment",
        "status": "open",
        "payment_status": "unpaid",
        "amount_total": int(amount) * int(items[0].get("quantity", "1")),
        "currency": price["currency"],
        "client_reference_id": params.get("client_reference_id"),
        "customer_email": params.get("customer_email"),
        "customer": params.get("customer"),
        "metadata": params.get("metadata") or {},
        "payment_intent": None,
        "success_url": params["success_url"],
        "cancel_url": params["cancel_url"],
        "url": f"https://checkout.stripe.test/c/pay/{session_id}",
        "created": now,
        "expires_at": int(expires_at),
        "livemode": False,
    }
    fake.objects["payment_intent_metadata"][session_id] = (
        params.get("payment_intent_data") or {}
    ).get("metadata") or {}
    return 200, fake.store("checkout_sessions", session)


@FakeStripe.route("GET", r"/v1/payment_intents/(?P<id>pi_[A-Za-z0-9]+)")
def retrieve_payment_intent(fake: FakeStripe, params: dict, match) -> tuple[int, dict]:
    intent = fake.get("payment_intents", match["id"])
    if intent is None:
        return fake.error(404, f"No such payment_intent: '{match['id']}'", code="resource_missing")
    expand = params.get("expand") or []
    if isinstance(expand, dict):
        expand = list(expand.values())
    if "latest_charge" in expand and intent.get("latest_charge"):
        return 200, {**intent, "latest_charge": fake.get("charges", intent["latest_charge"])}
    return 200, intent


def _expire_if_due(session: dict) -> None:
    """Stripe closes an open session at its ``expires_at``."""
    if session["status"] == "open" and time.time() >= session["expires_at"]:
        session.update(status="expired", url=None)


@FakeStripe.route("GET", r"/v1/checkout/sessions/(?P<id>cs_test_[A-Za-z0-9]+)")
def retrieve_session(fake: FakeStripe, params: dict, match) -> tuple[int, dict]:
    session = fake.get("checkout_sessions", match["id"])
    if session is None:
        return fake.error(
            404, f"No such checkout.session: '{match['id']}'", code="resource_missing"
        )
    _expire_if_due(session)
    return 200, session


@FakeStripe.route("POST", r"/v1/checkout/sessions/(?P<id>cs_test_[A-Za-z0-9]+)/expire")
def expire_session(fake: FakeStripe, params: dict, match) -> tuple[int, dict]:
    """Close an open session now; Stripe refuses for a session that is not open."""
    session = fake.get("checkout_sessions", match["id"])
    if session is None:
        return fake.error(
            404, f"No such checkout.session: '{match['id']}'", code="resource_missing"
        )
    _expire_if_due(session)
    if session["status"] != "open":
        return fake.error(
            400,
            f'Only Checkout Sessions with a status in ["open"] can be expired. This '
            f'Checkout Session has a status of "{session["status"]}".',
            code="checkout_session_expire_unexpected_status",
        )
    session.update(status="expired", url=None)
    return 200, session


def let_session_expire(fake: FakeStripe, session_id: str) -> dict:
    """Time passes beyond the session's ``expires_at`` (Stripe then sends the event)."""
    session = fake.get("checkout_sessions", session_id)
    session["expires_at"] = int(time.time()) - 1
    _expire_if_due(session)
    return dict(session)


# --- Helpers: Stripe's and the card holder's parts -------------------------------------


def pay_session(
    fake: FakeStripe, session_id: str, *, delayed: bool = False, card: str | None = None
) -> dict:
    """The reader pays on Stripe's page. With ``delayed`` (a bank debit) the session completes
    unpaid; ``settle_session`` confirms it later. ``card`` is the card's fingerprint (a new
    card each time unless told)."""
    session = fake.get("checkout_sessions", session_id)
    payment_intent = fake.new_id("pi")
    charge = {
        "id": fake.new_id("ch"),
        "object": "charge",
        "amount": session["amount_total"],
        "amount_refunded": 0,
        "refunded": False,
        "currency": session["currency"],
        "payment_intent": payment_intent,
        # Charges do not carry the session's metadata: refunds are matched by payment intent.
        "metadata": {},
        "paid": not delayed,
        "payment_method_details": {
            "type": "card",
            "card": {"fingerprint": card or fake.new_id("fp"), "brand": "visa", "last4": "4242"},
        },
    }
    fake.store("charges", charge)
    fake.store(
        "payment_intents",
        {"id": payment_intent, "object": "payment_intent", "latest_charge": charge["id"]},
    )
    if not delayed:
        charge_settled(fake, charge)
    session.update(
        status="complete",
        payment_status="unpaid" if delayed else "paid",
        payment_intent=payment_intent,
    )
    return dict(session)


def settle_session(fake: FakeStripe, session_id: str) -> dict:
    """A delayed payment succeeds."""
    session = fake.get("checkout_sessions", session_id)
    session["payment_status"] = "paid"
    charge = charge_of(fake, session["payment_intent"])
    charge["paid"] = True
    charge_settled(fake, charge)
    return dict(session)


def charge_settled(fake: FakeStripe, charge: dict) -> None:
    """The money reaches the platform's balance, minus Stripe's processing fee."""
    txn = balance.record(
        fake,
        type_="charge",
        amount=charge["amount"],
        fee=balance.card_fee(charge["amount"]),
        source=charge["id"],
        category="charge",
    )
    charge["balance_transaction"] = txn["id"]


def charge_of(fake: FakeStripe, payment_intent: str) -> dict:
    return next(
        c for c in fake.objects["charges"].values() if c["payment_intent"] == payment_intent
    )


def refund(fake: FakeStripe, payment_intent: str, amount_cents: int) -> dict:
    """Refund part of a charge; Stripe reports the cumulative ``amount_refunded``."""
    charge = charge_of(fake, payment_intent)
    charge["amount_refunded"] += amount_cents
    assert charge["amount_refunded"] <= charge["amount"], "Stripe refuses refunding more"
    charge["refunded"] = charge["amount_refunded"] == charge["amount"]
    refund_object = fake.store(
        "refunds",
        {
            "id": fake.new_id("re"),
            "object": "refund",
            "amount": amount_cents,
            "charge": charge["id"],
            "payment_intent": payment_intent,
            "status": "succeeded",
        },
    )
    balance.record(fake, type_="refund", amount=-amount_cents, source=refund_object["id"])
    return dict(charge)


def dispute(fake: FakeStripe, payment_intent: str, amount_cents: int | None = None) -> dict:
    charge = charge_of(fake, payment_intent)
    dispute = {
        "id": fake.new_id("dp"),
        "object": "dispute",
        "amount": charge["amount"] if amount_cents is None else amount_cents,
        "currency": charge["currency"],
        "charge": charge["id"],
        "payment_intent": payment_intent,
        "metadata": {},
        "reason": "fraudulent",
        "status": "needs_response",
        "balance_transactions": [],
    }
    fake.store("disputes", dispute)
    # The disputed amount and the dispute fee leave the platform's balance at once.
    txn = balance.record(
        fake,
        type_="adjustment",
        amount=-dispute["amount"],
        fee=balance.DISPUTE_FEE_CENTS,
        source=dispute["id"],
        category="dispute",
    )
    dispute["balance_transactions"].append(txn)
    return dict(dispute)


def win_dispute(fake: FakeStripe, dispute_id: str, *, fee_returned: bool = False) -> dict:
    """The bank sides with the platform: the disputed amount comes back (``funds_reinstated``
    then ``closed`` with status won); in some countries the dispute fee too."""
    dispute = fake.get("disputes", dispute_id)
    dispute["status"] = "won"
    txn = balance.record(
        fake,
        type_="adjustment",
        amount=dispute["amount"],
        fee=-balance.DISPUTE_FEE_CENTS if fee_returned else 0,
        source=dispute["id"],
        category="dispute_reversal",
    )
    dispute["balance_transactions"].append(txn)
    return dict(dispute)


def lose_dispute(fake: FakeStripe, dispute_id: str) -> dict:
    """The bank sides with the card holder: nothing comes back (``closed``, status lost)."""
    dispute = fake.get("disputes", dispute_id)
    dispute["status"] = "lost"
    return dict(dispute)


def event(fake: FakeStripe, event_type: str, obj: dict) -> dict:
    return {
        "id": fake.new_id("evt"),
        "object": "event",
        "type": event_type,
        "api_version": "2026-10-28.endive",
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }


def deliver(client, event: dict, *, secret: str = PLATFORM_WEBHOOK_SECRET, signature=None):
    """POST ``event`` to the platform webhook, signed like Stripe does (Django test client)."""
    body = json.dumps(event)
    header = sign_payload(body, secret) if signature is None else signature
    extra = {"HTTP_STRIPE_SIGNATURE": header} if header else {}
    return client.post("/webhooks/stripe/", data=body, content_type="application/json", **extra)
