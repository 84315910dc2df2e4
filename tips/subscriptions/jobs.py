"""The Celery task that starts the month's subscription run (celery beat, on the 1st)."""

from __future__ import annotations

from celery import shared_task

from tips.subscriptions.runs import subscriptions_run


@shared_task(name="tips.subscriptions.jobs.subscriptions_this_month")
def subscriptions_this_month() -> str:
    """Make (or resume) this month's subscription clicks; returns the run's status. Beat calls
    it every hour of the first day of the month: the first call does the work, later ones
    resume a run that crashed or find it done."""
    return subscriptions_run().status
