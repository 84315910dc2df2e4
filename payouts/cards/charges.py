"""Charges to saved cards and their attempts (docs/PRODUCT.md, "Funding").

The state machine:
- ``charge_collect`` makes the next attempt of a pending charge that is due. It first settles
  the last attempt if that one never got an answer: it asks the provider what happened
  (by the stored PaymentIntent id, or by the attempt's key in the payment's metadata), and
  only when the provider knows of no payment does it try again. Each attempt is a row
  committed before the provider is called, with its own idempotency key
  (``charge:<pk>:attempt:<n>``); the database allows one open attempt per charge.
- Declines are retried after ``CHARGE_RETRY_DAYS``; after the last one the charge is not
  collected: a month's split from this reader is cancelled and the reader cannot click
  until they save a card again. When the bank wants the reader to authenticate, retries
  stop and the reader is told (e-mail, notice) with a link: ``charge_pay_start`` cancels
  the open PaymentIntent and opens a Checkout session for the exact amount.
- ``charge_payment_confirmed`` (the signed webhook; the sandbox) is the only place money
  moves: in as a top-up of the reader's wallet (a ``TopUp`` row with the PaymentIntent),
  then out through the split payday stored, with the very keys of a prepaid reader's
  payday. A second successful payment is booked in and out again and refunded at the
  provider at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from payouts.cards.models import Charge, ChargeAttempt, PaymentCustomer, new_action_token
from payouts.cards.providers import CardsUnavailable, PaymentOutcome, card_provider_for
from payouts.cards.signals import charge_attempt_stage
from payouts.funding.holds import holds_trace_payday
from payouts.funding.models import TopUp
from payouts.funding.topups import topup_complete
from payouts.ledger.models import Account, Transfer
from payouts.ledger.services import (
    Posting,
    lock_balances,
    post_transfers,
    system_account,
    wallet_of,
    write_transfers,
)
from payouts.providers import Provider

logger = logging.getLogger(__name__)

# An attempt without an answer is asked about again after this long.
NO_ANSWER_RETRY = dt.timedelta(minutes=15)
# Stripe keeps idempotency keys for 24 hours: within them a lost answer is re-sent as is.
KEY_MEMORY = dt.timedelta(hours=23)

_ATTEMPT_KEY = re.compile(r"^charge:(\d+):attempt:(\d+)$")


class ChargeMismatch(ValueError):
    """The provider reports a payment that differs from the charge (amount, currency)."""


class ChargeUnknown(LookupError):
    """No attempt of ours matches what the provider reports."""


class ChargeLinkInvalid(LookupError):
    """The payment link is not (or no longer) valid for this reader."""


# --- Creating charges -------------------------------------------------------------------


def month_split(*, reference: str, commission: tuple[int, str] | None, shares) -> dict:
    """The stored form of a month's split: what ``charge_payment_confirmed`` will post."""
    return {
        "reference": reference,
        "commission": list(commission) if commission else None,
        "shares": [[int(pk), int(cents), key] for pk, cents, key in shares],
    }


# --- Attempts ---------------------------------------------------------------------------


def _customer_id(charge: Charge) -> str:
    return (
        PaymentCustomer.objects.filter(user_id=charge.user_id)
        .values_list("customer_id", flat=True)
        .first()
        or ""
    )


def charge_collect(charge_id: int, *, now: dt.datetime | None = None, force: bool = False) -> str:
    """Make the next attempt of a charge if it is pending and due (``force``: now, the
    admin's "retry now"). Returns what happened, for logs and the admin."""
    now = now or timezone.now()
    charge = Charge.objects.select_related("card").get(pk=charge_id)
    if charge.status != Charge.Status.PENDING:
        return f"nothing to do: {charge.status}"
    if not force and charge.next_attempt_at and charge.next_attempt_at > now:
        return "not due yet"
    provider = card_provider_for(charge.provider)
    customer_id = _customer_id(charge)
    last = charge.attempts.order_by("-number").first()
    if last is not None and last.is_open:
        # Ask first: the last attempt may have charged the card already.
        try:
            outcome = provider.find(last, customer_id=customer_id)
            if outcome is None and now - last.created_at < KEY_MEMORY:
                # Never reached the provider, or its answer was lost while the provider
                # still remembers the key: the very same request again is safe.
                outcome = provider.charge(last, customer_id=customer_id)
        except CardsUnavailable as error:
            _later(charge, now, f"provider unavailable: {error}")
            return "provider unavailable"
        if outcome is None:
            _close_attempt(last, ChargeAttempt.Status.CANCELED, "no payment found at the provider")
        else:
            _apply(last, outcome, now=now)
            last.refresh_from_db()
            if last.is_open or last.status == ChargeAttempt.Status.SUCCEEDED:
                return f"last attempt: {last.status}"
        charge.refresh_from_db()
        if charge.status != Charge.Status.PENDING:
            return f"last attempt settled: {charge.status}"
    elif last is not None and last.status == ChargeAttempt.Status.SUCCEEDED:
        return "waiting for the provider's confirmation"
    attempt = _new_attempt(charge, ChargeAttempt.Via.OFF_SESSION)
    if attempt is None:
        return "another attempt is open"
    _stage("attempt_written", attempt)
    try:
        outcome = provider.charge(attempt, customer_id=customer_id)
    except CardsUnavailable as error:
        _later(charge, now, f"provider unavailable: {error}")
        return "provider unavailable"
    _stage("provider_answered", attempt)
    _apply(attempt, outcome, now=now)
    attempt.refresh_from_db()
    return f"attempt {attempt.number}: {attempt.status}"


def _stage(stage: str, attempt: ChargeAttempt) -> None:
    charge_attempt_stage.send(sender=ChargeAttempt, stage=stage, chunk_number=attempt.number)


def _later(charge: Charge, now: dt.datetime, reason: str) -> None:
    Charge.objects.filter(pk=charge.pk, status=Charge.Status.PENDING).update(
        next_attempt_at=now + NO_ANSWER_RETRY, failure_reason=reason[:255]
    )


@transaction.atomic
def _new_attempt(charge: Charge, via: str) -> ChargeAttempt | None:
    """The next attempt's row, committed before the provider is called."""
    Charge.objects.select_for_update().get(pk=charge.pk)
    if ChargeAttempt.objects.filter(charge=charge, status__in=ChargeAttempt.OPEN_STATUSES).exists():
        return None
    number = (charge.attempts.aggregate(top=Max("number"))["top"] or 0) + 1
    return ChargeAttempt.objects.create(charge=charge, number=number, via=via)


def _close_attempt(attempt: ChargeAttempt, status: str, message: str = "") -> None:
    ChargeAttempt.objects.filter(pk=attempt.pk, status__in=ChargeAttempt.OPEN_STATUSES).update(
        status=status, error_message=message[:255], answered_at=timezone.now()
    )


def _apply(attempt: ChargeAttempt, outcome: PaymentOutcome, *, now: dt.datetime) -> None:
    """Store what the provider answered about ``attempt`` and move the charge on."""
    with transaction.atomic():
        charge = Charge.objects.select_for_update().get(pk=attempt.charge_id)
        attempt = ChargeAttempt.objects.select_for_update().get(pk=attempt.pk)
        if outcome.payment_intent_id and not attempt.payment_intent_id:
            attempt.payment_intent_id = outcome.payment_intent_id
        attempt.error_code = outcome.code[:100]
        attempt.error_message = outcome.message[:255]
        attempt.answered_at = now
        status = outcome.status
        if status == "unknown":
            attempt.save()
            if charge.status == Charge.Status.PENDING:
                charge.next_attempt_at = now + NO_ANSWER_RETRY
                charge.save(update_fields=["next_attempt_at"])
            return
        if not attempt.is_open:
            # Already settled (a webhook was faster): keep the first answer.
            attempt.save(update_fields=["payment_intent_id"])
            return
        attempt.status = {
            "succeeded": ChargeAttempt.Status.SUCCEEDED,
            "processing": ChargeAttempt.Status.PROCESSING,
            "requires_action": ChargeAttempt.Status.REQUIRES_ACTION,
            "declined": ChargeAttempt.Status.DECLINED,
            "canceled": ChargeAttempt.Status.CANCELED,
        }[status]
        attempt.save()
        if charge.status not in Charge.OPEN_STATUSES:
            return
        if status == "requires_action":
            charge.status = Charge.Status.NEEDS_ACTION
            charge.action_token = charge.action_token or new_action_token()
            charge.next_attempt_at = None
            charge.save(update_fields=["status", "action_token", "next_attempt_at"])
            charge_pk = charge.pk
            transaction.on_commit(lambda: _notify(charge_pk, "action"))
        elif status == "declined":
            charge.declines += 1
            schedule = settings.CHARGE_RETRY_DAYS
            if charge.declines > len(schedule):
                _fail(charge, outcome.code or "declined", now=now)
            else:
                charge.next_attempt_at = now + dt.timedelta(days=schedule[charge.declines - 1])
                charge.failure_reason = (outcome.code or "declined")[:255]
                charge.save(update_fields=["declines", "next_attempt_at", "failure_reason"])
        elif status == "canceled":
            charge.next_attempt_at = now
            charge.save(update_fields=["next_attempt_at"])
        else:
            # Succeeded or processing: the signed confirmation (webhook) comes next.
            charge.next_attempt_at = None
            charge.save(update_fields=["next_attempt_at"])
    if status == "succeeded" and attempt.charge.provider == Provider.SANDBOX:
        # The sandbox is its own webhook: its answer is the confirmation.
        charge_payment_confirmed(
            provider=Provider.SANDBOX,
            payment_intent_id=attempt.payment_intent_id,
            amount_cents=charge.amount_cents,
            currency=charge.currency,
            attempt_key=attempt.idempotency_key,
        )


def _fail(charge: Charge, reason: str, *, now: dt.datetime) -> None:
    """The last attempt failed: the charge is not collected (nothing was ever posted for it,
    so the month's split from this reader is simply never paid)."""
    charge.status = Charge.Status.FAILED
    charge.next_attempt_at = None
    charge.failure_reason = reason[:255]
    charge.finished_at = timezone.now()  # the real time: a card saved after it lifts the block
    charge.save(
        update_fields=["status", "declines", "next_attempt_at", "failure_reason", "finished_at"]
    )
    charge_pk = charge.pk
    transaction.on_commit(lambda: _notify(charge_pk, "failed"))


def _notify(charge_pk: int, what: str) -> None:
    from payouts.cards.emails import send_charge_notice

    send_charge_notice(charge_pk, what)


# --- The reader pays from the link -------------------------------------------------------


def charge_pay_start(*, user, charge_id: int, token: str) -> str:
    """The reader opened the link: cancel the open PaymentIntent, then open a Checkout session
    for the charge's exact amount. Returns its URL. Raises ``ChargeLinkInvalid``, or
    ``CardsUnavailable`` when the provider cannot be reached (nothing changed)."""
    charge = Charge.objects.filter(pk=charge_id, user=user).first()
    if charge is None or not token or token != charge.action_token:
        raise ChargeLinkInvalid("no such payment link")
    if charge.status != Charge.Status.NEEDS_ACTION:
        raise ChargeLinkInvalid(charge.status)
    provider = card_provider_for(charge.provider)
    now = timezone.now()
    open_attempt = charge.attempts.filter(status__in=ChargeAttempt.OPEN_STATUSES).first()
    if open_attempt is not None:
        if open_attempt.payment_intent_id:
            outcome = provider.cancel(open_attempt)
            if outcome.status == "canceled":
                _close_attempt(open_attempt, ChargeAttempt.Status.CANCELED, "replaced by the link")
            else:
                _apply(open_attempt, outcome, now=now)
        else:
            _close_attempt(open_attempt, ChargeAttempt.Status.CANCELED, "replaced by the link")
        charge.refresh_from_db()
        if charge.status != Charge.Status.NEEDS_ACTION:
            raise ChargeLinkInvalid(charge.status)
    attempt = _new_attempt(charge, ChargeAttempt.Via.CHECKOUT)
    if attempt is None:
        raise ChargeLinkInvalid("another attempt is open")
    return_url = settings.SITE_URL + reverse("payouts:wallet")
    try:
        session_id, url = provider.start_checkout(
            attempt, customer_id=_customer_id(charge), return_url=return_url
        )
    except CardsUnavailable:
        _close_attempt(attempt, ChargeAttempt.Status.CANCELED, "provider unavailable")
        raise
    ChargeAttempt.objects.filter(pk=attempt.pk).update(session_id=session_id)
    return url


def charge_checkout_closed(*, session_id: str) -> ChargeAttempt | None:
    """The reader's Checkout session for a charge closed unpaid: the link works again."""
    attempt = ChargeAttempt.objects.filter(session_id=session_id).first()
    if attempt is not None:
        _close_attempt(attempt, ChargeAttempt.Status.CANCELED, "payment page closed unpaid")
    return attempt


def charge_attempt_failed(
    *, payment_intent_id: str, attempt_key: str, code: str, message: str
) -> ChargeAttempt | None:
    """The provider reports a failed payment (``payment_intent.payment_failed``). Only an
    attempt still waiting for its answer takes it; one already answered keeps its answer."""
    try:
        attempt = _attempt_for(payment_intent_id, attempt_key)
    except ChargeUnknown:
        return None
    if attempt.status == ChargeAttempt.Status.CREATED:
        status = "requires_action" if code == "authentication_required" else "declined"
        _apply(
            attempt, PaymentOutcome(status, payment_intent_id, code, message), now=timezone.now()
        )
        attempt.refresh_from_db()
    return attempt


# --- Success: the only place money moves ---------------------------------------------------


def _attempt_for(payment_intent_id: str, attempt_key: str) -> ChargeAttempt:
    attempt = None
    if payment_intent_id:
        attempt = ChargeAttempt.objects.filter(payment_intent_id=payment_intent_id).first()
    match = _ATTEMPT_KEY.match(attempt_key or "")
    if attempt is None and match:
        attempt = ChargeAttempt.objects.filter(
            charge_id=int(match[1]), number=int(match[2])
        ).first()
    if attempt is None:
        raise ChargeUnknown(f"no attempt for payment {payment_intent_id!r} / {attempt_key!r}")
    return attempt


@transaction.atomic
def charge_payment_confirmed(
    *,
    provider: str,
    payment_intent_id: str,
    amount_cents: int,
    currency: str,
    attempt_key: str = "",
    card_fingerprint: str = "",
) -> Charge:
    """A payment of a charge succeeded (signature-verified webhook, or the sandbox). Books it
    once: in from the external account, out through the stored split. A second successful
    payment of the same charge (or one of a charge already given up) is refunded.
    ``card_fingerprint``: the paying card's, when the provider says (docs/PRODUCT.md, Holds:
    a card with little history makes the payment risky)."""
    attempt = _attempt_for(payment_intent_id, attempt_key)
    charge = Charge.objects.select_for_update().get(pk=attempt.charge_id)
    attempt = ChargeAttempt.objects.select_for_update().get(pk=attempt.pk)
    if charge.provider != provider:
        raise ChargeUnknown(f"{charge.ledger_key} is not a {provider} charge")
    if amount_cents != charge.amount_cents or currency.upper() != charge.currency:
        raise ChargeMismatch(
            f"{charge.ledger_key}: confirmed {amount_cents} {currency}, "
            f"expected {charge.amount_cents} {charge.currency}"
        )
    if payment_intent_id and not attempt.payment_intent_id:
        attempt.payment_intent_id = payment_intent_id
    now = timezone.now()
    if charge.status == Charge.Status.SUCCEEDED and charge.payment_id == payment_intent_id:
        return charge
    if attempt.status == ChargeAttempt.Status.REFUNDED:
        return charge
    if charge.status in (Charge.Status.SUCCEEDED, Charge.Status.FAILED):
        _refund_extra(charge, attempt, now=now)
        return charge
    attempt.status = ChargeAttempt.Status.SUCCEEDED
    attempt.answered_at = attempt.answered_at or now
    attempt.save()
    if charge.kind == Charge.Kind.TOP_UP:
        _book_top_up(charge, payment_intent_id, card_fingerprint)
    else:
        _book_month(charge, payment_intent_id, card_fingerprint)
    charge.status = Charge.Status.SUCCEEDED
    charge.payment_id = payment_intent_id
    charge.next_attempt_at = None
    charge.failure_reason = ""
    charge.finished_at = now
    charge.save()
    # Any other attempt still open (a payment page) can no longer be needed.
    ChargeAttempt.objects.filter(charge=charge, status__in=ChargeAttempt.OPEN_STATUSES).exclude(
        pk=attempt.pk
    ).update(status=ChargeAttempt.Status.CANCELED, answered_at=now)
    return charge


def _book_month(charge: Charge, payment_intent_id: str, card_fingerprint: str = "") -> None:
    """The payment comes in as a top-up of the reader's wallet (a ``TopUp`` row with the
    PaymentIntent: refunds, disputes, holds and reconciliation find it like any card payment),
    and goes out at once through payday's split (same keys as a prepaid reader's payday, so
    nothing can be paid twice): the wallet is back where it was. Like payday's chunk, the
    postings are traced to the reader's payments in the same transaction
    (``holds_trace_payday``): the shares a risky card payment funds are held."""
    from django.contrib.auth import get_user_model

    from payouts.ledger.services import earnings_of

    _book_top_up(charge, payment_intent_id, card_fingerprint)
    wallet = wallet_of(charge.user).pk
    split = charge.split or {}
    reference = split.get("reference", "")
    rows = []
    commission = split.get("commission")
    if commission:
        rows.append(
            Posting(
                wallet,
                system_account(Account.Kind.COMMISSION).pk,
                int(commission[0]),
                commission[1],
                Transfer.Kind.COMMISSION,
                reference,
            )
        )
    users = get_user_model().objects.in_bulk([pk for pk, _c, _k in split.get("shares", [])])
    earnings = {pk: earnings_of(user).pk for pk, user in users.items()}
    for creator_pk, cents, key in split.get("shares", []):
        rows.append(
            Posting(
                wallet,
                earnings[creator_pk],
                int(cents),
                key,
                Transfer.Kind.DISTRIBUTION,
                reference,
            )
        )
    moved = sum(row.amount_cents for row in rows)
    if moved != charge.amount_cents:
        raise ChargeMismatch(f"{charge.ledger_key}: split sums to {moved}")
    now = timezone.now()
    locked = lock_balances([pk for row in rows for pk in (row.debit_id, row.credit_id)])
    applied = write_transfers(rows, at=now, locked=locked)
    holds_trace_payday(
        applied,
        readers_by_wallet={wallet: charge.user_id},
        creators_by_earnings={pk: creator for creator, pk in earnings.items()},
        now=now,
    )


def _book_top_up(charge: Charge, payment_intent_id: str, card_fingerprint: str = "") -> None:
    """An automatic top-up is a top-up like any other (refunds, disputes, holds and
    reconciliation find it): ``topup_complete`` stores the card and the hold date."""
    topup = TopUp.objects.create(
        user_id=charge.user_id,
        amount_cents=charge.amount_cents,
        currency=charge.currency,
        provider=charge.provider,
        status=TopUp.Status.PENDING,
        session_id=payment_intent_id or charge.ledger_key,
        payment_id=payment_intent_id,
    )
    topup_complete(
        provider=charge.provider,
        session_id=topup.session_id,
        amount_cents=charge.amount_cents,
        currency=charge.currency,
        payment_id=payment_intent_id,
        topup_id=topup.pk,
        card_fingerprint=card_fingerprint,
    )
    charge.topup = topup


def _refund_extra(charge: Charge, attempt: ChargeAttempt, *, now: dt.datetime) -> None:
    """A payment the charge does not need: booked in and straight back out, and refunded at
    the provider once this commits."""
    wallet = wallet_of(charge.user).pk
    external = system_account(Account.Kind.EXTERNAL, charge.provider).pk
    key = f"{charge.ledger_key}:extra:{attempt.number}"
    post_transfers(
        [
            Posting(external, wallet, charge.amount_cents, key, Transfer.Kind.CHARGE, key),
            Posting(
                wallet, external, charge.amount_cents, f"{key}:refund", Transfer.Kind.REFUND, key
            ),
        ]
    )
    attempt.status = ChargeAttempt.Status.REFUNDED
    attempt.answered_at = attempt.answered_at or now
    attempt.save()
    attempt_pk = attempt.pk
    transaction.on_commit(lambda: charge_refund_extra_at_provider(attempt_pk))


def charge_refund_extra_at_provider(attempt_pk: int) -> bool:
    """Ask the provider to refund an extra payment (keyed, so asking again is safe)."""
    attempt = ChargeAttempt.objects.select_related("charge").get(pk=attempt_pk)
    if attempt.status != ChargeAttempt.Status.REFUNDED or attempt.refund_id:
        return bool(attempt.refund_id)
    try:
        refund_id = card_provider_for(attempt.charge.provider).refund(
            payment_id=attempt.payment_intent_id,
            idempotency_key=f"{attempt.charge.ledger_key}:extra:{attempt.number}:refund",
        )
    except CardsUnavailable as error:
        logger.error("refund of %s failed, retried by beat: %s", attempt, error)
        return False
    ChargeAttempt.objects.filter(pk=attempt.pk).update(refund_id=refund_id)
    return True


# --- Beat ------------------------------------------------------------------------------------


def charges_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Pending charges whose next attempt is due, and refunds not yet made; returns how many
    charges were tried."""
    now = now or timezone.now()
    due = list(
        Charge.objects.filter(status=Charge.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        charge_collect(pk, now=now)
    for pk in ChargeAttempt.objects.filter(
        status=ChargeAttempt.Status.REFUNDED, refund_id=""
    ).values_list("pk", flat=True)[:limit]:
        charge_refund_extra_at_provider(pk)
    return len(due)
