"""Building real ledger state for the dashboard tests: budgets and clicks as the app stores
them, and the real payday. Wallets are funded with ``tests.factories.TopUpFactory``."""

from __future__ import annotations

import datetime as dt

from flattr_clone.months import month_of, month_start, previous_month
from payouts.funding.models import BudgetChange
from tests.factories import BudgetChangeFactory, ClickFactory, ThingFactory
from tips.clicks.models import Click
from tips.things.models import Thing


def last_month() -> dt.date:
    return previous_month(month_of())


def set_budget(user, cents: int, *, at: dt.datetime | None = None) -> BudgetChange:
    """A budget from ``at``, by default the start of the month before last (so it is in effect
    at the end of both months the tests run payday for)."""
    return BudgetChangeFactory(
        user=user, amount_cents=cents, created_at=at or month_start(previous_month(last_month()))
    )


def thing_of(creator, slug: str, title: str | None = None) -> Thing:
    return ThingFactory(
        owner=creator, url=f"https://{creator.handle}.example.com/{slug}", title=title or slug
    )


def click(reader, thing: Thing, month: dt.date | None = None) -> Click:
    month = month or month_of()
    return ClickFactory(
        reader=reader,
        thing=thing,
        month=month,
        created_at=month_start(month) + dt.timedelta(days=1, hours=3),
    )


def run_payday(month: dt.date, capture=None):
    """The real payday; ``capture`` is pytest-django's django_capture_on_commit_callbacks in
    tests inside a transaction, so the enqueued chunks (and follow-up tasks) run."""
    from tips.payday.services import payday_run

    if capture is None:
        return payday_run(month=month)
    with capture(execute=True):
        return payday_run(month=month)
