"""The platform's Stripe webhook: the only CSRF-exempt view, trusted because it is signed.

Each event is stored once (``ProviderEvent``, unique on provider and event id)
in the same transaction as the money it moves, so a replayed event does nothing
and a crash moves nothing and records nothing (Stripe delivers it again).

Answers:
- 400 when the signature is missing, forged or stale: nothing is stored;
- 503 when no webhook secret is configured (Stripe retries once it is);
- 200 for every genuine event, including ones about sessions or payments the
  platform does not know: the signature proves Stripe sent them, so they are not
  attacks, and retrying cannot make them known (e.g. a session made by another
  integration on the same Stripe account). They are recorded as ``unknown`` for
  operators to see in the admin, and move no money;
- 500 when a refund or dispute arrives before the payment it reverses (Stripe
  does not promise order): nothing is stored and Stripe delivers it again later.

Other features add handlers for their event types with ``@handles("type")``.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction

from payouts.batches.services import platform_event_handle
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

logger = logging.getLogger(__name__)


STRIPE = Provider.STRIPE


@dataclasses.dataclass
class Handled:
    outcome: str
    top_up: TopUp | None = None
    note: str = ""


Handler = Callable[[dict], Handled]


HANDLERS: dict[str, Handler] = {}


def handles(*event_types: str):
    """Register a handler for Stripe event types sent to the platform endpoint."""

    def register(handler: Handler) -> Handler:
        for event_type in event_types:
            # A second handler would silently replace the first one.
            if event_type in HANDLERS:
                raise ImproperlyConfigured(f"{event_type!r} already has a handler")
            HANDLERS[event_type] = handler
        return handler

    return register


def _topup_id(obj: dict) -> int | None:
    value = (obj.get("metadata") or {}).get("topup") or obj.get("client_reference_id") or ""
    return int(value) if str(value).isdigit() else None


@handles("checkout.session.completed", "checkout.session.async_payment_succeeded")
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


@handles("checkout.session.async_payment_failed", "checkout.session.expired")
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


@handles("charge.refunded")
def _charge_refunded(event: dict) -> Handled:
    charge = event["data"]["object"]
    try:
        transfers = topup_refund(
            provider=STRIPE,
            payment_id=charge.get("payment_intent") or "",
            topup_id=_topup_id(charge),
            refunded_total_cents=int(charge.get("amount_refunded") or 0),
        )
    except TopUpUnknown as error:
        return Handled(ProviderEvent.Outcome.UNKNOWN, note=str(error))
    return Handled(
        ProviderEvent.Outcome.PROCESSED,
        _topup_of(transfers),
        f"refund booked: {sum(t.amount_cents for t in transfers)} cents",
    )


@handles("charge.dispute.created")
def _dispute_created(event: dict) -> Handled:
    dispute = event["data"]["object"]
    try:
        transfers = topup_dispute(
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
        _topup_of(transfers),
        f"dispute booked: {sum(t.amount_cents for t in transfers)} cents",
    )


@handles("transfer.reversed")
def _transfer_reversed(event: dict) -> Handled:
    """A payout's transfer was reversed; the creator's earnings come back (once).

    Payout transfers are made with the platform's keys, so their reversals come here."""
    result = platform_event_handle(event)
    if result == "unknown_transfer":
        return Handled(ProviderEvent.Outcome.UNKNOWN, note=result)
    if result == "ignored":
        return Handled(ProviderEvent.Outcome.IGNORED, note=result)
    return Handled(ProviderEvent.Outcome.PROCESSED, note=result)


def _topup_of(transfers) -> TopUp | None:
    for transfer in transfers:
        pk = transfer.reference.removeprefix("topup:")
        if pk.isdigit():
            return TopUp.objects.filter(pk=int(pk)).first()
    return None


@transaction.atomic
def event_receive(*, provider: str, event: dict) -> tuple[ProviderEvent, bool]:
    """Record a verified provider event and apply it, once; returns (record, first time).

    The record and the money it moves commit together. An event id seen before
    returns its record and applies nothing.
    """
    obj = (event.get("data") or {}).get("object") or {}
    try:
        with transaction.atomic():
            record = ProviderEvent.objects.create(
                provider=provider,
                event_id=event["id"],
                event_type=event.get("type", ""),
                object_id=str(obj.get("id", ""))[:255],
                outcome=ProviderEvent.Outcome.IGNORED,
                payload=event,
            )
    except IntegrityError:
        # Stored already (a replay, or a concurrent delivery that committed first).
        return ProviderEvent.objects.get(provider=provider, event_id=event["id"]), False
    handler = HANDLERS.get(record.event_type)
    if handler is None:
        return record, True
    handled = handler(event)
    record.outcome = handled.outcome
    record.top_up = handled.top_up
    record.note = handled.note[:255]
    record.save(update_fields=["outcome", "top_up", "note"])
    return record, True
