"""Per-feed tasks (the beat job that starts them: ``tips.feeds.jobs``)."""

from celery import shared_task

from tips.feeds.models import Feed
from tips.feeds.services import feed_poll


@shared_task(name="tips.feeds.tasks.poll_feed")
def poll_feed(feed_id: int) -> int:
    feed = Feed.objects.filter(pk=feed_id, active=True).select_related("owner").first()
    if feed is None or feed.owner.is_suspended or not feed.owner.is_active:
        return 0
    return len(feed_poll(feed))
