"""Payday benchmark: generate a month of clicks in PostgreSQL, then time the real payday
(eager, chunked) against a floor: one INSERT ... SELECT writing about as many transfer rows.

    DATABASE_URL=postgres://postgres@127.0.0.1/flattr_bench \\
        .venv/bin/python bench/payday_bench.py --size medium

The database is WIPED (schema dropped and recreated); its name must contain "bench".
Sizes: small = 10,000 readers, 1,000 creators, 100,000 clicks; medium (default) = 10x;
large = 100x. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flattr_clone.settings")

SIZES = {
    "small": (10_000, 1_000, 100_000),
    "medium": (100_000, 10_000, 1_000_000),
    # Three times medium, for the linearity check (1M -> 3M clicks).
    "3m": (300_000, 30_000, 3_000_000),
    "large": (1_000_000, 100_000, 10_000_000),
}
MONTH = dt.date(2025, 3, 1)
THINGS_PER_CREATOR = 5


class _NoMigrations(dict):
    """Build the schema from the models, as the test suite does (``--nomigrations``)."""

    def __contains__(self, item):
        return True

    def __getitem__(self, item):
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="medium")
    parser.add_argument("--chunk-size", type=int, default=None, help="PAYDAY_CHUNK_SIZE")
    parser.add_argument("--profile", action="store_true", help="print where payday spends time")
    parser.add_argument(
        "--workers",
        default="0",
        help="comma-separated runs on the same data: 0 = eager in this process, N = the "
        "chunks in N worker processes at once (e.g. 1,2); the ledger is reset between runs",
    )
    parser.add_argument(
        "--explain", action="store_true", help="print the plans of the ledger's queries"
    )
    parser.add_argument(
        "--month",
        default=None,
        help="YYYY-MM of the generated clicks (default 2025-03); bench/click_load.sh uses "
        "the previous month so that payday can run while readers click",
    )
    parser.add_argument(
        "--generate-only", action="store_true", help="generate the data and stop (no payday)"
    )
    args = parser.parse_args()
    global MONTH
    if args.month:
        MONTH = dt.date(int(args.month[:4]), int(args.month[5:7]), 1)
    worker_counts = [int(count) for count in args.workers.split(",")]

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("The benchmark needs PostgreSQL: set DATABASE_URL=postgres://.../flattr_bench")
    if "bench" not in settings.DATABASES["default"]["NAME"]:
        sys.exit("Refusing to wipe a database whose name does not contain 'bench'.")
    _create_database_if_missing()

    readers, creators, clicks = SIZES[args.size]
    print(f"size={args.size}: {readers} readers, {creators} creators, {clicks} clicks")
    timings: dict[str, float] = {}

    started = time.perf_counter()
    _reset_schema()
    timings["schema_seconds"] = time.perf_counter() - started
    started = time.perf_counter()
    _generate(readers, creators, clicks)
    timings["generate_seconds"] = time.perf_counter() - started
    print(f"generated in {timings['generate_seconds']:.1f}s")
    if args.generate_only:
        return

    floor_rows, floor_seconds = _floor()
    print(
        f"insert floor (INSERT ... SELECT into payouts_transfer): {floor_rows} rows in "
        f"{floor_seconds:.2f}s"
    )

    from flattr_clone.celery import app as celery_app
    from payouts.ledger.checks import ledger_check

    celery_app.conf.task_eager_propagates = True
    # Time payday itself: the payout batch and e-mails have their own costs.
    settings.PAYDAY_FOLLOW_UP_TASKS = []
    if args.chunk_size:
        settings.PAYDAY_CHUNK_SIZE = args.chunk_size
    _snapshot_balances()
    # The physical floor joins the creators' earnings accounts, which the first payday
    # creates: it runs once payday has (as ../shared/bench/payday_floor.sql is run "after").
    physical: dict[str, float] = {}
    results = []
    for position, workers in enumerate(worker_counts):
        if position:
            _reset_payday()
        result = _time_payday(workers, profile=args.profile)
        if not physical:
            rows, seconds = _physical_floor()
            physical.update(rows=rows, seconds=seconds)
            print(f"physical floor (one statement, minimal table): {rows} rows in {seconds:.2f}s")
        physical_rows, physical_seconds = physical["rows"], physical["seconds"]
        result.update(
            physical_floor_seconds=round(physical_seconds, 2),
            physical_floor_rows=physical_rows,
            ratio_payday_to_physical_floor=round(result["payday_seconds"] / physical_seconds, 2),
            floor_seconds=round(floor_seconds, 2),
            floor_rows=floor_rows,
            floor_rows_per_second=round(floor_rows / floor_seconds),
            ratio_payday_to_floor=round(result["payday_seconds"] / floor_seconds, 2),
        )
        results.append(result)

    if args.explain:
        _explain()
    started = time.perf_counter()
    report = ledger_check(record=False)
    timings["ledger_check_seconds"] = time.perf_counter() - started

    print()
    print(
        "| workers | chunks | payday | ledger checks before/after | rows | physical floor "
        "| ratio | insert floor | ratio | lock waits |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['workers'] or 'eager'} | {r['chunks']} | {r['payday_seconds']:.2f} s "
            f"| {r['payday_check_before_seconds']:.2f} s / {r['payday_check_after_seconds']:.2f} s "
            f"| {r['payday_rows']:,} | {r['physical_floor_seconds']:.2f} s "
            f"| **{r['ratio_payday_to_physical_floor']}** | {floor_seconds:.2f} s "
            f"| {r['ratio_payday_to_floor']} | {r['lock_wait_samples']} samples "
            f"(~{r['lock_wait_seconds']:.2f} s) |"
        )
    print()
    for r in results:
        line = {
            "size": args.size,
            "readers": readers,
            "creators": creators,
            "clicks": clicks,
            "chunk_size": settings.PAYDAY_CHUNK_SIZE,
            **r,
            "ledger_ok": report.ok,
            **{key: round(value, 2) for key, value in timings.items()},
        }
        print(json.dumps(line))
    if not report.ok or any(r["payday_status"] != "done" for r in results):
        sys.exit(1)


class _StatementTimes:
    """With ``--profile``: the time of each SQL statement payday sends (wall clock, as the
    database answers it), summed by the statement's first words."""

    def __init__(self):
        self.seconds: dict[str, list[float]] = {}

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            shape = " ".join(sql.split()[:8])[:110]
            self.seconds.setdefault(shape, []).append(time.perf_counter() - started)

    def report(self) -> None:
        total = sum(sum(times) for times in self.seconds.values())
        print(f"SQL statements: {total:.2f}s in all")
        for shape, times in sorted(self.seconds.items(), key=lambda item: -sum(item[1]))[:15]:
            print(f"  {sum(times):7.2f}s {len(times):6d}x  {shape}")


def _time_payday(workers: int, *, profile: bool) -> dict:
    """One payday of MONTH: eager in this process (``workers`` 0) or its chunks in
    ``workers`` processes at once, with lock waits sampled meanwhile."""
    from django.db import connections

    from flattr_clone.celery import app as celery_app
    from payouts.ledger.models import Transfer
    from tips.payday.chunks import run_totals
    from tips.payday.models import PaydayChunk, PaydayRun
    from tips.payday.services import payday_run

    sampler = _LockSampler()
    profiler = None
    if profile and not workers:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    statements = _StatementTimes() if profile and not workers else None
    started = time.perf_counter()
    if not workers:
        celery_app.conf.task_always_eager = True
        if statements is None:
            run = payday_run(month=MONTH)
        else:
            with connections["default"].execute_wrapper(statements):
                run = payday_run(month=MONTH)
    else:
        # Planned here; the tasks go to an in-memory broker nobody reads, and the chunks are
        # handed to the worker processes instead (what Celery workers would do).
        celery_app.conf.task_always_eager = False
        celery_app.conf.broker_url = "memory://"
        run = payday_run(month=MONTH)
        pending = list(
            PaydayChunk.objects.filter(run=run, done_at__isnull=True)
            .order_by("number")
            .values_list("pk", flat=True)
        )
        connections.close_all()
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        for chunk_pk in pending:
            queue.put(chunk_pk)
        for _ in range(workers):
            queue.put(None)
        processes = [context.Process(target=_worker, args=(queue,)) for _ in range(workers)]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        if any(process.exitcode for process in processes):
            sys.exit("a worker failed")
    total_seconds = time.perf_counter() - started
    waits = sampler.stop()
    run = PaydayRun.objects.get(pk=run.pk)
    # Payday's own ledger self-checks (before planning, after the last chunk) are steps of
    # their own, reported apart: the ratio to the floor compares the chunks' work only.
    check_before_seconds = run.check_before.duration_ms / 1000
    check_after_seconds = run.check_after.duration_ms / 1000 if run.check_after else 0.0
    payday_seconds = total_seconds - check_before_seconds - check_after_seconds
    if profiler is not None:
        import pstats

        profiler.disable()
        RESULTS.mkdir(exist_ok=True)
        profiler.dump_stats(str(RESULTS / "payday.prof"))
        statements.report()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        print(f"profile kept in {RESULTS / 'payday.prof'} (python -m pstats)")
    payday_rows = Transfer.objects.filter(reference=f"payday:{MONTH:%Y-%m}").count()
    totals = run_totals(run).as_dict()
    print(
        f"payday ({workers or 'eager'} workers): {payday_rows} rows in {payday_seconds:.2f}s of "
        f"chunks (+ ledger checks {check_before_seconds:.2f}s before, "
        f"{check_after_seconds:.2f}s after; {total_seconds:.2f}s in all), lock waits "
        f"{waits['samples']} samples {waits['queries']}, totals {totals}"
    )
    return {
        "workers": workers,
        "chunks": run.chunks_total,
        "payday_seconds": round(payday_seconds, 2),
        "payday_total_seconds": round(total_seconds, 2),
        "payday_check_before_seconds": round(check_before_seconds, 2),
        "payday_check_after_seconds": round(check_after_seconds, 2),
        "payday_rows": payday_rows,
        "payday_rows_per_second": round(payday_rows / payday_seconds),
        "lock_wait_samples": waits["samples"],
        "lock_wait_seconds": round(waits["samples"] * _LockSampler.INTERVAL, 3),
        "payday_status": totals["status"],
    }


def _worker(queue) -> None:
    """A worker process: the chunks it takes from ``queue``, as a Celery worker runs them."""
    from django.db import connections

    from tips.payday.chunks import payday_chunk_process

    connections.close_all()
    while (chunk_pk := queue.get()) is not None:
        payday_chunk_process(chunk_id=chunk_pk)
    connections.close_all()


class _LockSampler:
    """Samples ``pg_stat_activity`` every INTERVAL seconds in a process of its own: each
    sample counts the bench database's sessions waiting for another transaction's lock (a
    row, a transaction id, a table); relation-extension waits ("extend") are listed but not
    counted. Samples times INTERVAL estimates the time spent waiting; zero samples means
    no wait long enough to be seen."""

    INTERVAL = 0.005

    def __init__(self):
        from django.db import connection

        context = multiprocessing.get_context("fork")
        self._stop = context.Event()
        self._results = context.Queue()
        self._process = context.Process(
            target=self._sample,
            args=(connection.settings_dict, self._stop, self._results),
        )
        self._process.start()

    @classmethod
    def _sample(cls, database, stop, results) -> None:
        import psycopg

        samples, queries = 0, {}
        with psycopg.connect(
            host=database["HOST"] or None,
            port=database["PORT"] or None,
            user=database["USER"] or None,
            password=database["PASSWORD"] or None,
            dbname=database["NAME"],
            autocommit=True,
        ) as conn:
            while not stop.is_set():
                rows = conn.execute(
                    "SELECT wait_event || ': ' || left(query, 50) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock' "
                    "AND pid <> pg_backend_pid()"
                ).fetchall()
                for (query,) in rows:
                    queries[query] = queries.get(query, 0) + 1
                    # "extend": two inserters adding pages to one table file at once, a lock
                    # of microseconds that is no wait for another transaction's rows.
                    if not query.startswith("extend:"):
                        samples += 1
                time.sleep(cls.INTERVAL)
        results.put({"samples": samples, "queries": queries})

    def stop(self) -> dict:
        self._stop.set()
        result = self._results.get()
        self._process.join()
        return result


def _snapshot_balances() -> None:
    """The accounts as generated, to reset the ledger between payday runs on the same data."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TABLE IF EXISTS bench_accounts; CREATE TABLE bench_accounts AS "
            "SELECT id, balance_cents FROM payouts_account; "
            "ALTER TABLE bench_accounts ADD PRIMARY KEY (id)"
        )


def _reset_payday() -> None:
    """Undo a payday run (the bench schema has no append-only triggers): its transfers,
    records, chunks, run and checks, its holds and what it spent of the top-ups, the accounts
    it created and the balances it moved."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM payouts_transfer WHERE reference = %s", [f"payday:{MONTH:%Y-%m}"]
        )
        cursor.execute("DELETE FROM tips_paydayrecord")
        cursor.execute("DELETE FROM tips_paydaychunk")
        cursor.execute("DELETE FROM tips_paydayrun")
        cursor.execute("DELETE FROM payouts_ledgercheck")
        # The holds payday made, and what it spent of the top-ups.
        cursor.execute("DELETE FROM payouts_hold")
        cursor.execute("UPDATE payouts_topup SET spent_cents = 0 WHERE spent_cents <> 0")
        # NOT EXISTS, not NOT IN: the planner hashes neither at 3m, and NOT IN's nested scan
        # took 43 s there.
        cursor.execute(
            "DELETE FROM payouts_account a WHERE NOT EXISTS "
            "(SELECT 1 FROM bench_accounts s WHERE s.id = a.id)"
        )
        cursor.execute(
            "UPDATE payouts_account a SET balance_cents = s.balance_cents FROM bench_accounts s "
            "WHERE s.id = a.id AND a.balance_cents <> s.balance_cents"
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE payouts_transfer")
        cursor.execute("VACUUM ANALYZE payouts_account")
        cursor.execute("VACUUM ANALYZE tips_paydayrecord")
        cursor.execute("VACUUM ANALYZE payouts_topup")
        cursor.execute("CHECKPOINT")


def _create_database_if_missing() -> None:
    """A fresh machine has no bench database yet: create it (the server's ``postgres``
    database is where one connects to create another)."""
    from django.db import connection

    try:
        connection.ensure_connection()
        return
    except Exception as error:
        if "does not exist" not in str(error):
            raise
    with connection._nodb_cursor() as cursor:
        cursor.execute(
            f"CREATE DATABASE {connection.ops.quote_name(connection.settings_dict['NAME'])}"
        )
    print(f"created database {connection.settings_dict['NAME']}")


def _reset_schema() -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    settings.MIGRATION_MODULES = _NoMigrations()
    call_command("migrate", run_syncdb=True, verbosity=0)


def _insert_select(model, expressions: dict, source: str, params=()) -> int:
    """INSERT INTO <model> (every column) SELECT ... FROM <source>: the given SQL expressions
    for some columns, the model field's default (as a parameter) for all the others, so new
    fields added by other features do not break the generator."""
    from django.db import connection

    columns, values, all_params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in expressions:
            expression = expressions[field.column]
            if isinstance(expression, tuple):
                expression, expression_params = expression
                all_params.extend(expression_params)
            values.append(expression)
        elif field.has_default() or field.null:
            values.append("%s")
            default = field.get_default() if field.has_default() else None
            all_params.append(field.get_db_prep_save(default, connection))
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values.append("now()")
        elif field.get_internal_type() in ("CharField", "TextField", "EmailField", "URLField"):
            values.append("''")
        else:
            raise SystemExit(f"{model.__name__}.{field.name} has no default; update the bench")
    # Parameters in column order, then the source's own.
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*all_params, *params])
        return cursor.rowcount


def _id_range(table: str, column: str, pattern: str) -> tuple[int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT min(id), max(id), count(*) FROM {table} WHERE {column} LIKE %s", [pattern]
        )
        low, high, count = cursor.fetchone()
    assert high - low + 1 == count, f"{table} ids are not contiguous"
    return low, high


def _generate(readers: int, creators: int, clicks: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from flattr_clone.months import month_start
    from payouts.funding.models import BudgetChange, TopUp
    from payouts.ledger.models import Account
    from payouts.ledger.services import system_account
    from tips.clicks.models import Click
    from tips.things.models import Thing

    User = get_user_model()
    start = month_start(MONTH)
    per_reader = clicks // readers
    things = creators * THINGS_PER_CREATOR
    with transaction.atomic():
        _insert_select(
            User,
            {"email": "'r' || g || '@bench.test'", "handle": "'r' || g", "password": "'!'"},
            "generate_series(1, %s) AS g",
            [readers],
        )
        _insert_select(
            User,
            {
                "email": "'c' || g || '@bench.test'",
                "handle": "'c' || g",
                "password": "'!'",
                # One creator in a hundred is suspended and gets nothing.
                "suspended_at": "CASE WHEN g %% 100 = 0 THEN now() END",
            },
            "generate_series(1, %s) AS g",
            [creators],
        )
        r_low, _ = _id_range("accounts_user", "email", "r%@bench.test")
        c_low, _ = _id_range("accounts_user", "email", "c%@bench.test")
        external = system_account(Account.Kind.EXTERNAL, "sandbox")
        system_account(Account.Kind.COMMISSION)
        # Wallets funded by top-ups from 5.00 to 54.99; budgets from 2.00 to 19.99 (some
        # larger than the wallet after payday takes one month, none larger now).
        _insert_select(
            Account,
            {"kind": "'wallet'", "user_id": "id", "balance_cents": "500 + (id * 37) %% 5000"},
            "accounts_user WHERE id BETWEEN %s AND %s",
            [r_low, r_low + readers - 1],
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO payouts_transfer (debit_id, credit_id, amount_cents, "
                "idempotency_key, kind, reference, created_at) "
                "SELECT %s, a.id, a.balance_cents, 'topup:bench:' || a.id, 'top_up', "
                "'topup:bench', %s FROM payouts_account a WHERE a.kind = 'wallet'",
                [external.pk, start - dt.timedelta(days=2)],
            )
            cursor.execute(
                "UPDATE payouts_account SET balance_cents = -(SELECT sum(balance_cents) "
                "FROM payouts_account WHERE kind = 'wallet') WHERE id = %s",
                [external.pk],
            )
        # The payments behind those wallets, as a reader's top-up is: payday spends them oldest
        # first (``holds_trace_payday``); one in fifty is risky and still held, so the shares
        # it funds are held too.
        _insert_select(
            TopUp,
            {
                "user_id": "a.user_id",
                "amount_cents": "a.balance_cents",
                "currency": "'EUR'",
                "provider": "'sandbox'",
                "status": "'paid'",
                "created_at": ("%s", [start - dt.timedelta(days=2)]),
                "completed_at": ("%s", [start - dt.timedelta(days=2)]),
                "hold_until": "CASE WHEN a.user_id %% 50 = 0 THEN now() + interval '60 days' END",
            },
            "payouts_account a WHERE a.kind = 'wallet'",
        )
        _insert_select(
            BudgetChange,
            {
                "user_id": "g",
                "amount_cents": "200 + (g * 13) %% 1800",
                "created_at": ("%s", [start - dt.timedelta(days=1)]),
            },
            "generate_series(%s, %s) AS g",
            [r_low, r_low + readers - 1],
        )
        _insert_select(
            Thing,
            {
                "owner_id": f"{c_low} + g / {THINGS_PER_CREATOR}",
                "url": "'https://bench.test/' || g",
                "url_key": "'//bench.test/' || g",  # Thing.url_key: the URL without scheme
                "title": "'Post ' || g",
            },
            "generate_series(0, %s) AS g",
            [things - 1],
        )
        t_low, _ = _id_range("tips_thing", "url", "https://bench.test/%")
        # Each reader clicks ``per_reader`` distinct things: k * 4729 mod things never repeats
        # for k below things / 4729.
        _insert_select(
            Click,
            {
                "reader_id": "r",
                "thing_id": f"{t_low} + ((r::bigint * 7919 + k * 4729) %% {things})",
                "creator_id": f"{c_low} + ((r::bigint * 7919 + k * 4729) %% {things}) / "
                f"{THINGS_PER_CREATOR}",
                "month": ("%s", [MONTH]),
                "created_at": ("%s", [start + dt.timedelta(days=3)]),
                "revoked_at": "NULL",
            },
            "generate_series(%s, %s) AS r, generate_series(1, %s) AS k",
            [r_low, r_low + readers - 1, per_reader],
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _physical_floor() -> tuple[int, float]:
    """bench/payday_floor.sql: every reader's split computed in ONE statement and written into
    a minimal ledger table (primary key and unique key only), committed; then dropped."""
    from django.db import connection, transaction

    text = (ROOT / "bench" / "payday_floor.sql").read_text()
    lines = [line for line in text.splitlines() if not line.startswith(("\\", "--"))]
    statements = [part.strip() for part in "\n".join(lines).split(";") if part.strip()]
    rows = elapsed = None
    for statement in statements:
        if statement.upper() in ("BEGIN", "COMMIT"):
            continue
        if statement.upper().startswith("WITH"):
            started = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)  # no parameters: "%" stays as is
                rows = cursor.rowcount
            elapsed = time.perf_counter() - started
        elif statement.upper().startswith("SELECT"):
            continue
        else:
            with connection.cursor() as cursor:
                cursor.execute(statement)
    return rows, elapsed


def _explain() -> None:
    """The ledger's queries and their plans on the data just paid (EXPLAIN ANALYZE)."""
    from django.db import connection
    from django.db.models import Sum

    from payouts.funding.selectors import wallet_history
    from payouts.ledger.models import Account, Transfer
    from tips.dashboards.selectors import creator_earnings_by_month, platform_by_month
    from tips.payday.keys import payday_transfers
    from tips.payday.selectors import payday_progress, reader_history

    wallet = Account.objects.filter(kind="wallet").order_by("id")[1000]
    earnings = Account.objects.filter(kind="earnings").order_by("id")[100]
    queries = {
        "payday totals of a month (finish, progress, preview)": Transfer.objects.filter(
            payday_transfers(MONTH)
        )
        .values("kind")
        .annotate(total=Sum("amount_cents")),
        "idempotency keys (write_transfers, post_transfers)": Transfer.objects.filter(
            idempotency_key__in=[f"payday:2025-03:{wallet.user_id}:commission"]
        ),
        "a reader's wallet history": wallet_history(wallet.user)[:50],
        "a reader's payday history (debit, time)": Transfer.objects.filter(
            debit_id=wallet.pk,
            kind__in=["commission", "distribution"],
            reference__in=["payday:2025-03", "payday:2025-02"],
        ),
        "a creator's earnings per month (credit, time)": Transfer.objects.filter(
            kind="distribution",
            credit__kind="earnings",
            credit__user=earnings.user,
            reference__in=["payday:2025-03", "payday:2025-02"],
        )
        .values("reference")
        .annotate(amount=Sum("amount_cents")),
        "admin: newest transfers": Transfer.objects.order_by("-id")[:100],
        "admin: a day's transfers (date filter)": Transfer.objects.filter(
            created_at__gte=dt.datetime(2025, 2, 27, tzinfo=dt.UTC),
            created_at__lt=dt.datetime(2025, 2, 28, tzinfo=dt.UTC),
        ).order_by("-id")[:100],
    }
    # The selectors themselves run too, so a change that stops them from using these
    # queries shows up here first.
    creator_earnings_by_month(creator=earnings.user, months=[MONTH])
    platform_by_month(months=[MONTH])
    payday_progress(month=MONTH)
    reader_history(reader=wallet.user)
    for title, queryset in queries.items():
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}", params)
            plan = "\n".join(f"    {row[0]}" for row in cursor.fetchall())
        print(f"-- {title}\n    {sql % tuple(repr(p) for p in params)}\n{plan}\n")


def _floor() -> tuple[int, float]:
    """One INSERT ... SELECT writing a transfer per eligible (reader, creator) pair and a
    commission transfer per reader, amounts computed in SQL; committed, then deleted (the
    floor moves no balance, so the ledger stays consistent after the deletion)."""
    from django.db import connection, transaction

    from payouts.ledger.models import Account

    commission = Account.objects.get(kind="commission").pk
    sql = """
        INSERT INTO payouts_transfer (debit_id, credit_id, amount_cents, idempotency_key,
                                      kind, reference, created_at)
        SELECT w.id, %(commission)s, 1 + (p.reader_id + COALESCE(p.creator_id, 0)) %% 50,
               'floor:' || p.reader_id || ':' || COALESCE(p.creator_id::text, 'commission'),
               CASE WHEN p.creator_id IS NULL THEN 'commission' ELSE 'distribution' END,
               'floor', now()
        FROM (
            SELECT DISTINCT c.reader_id, c.creator_id FROM tips_click c
            JOIN accounts_user u ON u.id = c.creator_id
            WHERE c.month = %(month)s AND c.revoked_at IS NULL
              AND u.suspended_at IS NULL AND u.is_active AND c.creator_id <> c.reader_id
            UNION ALL
            SELECT DISTINCT c.reader_id, NULL::bigint FROM tips_click c
            WHERE c.month = %(month)s AND c.revoked_at IS NULL
        ) p
        JOIN payouts_account w ON w.kind = 'wallet' AND w.user_id = p.reader_id
    """
    # Timed up to and including the commit, as payday's chunks are; then removed again.
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, {"commission": commission, "month": MONTH})
        rows = cursor.rowcount
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM payouts_transfer WHERE reference = 'floor'")
        cursor.execute("VACUUM ANALYZE payouts_transfer")
    return rows, elapsed


if __name__ == "__main__":
    main()
