"""Celery tasks of the tips app: payday. Each takes ids or a month and calls one service."""

from __future__ import annotations

from celery import shared_task

from tips.months import format_month, month_of, parse_month, previous_month


@shared_task(acks_late=True)
def payday_chunk(*, chunk_id: int) -> bool:
    """Process one chunk of a payday run (a no-op when it is already done)."""
    from tips.payday.services import payday_chunk_process

    return payday_chunk_process(chunk_id=chunk_id)


@shared_task
def payday_month(*, month: str) -> str:
    """Run or resume the payday of ``month`` ("YYYY-MM"); returns the run's status."""
    from tips.payday.services import payday_run

    return payday_run(month=parse_month(month)).status


@shared_task
def payday_previous_month() -> str:
    """The monthly schedule (celery beat, on the 1st): payday of the month that just ended."""
    return payday_month(month=format_month(previous_month(month_of())))


# Celery autodiscovers ``tasks`` modules only; this registers the monthly e-mail tasks.
from tips.email_tasks import send_monthly_email_batch, send_monthly_emails  # noqa: E402, F401
