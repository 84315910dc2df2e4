"""Top-up services: money entering wallets, and leaving them again by refunds and disputes.

The flow (Liberapay's rule: the row is written before the provider is called):
1. ``topup_start`` validates the amount, writes a ``TopUp`` and asks the provider
   for a payment page.
2. The provider confirms the payment: Stripe's signed webhook, or the sandbox's
   test payment page. Both call ``topup_complete``, the only code that credits a
   wallet from outside, once per top-up (ledger key ``topup:<pk>``).
   ``topup_sandbox_pay`` takes steps 1 and 2 at once through the sandbox, as a reader
   paying on the test page would (the demo's seed data and the tests fund wallets so).
3. A refund or dispute debits the wallet up to its balance, then the money still held
   from that payment (payouts.funding.holds); what is left is booked to the losses account.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.limits import key_digest
from accounts.models import LimitHit
from flattr_clone.money import format_cents
from payouts.funding.holds import (
    card_funds_too_many_accounts,
    hold_until_for,
    lock_wallet_of,
    take_back,
    take_back_reinstate,
)
from payouts.funding.models import Dispute, TopUp
from payouts.ledger.models import Account, Transfer
from payouts.ledger.services import post_transfer, system_account, wallet_of
from payouts.providers import Provider, TopUpUnavailable, deployment_provider, provider_for


class TopUpError(ValueError):
    """The top-up was refused; the message is for the reader and nothing changed."""


class TopUpUnknown(LookupError):
    """No top-up of ours matches what the provider reports."""


class TopUpMismatch(ValueError):
    """The provider reports a payment that differs from the top-up (amount, currency, session)."""


class TopUpNotPaidYet(RuntimeError):
    """A refund or dispute arrived before the payment it reverses was confirmed to us.

    Providers do not promise to deliver events in order; the caller answers with
    an error so the provider delivers the event again later.
    """


def topup_validate_amount(amount_cents: int) -> None:
    """Raise ``TopUpError`` unless ``amount_cents`` is a preset or within the custom range."""
    if type(amount_cents) is not int:
        raise TopUpError(_("An amount is a whole number of cents."))
    if amount_cents in settings.TOP_UP_PRESETS_CENTS:
        return
    low, high = settings.TOP_UP_MIN_CENTS, settings.TOP_UP_MAX_CENTS
    if not low <= amount_cents <= high:
        raise TopUpError(
            _("Choose an amount between %(min)s and %(max)s.")
            % {"min": format_cents(low), "max": format_cents(high)}
        )


def topup_start(*, user, amount_cents: int) -> tuple[TopUp, str]:
    """Write a top-up and open a payment for it; return it and the URL to send the reader to.

    The row is committed before the provider is called, so every provider session
    can be traced back to it. On a provider failure the top-up is marked failed
    and ``TopUpUnavailable`` is raised; no money moved.
    """
    topup_validate_amount(amount_cents)
    provider = deployment_provider()
    topup = TopUp.objects.create(
        user=user,
        amount_cents=amount_cents,
        currency=settings.PLATFORM_CURRENCY,
        provider=provider.name,
    )
    status_url = settings.SITE_URL + reverse("payouts:topup_status", args=[topup.pk])
    try:
        session_id, url = provider.start_topup(topup, success_url=status_url, cancel_url=status_url)
    except TopUpUnavailable as error:
        TopUp.objects.filter(pk=topup.pk, status=TopUp.Status.CREATED).update(
            status=TopUp.Status.FAILED, failure_reason=str(error)[:255]
        )
        raise
    # Compare-and-swap: a webhook that raced us (it finds the row by its metadata) wins.
    TopUp.objects.filter(pk=topup.pk, status=TopUp.Status.CREATED).update(
        session_id=session_id, status=TopUp.Status.PENDING
    )
    topup.refresh_from_db()
    return topup, url


def _locked_topup(*, provider: str, session_id: str, topup_id: int | None) -> TopUp:
    rows = TopUp.objects.select_for_update()
    topup = rows.filter(provider=provider, session_id=session_id).first() if session_id else None
    if topup is None and topup_id is not None:
        # The provider answered before we stored its session id: trust the metadata we sent.
        topup = rows.filter(pk=topup_id, provider=provider, session_id="").first()
    if topup is None:
        raise TopUpUnknown(f"no {provider} top-up for session {session_id!r} / id {topup_id!r}")
    return topup


@transaction.atomic
def topup_complete(
    *,
    provider: str,
    session_id: str,
    amount_cents: int,
    currency: str,
    payment_id: str = "",
    topup_id: int | None = None,
    card_fingerprint: str = "",
) -> TopUp:
    """Credit the wallet for a payment the provider confirmed; once per top-up.

    Called by the signed Stripe webhook and by the sandbox's test payment page,
    so both take exactly this path. Completing a paid top-up again changes
    nothing. Raises ``TopUpUnknown`` when no top-up matches and ``TopUpMismatch``
    when the confirmed amount or currency is not the top-up's; nothing is
    credited then.
    """
    topup = _locked_topup(provider=provider, session_id=session_id, topup_id=topup_id)
    if amount_cents != topup.amount_cents or currency.upper() != topup.currency:
        raise TopUpMismatch(
            f"{topup.ledger_key}: confirmed {amount_cents} {currency}, "
            f"expected {topup.amount_cents} {topup.currency}"
        )
    if topup.status == TopUp.Status.PAID:
        return topup
    # A failed or canceled top-up that the provider says was paid is still money we hold.
    post_transfer(
        debit=system_account(Account.Kind.EXTERNAL, provider),
        credit=wallet_of(topup.user),
        amount_cents=topup.amount_cents,
        idempotency_key=topup.ledger_key,
        kind=Transfer.Kind.TOP_UP,
        reference=topup.ledger_key,
    )
    topup.status = TopUp.Status.PAID
    topup.session_id = session_id
    topup.payment_id = payment_id or topup.payment_id
    topup.failure_reason = ""
    topup.completed_at = timezone.now()
    topup.card_fingerprint = card_fingerprint[:64]
    topup.hold_until = hold_until_for(topup, paid_at=topup.completed_at)
    if card_funds_too_many_accounts(topup, paid_at=topup.completed_at):
        # One row per payment: the operators review each (docs/PRODUCT.md, velocity).
        held = f", held until {topup.hold_until:%Y-%m-%d}" if topup.hold_until else ""
        LimitHit.objects.create(
            kind=LimitHit.Kind.CARD_ACCOUNTS,
            key_digest=key_digest(topup.card_fingerprint),
            user=topup.user,
            detail=f"{topup.ledger_key}{held}",
        )
    topup.save(
        update_fields=[
            "status",
            "session_id",
            "payment_id",
            "failure_reason",
            "completed_at",
            "hold_until",
            "card_fingerprint",
        ]
    )
    return topup


def topup_sandbox_pay(*, user, amount_cents: int) -> TopUp:
    """Top up ``user``'s wallet through the offline sandbox, exactly as a reader does it: open
    the top-up (``topup_start``), then pay it on the sandbox's test payment page (the page's
    own ``topup_complete`` call). The demo's seed data and the tests fund wallets with it.

    Raises ``TopUpUnavailable`` unless ``settings.PAYMENTS_SANDBOX`` is on (nothing is
    written then) and ``TopUpError`` for an amount the top-up form refuses.
    """
    if not settings.PAYMENTS_SANDBOX:
        raise TopUpUnavailable("the payment sandbox is off")
    topup, _url = topup_start(user=user, amount_cents=amount_cents)
    return topup_complete(
        provider=Provider.SANDBOX,
        session_id=topup.session_id,
        amount_cents=topup.amount_cents,
        currency=topup.currency,
        payment_id=topup.session_id,
    )


@transaction.atomic
def topup_waiting(*, provider: str, session_id: str, topup_id: int | None = None) -> TopUp:
    """Note that the reader finished the checkout but the payment is not confirmed yet
    (e.g. a bank debit); the wallet is credited when it is."""
    topup = _locked_topup(provider=provider, session_id=session_id, topup_id=topup_id)
    if topup.status != TopUp.Status.PAID:
        topup.status = TopUp.Status.PENDING
        topup.session_id = session_id
        topup.save(update_fields=["status", "session_id"])
    return topup


@transaction.atomic
def topup_abandon(
    *,
    provider: str,
    session_id: str,
    status: str,
    reason: str = "",
    topup_id: int | None = None,
) -> TopUp:
    """Mark an unpaid top-up failed or canceled. A paid one is left alone: money never
    vanishes by a late failure notice."""
    if status not in (TopUp.Status.FAILED, TopUp.Status.CANCELED, TopUp.Status.EXPIRED):
        raise ValueError(f"{status!r} is not an end state for an unpaid top-up")
    topup = _locked_topup(provider=provider, session_id=session_id, topup_id=topup_id)
    if topup.status != TopUp.Status.PAID:
        topup.status = status
        topup.failure_reason = reason[:255]
        topup.save(update_fields=["status", "failure_reason"])
    return topup


def topup_cancel(*, user, topup_id: int) -> TopUp:
    """The reader gives up an unpaid top-up: its payment page is closed at the provider
    first (so it can no longer be paid), then it is marked canceled. A top-up the reader paid
    in the meantime stays paid (the provider's confirmation credits it). Raises
    ``TopUp.DoesNotExist`` for someone else's top-up and ``TopUpUnavailable`` when the
    provider cannot be reached (nothing changed)."""
    topup = TopUp.objects.get(pk=topup_id, user=user)
    if not topup.is_open:
        return topup
    state = provider_for(topup.provider).close_topup(topup) if topup.session_id else "expired"
    if state == "complete":
        return topup
    return topup_abandon(
        provider=topup.provider,
        session_id=topup.session_id,
        topup_id=topup.pk,
        status=TopUp.Status.CANCELED,
        reason="canceled by the reader",
    )


def topup_expire_stale(*, now=None) -> int:
    """Mark expired the unpaid top-ups whose payment page has closed; returns how many.

    Sandbox top-ups expire here, ``TOP_UP_EXPIRY_MINUTES`` after they started. Stripe
    closes its own sessions and says so with ``checkout.session.expired``; a Stripe
    top-up still open an hour after that (the event was lost) is asked about and
    expired once Stripe confirms it. Run by beat every 15 minutes."""
    now = now or timezone.now()
    expiry = dt.timedelta(minutes=settings.TOP_UP_EXPIRY_MINUTES)
    open_rows = TopUp.objects.filter(status__in=[TopUp.Status.CREATED, TopUp.Status.PENDING])
    expired = 0
    for topup in open_rows.filter(provider=Provider.SANDBOX, created_at__lt=now - expiry):
        topup_abandon(
            provider=topup.provider,
            session_id=topup.session_id,
            topup_id=topup.pk,
            status=TopUp.Status.EXPIRED,
            reason="payment page expired",
        )
        expired += 1
    late = open_rows.filter(
        provider=Provider.STRIPE, created_at__lt=now - expiry - dt.timedelta(hours=1)
    ).exclude(session_id="")
    for topup in late[:100]:
        try:
            state = provider_for(topup.provider).close_topup(topup)
        except TopUpUnavailable:
            continue
        if state == "expired":
            topup_abandon(
                provider=topup.provider,
                session_id=topup.session_id,
                topup_id=topup.pk,
                status=TopUp.Status.EXPIRED,
                reason="checkout.session.expired (found by the stale top-up check)",
            )
            expired += 1
    return expired


def _locked_paid_topup(*, provider: str, payment_id: str, topup_id: int | None) -> TopUp:
    rows = TopUp.objects.all()
    topup = rows.filter(provider=provider, payment_id=payment_id).first() if payment_id else None
    if topup is None and topup_id is not None:
        topup = rows.filter(pk=topup_id, provider=provider).first()
    if topup is None:
        raise TopUpUnknown(f"no {provider} top-up for payment {payment_id!r} / id {topup_id!r}")
    # The reader's wallet before their top-up (payouts.funding.holds' locking order).
    lock_wallet_of(topup.user)
    topup = TopUp.objects.select_for_update().get(pk=topup.pk)
    if topup.status != TopUp.Status.PAID:
        raise TopUpNotPaidYet(f"{topup.ledger_key} is {topup.status}")
    return topup


def _take_back(topup: TopUp, amount_cents: int, *, key: str, kind: str) -> list[Transfer]:
    """Return ``amount_cents`` to the provider (docs/PRODUCT.md, Holds): the wallet up to its
    balance, then the money still held from this payment, the rest from losses."""
    return take_back(topup, amount_cents, key=key, kind=kind)


@dataclasses.dataclass(frozen=True)
class TakenBack:
    """What a refund or dispute booked: the top-up it reverses and the transfers it wrote
    (none when it was booked already or there was nothing left to take back)."""

    topup: TopUp
    transfers: list[Transfer]

    @property
    def amount_cents(self) -> int:
        return sum(transfer.amount_cents for transfer in self.transfers)


@transaction.atomic
def topup_refund(
    *, provider: str, payment_id: str, refunded_total_cents: int, topup_id: int | None = None
) -> TakenBack:
    """Book a refund reported as the payment's cumulative refunded amount.

    Only the part not booked yet moves (Stripe reports totals, and a later event
    may arrive first), so each refund is taken back exactly once; the shortfall of
    the wallet goes to losses. Raises ``TopUpUnknown`` or ``TopUpNotPaidYet``.
    """
    topup = _locked_paid_topup(provider=provider, payment_id=payment_id, topup_id=topup_id)
    total = min(refunded_total_cents, topup.amount_cents)
    new = total - topup.refunded_cents
    if new <= 0:
        return TakenBack(topup, [])
    key = base = f"{topup.ledger_key}:refund:{total}"
    # A total booked before and given back since (a withdrawal's refund the provider refused,
    # payouts.withdrawals): this refund reaches it again and needs a key of its own.
    again = 1
    while Transfer.objects.filter(idempotency_key=key).exists():
        again += 1
        key = f"{base}:{again}"
    transfers = _take_back(topup, new, key=key, kind=Transfer.Kind.REFUND)
    topup.refunded_cents = total
    topup.save(update_fields=["refunded_cents"])
    return TakenBack(topup, transfers)


@transaction.atomic
def topup_dispute(
    *,
    provider: str,
    payment_id: str,
    dispute_id: str,
    amount_cents: int,
    topup_id: int | None = None,
) -> TakenBack:
    """Take back a disputed payment (the provider already withdrew it from us), once per
    dispute; the shortfall of the wallet goes to losses. Raises ``TopUpUnknown`` or
    ``TopUpNotPaidYet``."""
    topup = _locked_paid_topup(provider=provider, payment_id=payment_id, topup_id=topup_id)
    key = f"{topup.ledger_key}:dispute:{dispute_id}"
    booked = list(Transfer.objects.filter(idempotency_key__in=[key, f"{key}:loss"]))
    if booked:
        return TakenBack(topup, booked)
    amount = min(amount_cents, topup.amount_cents)
    if amount <= 0:
        return TakenBack(topup, [])
    return TakenBack(topup, _take_back(topup, amount, key=key, kind=Transfer.Kind.DISPUTE))


@transaction.atomic
def dispute_record(
    *,
    provider: str,
    payment_id: str,
    dispute_id: str,
    amount_cents: int,
    status: str,
    reason: str = "",
    funds_reinstated: bool = False,
    topup_id: int | None = None,
) -> Dispute:
    """Apply what the provider says of a dispute, whatever the event and its order
    (docs/PRODUCT.md, Disputes): book it (take the money back) the first time, book it back
    once when it is won, mark it lost when lost. An inquiry (``warning_*``) moves nothing.
    Raises ``TopUpUnknown`` or ``TopUpNotPaidYet``."""
    topup = _locked_paid_topup(provider=provider, payment_id=payment_id, topup_id=topup_id)
    amount = min(amount_cents, topup.amount_cents)
    if amount <= 0:
        raise TopUpMismatch(f"dispute {dispute_id} of {amount_cents} cents on {topup.ledger_key}")
    inquiry = status.startswith("warning_")
    dispute, _created = Dispute.objects.select_for_update().get_or_create(
        provider=provider,
        dispute_id=dispute_id,
        defaults={
            "top_up": topup,
            "amount_cents": amount,
            "status": Dispute.Status.INQUIRY if inquiry else Dispute.Status.OPEN,
            "reason": reason[:100],
        },
    )
    if inquiry and not dispute.taken_cents:
        return dispute
    if not dispute.taken_cents:
        taken = topup_dispute(
            provider=provider,
            payment_id=payment_id,
            topup_id=topup.pk,
            dispute_id=dispute_id,
            amount_cents=dispute.amount_cents,
        )
        dispute.taken_cents = taken.amount_cents
        dispute.status = Dispute.Status.OPEN
    won = funds_reinstated or status == "won"
    if won and not dispute.reinstated_cents:
        back = take_back_reinstate(topup, key=dispute.ledger_key)
        dispute.reinstated_cents = sum(transfer.amount_cents for transfer in back)
    if won:
        dispute.status = Dispute.Status.WON
    elif status == "lost":
        dispute.status = Dispute.Status.LOST
    if dispute.status in (Dispute.Status.WON, Dispute.Status.LOST) and dispute.closed_at is None:
        dispute.closed_at = timezone.now()
    dispute.save()
    return dispute
