"""The beat job: every few minutes, a poll task for each feed whose time has come."""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from tips.feeds.models import Feed
from tips.feeds.tasks import poll_feed

# A claimed feed is not claimed again this long, even if its poll task was lost.
CLAIM_MINUTES = 30
BATCH = 200


@shared_task(name="tips.feeds.jobs.poll_due_feeds")
def poll_due_feeds() -> int:
    now = timezone.now()
    due = list(
        Feed.objects.filter(active=True, next_poll_at__lte=now)
        .order_by("next_poll_at")
        .values_list("pk", "next_poll_at")[:BATCH]
    )
    started = 0
    for pk, next_poll_at in due:
        # Claimed by moving next_poll_at: two beats (or a slow worker) never poll it twice.
        claimed = Feed.objects.filter(pk=pk, next_poll_at=next_poll_at).update(
            next_poll_at=now
            + dt.timedelta(minutes=max(CLAIM_MINUTES, settings.FEED_POLL_MINUTES // 2))
        )
        if claimed:
            poll_feed.delay(pk)
            started += 1
    return started
