"""Fake Stripe refunds: ``POST /v1/refunds`` of part or all of a paid payment intent.

Like Stripe: the payment intent must exist and be paid, the amount a positive integer no
larger than what is left unrefunded (``amount_too_large`` otherwise, and
``charge_already_refunded`` when nothing is left), a disputed charge cannot be refunded
(``charge_disputed``). A refund succeeds at once; the charge's ``amount_refunded`` grows and
the platform's balance records it."""

from __future__ import annotations

import time

from tests.fake_stripe import balance
from tests.fake_stripe.server import FakeStripe


@FakeStripe.route("POST", r"/v1/refunds")
def create_refund(fake: FakeStripe, params: dict, match) -> tuple[int, dict]:
    intent = params.get("payment_intent", "")
    charge = next(
        (c for c in fake.objects["charges"].values() if c["payment_intent"] == intent), None
    )
    if charge is None:
        return fake.error(404, f"No such payment_intent: '{intent}'", code="resource_missing")
    if not charge.get("paid"):
        return fake.error(400, "This PaymentIntent has not succeeded.", code="charge_not_paid")
    if any(d["payment_intent"] == intent for d in fake.objects["disputes"].values()):
        return fake.error(400, f"Charge {charge['id']} has been disputed.", code="charge_disputed")
    left = charge["amount"] - charge["amount_refunded"]
    amount = params.get("amount", str(left))
    if not str(amount).isdigit() or int(amount) <= 0:
        return fake.error(400, "Invalid positive integer: amount", code="parameter_invalid")
    if left <= 0:
        return fake.error(
            400, f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded"
        )
    if int(amount) > left:
        return fake.error(
            400,
            f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
            code="amount_too_large",
        )
    charge["amount_refunded"] += int(amount)
    charge["refunded"] = charge["amount_refunded"] == charge["amount"]
    refund = {
        "id": fake.new_id("re"),
        "object": "refund",
        "amount": int(amount),
        "charge": charge["id"],
        "payment_intent": intent,
        "currency": charge["currency"],
        "metadata": params.get("metadata") or {},
        "reason": params.get("reason"),
        "status": "succeeded",
        "created": int(time.time()),
    }
    fake.store("refunds", refund)
    # The money leaves the platform's balance (reconciliation reads it).
    balance.record(fake, type_="refund", amount=-int(amount), source=refund["id"])
    return 200, refund
