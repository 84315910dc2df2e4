"""Explore benchmark: /explore/ at 100,000 things and 10,000 creators (PostgreSQL), each
page's queries and time against a one-SELECT page (the same template, 24 things from one
SELECT) measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1/flattr_bench \\
        .venv/bin/python bench/explore_bench.py [--things 100000 --creators 10000]

The database is WIPED (schema dropped and rebuilt with the migrations, so the search's GIN
index is there); its name must contain "bench".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import payday_bench  # noqa: E402  (sets up sys.path and the settings module)

RUNS = 7
WORDS = [
    "jazz", "bread", "podcast", "garden", "python", "comics", "knitting", "chess", "travel",
    "music", "photo", "django", "coffee", "poetry", "science", "history", "cycling", "film",
    "cooking", "maths",
]  # fmt: skip
PAGES = [
    ("popular this month", {}),
    ("popular all time", {"sort": "alltime"}),
    ("new", {"sort": "new"}),
    ("trending", {"sort": "trending"}),
    ("new, page 200", {"sort": "new", "page": "200"}),
    ("search 'jazz'", {"q": "jazz"}),
    ("search 'jazz podcast', by popularity", {"q": "jazz podcast", "sort": "popular"}),
    ("category audio", {"category": "audio"}),
    ("language fr", {"language": "fr"}),
    ("tag garden", {"tag": "garden"}),
    ("search + category", {"q": "music", "category": "audio"}),
    ("search + language + tag", {"q": "music", "language": "en", "tag": "garden"}),
    ("creators, popular this month", {"show": "creators"}),
    ("creators, search 'c12'", {"show": "creators", "q": "c12"}),
]  # fmt: skip


def one_select_page(request):
    """The floor: the explore template with a page of things read by one SELECT."""
    from django.core.paginator import Paginator
    from django.shortcuts import render

    from tips.explore.selectors import Filters
    from tips.things.models import Thing

    rows = list(Thing.objects.select_related("owner").order_by("pk")[:24])
    page = Paginator(rows, 24).get_page(1)
    context = {
        "filters": Filters(),
        "page": page,
        "items": [(thing, 0, 0) for thing in rows],
        "sorts": [],
        "categories": [],
        "language_choices": [],
    }
    return render(request, "tips/explore.html", context)


def _urls():
    from django.urls import include, path

    return [path("bench/one-select/", one_select_page), path("", include("flattr_clone.urls"))]


urlpatterns = None  # set in main(), once Django is set up


def _generate(things: int, creators: int, readers: int, clicks_per_reader: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from flattr_clone.months import month_of, month_start, previous_month
    from tips.clicks.models import Click
    from tips.things.models import Thing

    User = get_user_model()
    now = dt.datetime.now(dt.UTC)
    month, last = month_of(), previous_month(month_of())
    words = "ARRAY[" + ", ".join(f"'{w}'" for w in WORDS) + "]"
    per_creator = things // creators
    with transaction.atomic():
        payday_bench._insert_select(
            User,
            {
                "email": "'c' || g || '@bench.test'",
                "handle": "'c' || g",
                "display_name": "'Creator ' || g",
                "password": "'!'",
                "bio": f"'I make ' || ({words})[1 + g %% 20] || ' things.'",
                "suspended_at": "CASE WHEN g %% 100 = 0 THEN now() END",
            },
            "generate_series(1, %s) AS g",
            [creators],
        )
        payday_bench._insert_select(
            User,
            {"email": "'r' || g || '@bench.test'", "handle": "'r' || g", "password": "'!'"},
            "generate_series(1, %s) AS g",
            [readers],
        )
        c_low, _ = payday_bench._id_range("accounts_user", "email", "c%@bench.test")
        r_low, _ = payday_bench._id_range("accounts_user", "email", "r%@bench.test")
        payday_bench._insert_select(
            Thing,
            {
                "owner_id": f"{c_low} + g / {per_creator}",
                "url": "'https://bench.test/' || g",
                "url_key": "'https://bench.test/' || g",
                "title": f"initcap(({words})[1 + g %% 20]) || ' and ' || "
                f"({words})[1 + (g / 20) %% 20] || ' ' || g",
                "description": f"'Notes on ' || ({words})[1 + (g / 400) %% 20] || ', week ' "
                "|| g %% 52",
                "tags": f"({words})[1 + (g / 7) %% 20] || ', ' || ({words})[1 + (g / 13) %% 20]",
                "category": "(ARRAY['text','images','video','audio','software','people',"
                "'rest'])[1 + g %% 7]",
                "language": "(ARRAY['en','fr','de','es','en-GB','fr-CA','it'])[1 + (g / 3) %% 7]",
                "updated_at": ("%s", [now]),
                "hidden": "g %% 50 = 0",
                "retired": "g %% 97 = 0",
                "created_at": (
                    "%s - (g %% 400) * interval '1 day' - g * interval '1 second'",
                    [now],
                ),
            },
            "generate_series(0, %s) AS g",
            [things - 1],
        )
        t_low, _ = payday_bench._id_range("tips_thing", "url", "https://bench.test/%")
        # Clicks: a third this month (some this week), a third last month, a third older;
        # skewed so some things are much more popular (the square folds ids towards 0).
        thing = f"{t_low} + ((((r::bigint * 7919 + k * 4729) %% {things}) ^ 2) / {things})::bigint"
        payday_bench._insert_select(
            Click,
            {
                "reader_id": "r",
                "thing_id": thing,
                "creator_id": f"(SELECT owner_id FROM tips_thing WHERE id = {thing})",
                "month": (
                    "CASE WHEN k %% 3 = 0 THEN %s::date WHEN k %% 3 = 1 THEN %s::date "
                    "ELSE %s::date - (k * interval '1 month') END",
                    [month, last, last],
                ),
                "created_at": (
                    "CASE WHEN k %% 3 = 0 THEN %s - (r %% 12) * interval '1 day' "
                    "WHEN k %% 3 = 1 THEN %s + (r %% 27) * interval '1 day' "
                    "ELSE %s - (k * interval '1 month') END",
                    [now, month_start(last), month_start(last)],
                ),
                "revoked_at": "NULL",
            },
            # Squares of distinct numbers can meet: one click per (reader, thing, month) kept.
            "generate_series(%s, %s) AS r, generate_series(1, %s) AS k ON CONFLICT DO NOTHING",
            [r_low, r_low + readers - 1, clicks_per_reader],
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _reset_schema_with_migrations() -> None:
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)


def _measure(client, url: str, params: dict) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params)  # warm (templates, connection)
    times, queries = [], 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, params, response.status_code)
        queries = len(captured)
    return {"ms": round(statistics.median(times), 1), "queries": queries}


def main() -> None:
    global urlpatterns
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--things", type=int, default=100_000)
    parser.add_argument("--creators", type=int, default=10_000)
    parser.add_argument("--readers", type=int, default=20_000)
    parser.add_argument("--clicks-per-reader", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="reuse the data of the last run")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    if connection.vendor != "postgresql":
        sys.exit("The benchmark needs PostgreSQL: set DATABASE_URL=postgres://.../flattr_bench")
    if "bench" not in settings.DATABASES["default"]["NAME"]:
        sys.exit("Refusing to wipe a database whose name does not contain 'bench'.")
    if args.keep:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    else:
        started = time.perf_counter()
        _reset_schema_with_migrations()
        _generate(args.things, args.creators, args.readers, args.clicks_per_reader)
        print(f"generated in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM tips_thing), (SELECT count(*) FROM tips_click)"
        )
        things, clicks = cursor.fetchone()
    print(f"{things} things, {args.creators} creators, {clicks} clicks")
    urlpatterns = _urls()
    results = {}
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["*"], DEBUG=False):
        client = Client()
        floor = _measure(client, "/bench/one-select/", {})
        print(f"{'one-SELECT page (floor)':45} {floor['ms']:7.1f} ms  {floor['queries']} query")
        results["floor"] = floor
        for name, params in PAGES:
            measured = _measure(client, "/explore/", params)
            measured["ratio"] = round(measured["ms"] / floor["ms"], 1)
            results[name] = measured
            print(
                f"{name:45} {measured['ms']:7.1f} ms  {measured['queries']} queries  "
                f"x{measured['ratio']}"
            )
    worst = max(v["queries"] for k, v in results.items() if k != "floor")
    print(f"most queries on a page: {worst}")
    out = Path(__file__).resolve().parent / "results" / "explore.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"things": things, "clicks": clicks, "pages": results}, indent=2))
    if worst > 3:
        sys.exit("A page took more than 3 queries.")


if __name__ == "__main__":
    main()
