"""The monthly run (PRODUCT.md, "Subscriptions"): on the first day of a month, one click for
every subscription running that month, each through ``click_register``.

Like payday, ``subscriptions_run`` plans the month once (the subscriptions it covers, in
fixed chunks of ids) and enqueues one ``subscription_chunk`` task per chunk not done; the
chunks themselves are ``tips.subscriptions.chunks``. Running again (beat does, every hour of
the 1st) resumes a run that crashed and does nothing to one that is done.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from flattr_clone.months import format_month, month_of
from tips.subscriptions.chunks import run_finish
from tips.subscriptions.models import Subscription, SubscriptionChunk, SubscriptionRun
from tips.subscriptions.tasks import subscription_chunk

logger = logging.getLogger(__name__)

# --- The run -------------------------------------------------------------------------


def subscriptions_run(
    *, chunk_size: int | None = None, now: dt.datetime | None = None
) -> SubscriptionRun:
    """Make (or resume) the subscription clicks of the current month and return its run.

    A month's clicks can only be made during that month, so there is no month argument:
    a run that crashed and was not resumed before its month ended stays failed (its
    remaining subscriptions are not flattred that month). With eager Celery the chunks run
    before this returns; with workers the run is ``running`` until the last one completes.
    """
    now = now or timezone.now()
    month = month_of(now)
    size = chunk_size or settings.SUBSCRIPTION_CHUNK_SIZE
    with transaction.atomic():
        run, created = SubscriptionRun.objects.select_for_update().get_or_create(
            month=month, defaults={"chunk_size": size, "created_at": now, "started_at": now}
        )
        if run.status == SubscriptionRun.Status.DONE:
            return run
        if created:
            _plan_chunks(run, now)
        else:
            run.status = SubscriptionRun.Status.RUNNING
            run.started_at = now
            run.last_error = ""
            run.save(update_fields=["status", "started_at", "last_error"])
        pending = list(
            run.chunks.filter(done_at__isnull=True).order_by("number").values_list("pk", flat=True)
        )
        logger.info("subscriptions %s: %d chunk(s) to process", format_month(month), len(pending))
        if not run.chunks_total:
            run_finish(run, now)
        for chunk_pk in pending:
            subscription_chunk.delay_on_commit(chunk_id=chunk_pk)
    return SubscriptionRun.objects.get(pk=run.pk)


def _plan_chunks(run: SubscriptionRun, now: dt.datetime) -> None:
    """Fix the run's subscriptions: those running or paused in the month that started in an
    earlier month (one started this month was flattred when it started). Those past their
    last month are marked ended first."""
    month = run.month
    ended = Subscription.objects.filter(status__in=Subscription.OPEN, last_month__lt=month).update(
        status=Subscription.Status.ENDED, ended_at=now
    )
    ids = list(
        Subscription.objects.filter(status__in=Subscription.OPEN, first_month__lt=month)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    size = run.chunk_size
    SubscriptionChunk.objects.bulk_create(
        SubscriptionChunk(
            run=run,
            number=index // size + 1,
            first_subscription_id=ids[index],
            last_subscription_id=ids[min(index + size, len(ids)) - 1],
        )
        for index in range(0, len(ids), size)
    )
    run.chunks_total = (len(ids) + size - 1) // size
    run.subscriptions = len(ids)
    run.ended = ended
    run.save(update_fields=["chunks_total", "subscriptions", "ended"])
