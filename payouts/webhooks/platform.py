"""Handlers of the platform's Stripe webhook (``/webhooks/stripe/``): top-ups, refunds,
disputes, and reversals of payout transfers.

Each handler reads Stripe's object and calls one typed service; what it returns is
stored on the event's ``ProviderEvent``. An event about a session or payment the
platform does not know is recorded as ``unknown`` and moves no money.
"""

from __future__ import annotations

import logging

from payouts.batches.services import payout_reversal_record
from payouts.funding.models import TopUp
from payouts.funding.topups import (
    TopUpMismatch,
    TopUpUnknown,
    topup_abandon,
    topup_complete,
    topup_dispute,
    topup_refund,
    topup_waiting,
)
from payouts.providers import Provider
from payouts.webhooks.models import ProviderEvent
from payouts.webhooks.services import EventHandlers, Handled

logger = logging.getLogger(__name__)


STRIPE = Provider.STRIPE

PLATFORM_EVENTS = EventHandlers(provider=STRIPE)


def _row_id(value) -> int | None:
    """The id of one of our rows that we put in a Stripe object (a string of digits)."""
    value = str(value or "")
    return int(value) if value.isdigit() else None


def _topup_id(obj: dict) -> int | None:
    return _row_id((obj.get("metadata") or {}).get("topup") or obj.get("client_reference_id"))


@PLATFORM_EVENTS.handles("checkout.session.completed", "checkout.session.async_payment_succeeded")
def _session_paid_or_waiting(event: dict) -> Handled:
    session = event["data"]["object"]
    lookup = {"provider": STRIPE, "session_id": session["id"], "topup_id": _topup_id(session)}
    try:
        if session.get("payment_status") != "paid":
            topup = topup_waiting(**lookup)
            return Handled(ProviderEvent.Outcome.PROCESSED, topup, "payment not confirmed yet")
        topup = topup_complete(
            **lookup,
            amount_cents=int(session.get("amount_total") or 0),
            currency=session.get("currency") or "",
            payment_id=session.get("payment_intent") or "",
        )
    except TopUpUnknown as error:
        return Handled(ProviderEvent.Outcome.UNKNOWN, note=str(error))
    except TopUpMismatch as error:
        logger.error("Stripe session does not match its top-up: %s", error)
        return Handled(ProviderEvent.Outcome.REJECTED, note=str(error))
    return Handled(ProviderEvent.Outcome.PROCESSED, topup, "wallet credited")


@PLATFORM_EVENTS.handles("checkout.session.async_payment_failed", "checkout.session.expired")
def _session_failed(event: dict) -> Handled:
    session = event["data"]["object"]
    failed = event["type"] == "checkout.session.async_payment_failed"
    try:
        topup = topup_abandon(
            provider=STRIPE,
            session_id=session["id"],
            topup_id=_topup_id(session),
            status=TopUp.Status.FAILED if failed else TopUp.Status.CANCELED,
            reason=event["type"],
        )
    except TopUpUnknown as error:
        return Handled(ProviderEvent.Outcome.UNKNOWN, note=str(error))
    return Handled(ProviderEvent.Outcome.PROCESSED, topup, event["type"])


@PLATFORM_EVENTS.handles("charge.refunded")
def _charge_refunded(event: dict) -> Handled:
    charge = event["data"]["object"]
    try:
        taken = topup_refund(
            provider=STRIPE,
            payment_id=charge.get("payment_intent") or "",
            topup_id=_topup_id(charge),
            refunded_total_cents=int(charge.get("amount_refunded") or 0),
        )
    except TopUpUnknown as error:
        return Handled(ProviderEvent.Outcome.UNKNOWN, note=str(error))
    return Handled(
        ProviderEvent.Outcome.PROCESSED,
        taken.topup,
        f"refund booked: {taken.amount_cents} cents",
    )


@PLATFORM_EVENTS.handles("charge.dispute.created")
def _dispute_created(event: dict) -> Handled:
    dispute = event["data"]["object"]
    try:
        taken = topup_dispute(
            provider=STRIPE,
            payment_id=dispute.get("payment_intent") or "",
            topup_id=_topup_id(dispute),
            dispute_id=dispute["id"],
            amount_cents=int(dispute.get("amount") or 0),
        )
    except TopUpUnknown as error:
        return Handled(ProviderEvent.Outcome.UNKNOWN, note=str(error))
    return Handled(
        ProviderEvent.Outcome.PROCESSED,
        taken.topup,
        f"dispute booked: {taken.amount_cents} cents",
    )


@PLATFORM_EVENTS.handles("transfer.reversed")
def _transfer_reversed(event: dict) -> Handled:
    """A payout's transfer was reversed; the creator's earnings come back (once).

    Payout transfers are made with the platform's keys, so Stripe reports their
    reversals here, not on the Connect endpoint. ``amount_reversed`` is cumulative.
    """
    transfer = (event.get("data") or {}).get("object") or {}
    restored = payout_reversal_record(
        provider_transfer_id=str(transfer.get("id") or ""),
        # Payout transfers carry their payout's id (see StripeProvider.send_payout).
        payout_id=_row_id((transfer.get("metadata") or {}).get("payout")),
        reversed_total_cents=int(transfer.get("amount_reversed") or 0),
    )
    if restored is None:
        return Handled(ProviderEvent.Outcome.UNKNOWN, note="unknown_transfer")
    return Handled(
        ProviderEvent.Outcome.PROCESSED, note="restored" if restored else "nothing_to_restore"
    )
