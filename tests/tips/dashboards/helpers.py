"""Building real ledger state for the dashboard tests: top-ups posted through the ledger,
budgets and clicks as the app stores them, and the real payday."""

from __future__ import annotations

import datetime as dt
import itertools

from flattr_clone.months import month_of, month_start, previous_month
from payouts.funding.models import BudgetChange
from payouts.ledger.services import post_transfer, system_account, wallet_of
from tips.clicks.models import Click
from tips.things.models import Thing

_keys = itertools.count(1)


def last_month() -> dt.date:
    return previous_month(month_of())


def fund(user, cents: int) -> None:
    """A sandbox top-up of ``cents`` into ``user``'s wallet, through the ledger."""
    n = next(_keys)
    post_transfer(
        debit=system_account("external", "sandbox"),
        credit=wallet_of(user),
        amount_cents=cents,
        idempotency_key=f"test-topup:{user.pk}:{n}",
        kind="top_up",
        reference=f"test-topup:{n}",
        at=month_start(previous_month(last_month())),
    )


def set_budget(user, cents: int, *, at: dt.datetime | None = None) -> None:
    BudgetChange.objects.create(
        user=user, amount_cents=cents, created_at=at or month_start(previous_month(last_month()))
    )


def thing_of(creator, slug: str, title: str | None = None) -> Thing:
    return Thing.objects.create(
        owner=creator, url=f"https://{creator.handle}.example.com/{slug}", title=title or slug
    )


def click(reader, thing: Thing, month: dt.date | None = None) -> Click:
    month = month or month_of()
    return Click.objects.create(
        reader=reader,
        thing=thing,
        creator=thing.owner,
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
