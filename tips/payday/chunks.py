"""One chunk of payday (docs/PRODUCT.md, Payday, steps 1 to 7) and the completion of a run.

Each chunk is one transaction: its transfers, its records and its "done" mark commit
together, so a crash anywhere leaves every chunk fully applied or not at all. The
idempotency keys (``tips.payday.keys``) make a repeated chunk a no-op even if the "done"
mark were lost. The chunk that completes last stores the totals, marks the run done and
enqueues the follow-up tasks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.module_loading import import_string

from flattr_clone.months import format_month, month_last_instant
from payouts.funding.holds import holds_plan_payday, holds_postings_payday
from payouts.funding.selectors import budgets_in_effect_cents
from payouts.ledger.alerts import alert_operators
from payouts.ledger.checks import ledger_check_or_alert
from payouts.ledger.models import Account, Transfer
from payouts.ledger.services import (
    LedgerError,
    Posting,
    integer_array,
    lock_balances,
    system_account,
    write_transfers,
)
from tips.clicks.models import Click
from tips.payday.charges import (
    charged_readers_subquery,
    month_charges_create,
    take_pay_after_month_readers,
)
from tips.payday.estimates import eligible_creators_by_reader
from tips.payday.keys import commission_key, payday_reference, payday_transfers, share_key
from tips.payday.models import PaydayChunk, PaydayRecord, PaydayRun
from tips.payday.signals import payday_chunk_stage
from tips.payday.split import split_reader

logger = logging.getLogger(__name__)

# --- Totals --------------------------------------------------------------------------


@dataclasses.dataclass
class PaydayTotals:
    month: str
    readers: int
    creators: int
    given: int
    commission: int
    distributed: int
    status: str

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def run_totals(run: PaydayRun) -> PaydayTotals:
    return PaydayTotals(
        month=format_month(run.month),
        readers=run.readers,
        creators=run.creators,
        given=run.given_cents,
        commission=run.commission_cents,
        distributed=run.distributed_cents,
        status=PaydayRun.Status(run.status).value,
    )


def _record_failure(month: dt.date, error: BaseException) -> None:
    """Keep the error on the run for operators and e-mail them (docs/PRODUCT.md, Alerts); the
    run stays resumable."""
    PaydayRun.objects.filter(month=month).exclude(status=PaydayRun.Status.DONE).update(
        status=PaydayRun.Status.FAILED, last_error=f"{type(error).__name__}: {error}"[:2000]
    )
    alert_operators(
        f"Payday {format_month(month)} failed",
        f"{type(error).__name__}: {error}\nIt can be resumed: python manage.py payday "
        f"--month {format_month(month)}.",
    )


# --- One chunk -----------------------------------------------------------------------


@dataclasses.dataclass
class ReaderPlan:
    reader_pk: int
    budget_cents: int
    wallet_cents: int
    given_cents: int
    commission_cents: int
    shares: dict[int, int]


def payday_chunk_process(*, chunk_id: int) -> bool:
    """Process one chunk of readers in one transaction; False when it was already done (or is
    being done by another worker right now)."""
    try:
        return _process_chunk(chunk_id)
    except Exception as error:
        run_month = (
            PaydayChunk.objects.filter(pk=chunk_id).values_list("run__month", flat=True).first()
        )
        if run_month is not None:
            _record_failure(run_month, error)
        raise


@transaction.atomic
def _process_chunk(chunk_id: int) -> bool:
    # The chunk's row only (``of``, no ordering): the default ordering by run joined the run's
    # row into the lock, so a chunk skipped itself while any other chunk held the run.
    chunk = (
        PaydayChunk.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk=chunk_id, done_at__isnull=True)
        .order_by()
        .first()
    )
    if chunk is None:
        return False
    if connection.vendor == "postgresql":
        # The commit does not wait for the disk: the shared rows this chunk locks last (the
        # earnings, the commission, the run) are then held for the time of their UPDATE, not
        # of a WAL flush, and other chunks hardly ever wait for them. Nothing is at risk: a
        # crash of the database can only lose whole chunks (each is one transaction, its
        # "done" mark included), which the resumed run does again (docs/PRODUCT.md,
        # Payday); and any later ordinary commit, like the run's last one, flushes them.
        # And the foreign keys of its rows are checked as they are inserted, not at commit
        # (Django makes them DEFERRABLE INITIALLY DEFERRED): deferred, a hundred thousand
        # checks ran in the commit, while this chunk held the shared rows.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    run = PaydayRun.objects.get(pk=chunk.run_id)
    month = run.month
    readers = _readers_and_creators(month, chunk.first_reader_id, chunk.last_reader_id)
    budgets = budgets_in_effect_cents(user_ids=list(readers), at=month_last_instant(month))
    # Readers who pay after the month get a charge instead (tips.payday.charges).
    charged = take_pay_after_month_readers(readers)
    wallets = dict(
        Account.objects.filter(kind=Account.Kind.WALLET, user_id__in_array=readers).values_list(
            "user_id", "pk"
        )
    )
    earnings = _earnings_accounts({pk for creators in readers.values() for pk in creators})
    commission_account = system_account(Account.Kind.COMMISSION).pk
    # Only this chunk's readers' wallets are locked now (no other chunk has these readers).
    # The earnings and the commission account are shared by every chunk: they are only
    # credited here, so ``write_transfers`` locks them as late as it can (``credited_only``),
    # after the inserts, and this transaction holds them only from there to its commit.
    locked = lock_balances(wallets.values())

    plans = [
        _plan_reader(
            month,
            reader_pk,
            creators,
            budget_cents=budgets.get(reader_pk, 0),
            wallet_cents=locked[wallets[reader_pk]][1] if reader_pk in wallets else 0,
        )
        for reader_pk, creators in sorted(readers.items())
    ]
    reference = payday_reference(month)
    rows: list[Posting] = []
    for plan in plans:
        wallet = wallets.get(plan.reader_pk)
        if plan.commission_cents:
            rows.append(
                Posting(
                    wallet,
                    commission_account,
                    plan.commission_cents,
                    commission_key(month, plan.reader_pk),
                    Transfer.Kind.COMMISSION,
                    reference,
                )
            )
        for creator_pk, share in plan.shares.items():
            rows.append(
                Posting(
                    wallet,
                    earnings[creator_pk],
                    share,
                    share_key(month, plan.reader_pk, creator_pk, reference=reference),
                    Transfer.Kind.DISTRIBUTION,
                    reference,
                )
            )
    now = timezone.now()
    _write_records(run, plans, now)
    # docs/PRODUCT.md, Holds: trace the money to its payments and record the risky pieces,
    # and the charges of the readers who pay after the month: all of it before the shared
    # earnings are locked (``write_transfers`` below), so another chunk never waits for it.
    creators_by_earnings = {pk: creator for creator, pk in earnings.items()}
    holds = holds_plan_payday(
        rows,
        readers_by_wallet={pk: reader for reader, pk in wallets.items()},
        creators_by_earnings=creators_by_earnings,
        now=now,
    )
    month_charges_create(month, charged, budgets)
    # The held pieces move to held earnings in the same write as the shares they hold: the
    # earnings, the held accounts and the commission, shared by every chunk, are locked only
    # once every row is in, and held from one UPDATE to the commit.
    held_rows = holds_postings_payday(holds, creators_by_earnings=creators_by_earnings)
    rows += held_rows
    applied = write_transfers(
        rows,
        at=now,
        locked=locked,
        credited_only={
            commission_account,
            *earnings.values(),
            *(row.credit_id for row in held_rows),
        },
    )
    if len(applied) != len(rows):
        # A chunk is one transaction with its "done" mark, so none of its transfers can be in
        # the ledger yet; if some are, their payments were traced once already.
        raise LedgerError(
            f"payday {month:%Y-%m}: {len(rows) - len(applied)} transfers of chunk "
            f"{chunk.number} are in the ledger already; refusing to trace them twice"
        )
    payday_chunk_stage.send(sender=PaydayChunk, stage="chunk_written", chunk_number=chunk.number)
    chunk.done_at = now
    chunk.save(update_fields=["done_at"])
    PaydayRun.objects.filter(pk=run.pk).update(chunks_done=F("chunks_done") + 1)
    # The UPDATE holds the run's row lock until commit, so this read is exact: whoever sees
    # every chunk done is the last one.
    run.refresh_from_db()
    if run.chunks_done == run.chunks_total:
        _finish(run)
    transaction.on_commit(
        lambda: payday_chunk_stage.send(
            sender=PaydayChunk, stage="chunk_committed", chunk_number=chunk.number
        )
    )
    return True


def _write_records(run: PaydayRun, plans: list[ReaderPlan], now: dt.datetime) -> None:
    """One PaydayRecord per reader; a record already there (same month) is kept."""
    if connection.vendor == "postgresql":
        # One statement from arrays instead of a bulk_create of a few thousand objects.
        table = connection.ops.quote_name(PaydayRecord._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (run_id, month, reader_id, budget_cents, wallet_cents, "  # noqa: S608
                "given_cents, commission_cents, creators, created_at) "
                "SELECT %s, %s, r, b, w, g, c, n, %s FROM unnest(%s::bigint[], %s::bigint[], "
                "%s::bigint[], %s::bigint[], %s::bigint[], %s::int[]) AS u(r, b, w, g, c, n) "
                "ON CONFLICT (month, reader_id) DO NOTHING",
                [
                    run.pk,
                    run.month,
                    now,
                    integer_array(plan.reader_pk for plan in plans),
                    integer_array(plan.budget_cents for plan in plans),
                    integer_array(plan.wallet_cents for plan in plans),
                    integer_array(plan.given_cents for plan in plans),
                    integer_array(plan.commission_cents for plan in plans),
                    integer_array(len(plan.shares) for plan in plans),
                ],
            )
        return
    PaydayRecord.objects.bulk_create(
        [
            PaydayRecord(
                run=run,
                month=run.month,
                reader_id=plan.reader_pk,
                budget_cents=plan.budget_cents,
                wallet_cents=plan.wallet_cents,
                given_cents=plan.given_cents,
                commission_cents=plan.commission_cents,
                creators=len(plan.shares),
                created_at=now,
            )
            for plan in plans
        ],
        batch_size=500,
        ignore_conflicts=True,
    )


def _plan_reader(
    month: dt.date,
    reader_pk: int,
    creators: Iterable[int],
    *,
    budget_cents: int,
    wallet_cents: int,
) -> ReaderPlan:
    """docs/PRODUCT.md Payday steps 1 to 6 for one reader."""
    split = split_reader(
        month=month,
        reader_pk=reader_pk,
        budget_cents=budget_cents,
        wallet_cents=wallet_cents,
        creator_pks=creators,
    )
    return ReaderPlan(
        reader_pk=reader_pk,
        budget_cents=budget_cents,
        wallet_cents=wallet_cents,
        given_cents=split.given_cents,
        commission_cents=split.commission_cents,
        shares=split.shares,
    )


def _readers_and_creators(month: dt.date, first: int, last: int) -> dict[int, set[int]]:
    """Readers with a click in ``month`` that was not revoked, ids in [first, last], each with
    their eligible creators. One query."""
    return eligible_creators_by_reader(
        Click.objects.filter(
            month=month, revoked_at__isnull=True, reader_id__gte=first, reader_id__lte=last
        )
    )


def create_earnings_accounts(month: dt.date) -> None:
    """Before the chunks start: the earnings account of every creator eligible for a share of
    ``month``, in a transaction of its own. Created inside concurrent chunks, the same
    missing account would make one chunk wait for the other's commit."""
    clicks = Click.objects.filter(
        month=month,
        revoked_at__isnull=True,
        creator__is_active=True,
        creator__suspended_at__isnull=True,
    ).exclude(creator_id=F("reader_id"))
    _earnings_accounts(set(clicks.order_by().values_list("creator_id", flat=True).distinct()))


def _earnings_accounts(creator_pks: set[int]) -> dict[int, int]:
    """``{creator pk: earnings account id}``, creating the missing accounts in bulk."""
    if not creator_pks:
        return {}
    wanted = list(creator_pks)
    found = dict(
        Account.objects.filter(kind=Account.Kind.EARNINGS, user_id__in_array=wanted).values_list(
            "user_id", "pk"
        )
    )
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        Account.objects.bulk_create(
            [Account(kind=Account.Kind.EARNINGS, user_id=pk) for pk in missing],
            batch_size=1000,
            ignore_conflicts=True,
        )
        found.update(
            Account.objects.filter(
                kind=Account.Kind.EARNINGS, user_id__in_array=missing
            ).values_list("user_id", "pk")
        )
    return found


# --- Completion ----------------------------------------------------------------------


def _finish(run: PaydayRun) -> None:
    """Store the totals (recomputed from the ledger and cross-checked), mark the run done and
    enqueue the follow-up tasks. Runs in the transaction of the last chunk."""
    records = PaydayRecord.objects.filter(month=run.month).aggregate(
        readers=Count("pk", filter=Q(given_cents__gt=0)),
        given=Sum("given_cents"),
        commission=Sum("commission_cents"),
    )
    # Charged readers' splits post under the same reference once collected: not this run's.
    moved = (
        Transfer.objects.filter(payday_transfers(run.month))
        .exclude(debit__user_id__in=charged_readers_subquery(run.month))
        .aggregate(
            commission=Sum("amount_cents", filter=Q(kind=Transfer.Kind.COMMISSION)),
            distributed=Sum("amount_cents", filter=Q(kind=Transfer.Kind.DISTRIBUTION)),
            creators=Count("credit_id", filter=Q(kind=Transfer.Kind.DISTRIBUTION), distinct=True),
        )
    )
    given = records["given"] or 0
    commission = moved["commission"] or 0
    distributed = moved["distributed"] or 0
    if commission != (records["commission"] or 0) or given != commission + distributed:
        raise LedgerError(
            f"payday {format_month(run.month)}: records say given {given}, commission "
            f"{records['commission']}; the ledger says commission {commission}, distributed "
            f"{distributed}"
        )
    run.readers = records["readers"]
    run.creators = moved["creators"]
    run.given_cents = given
    run.commission_cents = commission
    run.distributed_cents = distributed
    run.status = PaydayRun.Status.DONE
    run.finished_at = timezone.now()
    run.last_error = ""
    run.save()
    logger.info("payday %s done: %s", format_month(run.month), run_totals(run).as_dict())
    run_pk = run.pk
    transaction.on_commit(lambda: payday_check_after(run_pk=run_pk))


def payday_check_after(*, run_pk: int) -> bool:
    """The last step of a payday, once its last chunk has committed: the ledger self-check.

    Only a ledger that still holds docs/PRODUCT.md's invariants lets the follow-up tasks (the
    payout batch, the monthly e-mails) start; a failure is logged CRITICAL and kept on the
    run for operators, and nothing is paid out. Returns whether the ledger was sound.
    """
    run = PaydayRun.objects.get(pk=run_pk)
    month = format_month(run.month)
    report = ledger_check_or_alert(during=f"after payday {month}")
    PaydayRun.objects.filter(pk=run.pk).update(check_after=report.record)
    if not report.ok:
        PaydayRun.objects.filter(pk=run.pk).update(
            last_error=f"ledger check after payday failed; follow-ups not started: "
            f"{report.as_dict()}"[:2000]
        )
        return False
    for path in settings.PAYDAY_FOLLOW_UP_TASKS:
        import_string(path).delay(month=month)
    return True
