"""Payout batches: creators' earnings sent to their payment accounts (docs/PRODUCT.md, Payouts).

A payout happens in two steps, and the first is committed before the second starts:

1. ``payout_create``: in one transaction, the ``Payout`` row and the ledger transfer
   earnings → in transit (key ``payout:<pk>``).
2. ``payout_send``: the provider call, with the idempotency key ``payout-<pk>``.
   Success moves in transit → external (``payout:<pk>:paid``); a refusal moves the
   money back to earnings (``payout:<pk>:returned:<attempt>``); an unknown outcome
   (5xx, connection error, timeout) leaves the money in transit and the payout in
   ``sending`` for a retry with the same key.

Because of that order, a crash anywhere leaves a ``sending`` payout whose money is
in transit; the next run (or the Celery retry) sends it again with the same key,
and the provider answers with the transfer it may already have made. Nothing is
ever sent twice, and nothing is lost.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import ngettext

from flattr_clone.months import month_of, month_start, next_month
from payouts.batches.emails import send_payout_email
from payouts.batches.models import Payout, PayoutBatch
from payouts.connect.models import PaymentAccount
from payouts.funding.models import TopUp
from payouts.ledger.models import Account, Transfer
from payouts.ledger.services import Posting, earnings_of, post_transfers, system_account
from payouts.providers import Provider, RefusedError, TransientError, provider_for

logger = logging.getLogger(__name__)


class PayoutError(Exception):
    """A payout operation was refused; nothing changed."""


class BatchAlreadyRunning(PayoutError):
    pass


class PayoutNotSettledYet(PayoutError):
    """An event about a payout arrived before its outcome was recorded; deliver it later."""


class PayoutTransientError(PayoutError):
    """The provider's answer was lost or temporary; the payout stays in transit for a retry."""


@dataclasses.dataclass
class BatchSummary:
    batch: int | None
    payouts: int
    paid: int
    failed: int
    sending: int
    amount: int
    resumed: int
    status: str
    dry_run: bool = False

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


# --- Selectors ---------------------------------------------------------------------


def eligible_earnings() -> list[Account]:
    """Earnings accounts whose owner is paid in the next batch, fullest first.

    Eligible: earnings at least PAYOUT_MINIMUM_CENTS, a payment account that can
    receive money, not suspended or deleted, payouts not flagged, no payout in flight.
    """
    candidates = (
        Account.objects.filter(
            Q(user__is_active=True) | Q(user__closed_at__isnull=False),
            kind=Account.Kind.EARNINGS,
            balance_cents__gte=max(settings.PAYOUT_MINIMUM_CENTS, 1),
            user__suspended_at__isnull=True,
            user__payment_account__status=PaymentAccount.Status.READY,
            user__payment_account__payouts_flagged_at__isnull=True,
        )
        .exclude(user__payouts__status=Payout.Status.SENDING)
        .select_related("user", "user__payment_account")
        .order_by("-balance_cents", "pk")
    )
    return [
        a
        for a in candidates
        if a.user.payment_account.can_receive and not first_payout_waits(a.user.payment_account)
    ]


def velocity_review_reason(user, now: dt.datetime | None = None) -> str:
    """Why the creator's payout needs an operator's review first, or "" (docs/PRODUCT.md,
    First payouts and velocity): at least VELOCITY_REVIEW_PERCENT of what they earned since
    their last payout (or the last review) came from two or more new accounts whose latest
    card payment used one same card."""
    since = max(
        [
            at
            for at in (
                Payout.objects.filter(
                    user=user, status__in=[Payout.Status.PAID, Payout.Status.REVERSED]
                )
                .order_by("-created_at")
                .values_list("created_at", flat=True)
                .first(),
                PaymentAccount.objects.filter(user=user)
                .values_list("reviewed_at", flat=True)
                .first(),
            )
            if at is not None
        ],
        default=None,
    )
    rows = Transfer.objects.filter(kind=Transfer.Kind.DISTRIBUTION, credit__user=user)
    if since is not None:
        rows = rows.filter(created_at__gt=since)
    rows = list(
        rows.values_list("debit__user_id", "debit__user__date_joined", "amount_cents", "created_at")
    )
    total = sum(row[2] for row in rows)
    if not total:
        return ""
    cards: dict[int, str] = {}
    for reader, card in (
        TopUp.objects.filter(user_id__in={row[0] for row in rows}, status=TopUp.Status.PAID)
        .exclude(card_fingerprint="")
        .order_by("user_id", "-completed_at", "-pk")
        .values_list("user_id", "card_fingerprint")
    ):
        cards.setdefault(reader, card)
    young = dt.timedelta(days=settings.HOLD_NEW_ACCOUNT_DAYS)
    by_card: dict[str, list] = {}
    for reader, joined, amount, at in rows:
        if reader in cards and joined > at - young:
            entry = by_card.setdefault(cards[reader], [0, set()])
            entry[0] += amount
            entry[1].add(reader)
    for cents, readers in sorted(by_card.values(), key=lambda entry: -entry[0]):
        if len(readers) >= 2 and cents * 100 >= total * settings.VELOCITY_REVIEW_PERCENT:
            return (
                f"review: {cents} of {total} cents earned since the last payout came from "
                f"{len(readers)} new accounts paying with one card"
            )
        break
    return ""


def first_payout_waits(account: PaymentAccount, now: dt.datetime | None = None) -> bool:
    """A creator never paid before waits FIRST_PAYOUT_DELAY_DAYS after opening their payment
    account (docs/PRODUCT.md, First payouts): time for fraud to show before money leaves."""
    delay = dt.timedelta(days=settings.FIRST_PAYOUT_DELAY_DAYS)
    if not delay or account.created_at <= (now or timezone.now()) - delay:
        return False
    return not Payout.objects.filter(
        user_id=account.user_id, status__in=[Payout.Status.PAID, Payout.Status.REVERSED]
    ).exists()


def next_batch_at(now: dt.datetime | None = None) -> dt.datetime:
    """When the next batch runs: right after the next payday (the 1st at PAYDAY_HOUR)."""
    now = now or timezone.now()
    offset = dt.timedelta(hours=settings.PAYDAY_HOUR, minutes=settings.PAYDAY_MINUTE)
    this_month = month_start(month_of(now)) + offset
    if now < this_month:
        return this_month
    return month_start(next_month(month_of(now))) + offset


def batch_summary(batch: PayoutBatch, *, resumed: int = 0) -> BatchSummary:
    counts = batch.payouts.aggregate(
        payouts=Count("pk"),
        paid=Count("pk", filter=Q(status__in=[Payout.Status.PAID, Payout.Status.REVERSED])),
        failed=Count("pk", filter=Q(status=Payout.Status.FAILED)),
        sending=Count("pk", filter=Q(status=Payout.Status.SENDING)),
        amount=Sum("amount_cents"),
    )
    batch.refresh_from_db(fields=["status"])
    return BatchSummary(
        batch=batch.pk,
        payouts=counts["payouts"],
        paid=counts["paid"],
        failed=counts["failed"],
        sending=counts["sending"],
        amount=counts["amount"] or 0,
        resumed=resumed,
        status=batch.status,
    )


def batch_settle(*, batch_id: int) -> None:
    """Mark a batch done once none of its payouts is still in flight."""
    if not Payout.objects.filter(batch_id=batch_id, status=Payout.Status.SENDING).exists():
        PayoutBatch.objects.filter(pk=batch_id, status=PayoutBatch.Status.SENDING).update(
            status=PayoutBatch.Status.DONE, finished_at=timezone.now()
        )


# --- One payout ----------------------------------------------------------------------------


@transaction.atomic
def payout_create(
    *, batch: PayoutBatch, user, ignore_flag: bool = False, any_amount: bool = False
) -> Payout | None:
    """Write a payout of the creator's whole earnings and move them in transit, atomically.

    Returns None (and changes nothing) when the creator is no longer eligible or
    already has a payout in flight. ``any_amount``: below the payout minimum too (an account
    being closed is paid what it has, PRODUCT.md "Leaving"). A closed account is paid like
    an open one.
    """
    earnings = Account.objects.select_for_update().get(pk=earnings_of(user).pk)
    account = PaymentAccount.objects.select_for_update().filter(user=user).first()
    user.refresh_from_db(fields=["suspended_at", "is_active", "closed_at"])
    minimum = 1 if any_amount else max(settings.PAYOUT_MINIMUM_CENTS, 1)
    if (
        account is None
        or not account.can_receive
        or first_payout_waits(account)
        or (account.is_flagged and not ignore_flag)
        or user.suspended_at is not None
        or (not user.is_active and user.closed_at is None)
        or earnings.balance_cents < minimum
    ):
        return None
    reason = "" if ignore_flag else velocity_review_reason(user)
    if reason:
        # Held for an operator: clearing the flag (admin) marks this money reviewed.
        PaymentAccount.objects.filter(pk=account.pk).update(
            payouts_flagged_at=timezone.now(), flag_reason=reason, updated_at=timezone.now()
        )
        logger.warning("payouts of %s flagged for review: %s", user.pk, reason)
        return None
    try:
        with transaction.atomic():
            payout = Payout.objects.create(
                batch=batch,
                user=user,
                payment_account=account,
                provider=account.provider,
                destination=account.provider_account_id,
                amount_cents=earnings.balance_cents,
                currency=settings.PLATFORM_CURRENCY,
            )
    except IntegrityError:
        # Another payout for this creator is in flight (the unique constraint said so).
        return None
    post_transfers(
        [
            Posting(
                earnings.pk,
                system_account(Account.Kind.IN_TRANSIT).pk,
                payout.amount_cents,
                f"payout:{payout.pk}",
                Transfer.Kind.PAYOUT,
                payout.ledger_reference,
            )
        ]
    )
    return payout


def payout_send(*, payout_id: int) -> str:
    """Step two: call the provider for a payout in flight; returns its resulting status.

    Raises ``PayoutTransientError`` when the outcome is unknown; the payout and its
    money stay in transit, and the next attempt uses the same idempotency key.
    """
    payout = Payout.objects.select_related("batch", "user").get(pk=payout_id)
    if payout.status != Payout.Status.SENDING:
        return payout.status
    if payout.user.suspended_at is not None or (
        not payout.user.is_active and payout.user.closed_at is None
    ):
        # Suspended after the payout was written: held in transit, not failed (an earlier
        # attempt may have reached the provider); the first batch after the lift sends it.
        Payout.objects.filter(pk=payout.pk).update(last_error="held: the creator is suspended")
        return payout.status
    Payout.objects.filter(pk=payout.pk).update(attempts=F("attempts") + 1)
    payout.refresh_from_db(fields=["attempts"])
    try:
        transfer_id = provider_for(payout.provider).send_payout(payout)
    except TransientError as error:
        Payout.objects.filter(pk=payout.pk).update(last_error=str(error)[:1000])
        logger.warning("payout %s: transient provider error: %s", payout.pk, error)
        raise PayoutTransientError(str(error)) from error
    except RefusedError as error:
        logger.warning("payout %s refused by %s: %s", payout.pk, payout.provider, error)
        payout_fail(
            payout=payout,
            code=error.code,
            reason=str(error),
            counts_against_creator=not error.platform_problem,
        )
        return Payout.Status.FAILED
    payout_mark_paid(payout=payout, transfer_id=transfer_id)
    return Payout.Status.PAID


@transaction.atomic
def payout_mark_paid(*, payout: Payout, transfer_id: str) -> bool:
    """The provider made the transfer: in transit → external, payout paid. Applied once."""
    now = timezone.now()
    if not Payout.objects.filter(pk=payout.pk, status=Payout.Status.SENDING).update(
        status=Payout.Status.PAID, provider_transfer_id=transfer_id, paid_at=now, last_error=""
    ):
        return False
    post_transfers(
        [
            Posting(
                system_account(Account.Kind.IN_TRANSIT).pk,
                system_account(Account.Kind.EXTERNAL, payout.provider).pk,
                payout.amount_cents,
                f"payout:{payout.pk}:paid",
                Transfer.Kind.PAYOUT_PAID,
                payout.ledger_reference,
            )
        ]
    )
    PaymentAccount.objects.filter(pk=payout.payment_account_id).update(consecutive_failures=0)
    payout_id = payout.pk
    transaction.on_commit(lambda: send_payout_email(payout_id=payout_id))
    return True


@transaction.atomic
def payout_fail(
    *, payout: Payout, code: str, reason: str, counts_against_creator: bool = True
) -> bool:
    """The provider refused: the money goes back to earnings; repeated failures flag the creator.

    Failures caused by the platform itself (its balance, its keys) do not count
    against the creator.
    """
    now = timezone.now()
    if not Payout.objects.filter(pk=payout.pk, status=Payout.Status.SENDING).update(
        status=Payout.Status.FAILED,
        failure_code=code[:100],
        failure_reason=reason[:2000],
        failed_at=now,
        last_error="",
    ):
        return False
    post_transfers(
        [
            Posting(
                system_account(Account.Kind.IN_TRANSIT).pk,
                earnings_of(payout.user).pk,
                payout.amount_cents,
                f"payout:{payout.pk}:returned:{max(payout.attempts, 1)}",
                Transfer.Kind.PAYOUT_RETURNED,
                payout.ledger_reference,
            )
        ]
    )
    if counts_against_creator:
        account = PaymentAccount.objects.select_for_update().get(pk=payout.payment_account_id)
        account.consecutive_failures += 1
        fields = ["consecutive_failures", "updated_at"]
        if (
            account.consecutive_failures >= settings.PAYOUT_FAILURES_BEFORE_FLAG
            and not account.is_flagged
        ):
            account.payouts_flagged_at = now
            account.flag_reason = ngettext(
                "%(count)d payout failed in a row; last: %(reason)s",
                "%(count)d payouts failed in a row; last: %(reason)s",
                account.consecutive_failures,
            ) % {
                "count": account.consecutive_failures,
                "reason": reason[:500],
            }
            fields += ["payouts_flagged_at", "flag_reason"]
        account.save(update_fields=fields)
    payout_id = payout.pk
    transaction.on_commit(lambda: send_payout_email(payout_id=payout_id))
    return True


# --- Reversals ---------------------------------------------------------------------------


@transaction.atomic
def payout_reversal_record(
    *, provider_transfer_id: str, payout_id: int | None, reversed_total_cents: int
) -> int | None:
    """A paid transfer was (partly) reversed by the provider: restore the creator's earnings.

    ``provider_transfer_id`` is the provider's transfer; ``payout_id`` the payout its
    metadata names, if any (it finds a payout whose transfer id we never heard back);
    ``reversed_total_cents`` the cumulative amount reversed so far. Only the part not
    yet restored is posted, under a key naming that total, so a replayed or
    out-of-order event restores nothing twice.
    Returns the cents restored by this call, or None when no payout made this transfer.
    Raises ``PayoutNotSettledYet`` while the payout is still being sent.
    """
    payout = (
        Payout.objects.select_for_update()
        .filter(provider_transfer_id=provider_transfer_id or "-")
        .first()
    )
    if payout is None:
        # The transfer may be ours before we heard back from Stripe (a lost answer).
        payout = (
            Payout.objects.select_for_update()
            .filter(pk=payout_id, provider=Provider.STRIPE, provider_transfer_id="")
            .first()
            if payout_id is not None
            else None
        )
        if payout is None:
            return None
    if payout.status == Payout.Status.SENDING:
        # Its money is still in transit; once the payout is settled, Stripe's next
        # delivery of this event restores it.
        raise PayoutNotSettledYet(f"payout {payout.pk} is still being sent")
    total = min(reversed_total_cents, payout.amount_cents)
    delta = total - payout.reversed_cents
    if delta <= 0 or payout.status not in (Payout.Status.PAID, Payout.Status.REVERSED):
        return 0
    post_transfers(
        [
            Posting(
                system_account(Account.Kind.EXTERNAL, payout.provider).pk,
                earnings_of(payout.user).pk,
                delta,
                f"payout:{payout.pk}:reversed:{total}",
                Transfer.Kind.REVERSAL,
                payout.ledger_reference,
            )
        ]
    )
    payout.reversed_cents = total
    payout.reversed_at = timezone.now()
    fields = ["reversed_cents", "reversed_at"]
    if total == payout.amount_cents:
        payout.status = Payout.Status.REVERSED
        fields.append("status")
    payout.save(update_fields=fields)
    return delta
