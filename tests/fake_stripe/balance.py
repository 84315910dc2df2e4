"""Stripe's balance transactions and the platform's payouts, as the fake server keeps them.

Every movement of the platform's Stripe balance is a balance transaction (Stripe's own
ledger): a charge (with its processing fee), a refund, a dispute's withdrawal and
reinstatement (type ``adjustment``, with the dispute fee), a Connect transfer and its
reversal, a Stripe fee (Connect fees) and a payout to the platform's bank. The other fake
modules call ``record`` as they make the objects; tests add the rest with the helpers.
"""

from __future__ import annotations

import time

from tests.fake_stripe.server import FakeStripe

# Stripe's standard European card pricing: 1.5% + 0.25.
CARD_FEE_BASIS_POINTS = 150
CARD_FEE_FIXED_CENTS = 25
DISPUTE_FEE_CENTS = 1500

# Objects a balance transaction's ``source`` can name, by id prefix.
_SOURCES = {
    "ch": "charges",
    "re": "refunds",
    "dp": "disputes",
    "tr": "transfers",
    "trr": "transfer_reversals",
    "po": "payouts",
}


def card_fee(amount_cents: int) -> int:
    return CARD_FEE_FIXED_CENTS + (amount_cents * CARD_FEE_BASIS_POINTS + 5000) // 10000


def record(
    fake: FakeStripe,
    *,
    type_: str,
    amount: int,
    source: str | None,
    fee: int = 0,
    currency: str = "eur",
    category: str | None = None,
    description: str = "",
    created: int | None = None,
) -> dict:
    """A balance transaction; ``amount`` is signed (negative: money left the balance)."""
    txn = {
        "id": fake.new_id("txn"),
        "object": "balance_transaction",
        "amount": amount,
        "fee": fee,
        "net": amount - fee,
        "currency": currency,
        "type": type_,
        "reporting_category": category or type_,
        "source": source,
        "description": description,
        "status": "available",
        "created": int(time.time()) if created is None else created,
        "fee_details": (
            [{"amount": fee, "currency": currency, "type": "stripe_fee", "description": ""}]
            if fee
            else []
        ),
    }
    return fake.store("balance_transactions", txn)


def _expanded(fake: FakeStripe, txn: dict, expand: list) -> dict:
    if "data.source" not in expand or not txn["source"]:
        return txn
    prefix = txn["source"].split("_", 1)[0]
    obj = fake.get(_SOURCES.get(prefix, ""), txn["source"])
    return {**txn, "source": obj or txn["source"]}


def _created_filter(params: dict):
    created = params.get("created") or {}
    low = int(created.get("gte", 0) or 0)
    high = int(created.get("lt", 2**62) or 2**62)
    return lambda obj: low <= obj["created"] < high


def _page(fake: FakeStripe, collection: str, params: dict, url: str, expand: list) -> dict:
    """Newest first, like Stripe; ``limit`` and ``starting_after`` page through them."""
    keep = _created_filter(params)
    rows = [obj for obj in fake.objects[collection].values() if keep(obj)]
    rows.reverse()
    after = params.get("starting_after")
    if after:
        ids = [row["id"] for row in rows]
        rows = rows[ids.index(after) + 1 :] if after in ids else []
    limit = int(params.get("limit") or 10)
    return {
        "object": "list",
        "url": url,
        "data": [_expanded(fake, row, expand) for row in rows[:limit]],
        "has_more": len(rows) > limit,
    }


@FakeStripe.route("GET", r"/v1/balance_transactions")
def list_balance_transactions(fake: FakeStripe, params: dict, match) -> tuple[int, dict]:
    expand = params.get("expand") or []
    if isinstance(expand, dict):
        expand = list(expand.values())
    return 200, _page(fake, "balance_transactions", params, "/v1/balance_transactions", expand)


@FakeStripe.route("GET", r"/v1/payouts")
def list_payouts(fake: FakeStripe, params: dict, match) -> tuple[int, dict]:
    return 200, _page(fake, "payouts", params, "/v1/payouts", [])


# --- Helpers for tests (Stripe's side of the story) -----------------------------------------


def connect_fee(fake: FakeStripe, amount_cents: int, description: str = "Connect fees") -> dict:
    """Stripe charges the platform a Connect fee (active accounts, payouts)."""
    return record(
        fake, type_="stripe_fee", amount=-amount_cents, source=None, description=description
    )


def platform_payout(fake: FakeStripe, amount_cents: int) -> dict:
    """Stripe pays part of the platform's balance out to the platform's own bank."""
    payout = {
        "id": fake.new_id("po"),
        "object": "payout",
        "amount": amount_cents,
        "currency": "eur",
        "status": "paid",
        "arrival_date": int(time.time()) + 86400,
        "created": int(time.time()),
    }
    fake.store("payouts", payout)
    txn = record(fake, type_="payout", amount=-amount_cents, source=payout["id"])
    payout["balance_transaction"] = txn["id"]
    return payout


def balance_of(fake: FakeStripe) -> int:
    """The platform's Stripe balance according to its balance transactions."""
    return sum(txn["net"] for txn in fake.objects["balance_transactions"].values())
