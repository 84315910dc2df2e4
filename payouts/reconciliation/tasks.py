"""The daily reconciliation with Stripe (beat)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from payouts.reconciliation.services import reconcile


@shared_task(name="payouts.tasks.reconcile_yesterday")
def reconcile_yesterday() -> dict:
    """Reconcile the day before (UTC) with Stripe; a deployment without Stripe has nothing
    to reconcile."""
    if not settings.STRIPE_SECRET_KEY:
        return {"status": "skipped", "reason": "Stripe is not configured"}
    day = timezone.now().astimezone(dt.UTC).date() - dt.timedelta(days=1)
    return reconcile(day=day).as_dict()
