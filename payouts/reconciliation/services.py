"""Reconciliation of the ledger with Stripe (docs/PRODUCT.md, Reconciliation; Fees).

``reconcile(day)``:
1. imports Stripe's balance transactions and platform payouts of the days around ``day``
   (``stripe_gateway.balance``), once each;
2. books each fee once (``fee:<balance transaction id>``, fees → external);
3. compares, for every Stripe payment and payout transfer touched on ``day`` on either side,
   Stripe's cumulative amounts with the ledger's, and stores each disagreement once
   (``Difference``); new ones are e-mailed to the operators.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from flattr_clone.money import format_cents
from payouts.batches.models import Payout
from payouts.funding.models import TopUp
from payouts.ledger.alerts import alert_operators
from payouts.ledger.models import Account, Transfer
from payouts.ledger.services import Posting, post_transfers, system_account
from payouts.providers import Provider
from payouts.reconciliation.models import (
    Difference,
    ReconciliationRun,
    StripeBalanceTransaction,
    StripePayout,
)
from payouts.stripe_gateway import balance as stripe_balance

STRIPE = Provider.STRIPE
PAYMENT_TYPES = {"charge", "payment", "refund", "payment_refund", "adjustment"}
TRANSFER_TYPES = {"transfer", "transfer_refund"}
# Balance transactions that are themselves a Stripe fee (Connect fees, for instance).
FEE_TYPES = {"stripe_fee", "application_fee"}


@dataclasses.dataclass
class ReconciliationReport:
    day: str
    imported: int
    fees_booked: int
    fees_booked_cents: int
    compared: int
    differences: list[dict]
    new_differences: int
    ok: bool

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def _utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _at(timestamp: int | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC) if timestamp else None


# --- Import --------------------------------------------------------------------------


def _source_ids(txn: dict) -> tuple[str, str, str]:
    """(source id, payment intent, transfer id) of a balance transaction."""
    source = txn.get("source")
    if isinstance(source, str) or source is None:
        return source or "", "", ""
    source_id = source.get("id") or ""
    payment = source.get("payment_intent") or ""
    transfer = ""
    kind = source.get("object")
    if kind == "transfer":
        transfer = source_id
    elif kind == "transfer_reversal":
        transfer = source.get("transfer") or ""
    if isinstance(payment, dict):
        payment = payment.get("id") or ""
    if isinstance(transfer, dict):
        transfer = transfer.get("id") or ""
    return source_id, payment, transfer


def import_from_stripe(*, start: dt.datetime, end: dt.datetime) -> list[StripeBalanceTransaction]:
    """Store the balance transactions and platform payouts created in [start, end) that are
    not stored yet; returns the balance transactions of the window (new and old)."""
    window = {"start": int(start.timestamp()), "end": int(end.timestamp())}
    for txn in stripe_balance.balance_transactions(**window):
        source_id, payment, transfer = _source_ids(txn)
        StripeBalanceTransaction.objects.get_or_create(
            txn_id=txn["id"],
            defaults={
                "type": txn.get("type") or "",
                "reporting_category": txn.get("reporting_category") or "",
                "amount_cents": int(txn.get("amount") or 0),
                "fee_cents": int(txn.get("fee") or 0),
                "currency": (txn.get("currency") or "").upper()[:3],
                "source_id": source_id,
                "payment_id": payment,
                "transfer_id": transfer,
                "created": _at(txn.get("created")) or timezone.now(),
            },
        )
    for payout in stripe_balance.payouts(**window):
        StripePayout.objects.update_or_create(
            payout_id=payout["id"],
            defaults={
                "amount_cents": int(payout.get("amount") or 0),
                "currency": (payout.get("currency") or "").upper()[:3],
                "status": payout.get("status") or "",
                "created": _at(payout.get("created")) or timezone.now(),
                "arrival_date": _at(payout.get("arrival_date")),
            },
        )
    return list(StripeBalanceTransaction.objects.filter(created__gte=start, created__lt=end))


# --- Fees ----------------------------------------------------------------------------


def fee_of(txn: StripeBalanceTransaction) -> int:
    """What Stripe took as a fee on this transaction (negative: a fee given back)."""
    if txn.type in FEE_TYPES:
        return -txn.amount_cents
    return txn.fee_cents


def fees_book(txns: list[StripeBalanceTransaction]) -> list[Transfer]:
    """Book each transaction's fee once: fees → external (a returned fee the other way)."""
    fees = system_account(Account.Kind.FEES)
    external = system_account(Account.Kind.EXTERNAL, STRIPE)
    postings = []
    for txn in txns:
        fee = fee_of(txn)
        if not fee:
            continue
        debit, credit = (fees, external) if fee > 0 else (external, fees)
        postings.append(
            Posting(
                debit.pk,
                credit.pk,
                abs(fee),
                f"fee:{txn.txn_id}",
                Transfer.Kind.FEE,
                f"stripe:{txn.source_id or txn.txn_id}"[:200],
            )
        )
    existing = set(
        Transfer.objects.filter(
            idempotency_key__in=[posting.idempotency_key for posting in postings]
        ).values_list("idempotency_key", flat=True)
    )
    new = [posting for posting in postings if posting.idempotency_key not in existing]
    return post_transfers(new, at=timezone.now()) if new else []


# --- Comparing -------------------------------------------------------------------------


def _ledger_payment(topup: TopUp) -> dict[str, int]:
    """The ledger's cumulative paid, refunded and disputed amounts of one top-up."""
    totals = {"paid": 0, "refunded": 0, "disputed": 0}
    prefix = f"{topup.ledger_key}:"
    for key, kind, amount in Transfer.objects.filter(reference=topup.ledger_key).values_list(
        "idempotency_key", "kind", "amount_cents"
    ):
        if key == topup.ledger_key and kind == Transfer.Kind.TOP_UP:
            totals["paid"] += amount
        elif key.startswith(prefix + "refund:"):
            totals["refunded"] += amount
        elif kind == Transfer.Kind.CORRECTION and key.endswith(":returned"):
            # A withdrawal's refund the provider refused, back in the wallet: never refunded.
            totals["refunded"] -= amount
        elif key.startswith(prefix + "dispute:"):
            totals["disputed"] += -amount if ":won" in key else amount
    return totals


def _stripe_payment(payment_id: str) -> dict[str, int]:
    totals = {"paid": 0, "refunded": 0, "disputed": 0}
    for kind, category, amount in StripeBalanceTransaction.objects.filter(
        payment_id=payment_id
    ).values_list("type", "reporting_category", "amount_cents"):
        if kind in ("charge", "payment"):
            totals["paid"] += amount
        elif kind in ("refund", "payment_refund"):
            totals["refunded"] -= amount
        elif kind == "adjustment" and category.startswith("dispute"):
            totals["disputed"] -= amount
    return totals


def _ledger_payout(payout: Payout) -> dict[str, int]:
    rows = Transfer.objects.filter(reference=payout.ledger_reference)
    return {
        "payout_sent": rows.filter(kind=Transfer.Kind.PAYOUT_PAID).aggregate(s=Sum("amount_cents"))[
            "s"
        ]
        or 0,
        "payout_reversed": rows.filter(kind=Transfer.Kind.REVERSAL).aggregate(
            s=Sum("amount_cents")
        )["s"]
        or 0,
    }


def _stripe_transfer(transfer_id: str) -> dict[str, int]:
    totals = {"payout_sent": 0, "payout_reversed": 0}
    for kind, amount in StripeBalanceTransaction.objects.filter(
        transfer_id=transfer_id
    ).values_list("type", "amount_cents"):
        if kind == "transfer":
            totals["payout_sent"] -= amount
        elif kind == "transfer_refund":
            totals["payout_reversed"] += amount
    return totals


def _touched_on(day: dt.date, txns: list[StripeBalanceTransaction]):
    """The payments, transfers and fees touched on ``day`` on either side."""
    start, end = _utc(day), _utc(day + dt.timedelta(days=1))
    on_day = [txn for txn in txns if start <= txn.created < end]
    payments = {txn.payment_id for txn in on_day if txn.type in PAYMENT_TYPES and txn.payment_id}
    transfers = {
        txn.transfer_id for txn in on_day if txn.type in TRANSFER_TYPES and txn.transfer_id
    }
    orphans = [
        txn
        for txn in on_day
        if (txn.type in PAYMENT_TYPES and not txn.payment_id)
        or (txn.type in TRANSFER_TYPES and not txn.transfer_id)
    ]
    ledger = Transfer.objects.filter(created_at__gte=start, created_at__lt=end)
    topup_refs = set(
        ledger.filter(reference__startswith="topup:").values_list("reference", flat=True)
    )
    topups = {
        topup.pk: topup
        for topup in TopUp.objects.filter(
            provider=STRIPE, pk__in=[int(ref.split(":")[1]) for ref in topup_refs]
        )
    }
    payout_refs = set(
        ledger.filter(
            reference__startswith="payout:",
            kind__in=[Transfer.Kind.PAYOUT_PAID, Transfer.Kind.REVERSAL],
        ).values_list("reference", flat=True)
    )
    payouts = {
        payout.pk: payout
        for payout in Payout.objects.filter(
            provider=STRIPE, pk__in=[int(ref.split(":")[1]) for ref in payout_refs]
        )
    }
    ledger_fees = list(
        ledger.filter(kind=Transfer.Kind.FEE).values_list("idempotency_key", flat=True)
    )
    return payments, transfers, orphans, topups, payouts, ledger_fees


def _compare(day: dt.date, txns: list[StripeBalanceTransaction]) -> tuple[int, list[dict]]:
    payments, transfers, orphans, topups, payouts, ledger_fees = _touched_on(day, txns)
    found: list[dict] = []
    compared = 0
    # Payments: every Stripe payment touched, and every Stripe top-up the ledger touched.
    by_payment = {topup.payment_id: topup for topup in topups.values() if topup.payment_id}
    by_payment.update(
        {
            topup.payment_id: topup
            for topup in TopUp.objects.filter(provider=STRIPE, payment_id__in=payments)
        }
    )
    for topup in topups.values():
        if not topup.payment_id:
            payments.add(topup.ledger_key)
    for payment in sorted(payments | set(by_payment)):
        compared += 1
        topup = by_payment.get(payment) or next(
            (t for t in topups.values() if t.ledger_key == payment), None
        )
        stripe = _stripe_payment(payment)
        ledger = _ledger_payment(topup) if topup else {"paid": 0, "refunded": 0, "disputed": 0}
        for kind in ("paid", "refunded", "disputed"):
            if stripe[kind] != ledger[kind]:
                found.append(
                    {
                        "kind": kind,
                        "object_id": payment,
                        "stripe": stripe[kind],
                        "ledger": ledger[kind],
                    }
                )
    # Payout transfers.
    by_transfer = {payout.provider_transfer_id: payout for payout in payouts.values()}
    by_transfer.update(
        {
            payout.provider_transfer_id: payout
            for payout in Payout.objects.filter(provider=STRIPE, provider_transfer_id__in=transfers)
        }
    )
    for transfer in sorted(transfers | set(by_transfer)):
        compared += 1
        payout = by_transfer.get(transfer)
        stripe = (
            _stripe_transfer(transfer) if transfer else {"payout_sent": 0, "payout_reversed": 0}
        )
        ledger = _ledger_payout(payout) if payout else {"payout_sent": 0, "payout_reversed": 0}
        for kind in ("payout_sent", "payout_reversed"):
            if stripe[kind] != ledger[kind]:
                found.append(
                    {
                        "kind": kind,
                        "object_id": transfer or payout.ledger_reference,
                        "stripe": stripe[kind],
                        "ledger": ledger[kind],
                    }
                )
    # Balance transactions of a payment or transfer Stripe does not name.
    for txn in orphans:
        compared += 1
        kind = "payout_sent" if txn.type in TRANSFER_TYPES else "paid"
        found.append(
            {"kind": kind, "object_id": txn.txn_id, "stripe": txn.amount_cents, "ledger": 0}
        )
    # Fees in the ledger that Stripe does not have.
    known = set(
        StripeBalanceTransaction.objects.filter(
            txn_id__in=[key.removeprefix("fee:") for key in ledger_fees]
        ).values_list("txn_id", flat=True)
    )
    for key in ledger_fees:
        compared += 1
        if key.removeprefix("fee:") not in known:
            amount = Transfer.objects.get(idempotency_key=key).amount_cents
            found.append(
                {
                    "kind": "fee",
                    "object_id": key.removeprefix("fee:"),
                    "stripe": 0,
                    "ledger": amount,
                }
            )
    return compared, found


# --- The run ---------------------------------------------------------------------------


def reconcile(*, day: dt.date, now: dt.datetime | None = None) -> ReconciliationReport:
    """Reconcile the ledger with Stripe for ``day`` (UTC): import, book fees, compare, report.

    Raises ``stripe_balance.BalanceUnavailable`` when Stripe cannot be asked (nothing is
    compared; the next run does it)."""
    now = now or timezone.now()
    start = _utc(day - dt.timedelta(days=1))
    end = min(_utc(day + dt.timedelta(days=2)), now + dt.timedelta(seconds=1))
    txns = import_from_stripe(start=start, end=end)
    booked = fees_book(txns)
    compared, found = _compare(day, txns)
    new = []
    for item in found:
        try:
            with transaction.atomic():
                new.append(
                    Difference.objects.create(
                        kind=item["kind"],
                        object_id=item["object_id"][:255],
                        stripe_cents=item["stripe"],
                        ledger_cents=item["ledger"],
                        day=day,
                    )
                )
        except IntegrityError:
            pass  # found before: reported once
    report = ReconciliationReport(
        day=day.isoformat(),
        imported=len(txns),
        fees_booked=len(booked),
        fees_booked_cents=sum(
            transfer.amount_cents
            if transfer.debit.kind == Account.Kind.FEES
            else -transfer.amount_cents
            for transfer in booked
        ),
        compared=compared,
        differences=found,
        new_differences=len(new),
        ok=not found,
    )
    ReconciliationRun.objects.create(day=day, ok=report.ok, report=report.as_dict())
    if new:
        lines = [
            f"- {diff.get_kind_display()} {diff.object_id}: "
            f"Stripe {format_cents(diff.stripe_cents)}, ledger {format_cents(diff.ledger_cents)}"
            for diff in new
        ]
        alert_operators(
            f"Reconciliation with Stripe: {len(new)} new difference(s) for {day.isoformat()}",
            "\n".join(lines),
        )
    losses_check(day=day)
    return report


def losses_on(day: dt.date) -> int:
    """New losses booked on ``day`` (UTC), net of losses recovered by won disputes."""
    start, end = _utc(day), _utc(day + dt.timedelta(days=1))
    losses = system_account(Account.Kind.LOSSES)
    rows = Transfer.objects.filter(created_at__gte=start, created_at__lt=end)
    lost = rows.filter(debit=losses).aggregate(s=Sum("amount_cents"))["s"] or 0
    recovered = rows.filter(credit=losses).aggregate(s=Sum("amount_cents"))["s"] or 0
    return lost - recovered


def losses_check(*, day: dt.date) -> int:
    """E-mail the operators when ``day``'s losses exceed LOSS_ALERT_CENTS; returns them."""
    from django.conf import settings

    lost = losses_on(day)
    if lost > settings.LOSS_ALERT_CENTS:
        alert_operators(
            f"Losses of {format_cents(lost)} on {day.isoformat()}",
            f"Refunds and disputes the wallets and holds could not cover cost "
            f"{format_cents(lost)} on {day.isoformat()} (alert threshold "
            f"{format_cents(settings.LOSS_ALERT_CENTS)}).",
        )
    return lost


def margin_by_month(*, months: int = 12) -> list[dict]:
    """Per month (newest first): commission earned, Stripe's fees, losses, and the margin."""
    commission = system_account(Account.Kind.COMMISSION)
    fees = system_account(Account.Kind.FEES)
    losses = system_account(Account.Kind.LOSSES)
    totals: dict[str, dict[str, int]] = defaultdict(
        lambda: {"commission": 0, "fees": 0, "losses": 0}
    )
    accounts = {commission.pk: "commission", fees.pk: "fees", losses.pk: "losses"}
    rows = Transfer.objects.filter(
        Q(debit_id__in=accounts) | Q(credit_id__in=accounts)
    ).values_list("created_at", "debit_id", "credit_id", "amount_cents")
    for at, debit, credit, amount in rows.iterator():
        month = timezone.localtime(at).strftime("%Y-%m")
        if credit == commission.pk:
            totals[month]["commission"] += amount
        if debit == commission.pk:
            totals[month]["commission"] -= amount
        for pk, name in ((fees.pk, "fees"), (losses.pk, "losses")):
            if debit == pk:
                totals[month][name] += amount
            if credit == pk:
                totals[month][name] -= amount
    result = []
    for month in sorted(totals, reverse=True)[:months]:
        row = totals[month]
        result.append(
            {"month": month, **row, "margin": row["commission"] - row["fees"] - row["losses"]}
        )
    return result
