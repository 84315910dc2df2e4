"""Celery tasks that start a payday: for a month, or (beat, on the 1st) the month that ended.

The task names are those of the first version (``tips.tasks.*``): beat entries and
messages already queued name them, so they never change.
"""

from __future__ import annotations

from celery import shared_task

from flattr_clone.months import format_month, month_of, parse_month, previous_month
from tips.payday.services import payday_run


@shared_task(name="tips.tasks.payday_month")
def payday_month(*, month: str) -> str:
    """Run or resume the payday of ``month`` ("YYYY-MM"); returns the run's status."""

    return payday_run(month=parse_month(month)).status


@shared_task(name="tips.tasks.payday_previous_month")
def payday_previous_month() -> str:
    """The monthly schedule (celery beat, on the 1st): payday of the month that just ended."""
    return payday_month(month=format_month(previous_month(month_of())))


@shared_task(name="tips.tasks.upcoming_charge_notices")
def upcoming_charge_notices() -> int:
    """Beat, daily: a few days before payday, tell readers who pay after the month what
    their card will be charged (tips.payday.charges)."""
    from tips.payday.charges import upcoming_charge_notices as notices

    return notices()
