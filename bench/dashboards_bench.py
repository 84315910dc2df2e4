"""Dashboards benchmark: the payday benchmark's data (PostgreSQL), one payday, plus one very
popular creator clicked by every reader; then time each dashboard selector and count its
queries. The creator's live estimate must stay a handful of queries however many readers.

    DATABASE_URL=postgres://postgres@127.0.0.1/flattr_bench \\
        .venv/bin/python bench/dashboards_bench.py --size small

The database is WIPED (schema dropped and recreated); its name must contain "bench".
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import payday_bench  # noqa: E402  (sets up sys.path and the settings module)


def _popular_thing_clicked_by_everyone(readers: int) -> int:
    """Every reader also clicks one thing of the first creator this month; returns its owner."""
    from django.db import connection

    from flattr_clone.months import month_start
    from tips.clicks.models import Click
    from tips.things.models import Thing

    thing = Thing.objects.order_by("pk").first()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Click._meta.db_table} (reader_id, thing_id, creator_id, month, "  # noqa: S608
            "created_at, revoked_at) SELECT id, %s, %s, %s, %s, NULL FROM accounts_user "
            "WHERE email LIKE 'r%%@bench.test' ON CONFLICT DO NOTHING",
            [thing.pk, thing.owner_id, payday_bench.MONTH, month_start(payday_bench.MONTH)],
        )
        cursor.execute("ANALYZE")
    return thing.owner_id


def _measure(name: str, function, results: dict) -> object:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        value = function()
        seconds = time.perf_counter() - started
    results[name] = {"ms": round(seconds * 1000, 1), "queries": len(queries)}
    print(f"{name}: {seconds * 1000:.1f} ms, {len(queries)} queries")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(payday_bench.SIZES), default="small")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("The benchmark needs PostgreSQL: set DATABASE_URL=postgres://.../flattr_bench")
    if "bench" not in settings.DATABASES["default"]["NAME"]:
        sys.exit("Refusing to wipe a database whose name does not contain 'bench'.")
    readers, creators, clicks = payday_bench.SIZES[args.size]
    print(f"size={args.size}: {readers} readers, {creators} creators, {clicks} clicks")
    payday_bench._reset_schema()
    payday_bench._generate(readers, creators, clicks)
    popular_pk = _popular_thing_clicked_by_everyone(readers)

    from accounts.models import User
    from flattr_clone.celery import app as celery_app
    from tips.dashboards.selectors import (
        clicks_by_thing,
        creator_earnings_by_month,
        creator_estimate,
        last_months,
        platform_by_month,
    )
    from tips.payday.selectors import reader_history
    from tips.payday.services import payday_run

    celery_app.conf.task_always_eager = True
    settings.PAYDAY_FOLLOW_UP_TASKS = []
    started = time.perf_counter()
    payday_run(month=payday_bench.MONTH)
    print(f"payday in {time.perf_counter() - started:.1f}s")

    month = payday_bench.MONTH
    months = last_months(12, until=month)
    popular = User.objects.get(pk=popular_pk)
    reader = User.objects.filter(email__startswith="r").order_by("pk").first()
    results: dict = {"size": args.size, "readers": readers, "creators": creators}
    estimate = _measure(
        "creator_estimate_popular",
        lambda: creator_estimate(creator=popular, month=month),
        results,
    )
    results["creator_estimate_popular"]["readers"] = estimate.readers
    _measure(
        "creator_earnings_by_month",
        lambda: creator_earnings_by_month(creator=popular, months=months),
        results,
    )
    _measure("clicks_by_thing", lambda: clicks_by_thing(creator=popular), results)
    _measure("reader_history", lambda: reader_history(reader=reader, limit=12), results)
    _measure("platform_by_month", lambda: platform_by_month(months=months), results)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
