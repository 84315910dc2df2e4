"""Writes for feeds: add one, poll it (conditional GET, backoff), register or suggest its
entries, approve or reject suggestions.

Every fetch goes through ``flattr_clone.fetcher`` (SSRF-safe: no private address, size and
time limits, same-site redirects only); feedparser only ever sees the fetched bytes.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from flattr_clone.fetcher import BadURL, FetchError, fetch, registrable_domain
from tips.feeds.models import Feed, FeedEntry
from tips.feeds.parsing import NotAFeed, ParsedEntry, parse_feed
from tips.sites.selectors import owner_verification
from tips.things.canonical import InvalidURL, canonical_url
from tips.things.models import Thing
from tips.things.services import thing_create

logger = logging.getLogger(__name__)

_LANGUAGE_RE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})?$")
ACCEPT = (
    "application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)


def _site_of(url: str) -> str:
    return registrable_domain(urlsplit(url).hostname or "")


def feed_add(*, owner, url: str, mode: str) -> Feed:
    """Add a feed for ``owner`` (``ValidationError`` by field if refused); first poll due now."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            {"url": gettext_lazy("Give the feed's full address, starting with https://.")}
        )
    if len(url) > 2000:
        raise ValidationError({"url": gettext_lazy("Use an address of 2000 characters at most.")})
    try:
        canonical = canonical_url(url)
    except InvalidURL as error:
        raise ValidationError({"url": error.message}) from error
    if owner_verification(canonical, owner.pk) is None:
        # Only a site the creator proved is theirs (docs/PRODUCT.md, Ownership) may feed things.
        raise ValidationError(
            {
                "url": gettext_lazy(
                    "This feed is not on a site you verified. Verify the site on My sites first."
                )
            }
        )
    if mode not in Feed.Mode.values:
        raise ValidationError({"mode": gettext_lazy("Choose how new entries are registered.")})
    if Feed.objects.filter(owner=owner).count() >= settings.FEEDS_PER_CREATOR:
        raise ValidationError(
            {
                "url": gettext_lazy("You can add at most %(count)s feeds.")
                % {"count": settings.FEEDS_PER_CREATOR}
            }
        )
    try:
        with transaction.atomic():
            return Feed.objects.create(owner=owner, url=url, mode=mode)
    except IntegrityError as error:
        raise ValidationError({"url": gettext_lazy("You already added this feed.")}) from error


def _next_poll(feed: Feed, now: dt.datetime) -> dt.datetime:
    minutes = settings.FEED_POLL_MINUTES
    if feed.failures:
        minutes = min(minutes * 2**feed.failures, settings.FEED_BACKOFF_MAX_HOURS * 60)
    return now + dt.timedelta(minutes=minutes)


def _failed(feed: Feed, message: str, *, status: int | None = None) -> Feed:
    now = timezone.now()
    feed.failures += 1
    feed.last_error = message[:1000]
    feed.last_status = status
    feed.last_polled_at = now
    feed.next_poll_at = _next_poll(feed, now)
    feed.save(
        update_fields=["failures", "last_error", "last_status", "last_polled_at", "next_poll_at"]
    )
    logger.info("feed %s failed (%s in a row): %s", feed.pk, feed.failures, message)
    return feed


def _ours(url: str) -> bool:
    return url.startswith(settings.SITE_URL + "/")


def _other_creators_button(url: str, owner) -> bool:
    """A payment link to this platform that names someone else (their profile or thing)."""
    if not _ours(url):
        return False
    path = url[len(settings.SITE_URL) :]
    if match := re.match(r"^/@([A-Za-z0-9_]+)", path):
        return match.group(1).lower() != owner.handle.lower()
    if match := re.match(r"^/t/(\d+)/", path):
        return not Thing.objects.filter(pk=int(match.group(1)), owner=owner).exists()
    return False


def _register(entry: FeedEntry, owner) -> None:
    """Make the entry a thing; on refusal the entry says why (address taken, bad link...)."""
    try:
        with transaction.atomic():
            thing = thing_create(
                owner=owner,
                url=entry.link,
                title=entry.title,
                description=entry.summary,
                language=entry.language if _LANGUAGE_RE.match(entry.language or "") else "",
                tags=entry.tags,
            )
    except ValidationError as error:
        messages = [str(m) for errors in error.message_dict.values() for m in errors]
        entry.status = FeedEntry.Status.SKIPPED
        entry.reason = (messages[0] if messages else _("It could not be registered."))[:300]
    else:
        entry.status = FeedEntry.Status.REGISTERED
        entry.thing = thing
        entry.reason = ""


def _import(feed: Feed, parsed: ParsedEntry, site: str) -> FeedEntry | None:
    if FeedEntry.objects.filter(feed=feed, key=parsed.key).exists():
        return None
    entry = FeedEntry(
        feed=feed,
        key=parsed.key,
        link=parsed.link[:2000],
        title=parsed.title or parsed.link[:200],
        summary=parsed.summary,
        tags=parsed.tags,
        language=parsed.language,
        payment_url=parsed.payment_url[:2000],
    )
    link_host = urlsplit(parsed.link).hostname or ""
    if not parsed.link or urlsplit(parsed.link).scheme not in ("http", "https"):
        entry.status, entry.reason = FeedEntry.Status.SKIPPED, _("The entry has no web address.")
    elif registrable_domain(link_host) != site:
        entry.status = FeedEntry.Status.SKIPPED
        entry.reason = _("Its address is not on the feed's site.")
    elif parsed.payment_url and _other_creators_button(parsed.payment_url, feed.owner):
        entry.status = FeedEntry.Status.SKIPPED
        entry.reason = _("Its payment link names another creator.")
    elif feed.mode == Feed.Mode.AUTOMATIC:
        _register(entry, feed.owner)
    else:
        entry.status = FeedEntry.Status.SUGGESTED
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        return None  # another poll of the same feed saw it first
    return entry


def feed_poll(feed: Feed) -> list[FeedEntry]:
    """Fetch the feed once and handle its new entries; returns them. Never raises for the
    feed's own faults: they are counted (``failures``) and the next poll waits longer."""
    headers = {"Accept": ACCEPT}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    try:
        response = fetch(
            feed.url,
            headers=headers,
            timeout=settings.FEED_TIMEOUT_SECONDS,
            max_bytes=settings.FEED_MAX_BYTES,
        )
    except FetchError as error:
        _failed(feed, str(error.message))
        if isinstance(error, BadURL):
            Feed.objects.filter(pk=feed.pk).update(active=False)
        return []
    now = timezone.now()
    if response.status == 304:
        feed.failures, feed.last_error = 0, ""
        feed.last_status, feed.last_polled_at = 304, now
        feed.next_poll_at = _next_poll(feed, now)
        feed.save(
            update_fields=[
                "failures",
                "last_error",
                "last_status",
                "last_polled_at",
                "next_poll_at",
            ]
        )
        return []
    if not response.ok:
        message = _("The server answered HTTP %(status)s.") % {"status": response.status}
        _failed(feed, message, status=response.status)
        return []
    try:
        parsed = parse_feed(response.body, response.headers.get("content-type", ""))
    except NotAFeed:
        _failed(
            feed,
            _("This address does not serve an RSS or Atom feed we can read."),
            status=response.status,
        )
        return []
    site = _site_of(response.url)
    new = []
    for item in parsed.entries[: settings.FEED_MAX_ENTRIES_PER_POLL]:
        entry = _import(feed, item, site)
        if entry is not None:
            new.append(entry)
    funding = [url for url in parsed.funding_urls if _ours(url)]
    feed.title = parsed.title or feed.title
    feed.language = parsed.language[:10]
    feed.funding_url = funding[0][:2000] if funding else ""
    feed.etag = response.headers.get("etag", "")[:300]
    feed.last_modified = response.headers.get("last-modified", "")[:100]
    feed.failures, feed.last_error = 0, ""
    feed.last_status, feed.last_polled_at = response.status, now
    feed.next_poll_at = _next_poll(feed, now)
    feed.save()
    return new


@transaction.atomic
def entry_approve(*, entry: FeedEntry) -> FeedEntry:
    entry = FeedEntry.objects.select_for_update().select_related("feed__owner").get(pk=entry.pk)
    if entry.status != FeedEntry.Status.SUGGESTED:
        return entry
    _register(entry, entry.feed.owner)
    entry.save(update_fields=["status", "thing", "reason"])
    return entry


@transaction.atomic
def entry_reject(*, entry: FeedEntry) -> FeedEntry:
    updated = FeedEntry.objects.filter(pk=entry.pk, status=FeedEntry.Status.SUGGESTED).update(
        status=FeedEntry.Status.REJECTED
    )
    if updated:
        entry.status = FeedEntry.Status.REJECTED
    return entry


def feed_remove(*, feed: Feed) -> None:
    """Stop polling and forget the feed; the things it registered stay."""
    feed.delete()
