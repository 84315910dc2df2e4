"""Withdrawals (PRODUCT.md, "Funding"): the unspent wallet back to the cards it came from.

1. ``withdrawal_start`` (one transaction, the wallet locked first, then each top-up): the
   amount is checked against what may be withdrawn, split over the paid top-ups newest first,
   at most the unspent and unrefunded part of each (``unrefunded_unspent``)
   (wallets are spent oldest payment first, so the newest hold the unspent money), and booked
   as a refund of each payment through ``topup_refund``, the same path as Stripe's own
   ``charge.refunded`` (key ``topup:<pk>:refund:<refunded total>``, wallet → provider), so
   payday cannot spend it, it cannot be withdrawn twice, Stripe's later notice books nothing
   again and reconciliation finds the refund under its payment.
2. ``refund_send`` asks the provider for each part, with ``withdrawal:<id>:topup:<topup>`` as
   idempotency key. Accepted: the part is marked refunded. Refused: the money comes back to
   the wallet (``withdrawal:<id>:topup:<topup>:returned``, provider → wallet), the
   payment's refunded amount shrinks back and its money is unspent again. Unknown outcome
   (timeout): nothing changes; the beat task asks again with the same key.

What may be withdrawn is the wallet minus what the reader's clicks still need at payday;
that reserve is a rule about clicks and is computed by the caller (``tips.leaving``).
"""

from __future__ import annotations

import dataclasses
import logging

from django.db import transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from flattr_clone.money import format_cents
from payouts.funding.holds import unspend
from payouts.funding.models import TopUp
from payouts.funding.topups import topup_refund
from payouts.ledger.models import Account, Transfer
from payouts.ledger.services import Posting, post_transfers, system_account, wallet_of
from payouts.providers import RefusedError, TransientError, provider_for
from payouts.withdrawals.models import Withdrawal, WithdrawalRefund

logger = logging.getLogger(__name__)


class WithdrawalError(ValueError):
    """The withdrawal was refused; the message is for the reader and nothing moved."""


class WithdrawalTransientError(RuntimeError):
    """A refund's outcome is unknown; it is asked again later with the same key."""


def refundable_topups(user) -> list[tuple[TopUp, int]]:
    """The user's paid top-ups that still hold money to refund, newest first, with that
    amount. A disputed top-up is left to its dispute."""
    rows = list(
        TopUp.objects.filter(user=user, status=TopUp.Status.PAID).order_by("-completed_at", "-id")
    )
    keys = [topup.ledger_key for topup in rows]
    disputed = {
        key.split(":dispute:")[0]
        for key in Transfer.objects.filter(
            reference__in=keys, kind__in=[Transfer.Kind.DISPUTE, Transfer.Kind.LOSS]
        ).values_list("idempotency_key", flat=True)
        if ":dispute:" in key
    }
    return [
        (topup, left)
        for topup in rows
        if (left := unrefunded_unspent(topup)) > 0 and topup.ledger_key not in disputed
    ]


def unrefunded_unspent(topup: TopUp) -> int:
    """What of ``topup`` a withdrawal may refund: what is still in the wallet from it
    (``amount − spent_cents``, docs/PRODUCT.md, Holds: refunds from the wallet count as spent)
    and not refunded yet. Money payday gave creators is never refunded to the card."""
    return max(
        0, min(topup.amount_cents - topup.spent_cents, topup.amount_cents - topup.refunded_cents)
    )


@dataclasses.dataclass(frozen=True)
class Withdrawable:
    """What the reader may take out now, and why not more."""

    wallet_cents: int
    reserved_cents: int
    refundable_cents: int
    sending_cents: int

    @property
    def amount_cents(self) -> int:
        return max(0, min(self.wallet_cents - self.reserved_cents, self.refundable_cents))


def withdrawable(user, *, reserved_cents: int) -> Withdrawable:
    wallet = wallet_of(user)
    wallet.refresh_from_db(fields=["balance_cents"])
    refundable = sum(left for _topup, left in refundable_topups(user))
    sending = (
        WithdrawalRefund.objects.filter(
            withdrawal__user=user, status=WithdrawalRefund.Status.SENDING
        ).aggregate(total=Sum("amount_cents"))["total"]
        or 0
    )
    return Withdrawable(
        wallet_cents=wallet.balance_cents,
        reserved_cents=min(max(reserved_cents, 0), wallet.balance_cents),
        refundable_cents=refundable,
        sending_cents=sending,
    )


@transaction.atomic
def withdrawal_start(
    *, user, amount_cents: int, reserved_cents: int, reason: str = Withdrawal.Reason.WITHDRAW
) -> Withdrawal:
    """Take ``amount_cents`` out of the wallet towards the cards (step 1 above). Raises
    ``WithdrawalError`` for an amount that is not a positive whole number of cents up to
    what may be withdrawn; nothing moves then. Call ``withdrawal_send`` after commit."""
    if type(amount_cents) is not int or amount_cents <= 0:
        raise WithdrawalError(_("Choose an amount of at least 0.01."))
    wallet = Account.objects.select_for_update().get(pk=wallet_of(user).pk)
    limit = withdrawable(user, reserved_cents=reserved_cents)
    if amount_cents > limit.amount_cents:
        if limit.amount_cents == 0:
            raise WithdrawalError(_("There is nothing you can withdraw now."))
        raise WithdrawalError(
            _("You can withdraw at most %(amount)s now.")
            % {"amount": format_cents(limit.amount_cents)}
        )
    withdrawal = Withdrawal.objects.create(user=user, amount_cents=amount_cents, reason=reason)
    left = amount_cents
    for topup, _left_in_topup in refundable_topups(user):
        if not left:
            break
        locked = TopUp.objects.select_for_update().get(pk=topup.pk)
        part = min(left, unrefunded_unspent(locked))
        if part <= 0:
            continue
        WithdrawalRefund.objects.create(withdrawal=withdrawal, topup=locked, amount_cents=part)
        taken = topup_refund(
            provider=locked.provider,
            payment_id=locked.payment_id,
            topup_id=locked.pk,
            refunded_total_cents=locked.refunded_cents + part,
        )
        if taken.amount_cents != part or any(
            t.debit_id != wallet.pk for t in taken.transfers
        ):  # pragma: no cover - the wallet was checked under its lock
            raise WithdrawalError(_("There is nothing you can withdraw now."))
        left -= part
    if left:
        raise WithdrawalError(_("There is nothing you can withdraw now."))
    return withdrawal


def withdrawal_send(*, withdrawal_id: int) -> Withdrawal:
    """Ask the provider for every part still being refunded. Raises
    ``WithdrawalTransientError`` when some outcome stayed unknown (the others are done)."""
    unknown = []
    for refund_id in WithdrawalRefund.objects.filter(
        withdrawal_id=withdrawal_id, status=WithdrawalRefund.Status.SENDING
    ).values_list("pk", flat=True):
        try:
            refund_send(refund_id=refund_id)
        except WithdrawalTransientError as error:
            unknown.append(str(error))
    if unknown:
        raise WithdrawalTransientError("; ".join(unknown))
    return Withdrawal.objects.get(pk=withdrawal_id)


def refund_send(*, refund_id: int) -> str:
    """Step 2 for one part; returns its status."""
    refund = WithdrawalRefund.objects.select_related("topup").get(pk=refund_id)
    if refund.status != WithdrawalRefund.Status.SENDING:
        return refund.status
    WithdrawalRefund.objects.filter(pk=refund.pk).update(attempts=refund.attempts + 1)
    topup = refund.topup
    try:
        provider_refund_id = provider_for(topup.provider).refund_topup(
            topup, amount_cents=refund.amount_cents, idempotency_key=refund.ledger_key
        )
    except TransientError as error:
        WithdrawalRefund.objects.filter(pk=refund.pk).update(last_error=str(error)[:1000])
        logger.warning("%s: unknown outcome, asked again later: %s", refund.ledger_key, error)
        raise WithdrawalTransientError(f"{refund.ledger_key}: {error}") from error
    except RefusedError as error:
        logger.warning("%s refused by %s: %s", refund.ledger_key, topup.provider, error)
        _refund_returned(refund_id=refund.pk, reason=str(error))
        return WithdrawalRefund.Status.RETURNED
    _refund_done(refund_id=refund.pk, provider_refund_id=provider_refund_id)
    return WithdrawalRefund.Status.REFUNDED


@transaction.atomic
def _refund_done(*, refund_id: int, provider_refund_id: str) -> None:
    """The provider made the refund: the money already left the wallet at step 1."""
    refund = WithdrawalRefund.objects.select_for_update().get(pk=refund_id)
    if refund.status != WithdrawalRefund.Status.SENDING:
        return
    refund.status = WithdrawalRefund.Status.REFUNDED
    refund.provider_refund_id = provider_refund_id[:255]
    refund.last_error = ""
    refund.finished_at = timezone.now()
    refund.save(update_fields=["status", "provider_refund_id", "last_error", "finished_at"])


@transaction.atomic
def _refund_returned(*, refund_id: int, reason: str) -> None:
    refund = WithdrawalRefund.objects.select_for_update().get(pk=refund_id)
    if refund.status != WithdrawalRefund.Status.SENDING:
        return
    # The wallet's lock before the payment's (the order every money movement takes).
    topup_user_id = TopUp.objects.values_list("user_id", flat=True).get(pk=refund.topup_id)
    wallet = Account.objects.select_for_update().get(
        kind=Account.Kind.WALLET, user_id=topup_user_id
    )
    topup = TopUp.objects.select_for_update().get(pk=refund.topup_id)
    post_transfers(
        [
            Posting(
                system_account(Account.Kind.EXTERNAL, topup.provider).pk,
                wallet.pk,
                refund.amount_cents,
                f"{refund.ledger_key}:returned",
                Transfer.Kind.CORRECTION,
                topup.ledger_key,
            )
        ]
    )
    topup.refunded_cents = max(0, topup.refunded_cents - refund.amount_cents)
    topup.save(update_fields=["refunded_cents"])
    # The refund spent this payment's money from the wallet: it is unspent again
    # (Σ(amount − spent) of the reader's paid top-ups stays the wallet's balance).
    unspend(topup, refund.amount_cents)
    refund.status = WithdrawalRefund.Status.RETURNED
    refund.last_error = reason[:1000]
    refund.finished_at = timezone.now()
    refund.save(update_fields=["status", "last_error", "finished_at"])


def withdrawals_unsent(*, older_than_minutes: int = 10) -> list[int]:
    """Withdrawals with a part still being refunded (a lost task, an unknown outcome)."""
    since = timezone.now() - timezone.timedelta(minutes=older_than_minutes)
    return list(
        Withdrawal.objects.filter(
            Exists(
                WithdrawalRefund.objects.filter(
                    withdrawal=OuterRef("pk"), status=WithdrawalRefund.Status.SENDING
                )
            ),
            created_at__lt=since,
        ).values_list("pk", flat=True)
    )
