"""Celery tasks for the monthly e-mails (see ``tips.emails``).

``send_monthly_emails`` is listed in ``PAYDAY_FOLLOW_UP_TASKS``: payday enqueues it
with ``month="YYYY-MM"`` once the month is done. It cuts the recipients into
batches and enqueues one task per batch, so a large platform's e-mails spread
over the workers and a failing batch is retried alone. ``send_subscription_notices``
does the same for the subscription notices, from ``SUBSCRIPTIONS_FOLLOW_UP_TASKS``.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from flattr_clone.months import parse_month
from tips.emails.models import MonthlyEmail
from tips.emails.services import MonthlyEmailFailed, monthly_email_batches, payday_is_done
from tips.emails.services import send_monthly_email_batch as emails_send_monthly_email_batch

logger = logging.getLogger(__name__)


@shared_task(name="tips.email_tasks.send_monthly_emails")
def send_monthly_emails(month: str) -> int:
    """Enqueue one batch task per ``MONTHLY_EMAIL_BATCH_SIZE`` recipients of ``month``'s
    summaries; returns the number of batches. Does nothing before payday is done."""
    month_date = parse_month(month)
    if not payday_is_done(month_date):
        logger.warning("monthly e-mails for %s wait: its payday is not done", month)
        return 0
    batches = monthly_email_batches(month=month_date, batch_size=settings.MONTHLY_EMAIL_BATCH_SIZE)
    for kind, user_ids in batches:
        send_monthly_email_batch.delay_on_commit(month=month, kind=kind, user_ids=user_ids)
    return len(batches)


@shared_task(name="tips.emails.tasks.send_subscription_notices")
def send_subscription_notices(month: str) -> int:
    """Enqueue one batch task per ``MONTHLY_EMAIL_BATCH_SIZE`` readers to tell about their
    subscriptions in ``month`` (in ``SUBSCRIPTIONS_FOLLOW_UP_TASKS``: the subscription run
    enqueues it when the month's clicks are made); returns the number of batches."""
    batches = monthly_email_batches(
        month=parse_month(month),
        batch_size=settings.MONTHLY_EMAIL_BATCH_SIZE,
        kind=MonthlyEmail.Kind.SUBSCRIPTIONS,
    )
    for kind, user_ids in batches:
        send_monthly_email_batch.delay_on_commit(month=month, kind=kind, user_ids=user_ids)
    return len(batches)


@shared_task(
    name="tips.email_tasks.send_monthly_email_batch",
    autoretry_for=(MonthlyEmailFailed,),
    retry_backoff=60,
    max_retries=5,
)
def send_monthly_email_batch(month: str, kind: str, user_ids: list[int]) -> int:
    """Send one batch of summaries; a retry skips the ones already sent."""
    return emails_send_monthly_email_batch(month=parse_month(month), kind=kind, user_ids=user_ids)
