"""Handlers of the platform's Stripe webhook (``/webhooks/stripe/``): top-ups, refunds,
disputes, and reversals of payout transfers.

Each handler first reads what it needs of Stripe's object into a small typed record (a
field of the wrong type refuses the event before anything is stored), then calls one
typed service; what it returns is stored on the event's ``ProviderEvent``. An event
about a session or payment the platform does not know is recorded as ``unknown`` and
moves no money.
"""

from __future__ import annotations

import dataclasses
import logging

from payouts.batches.services import payout_reversal_record
from payouts.cards.charges import (
    ChargeMismatch,
    ChargeUnknown,
    charge_attempt_failed,
    charge_checkout_closed,
    charge_payment_confirmed,
)
from payouts.cards.models import CardSetup
from payouts.cards.services import card_setup_check
from payouts.funding.models import TopUp
from payouts.funding.topups import (
    TopUpMismatch,
    TopUpUnknown,
    dispute_record,
    topup_abandon,
    topup_complete,
    topup_refund,
    topup_waiting,
)
from payouts.providers import Provider
from payouts.stripe_gateway.checkout import card_fingerprint
from payouts.webhooks.events import Event, Fields
from payouts.webhooks.models import ProviderEvent
from payouts.webhooks.services import EventHandlers, Handled

logger = logging.getLogger(__name__)


STRIPE = Provider.STRIPE

PLATFORM_EVENTS = EventHandlers(provider=STRIPE)


def _row_id(value) -> int | None:
    """The id of one of our rows that we put in a Stripe object (a string of digits)."""
    value = str(value or "")
    return int(value) if value.isdigit() else None


def _topup_id(obj: Fields) -> int | None:
    return _row_id(
        obj.fields("metadata").values.get("topup") or obj.values.get("client_reference_id")
    )


@dataclasses.dataclass(frozen=True)
class Session:
    """What the top-up handlers read of a Checkout Session event."""

    event_type: str
    session_id: str
    topup_id: int | None
    paid: bool
    amount_cents: int
    currency: str
    payment_id: str
    # Saved cards: a setup session saves a card; a charge's session pays one charge.
    mode: str = "payment"
    card_setup_id: int | None = None
    charge_attempt: str = ""


def _session(event: Event) -> Session:
    session = event.object
    metadata = session.fields("metadata").values
    return Session(
        mode=session.text("mode") or "payment",
        card_setup_id=_row_id(metadata.get("card_setup")),
        charge_attempt=str(metadata.get("attempt") or ""),
        event_type=event.type,
        session_id=session.text("id", required=True),
        topup_id=_topup_id(session),
        paid=session.text("payment_status") == "paid",
        amount_cents=session.whole("amount_total"),
        currency=session.text("currency"),
        payment_id=session.text("payment_intent"),
    )


@PLATFORM_EVENTS.handles(
    "checkout.session.completed", "checkout.session.async_payment_succeeded", parse=_session
)
def _session_paid_or_waiting(session: Session) -> Handled:
    if session.mode == "setup":
        return _card_setup_completed(session)
    if session.charge_attempt:
        return _charge_session_paid(session)
    lookup = {"provider": STRIPE, "session_id": session.session_id, "topup_id": session.topup_id}
    try:
        if not session.paid:
            topup = topup_waiting(**lookup)
            return Handled(ProviderEvent.Outcome.PROCESSED, topup, "payment not confirmed yet")
        topup = topup_complete(
            **lookup,
            amount_cents=session.amount_cents,
            currency=session.currency,
            payment_id=session.payment_id,
            # Risk (docs/PRODUCT.md, Holds) and velocity review need the paying card.
            card_fingerprint=card_fingerprint(session.payment_id) if session.payment_id else "",
        )
    except TopUpUnknown as error:
        return Handled(ProviderEvent.Outcome.UNKNOWN, note=str(error))
    except TopUpMismatch as error:
        logger.error("Stripe session does not match its top-up: %s", error)
        return Handled(ProviderEvent.Outcome.REJECTED, note=str(error))
    return Handled(ProviderEvent.Outcome.PROCESSED, topup, "wallet credited")


@PLATFORM_EVENTS.handles(
    "checkout.session.async_payment_failed", "checkout.session.expired", parse=_session
)
def _session_failed(session: Session) -> Handled:
    if session.mode == "setup":
        return Handled(ProviderEvent.Outcome.PROCESSED, note="card setup closed")
    if session.charge_attempt:
        attempt = charge_checkout_closed(session_id=session.session_id)
        if attempt is None:
            return Handled(ProviderEvent.Outcome.UNKNOWN, note="unknown charge session")
        return Handled(ProviderEvent.Outcome.PROCESSED, note=f"{attempt}: page closed")
    failed = session.event_type == "checkout.session.async_payment_failed"
    try:
        topup = topup_abandon(
            provider=STRIPE,
            session_id=session.session_id,
            topup_id=session.topup_id,
            status=TopUp.Status.FAILED if failed else TopUp.Status.EXPIRED,
            reason=session.event_type,
        )
    except TopUpUnknown as error:
        return Handled(ProviderEvent.Outcome.UNKNOWN, note=str(error))
    return Handled(ProviderEvent.Outcome.PROCESSED, topup, session.event_type)


def _card_setup_completed(session: Session) -> Handled:
    """A reader saved a card: ask Stripe for it (setup intent, payment method) and keep it."""
    setup = CardSetup.objects.filter(provider=STRIPE, session_id=session.session_id).first()
    if setup is None and session.card_setup_id is not None:
        setup = CardSetup.objects.filter(
            pk=session.card_setup_id, provider=STRIPE, session_id=""
        ).first()
    if setup is None:
        return Handled(ProviderEvent.Outcome.UNKNOWN, note="unknown card setup")
    if not setup.session_id:
        CardSetup.objects.filter(pk=setup.pk).update(session_id=session.session_id)
        setup.refresh_from_db()
    card = card_setup_check(setup)
    if card is None:
        return Handled(ProviderEvent.Outcome.PROCESSED, note="no card saved yet")
    return Handled(ProviderEvent.Outcome.PROCESSED, note=f"card saved: {card}")


def _charge_session_paid(session: Session) -> Handled:
    if not session.paid:
        return Handled(ProviderEvent.Outcome.PROCESSED, note="payment not confirmed yet")
    return _charge_paid(
        Payment(
            payment_id=session.payment_id,
            amount_cents=session.amount_cents,
            currency=session.currency,
            attempt=session.charge_attempt,
        )
    )


@dataclasses.dataclass(frozen=True)
class Payment:
    """What ``payment_intent.*`` says of a payment to a saved card."""

    payment_id: str
    amount_cents: int
    currency: str
    attempt: str
    code: str = ""
    message: str = ""


def _payment(event: Event) -> Payment:
    intent = event.object
    error = intent.fields("last_payment_error")
    return Payment(
        payment_id=intent.text("id", required=True),
        amount_cents=intent.whole("amount_received") or intent.whole("amount"),
        currency=intent.text("currency"),
        attempt=str(intent.fields("metadata").values.get("attempt") or ""),
        code=error.text("decline_code") or error.text("code"),
        message=error.text("message"),
    )


@PLATFORM_EVENTS.handles("payment_intent.succeeded", parse=_payment)
def _charge_paid(payment: Payment) -> Handled:
    """A charge to a saved card succeeded: the only moment its money moves."""
    if not payment.attempt:
        # A top-up's payment: its Checkout session's event credits the wallet.
        return Handled(ProviderEvent.Outcome.PROCESSED, note="not a charge: nothing to do")
    try:
        charge = charge_payment_confirmed(
            provider=STRIPE,
            payment_intent_id=payment.payment_id,
            amount_cents=payment.amount_cents,
            currency=payment.currency,
            attempt_key=payment.attempt,
            # Risk (docs/PRODUCT.md, Holds) and velocity review need the paying card.
            card_fingerprint=card_fingerprint(payment.payment_id) if payment.payment_id else "",
        )
    except ChargeUnknown as error:
        return Handled(ProviderEvent.Outcome.UNKNOWN, note=str(error))
    except ChargeMismatch as error:
        logger.error("Stripe payment does not match its charge: %s", error)
        return Handled(ProviderEvent.Outcome.REJECTED, note=str(error))
    return Handled(ProviderEvent.Outcome.PROCESSED, note=f"{charge}")


@PLATFORM_EVENTS.handles("payment_intent.payment_failed", parse=_payment)
def _charge_payment_failed(payment: Payment) -> Handled:
    """An attempt whose answer we never got failed: note the decline (retries follow)."""
    if not payment.attempt:
        return Handled(ProviderEvent.Outcome.PROCESSED, note="not a charge: nothing to do")
    attempt = charge_attempt_failed(
        payment_intent_id=payment.payment_id,
        attempt_key=payment.attempt,
        code=payment.code,
        message=payment.message,
    )
    if attempt is None:
        return Handled(ProviderEvent.Outcome.UNKNOWN, note="unknown charge attempt")
    return Handled(ProviderEvent.Outcome.PROCESSED, note=f"{attempt}")


@dataclasses.dataclass(frozen=True)
class Refund:
    """What ``charge.refunded`` says: the charge's cumulative refunded amount."""

    payment_id: str
    topup_id: int | None
    refunded_total_cents: int


def _refund(event: Event) -> Refund:
    charge = event.object
    return Refund(
        payment_id=charge.text("payment_intent"),
        topup_id=_topup_id(charge),
        refunded_total_cents=charge.whole("amount_refunded"),
    )


@PLATFORM_EVENTS.handles("charge.refunded", parse=_refund)
def _charge_refunded(refund: Refund) -> Handled:
    try:
        taken = topup_refund(
            provider=STRIPE,
            payment_id=refund.payment_id,
            topup_id=refund.topup_id,
            refunded_total_cents=refund.refunded_total_cents,
        )
    except TopUpUnknown as error:
        return Handled(ProviderEvent.Outcome.UNKNOWN, note=str(error))
    return Handled(
        ProviderEvent.Outcome.PROCESSED,
        taken.topup,
        f"refund booked: {taken.amount_cents} cents",
    )


@dataclasses.dataclass(frozen=True)
class Dispute:
    """What a ``charge.dispute.*`` event says of its dispute."""

    event_type: str
    payment_id: str
    topup_id: int | None
    dispute_id: str
    amount_cents: int
    status: str
    reason: str


def _dispute(event: Event) -> Dispute:
    dispute = event.object
    return Dispute(
        event_type=event.type,
        payment_id=dispute.text("payment_intent"),
        topup_id=_topup_id(dispute),
        dispute_id=dispute.text("id", required=True),
        amount_cents=dispute.whole("amount"),
        status=dispute.text("status"),
        reason=dispute.text("reason"),
    )


@PLATFORM_EVENTS.handles(
    "charge.dispute.created",
    "charge.dispute.updated",
    "charge.dispute.funds_withdrawn",
    "charge.dispute.funds_reinstated",
    "charge.dispute.closed",
    parse=_dispute,
)
def _dispute_event(dispute: Dispute) -> Handled:
    """Every dispute event brings the dispute up to date, once (docs/PRODUCT.md, Disputes)."""
    try:
        record = dispute_record(
            provider=STRIPE,
            payment_id=dispute.payment_id,
            topup_id=dispute.topup_id,
            dispute_id=dispute.dispute_id,
            amount_cents=dispute.amount_cents,
            status=dispute.status,
            reason=dispute.reason,
            funds_reinstated=dispute.event_type == "charge.dispute.funds_reinstated",
        )
    except TopUpUnknown as error:
        return Handled(ProviderEvent.Outcome.UNKNOWN, note=str(error))
    except TopUpMismatch as error:
        return Handled(ProviderEvent.Outcome.REJECTED, note=str(error))
    return Handled(
        ProviderEvent.Outcome.PROCESSED,
        record.top_up,
        f"dispute {record.status}: {record.taken_cents} cents taken back, "
        f"{record.reinstated_cents} reinstated",
    )


@dataclasses.dataclass(frozen=True)
class Reversal:
    """What ``transfer.reversed`` says: ``reversed_total_cents`` is cumulative."""

    provider_transfer_id: str
    payout_id: int | None
    reversed_total_cents: int


def _reversal(event: Event) -> Reversal:
    transfer = event.object
    return Reversal(
        provider_transfer_id=transfer.text("id"),
        # Payout transfers carry their payout's id (see StripeProvider.send_payout).
        payout_id=_row_id(transfer.fields("metadata").values.get("payout")),
        reversed_total_cents=transfer.whole("amount_reversed"),
    )


@PLATFORM_EVENTS.handles("transfer.reversed", parse=_reversal)
def _transfer_reversed(reversal: Reversal) -> Handled:
    """A payout's transfer was reversed; the creator's earnings come back (once).

    Payout transfers are made with the platform's keys, so Stripe reports their
    reversals here, not on the Connect endpoint.
    """
    restored = payout_reversal_record(
        provider_transfer_id=reversal.provider_transfer_id,
        payout_id=reversal.payout_id,
        reversed_total_cents=reversal.reversed_total_cents,
    )
    if restored is None:
        return Handled(ProviderEvent.Outcome.UNKNOWN, note="unknown_transfer")
    return Handled(
        ProviderEvent.Outcome.PROCESSED, note="restored" if restored else "nothing_to_restore"
    )
