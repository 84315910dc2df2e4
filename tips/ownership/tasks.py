"""Celery tasks of site verification: a check on request, and the periodic re-check (beat)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from tips.ownership.services import site_apply_check
from tips.sites.models import Site
from tips.sites.selectors import VERIFIED_STATUSES

# A verified site is checked again once this much time has passed since its last check.
RECHECK_AFTER = dt.timedelta(hours=23)


@shared_task(name="tips.ownership.tasks.check_site", acks_late=True)
def check_site(site_id: int) -> str:
    """Check one site (file, meta tag, DNS) and apply the result; returns its status."""
    if not Site.objects.filter(pk=site_id).exists():
        return "gone"
    return site_apply_check(site_id=site_id).status


@shared_task(name="tips.ownership.tasks.recheck_verified_sites")
def recheck_verified_sites() -> int:
    """Enqueue a check of every verified site not checked for a day; returns how many."""
    due = timezone.now() - RECHECK_AFTER
    ids = list(
        Site.objects.filter(status__in=VERIFIED_STATUSES, last_checked_at__lt=due).values_list(
            "pk", flat=True
        )
    )
    for site_id in ids:
        check_site.delay(site_id)
    return len(ids)
