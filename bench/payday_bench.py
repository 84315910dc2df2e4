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
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flattr_clone.settings")

SIZES = {
    "small": (10_000, 1_000, 100_000),
    "medium": (100_000, 10_000, 1_000_000),
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
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("The benchmark needs PostgreSQL: set DATABASE_URL=postgres://.../flattr_bench")
    if "bench" not in settings.DATABASES["default"]["NAME"]:
        sys.exit("Refusing to wipe a database whose name does not contain 'bench'.")

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

    floor_rows, floor_seconds = _floor()
    print(f"floor: {floor_rows} rows in {floor_seconds:.2f}s")

    from flattr_clone.celery import app as celery_app
    from payouts.ledger.checks import ledger_check
    from payouts.ledger.models import Transfer
    from tips.payday.chunks import run_totals
    from tips.payday.services import payday_run

    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    # Time payday itself: the payout batch and e-mails have their own costs.
    settings.PAYDAY_FOLLOW_UP_TASKS = []
    if args.chunk_size:
        settings.PAYDAY_CHUNK_SIZE = args.chunk_size
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    run = payday_run(month=MONTH)
    total_seconds = time.perf_counter() - started
    # Payday's own ledger self-checks (before planning, after the last chunk) are steps of
    # their own, reported apart: the ratio to the floor compares the chunks' work only.
    check_before_seconds = run.check_before.duration_ms / 1000
    check_after_seconds = run.check_after.duration_ms / 1000
    payday_seconds = total_seconds - check_before_seconds - check_after_seconds
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    payday_rows = Transfer.objects.filter(reference="payday:2025-03").count()
    totals = run_totals(run).as_dict()
    print(
        f"payday: {payday_rows} rows in {payday_seconds:.2f}s of chunks "
        f"(+ ledger checks {check_before_seconds:.2f}s before, {check_after_seconds:.2f}s "
        f"after; {total_seconds:.2f}s in all), totals {totals}"
    )

    started = time.perf_counter()
    report = ledger_check(record=False)
    timings["ledger_check_seconds"] = time.perf_counter() - started

    result = {
        "size": args.size,
        "readers": readers,
        "creators": creators,
        "clicks": clicks,
        "chunk_size": settings.PAYDAY_CHUNK_SIZE,
        "chunks": run.chunks_total,
        "payday_seconds": round(payday_seconds, 2),
        "payday_total_seconds": round(total_seconds, 2),
        "payday_check_before_seconds": round(check_before_seconds, 2),
        "payday_check_after_seconds": round(check_after_seconds, 2),
        "payday_rows": payday_rows,
        "payday_rows_per_second": round(payday_rows / payday_seconds),
        "floor_seconds": round(floor_seconds, 2),
        "floor_rows": floor_rows,
        "floor_rows_per_second": round(floor_rows / floor_seconds),
        "ratio_payday_to_floor": round(payday_seconds / floor_seconds, 2),
        "ledger_ok": report.ok,
        "payday_status": totals["status"],
        **{key: round(value, 2) for key, value in timings.items()},
    }
    print(json.dumps(result))
    if not report.ok or totals["status"] != "done":
        sys.exit(1)


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
    from payouts.funding.models import BudgetChange
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
