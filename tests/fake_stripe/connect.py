"""Fake Stripe Connect: connected accounts, account and login links, transfers and reversals.

Behaves like the parts of Stripe the payout code relies on: a transfer to an
unknown destination is refused with "No such destination", a transfer larger than
the platform's available balance with ``balance_insufficient``, a transfer to an
account whose ``transfers`` capability is not active with
``insufficient_capabilities_for_transfer``. Idempotency keys are handled by the
server (see server.py). Helpers at the bottom let tests play Stripe's part:
finishing onboarding, reversing a transfer, building signed webhook events.
"""

from __future__ import annotations

import json
import time

from tests.fake_stripe import balance
from tests.fake_stripe.server import FakeStripe, sign_payload

# --- Accounts ------------------------------------------------------------------------


@FakeStripe.route("POST", r"/v1/accounts")
def create_account(fake: FakeStripe, params: dict, match) -> tuple[int, dict]:
    account_id = fake.new_id("acct")
    requested = (params.get("capabilities") or {}).get("transfers", {}).get("requested")
    account = {
        "id": account_id,
        "object": "account",
        "email": params.get("email"),
        "controller": params.get("controller") or {},
        "metadata": params.get("metadata") or {},
        "capabilities": {"transfers": "inactive"} if requested == "true" else {},
        "charges_enabled": False,
        "payouts_enabled": False,
        "details_submitted": False,
        "requirements": {
            "currently_due": ["external_account", "individual.dob.day", "tos_acceptance.date"],
            "eventually_due": ["external_account", "individual.dob.day", "tos_acceptance.date"],
            "past_due": [],
            "disabled_reason": "requirements.past_due",
        },
        "created": int(time.time()),
    }
    return 200, fake.store("accounts", account)


@FakeStripe.route("GET", r"/v1/accounts/(?P<id>acct_[A-Za-z0-9]+)")
def retrieve_account(fake: FakeStripe, params: dict, match) -> tuple[int, dict]:
    account = fake.get("accounts", match["id"])
    if account is None:
        return fake.error(404, f"No such account: '{match['id']}'", code="resource_missing")
    return 200, account


@FakeStripe.route("POST", r"/v1/account_links")
def create_account_link(fake: FakeStripe, params: dict, match) -> tuple[int, dict]:
    account_id = params.get("account", "")
    if fake.get("accounts", account_id) is None:
        return fake.error(400, f"No such account: '{account_id}'", code="resource_missing")
    for field in ("refresh_url", "return_url"):
        if not str(params.get(field, "")).startswith(("http://", "https://")):
            return fake.error(400, f"Invalid URL: {field}", code="url_invalid")
    if params.get("type") not in ("account_onboarding", "account_update"):
        return fake.error(400, "Invalid type", code="parameter_invalid_empty")
    link = {
        "object": "account_link",
        "created": int(time.time()),
        "expires_at": int(time.time()) + 300,
        "url": f"https://connect.stripe.com/setup/e/{account_id}/{fake.new_id('link')}",
        "refresh_url": params["refresh_url"],
        "return_url": params["return_url"],
        "type": params["type"],
    }
    fake.store("account_links", {"id": link["url"], **link})
    return 200, link


@FakeStripe.route("POST", r"/v1/accounts/(?P<id>acct_[A-Za-z0-9]+)/login_links")
def create_login_link(fake: FakeStripe, params: dict, match) -> tuple[int, dict]:
    account = fake.get("accounts", match["id"])
    if account is None:
        return fake.error(404, f"No such account: '{match['id']}'", code="resource_missing")
    if not account["details_submitted"]:
        return fake.error(
            400, "Cannot create a login link for an account that has not completed onboarding."
        )
    return 200, {
        "object": "login_link",
        "created": int(time.time()),
        "url": f"https://connect.stripe.com/express/{fake.new_id('login')}",
    }


# --- Transfers -----------------------------------------------------------------------------


@FakeStripe.route("POST", r"/v1/transfers")
def create_transfer(fake: FakeStripe, params: dict, match) -> tuple[int, dict]:
    try:
        amount = int(params.get("amount", ""))
    except ValueError:
        return fake.error(400, "Invalid integer: amount", code="parameter_invalid_integer")
    if amount <= 0:
        return fake.error(400, "This value must be greater than or equal to 1.")
    destination = params.get("destination", "")
    account = fake.get("accounts", destination)
    if account is None:
        return fake.error(400, f"No such destination: '{destination}'", code="resource_missing")
    if account["capabilities"].get("transfers") != "active":
        return fake.error(
            400,
            "Your destination account needs to have at least one of the following capabilities "
            "enabled: transfers, crypto_transfers, legacy_payments",
            code="insufficient_capabilities_for_transfer",
        )
    if amount > fake.balance_cents:
        return fake.error(
            400,
            "You have insufficient available funds in your Stripe account. Try adding funds "
            "directly to your available balance by creating Charges using the "
            "4000000000000077 test card.",
            code="balance_insufficient",
        )
    fake.balance_cents -= amount
    transfer = {
        "id": fake.new_id("tr"),
        "object": "transfer",
        "amount": amount,
        "amount_reversed": 0,
        "currency": params.get("currency"),
        "destination": destination,
        "transfer_group": params.get("transfer_group"),
        "metadata": params.get("metadata") or {},
        "reversed": False,
        "reversals": {"object": "list", "data": [], "has_more": False},
        "created": int(time.time()),
    }
    fake.store("transfers", transfer)
    txn = balance.record(fake, type_="transfer", amount=-amount, source=transfer["id"])
    transfer["balance_transaction"] = txn["id"]
    return 200, transfer


@FakeStripe.route("GET", r"/v1/transfers")
def list_transfers(fake: FakeStripe, params: dict, match) -> tuple[int, dict]:
    """Newest first, optionally only one ``transfer_group``; one page (``has_more`` false)."""
    transfers = [
        t
        for t in fake.objects["transfers"].values()
        if not params.get("transfer_group") or t["transfer_group"] == params["transfer_group"]
    ]
    transfers.reverse()
    limit = int(params.get("limit") or 10)
    return 200, {
        "object": "list",
        "url": "/v1/transfers",
        "data": transfers[:limit],
        "has_more": len(transfers) > limit,
    }


@FakeStripe.route("GET", r"/v1/transfers/(?P<id>tr_[A-Za-z0-9]+)")
def retrieve_transfer(fake: FakeStripe, params: dict, match) -> tuple[int, dict]:
    transfer = fake.get("transfers", match["id"])
    if transfer is None:
        return fake.error(404, f"No such transfer: '{match['id']}'", code="resource_missing")
    return 200, transfer


# --- Helpers for tests (Stripe's side of the story) -----------------------------------------


def complete_onboarding(fake: FakeStripe, account_id: str) -> dict:
    """The creator finished Stripe's onboarding and Stripe verified them: transfers active."""
    account = fake.get("accounts", account_id)
    account["details_submitted"] = True
    account["payouts_enabled"] = True
    account["capabilities"]["transfers"] = "active"
    account["requirements"] = {
        "currently_due": [],
        "eventually_due": [],
        "past_due": [],
        "disabled_reason": None,
    }
    return account


def restrict(fake: FakeStripe, account_id: str, reason: str = "rejected.fraud") -> dict:
    account = fake.get("accounts", account_id)
    account["capabilities"]["transfers"] = "inactive"
    account["requirements"]["disabled_reason"] = reason
    return account


def forget_idempotency_keys(fake: FakeStripe) -> None:
    """Stripe prunes idempotency keys once they are 24 hours old: a request reusing one
    is done again as a new request."""
    with fake._lock:
        fake._idempotent.clear()


def reverse_transfer(fake: FakeStripe, transfer_id: str, amount: int | None = None) -> dict:
    """Stripe reverses (part of) a transfer: the money comes back to the platform balance."""
    transfer = fake.get("transfers", transfer_id)
    amount = amount if amount is not None else transfer["amount"] - transfer["amount_reversed"]
    reversal = {
        "id": fake.new_id("trr"),
        "object": "transfer_reversal",
        "amount": amount,
        "transfer": transfer_id,
    }
    transfer["amount_reversed"] += amount
    transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
    transfer["reversals"]["data"].append(reversal)
    fake.store("transfer_reversals", reversal)
    balance.record(fake, type_="transfer_refund", amount=amount, source=reversal["id"])
    fake.balance_cents += amount
    return transfer


def signed_event(
    fake: FakeStripe,
    event_type: str,
    obj: dict,
    secret: str,
    *,
    account: str | None = None,
    created: int | None = None,
) -> tuple[str, str]:
    """A webhook delivery as Stripe sends it: (JSON body, Stripe-Signature header)."""
    event = {
        "id": fake.new_id("evt"),
        "object": "event",
        "type": event_type,
        "created": created if created is not None else int(time.time()),
        "livemode": False,
        "data": {"object": json.loads(json.dumps(obj))},
    }
    if account:
        event["account"] = account
    payload = json.dumps(event)
    return payload, sign_payload(payload, secret)
