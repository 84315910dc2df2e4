"""Payday (docs/PRODUCT.md, "Payday"): close a month and move money from wallets to earnings.

``payday_run`` plans the run once (its readers, in fixed chunks of ids), then enqueues one
``tips.tasks.payday_chunk`` task per chunk that is not done. Each chunk is one transaction:
its transfers, its records and its "done" mark commit together, so a crash anywhere leaves
every chunk either fully applied or not at all, and a new run finishes the rest. The
idempotency keys make a repeated chunk a no-op even if the "done" mark were lost. The chunk
that completes last stores the totals, marks the run done and enqueues the follow-up tasks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import zlib
from collections.abc import Iterator

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from flattr_clone.months import (
    format_month,
    has_ended,
    month_end,
    month_last_instant,
    month_of,
    previous_month,
)
from payouts.funding.models import BudgetChange
from payouts.funding.selectors import budgets_in_effect_cents
from payouts.ledger.checks import ledger_check_or_alert
from payouts.ledger.models import Account, LedgerCheck, Transfer
from payouts.ledger.services import system_account
from tips.clicks.models import Click
from tips.payday.chunks import (
    PaydayTotals,
    _finish,
    _plan_reader,
    _readers_and_creators,
    _record_failure,
    create_earnings_accounts,
    run_totals,
)
from tips.payday.keys import payday_transfers
from tips.payday.models import PaydayChunk, PaydayRecord, PaydayRun
from tips.payday.tasks import payday_chunk

logger = logging.getLogger(__name__)


class PaydayError(Exception):
    """Payday refused to run; nothing was changed."""


class PaydayBusy(PaydayError):
    """Another payday for the same month holds the lock."""


# --- Refusals ------------------------------------------------------------------------


def check_month_can_run(month: dt.date) -> None:
    """Raise PaydayError unless ``month`` lies between the platform's first month and the
    last month that has ended, and every earlier month with clicks has a finished payday."""
    current = month_of()
    if month > current:
        # Refused before computing its end, which does not exist for 9999-12.
        raise PaydayError(
            _("The month %(month)s has not ended yet; the last month that has ended is %(last)s.")
            % {"month": format_month(month), "last": format_month(previous_month(current))}
        )
    if not has_ended(month):
        raise PaydayError(
            _("The month %(month)s has not ended yet; payday runs after %(end)s.")
            % {"month": format_month(month), "end": f"{month_end(month):%Y-%m-%d %H:%M %Z}"}
        )
    first = _platform_first_month(last_ended=previous_month(current))
    if month < first:
        raise PaydayError(
            _(
                "The month %(month)s is before the platform's first month, %(first)s; there "
                "is nothing to close."
            )
            % {"month": format_month(month), "first": format_month(first)}
        )
    # Clicks only ever land in the current month, and every done run was checked the same
    # way, so only months after the latest done run can be missing their payday.
    last_done = (
        PaydayRun.objects.filter(month__lt=month, status=PaydayRun.Status.DONE)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    earlier = Click.objects.filter(month__lt=month, revoked_at__isnull=True)
    if last_done is not None:
        earlier = earlier.filter(month__gt=last_done)
    missing = earlier.order_by("month").values_list("month", flat=True).first()
    if missing is not None:
        raise PaydayError(
            _(
                "The payday of %(earlier)s has not finished; run it before %(month)s "
                "(python manage.py payday --month %(earlier)s)."
            )
            % {"earlier": format_month(missing), "month": format_month(month)}
        )


def _platform_first_month(*, last_ended: dt.date) -> dt.date:
    """The first month payday may close: the month of the first budget or the first click,
    whichever came first, or ``last_ended`` when that is earlier or nothing exists yet.

    A reader sets a budget before they can click, so no month before it has anything to
    pay: running one could only store an empty run by mistake ("1990-01"), or a year the
    ledger keys were never meant to name ("0001-01"). The month that has just ended is
    always allowed, so the monthly schedule runs on a platform nobody has used yet.
    """
    candidates = [last_ended]
    first_budget_at = (
        BudgetChange.objects.order_by("created_at").values_list("created_at", flat=True).first()
    )
    if first_budget_at is not None:
        candidates.append(month_of(first_budget_at))
    first_click = Click.objects.order_by("month").values_list("month", flat=True).first()
    if first_click is not None:
        candidates.append(first_click)
    return min(candidates)


# --- Locking -------------------------------------------------------------------------


@contextlib.contextmanager
def _month_lock(month: dt.date) -> Iterator[None]:
    """A PostgreSQL session advisory lock per month, held while this process drives the run.

    It is released when the process dies, so a crashed run can be resumed at once; a live
    one cannot be joined. SQLite (the single-process demo) serialises writers by itself.
    """
    if connection.vendor != "postgresql":
        yield
        return
    # "payd" in the high half keeps clear of other features' advisory locks.
    key = (0x70617964 << 32) | zlib.crc32(f"payday:{format_month(month)}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s::bigint)", [key])
        (acquired,) = cursor.fetchone()
    if not acquired:
        raise PaydayBusy(
            _("A payday for %(month)s is already running; try again when it has finished.")
            % {"month": format_month(month)}
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s::bigint)", [key])


# --- The run -------------------------------------------------------------------------


def payday_run(*, month: dt.date, chunk_size: int | None = None) -> PaydayRun:
    """Run (or resume) the payday of ``month`` and return its run.

    With eager Celery (the demo, the command) the chunks run before this returns; with
    workers, the run is ``running`` until the last chunk completes. Raises ``PaydayError``
    when the month cannot run yet and ``PaydayBusy`` when another run holds the month.
    """
    check_month_can_run(month)
    with _month_lock(month):
        done = PaydayRun.objects.filter(month=month, status=PaydayRun.Status.DONE).first()
        if done is not None:
            return done
        check = _check_before(month)
        try:
            run = _plan_and_enqueue(month, chunk_size or settings.PAYDAY_CHUNK_SIZE, check)
        except Exception as error:
            _record_failure(month, error)
            raise
        return PaydayRun.objects.get(pk=run.pk)


def _check_before(month: dt.date) -> LedgerCheck:
    """The first step of a payday: the ledger self-check. Payday refuses to move money on a
    ledger that does not hold docs/PRODUCT.md's invariants (the careful payment platforms' rule:
    never build on a broken ledger), and says so."""
    report = ledger_check_or_alert(during=f"before payday {format_month(month)}")
    if not report.ok:
        error = PaydayError(
            _(
                "The ledger check failed, so payday for %(month)s did not start. Run "
                "python manage.py check_ledger --json and fix the ledger first."
            )
            % {"month": format_month(month)}
        )
        _record_failure(month, error)
        raise error
    return report.record


def _plan_and_enqueue(month: dt.date, chunk_size: int, check: LedgerCheck) -> PaydayRun:
    system_account(Account.Kind.COMMISSION)  # created outside the chunks' lock sets
    create_earnings_accounts(month)  # likewise: chunks then only find them
    with transaction.atomic():
        run, created = PaydayRun.objects.select_for_update().get_or_create(
            month=month, defaults={"chunk_size": chunk_size, "check_before": check}
        )
        if run.status == PaydayRun.Status.DONE:
            return run
        if created:
            _plan_chunks(run)
        else:
            run.status = PaydayRun.Status.RUNNING
            run.started_at = timezone.now()
            run.last_error = ""
            run.check_before = check
            run.save(update_fields=["status", "started_at", "last_error", "check_before"])
        pending = list(
            run.chunks.filter(done_at__isnull=True).order_by("number").values_list("pk", flat=True)
        )
        logger.info("payday %s: chunks to process: %d", format_month(month), len(pending))
        if not run.chunks_total:
            _finish(run)
        for chunk_pk in pending:
            payday_chunk.delay_on_commit(chunk_id=chunk_pk)
    # With eager Celery the chunks ran when the block above committed.
    return run


def _plan_chunks(run: PaydayRun) -> None:
    reader_ids = list(
        Click.objects.filter(month=run.month, revoked_at__isnull=True)
        .order_by("reader_id")
        .values_list("reader_id", flat=True)
        .distinct()
    )
    size = run.chunk_size
    chunks = [
        PaydayChunk(
            run=run,
            number=number,
            first_reader_id=reader_ids[start],
            last_reader_id=reader_ids[min(start + size, len(reader_ids)) - 1],
        )
        for number, start in enumerate(range(0, len(reader_ids), size), start=1)
    ]
    PaydayChunk.objects.bulk_create(chunks, batch_size=1000)
    run.chunks_total = len(chunks)
    run.eligible_readers = len(reader_ids)
    run.save(update_fields=["chunks_total", "eligible_readers"])


# --- Dry run -------------------------------------------------------------------------


def payday_preview(*, month: dt.date) -> PaydayTotals:
    """What ``payday_run`` would give for ``month`` right now, moving nothing.

    Readers already processed (by a run that crashed half-way) count with what they gave;
    the others are computed from their current wallet balances.
    """
    check_month_can_run(month)
    run = PaydayRun.objects.filter(month=month).first()
    if run is not None and run.status == PaydayRun.Status.DONE:
        return run_totals(run)
    done = PaydayRecord.objects.filter(month=month)
    done_readers = set(done.values_list("reader_id", flat=True))
    totals = done.aggregate(
        readers=Count("pk", filter=Q(given_cents__gt=0)),
        given=Sum("given_cents"),
        commission=Sum("commission_cents"),
    )
    readers = totals["readers"] or 0
    given = totals["given"] or 0
    commission = totals["commission"] or 0
    creators = set(
        Transfer.objects.filter(
            payday_transfers(month), kind=Transfer.Kind.DISTRIBUTION
        ).values_list("credit__user_id", flat=True)
    )
    reader_ids = list(
        Click.objects.filter(month=month, revoked_at__isnull=True)
        .order_by("reader_id")
        .values_list("reader_id", flat=True)
        .distinct()
    )
    todo = [pk for pk in reader_ids if pk not in done_readers]
    size = settings.PAYDAY_CHUNK_SIZE
    for start in range(0, len(todo), size):
        batch = todo[start : start + size]
        found = _readers_and_creators(month, batch[0], batch[-1])
        budgets = budgets_in_effect_cents(user_ids=batch, at=month_last_instant(month))
        balances = dict(
            Account.objects.filter(kind=Account.Kind.WALLET, user_id__in=batch).values_list(
                "user_id", "balance_cents"
            )
        )
        for reader_pk in batch:
            plan = _plan_reader(
                month,
                reader_pk,
                found.get(reader_pk, ()),
                budget_cents=budgets.get(reader_pk, 0),
                wallet_cents=balances.get(reader_pk, 0),
            )
            if plan.given_cents:
                readers += 1
                given += plan.given_cents
                commission += plan.commission_cents
                creators.update(plan.shares)
    return PaydayTotals(
        month=format_month(month),
        readers=readers,
        creators=len(creators),
        given=given,
        commission=commission,
        distributed=given - commission,
        status="dry_run",
    )
