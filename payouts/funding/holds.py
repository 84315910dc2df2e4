"""Holds (docs/PRODUCT.md, Holds): the service functions other features build on.

- ``hold_until_for(topup, paid_at)``: when a payment is risky, the date until which what it
  funds is held (None otherwise). ``topup_complete`` stores it on the top-up.
- ``holds_trace_payday(rows, ...)``: with the wallet → earnings/commission postings payday
  applied: spends the wallets oldest payment first, and moves every piece that came from a
  risky payment to held earnings (a ``Hold``). Payday's chunks call ``holds_plan_payday``
  before they lock the creators' earnings and write ``holds_postings_payday`` with their
  shares, so chunks on several workers do not wait for each other's tracing.
- ``holds_release_due(now=, creator=)``: held → earnings for every hold whose date passed.
- ``take_back(topup, amount, key=, kind=)``: a refund or dispute: wallet first, then the
  money still held from that payment (in proportion, exact to the cent), then losses.
- ``take_back_reinstate(topup, key=)``: a won dispute: everything ``take_back`` moved under
  ``key`` comes back to where it was taken from.
- ``unspend(topup, amount)``: money of ``topup`` back in the wallet (``spent_cents`` follows).

Locking order (no deadlocks): a reader's wallet before their top-ups' rows; wallets,
earnings, external and losses accounts before ``Hold`` rows; ``Hold`` rows before held
accounts. Every writer of ``TopUp.spent_cents`` holds the reader's wallet lock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from payouts.funding.models import Hold, TopUp
from payouts.ledger.models import Account, Transfer
from payouts.ledger.services import (
    Posting,
    earnings_of,
    integer_array,
    lock_balances,
    system_account,
    wallet_of,
    write_transfers,
)
from payouts.providers import Provider

# Payments that can be disputed after they were paid (docs/PRODUCT.md, Holds).
DISPUTABLE_PROVIDERS = frozenset({Provider.STRIPE})


# --- Risk ------------------------------------------------------------------------------


def hold_until_for(topup: TopUp, *, paid_at: dt.datetime) -> dt.datetime | None:
    """Until when the money of ``topup`` (paid at ``paid_at``) is held, or None.

    Risky: a disputable payment from a reader whose account was younger than
    HOLD_NEW_ACCOUNT_DAYS, or who had fewer than HOLD_MIN_EARLIER_PAYMENTS paid top-ups, or
    with a card (fingerprint) that paid fewer than HOLD_MIN_EARLIER_PAYMENTS top-ups before.
    """
    if topup.provider not in DISPUTABLE_PROVIDERS or settings.HOLD_DAYS <= 0:
        return None
    young = topup.user.date_joined > paid_at - dt.timedelta(days=settings.HOLD_NEW_ACCOUNT_DAYS)
    earlier = (
        TopUp.objects.filter(user_id=topup.user_id, status=TopUp.Status.PAID)
        .exclude(pk=topup.pk)
        .count()
    )
    new_card = bool(topup.card_fingerprint) and (
        TopUp.objects.filter(card_fingerprint=topup.card_fingerprint, status=TopUp.Status.PAID)
        .exclude(pk=topup.pk)
        .count()
        < settings.HOLD_MIN_EARLIER_PAYMENTS
    )
    if (
        young
        or earlier < settings.HOLD_MIN_EARLIER_PAYMENTS
        or new_card
        or card_funds_too_many_accounts(topup, paid_at=paid_at)
    ):
        return paid_at + dt.timedelta(days=settings.HOLD_DAYS)
    return None


def card_funds_too_many_accounts(topup: TopUp, *, paid_at: dt.datetime) -> bool:
    """The card of ``topup`` already paid top-ups of at least CARD_MAX_ACCOUNTS other
    accounts in the last CARD_ACCOUNTS_WINDOW_DAYS (docs/PRODUCT.md, First payouts and
    velocity): the card is only known once paid, so such a payment is held, not refused."""
    if not topup.card_fingerprint or settings.CARD_MAX_ACCOUNTS <= 0:
        return False
    others = (
        TopUp.objects.filter(
            card_fingerprint=topup.card_fingerprint,
            status=TopUp.Status.PAID,
            completed_at__gte=paid_at - dt.timedelta(days=settings.CARD_ACCOUNTS_WINDOW_DAYS),
        )
        .exclude(user_id=topup.user_id)
        .values("user_id")
        .distinct()
        .count()
    )
    return others >= settings.CARD_MAX_ACCOUNTS


# --- Spending wallets oldest payment first --------------------------------------------------


@dataclasses.dataclass(slots=True)
class _Unspent:
    """What tracing needs of a paid top-up with money left (a payday chunk reads ten
    thousand of them: model instances cost more than the query)."""

    pk: int
    user_id: int
    amount_cents: int
    spent_cents: int
    hold_until: dt.datetime | None


def _unspent_topups(reader_ids: Iterable[int]) -> dict[int, list[_Unspent]]:
    """The paid top-ups with money left in the wallet, per reader, oldest payment first.
    The caller holds the readers' wallet locks."""
    found: dict[int, list[_Unspent]] = defaultdict(list)
    rows = (
        TopUp.objects.filter(
            user_id__in_array=reader_ids,
            status=TopUp.Status.PAID,
            spent_cents__lt=F("amount_cents"),
        )
        .order_by("user_id", "completed_at", "pk")
        .values_list("pk", "user_id", "amount_cents", "spent_cents", "hold_until")
    )
    for row in rows:
        found[row[1]].append(_Unspent(*row))
    return found


def _spend(queue: list[_Unspent], amount_cents: int, changed: dict[int, _Unspent]):
    """Take ``amount_cents`` from the front of ``queue``; yields (top-up, cents) pieces.
    Money the top-ups do not cover (a wallet credited otherwise) is simply not traced."""
    left = amount_cents
    while left and queue:
        topup = queue[0]
        take = min(topup.amount_cents - topup.spent_cents, left)
        topup.spent_cents += take
        changed[topup.pk] = topup
        left -= take
        if topup.spent_cents == topup.amount_cents:
            queue.pop(0)
        yield topup, take


def _save_spent(changed: dict[int, _Unspent]) -> None:
    if not changed:
        return
    ids = sorted(changed)
    if connection.vendor == "postgresql":
        # One UPDATE from arrays: payday changes a top-up of nearly every reader of a chunk,
        # and ``bulk_update``'s CASE of 500 ids per statement grows with the square of them.
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {connection.ops.quote_name(TopUp._meta.db_table)} AS t "  # noqa: S608
                "SET spent_cents = d.spent FROM unnest(%s::bigint[], %s::bigint[]) "
                "AS d(id, spent) WHERE t.id = d.id",
                [integer_array(ids), integer_array(changed[pk].spent_cents for pk in ids)],
            )
        return
    TopUp.objects.bulk_update(
        [TopUp(pk=pk, spent_cents=changed[pk].spent_cents) for pk in ids],
        ["spent_cents"],
        batch_size=500,
    )


# --- Payday ------------------------------------------------------------------------------


def holds_trace_payday(
    rows: Sequence[Posting],
    *,
    readers_by_wallet: dict[int, int],
    creators_by_earnings: dict[int, int],
    now: dt.datetime,
) -> list[Hold]:
    """Trace the wallet postings payday applied to their payments and hold the risky pieces:
    ``holds_plan_payday`` then ``holds_move_payday``.

    ``rows`` are the applied wallet → commission / earnings postings (the caller's
    transaction holds the wallet and earnings locks)."""
    holds = holds_plan_payday(
        rows,
        readers_by_wallet=readers_by_wallet,
        creators_by_earnings=creators_by_earnings,
        now=now,
    )
    holds_move_payday(holds, creators_by_earnings=creators_by_earnings, now=now)
    return holds


def holds_plan_payday(
    rows: Sequence[Posting],
    *,
    readers_by_wallet: dict[int, int],
    creators_by_earnings: dict[int, int],
    now: dt.datetime,
) -> list[Hold]:
    """The first half of the trace: spend the readers' unspent payments oldest first for
    ``rows`` and record a ``Hold`` for every piece of a share that came from a risky one.
    Per reader, the commission comes first, then the shares by creator id.

    Needs the readers' wallet locks only (their top-ups are theirs), not the creators'
    earnings: payday's chunks call it before they lock those shared rows, so another chunk
    never waits for this work. The held money moves in ``holds_move_payday``, once the
    shares are credited."""
    pieces: dict[int, list[tuple[int | None, str, int]]] = defaultdict(list)
    for row in rows:
        reader = readers_by_wallet.get(row.debit_id)
        if reader is None:
            continue
        pieces[reader].append(
            (creators_by_earnings.get(row.credit_id), row.idempotency_key, row.amount_cents)
        )
    if not pieces:
        return []
    queues = _unspent_topups(pieces)
    changed: dict[int, _Unspent] = {}
    holds: list[Hold] = []
    for reader, items in pieces.items():
        queue = queues.get(reader, [])
        items.sort(key=lambda item: (item[0] is not None, item[0] or 0))
        for creator, key, amount in items:
            for topup, cents in list(_spend(queue, amount, changed)):
                if creator is not None and topup.hold_until and topup.hold_until > now:
                    holds.append(
                        Hold(
                            creator_id=creator,
                            top_up_id=topup.pk,
                            share_key=key,
                            amount_cents=cents,
                            held_cents=cents,
                            available_on=topup.hold_until,
                            created_at=now,
                        )
                    )
    _save_spent(changed)
    if holds:
        Hold.objects.bulk_create(holds, batch_size=500)
    return holds


def holds_move_payday(
    holds: list[Hold], *, creators_by_earnings: dict[int, int], now: dt.datetime
) -> None:
    """The second half of the trace: earnings → held earnings for every hold of
    ``holds_plan_payday``, once the shares they hold are credited."""
    rows = holds_postings_payday(holds, creators_by_earnings=creators_by_earnings)
    if not rows:
        return
    # Earnings are locked already (re-read: payday just credited them), held ones after them.
    locked = lock_balances(row.debit_id for row in rows)
    locked.update(lock_balances(row.credit_id for row in rows))
    write_transfers(rows, at=now, locked=locked)


def holds_postings_payday(
    holds: list[Hold], *, creators_by_earnings: dict[int, int]
) -> list[Posting]:
    """The earnings → held earnings postings of ``holds`` (``holds_plan_payday``), creating
    the held accounts they need. Payday's chunks write them in one ``write_transfers`` with
    the shares they hold: taken together, those rows only raise each earnings balance (a
    hold is a piece of a share of the same rows), so the earnings stay credited only and
    are locked last, and the held accounts are locked and updated with them."""
    if not holds:
        return []
    earnings = {creator: pk for pk, creator in creators_by_earnings.items()}
    held = _held_accounts({hold.creator_id for hold in holds})
    return [
        Posting(
            earnings[hold.creator_id],
            held[hold.creator_id],
            hold.amount_cents,
            hold.ledger_key,
            Transfer.Kind.HOLD,
            hold.share_key.rsplit(":", 2)[0],
        )
        for hold in holds
    ]


def _held_accounts(creator_ids: set[int]) -> dict[int, int]:
    """``{creator id: held account id}``, creating the missing ones."""
    found = dict(
        Account.objects.filter(kind=Account.Kind.HELD, user_id__in_array=creator_ids).values_list(
            "user_id", "pk"
        )
    )
    missing = [pk for pk in creator_ids if pk not in found]
    if missing:
        Account.objects.bulk_create(
            [Account(kind=Account.Kind.HELD, user_id=pk) for pk in missing],
            ignore_conflicts=True,
        )
        found.update(
            Account.objects.filter(kind=Account.Kind.HELD, user_id__in_array=missing).values_list(
                "user_id", "pk"
            )
        )
    return found


# --- Release ---------------------------------------------------------------------------


def holds_release_due(*, now: dt.datetime | None = None, creator=None) -> int:
    """Release every hold whose date has passed (held → earnings); returns the cents released.
    Run daily by beat, and by the payout batch (for each creator) before it pays."""
    now = now or timezone.now()
    due = Hold.objects.filter(held_cents__gt=0, available_on__lte=now)
    if creator is not None:
        due = due.filter(creator=creator)
    released = 0
    for creator_id in sorted(set(due.values_list("creator_id", flat=True))):
        released += _release_creator(creator_id, now)
    return released


@transaction.atomic
def _release_creator(creator_id: int, now: dt.datetime) -> int:
    earnings = Account.objects.get_or_create(kind=Account.Kind.EARNINGS, user_id=creator_id)[0]
    locked = lock_balances([earnings.pk])
    holds = list(
        Hold.objects.select_for_update()
        .filter(creator_id=creator_id, held_cents__gt=0, available_on__lte=now)
        .order_by("pk")
    )
    if not holds:
        return 0
    held = _held_accounts({creator_id})[creator_id]
    locked.update(lock_balances([held]))
    rows = []
    for hold in holds:
        amount = hold.held_cents
        hold.released_cents += amount
        hold.held_cents = 0
        hold.released_at = now
        rows.append(
            Posting(
                held,
                earnings.pk,
                amount,
                f"{hold.ledger_key}:release:{hold.released_cents}",
                Transfer.Kind.HOLD_RELEASE,
                f"hold:{hold.pk}",
            )
        )
    write_transfers(rows, at=now, locked=locked)
    Hold.objects.bulk_update(holds, ["held_cents", "released_cents", "released_at"])
    return sum(row.amount_cents for row in rows)


# --- Taking back (refunds, disputes) -------------------------------------------------------


def split_in_proportion(amount_cents: int, weights: Sequence[int]) -> list[int]:
    """Split ``amount_cents`` over ``weights`` in proportion, exactly: floors first, then the
    leftover cents one each by largest remainder, ties to the earlier weight."""
    total = sum(weights)
    if amount_cents < 0 or amount_cents > total:
        raise ValueError("can only split an amount between 0 and the sum of the weights")
    if not total:
        return [0] * len(weights)
    parts = [amount_cents * weight // total for weight in weights]
    remainders = [amount_cents * weight % total for weight in weights]
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[: amount_cents - sum(parts)]:
        parts[i] += 1
    return parts


def lock_wallet_of(user) -> Account:
    """Lock a reader's wallet: done before touching their top-ups (see the module doc)."""
    wallet = wallet_of(user)
    lock_balances([wallet.pk])
    return wallet


def take_back(topup: TopUp, amount_cents: int, *, key: str, kind: str) -> list[Transfer]:
    """Return ``amount_cents`` of ``topup`` to its provider: from the wallet up to its balance,
    then from the money still held from this payment (in proportion to each hold), the rest
    from losses. Keys: ``key`` (wallet), ``key:hold:<hold pk>``, ``key:loss``. The caller
    holds the reader's wallet lock and runs in a transaction."""
    now = timezone.now()
    wallet = wallet_of(topup.user)
    external = system_account(Account.Kind.EXTERNAL, topup.provider)
    losses = system_account(Account.Kind.LOSSES)
    locked = lock_balances([wallet.pk, external.pk, losses.pk])
    reference = topup.ledger_key
    rows: list[Posting] = []
    from_wallet = min(amount_cents, locked[wallet.pk][1])
    if from_wallet:
        rows.append(Posting(wallet.pk, external.pk, from_wallet, key, kind, reference))
        queues = _unspent_topups([topup.user_id])
        queue = queues.get(topup.user_id, [])
        # This payment's own unspent money first, then the others oldest first.
        queue.sort(key=lambda t: t.pk != topup.pk)
        changed: dict[int, _Unspent] = {}
        list(_spend(queue, from_wallet, changed))
        _save_spent(changed)
    rest = amount_cents - from_wallet
    holds = list(
        Hold.objects.select_for_update().filter(top_up=topup, held_cents__gt=0).order_by("pk")
    )
    if rest and holds:
        taken = min(rest, sum(hold.held_cents for hold in holds))
        parts = split_in_proportion(taken, [hold.held_cents for hold in holds])
        held = _held_accounts({hold.creator_id for hold in holds})
        locked.update(lock_balances(held.values()))
        for hold, part in zip(holds, parts, strict=True):
            if not part:
                continue
            hold.held_cents -= part
            hold.taken_cents += part
            rows.append(
                Posting(
                    held[hold.creator_id],
                    external.pk,
                    part,
                    f"{key}:hold:{hold.pk}",
                    kind,
                    reference,
                )
            )
        Hold.objects.bulk_update(holds, ["held_cents", "taken_cents"])
        rest -= taken
    if rest:
        rows.append(
            Posting(losses.pk, external.pk, rest, f"{key}:loss", Transfer.Kind.LOSS, reference)
        )
    write_transfers(rows, at=now, locked=locked)
    stored = {
        t.idempotency_key: t
        for t in Transfer.objects.filter(idempotency_key__in=[r.idempotency_key for r in rows])
    }
    return [stored[row.idempotency_key] for row in rows]


def taken_back(key: str) -> list[Transfer]:
    """The transfers ``take_back`` wrote under ``key``."""
    return list(
        Transfer.objects.filter(idempotency_key=key)
        | Transfer.objects.filter(idempotency_key=f"{key}:loss")
        | Transfer.objects.filter(idempotency_key__startswith=f"{key}:hold:")
    )


def take_back_reinstate(topup: TopUp, *, key: str) -> list[Transfer]:
    """Undo what ``take_back`` moved under ``key`` (a won dispute), once: the wallet's part
    back to the wallet, each hold's part to that hold (to earnings if its date has passed),
    the losses' part out of losses. Keys: ``key:won``, ``key:won:hold:<pk>``,
    ``key:won:loss``. The caller holds the reader's wallet lock."""
    now = timezone.now()
    if Transfer.objects.filter(idempotency_key__startswith=f"{key}:won").exists():
        return []
    wallet = wallet_of(topup.user)
    external = system_account(Account.Kind.EXTERNAL, topup.provider)
    losses = system_account(Account.Kind.LOSSES)
    locked = lock_balances([wallet.pk, external.pk, losses.pk])
    reference = topup.ledger_key
    kind = Transfer.Kind.DISPUTE_WON
    rows: list[Posting] = []
    hold_parts: dict[int, int] = {}
    for transfer in taken_back(key):
        if transfer.idempotency_key == key:
            rows.append(
                Posting(
                    external.pk, wallet.pk, transfer.amount_cents, f"{key}:won", kind, reference
                )
            )
            unspend(topup, transfer.amount_cents)
        elif transfer.idempotency_key == f"{key}:loss":
            rows.append(
                Posting(
                    external.pk,
                    losses.pk,
                    transfer.amount_cents,
                    f"{key}:won:loss",
                    kind,
                    reference,
                )
            )
        else:
            hold_parts[int(transfer.idempotency_key.rsplit(":", 1)[1])] = transfer.amount_cents
    if hold_parts:
        holds = list(Hold.objects.select_for_update().filter(pk__in=hold_parts).order_by("pk"))
        creators = {hold.creator_id for hold in holds}
        held = _held_accounts(creators)
        earnings = {c: earnings_of(hold.creator).pk for hold in holds for c in [hold.creator_id]}
        locked.update(lock_balances(earnings.values()))
        locked.update(lock_balances(held.values()))
        for hold in holds:
            part = hold_parts[hold.pk]
            hold.taken_cents -= part
            if hold.available_on <= now:
                hold.released_cents += part
                hold.released_at = now
                target = earnings[hold.creator_id]
            else:
                hold.held_cents += part
                target = held[hold.creator_id]
            rows.append(
                Posting(external.pk, target, part, f"{key}:won:hold:{hold.pk}", kind, reference)
            )
        Hold.objects.bulk_update(
            holds, ["held_cents", "taken_cents", "released_cents", "released_at"]
        )
    write_transfers(rows, at=now, locked=locked)
    return [t for t in Transfer.objects.filter(idempotency_key__startswith=f"{key}:won")]


def unspend(topup: TopUp, amount_cents: int) -> None:
    """Money back in the wallet: unspent again on this payment first, then on the reader's
    other payments, newest first. The caller holds the reader's wallet lock (a won dispute;
    a withdrawal's refund the provider refused)."""
    left = amount_cents
    rows = TopUp.objects.filter(
        user_id=topup.user_id, status=TopUp.Status.PAID, spent_cents__gt=0
    ).order_by("-completed_at", "-pk")
    ordered = sorted(rows, key=lambda t: t.pk != topup.pk)
    for row in ordered:
        if not left:
            break
        back = min(row.spent_cents, left)
        row.spent_cents -= back
        left -= back
        row.save(update_fields=["spent_cents"])


# --- What creators see ------------------------------------------------------------------


def held_by_date(creator) -> list[tuple[dt.datetime, int]]:
    """The creator's held money grouped by the day it becomes available, soonest first."""
    totals: dict[dt.date, int] = defaultdict(int)
    first: dict[dt.date, dt.datetime] = {}
    for available_on, cents in Hold.objects.filter(creator=creator, held_cents__gt=0).values_list(
        "available_on", "held_cents"
    ):
        day = timezone.localdate(available_on)
        totals[day] += cents
        first.setdefault(day, available_on)
    return [(first[day], totals[day]) for day in sorted(totals)]
