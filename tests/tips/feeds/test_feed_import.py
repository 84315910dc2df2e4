"""Things from feeds, against feeds served by a real local HTTP server: RSS 2.0, Atom, a
podcast feed, a broken feed, a feed that changes, 304 answers, a private address."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import ThingFactory, UserFactory
from tips.feeds.jobs import poll_due_feeds
from tips.feeds.models import Feed, FeedEntry
from tips.feeds.services import entry_approve, entry_reject, feed_add, feed_poll
from tips.sites.models import Site
from tips.things.models import Thing

pytestmark = pytest.mark.django_db

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Dana's blog</title><link>http://blog.example/</link>
<language>fr</language>
<item><title>First post</title><link>http://blog.example/first?utm_source=rss</link>
<guid>post-1</guid><description>&lt;p&gt;Hello &lt;b&gt;world&lt;/b&gt;&lt;/p&gt;</description>
<category>Cooking</category><category>bread</category></item>
<item><title>Second post</title><link>http://blog.example/second</link><guid>post-2</guid></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB"><title>Notes</title>
<id>urn:notes</id><updated>2026-11-01T00:00:00Z</updated>
<entry><title>An Atom note</title><id>urn:note:1</id><link href="http://blog.example/notes/1"/>
<updated>2026-11-01T00:00:00Z</updated><summary>Short</summary><category term="maths"/></entry>
</feed>"""

PODCAST = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0"
 xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>The Show</title>
<link>http://blog.example/show</link><language>en</language>
<podcast:funding url="http://127.0.0.1:8000/@dana">Flattr us</podcast:funding>
<item><title>Episode 1</title><link>http://blog.example/show/1</link><guid>ep1</guid>
<enclosure url="http://blog.example/show/1.mp3" type="audio/mpeg" length="1"/>
<atom:link rel="payment" href="http://127.0.0.1:8000/@dana"/></item>
<item><title>Stolen</title><link>http://blog.example/show/2</link><guid>ep2</guid>
<atom:link rel="payment" href="http://127.0.0.1:8000/@someone_else"/></item>
<item><title>Elsewhere</title><link>http://other.example/3</link><guid>ep3</guid></item>
</channel></rss>"""


def verified_site(owner, host):
    return Site.objects.create(
        owner=owner, host=host, status=Site.Status.VERIFIED, verified_at=timezone.now()
    )


@pytest.fixture
def dana():
    dana = UserFactory(handle="dana")
    for host in ("blog.example", "intranet.example", "127.0.0.1"):
        verified_site(dana, host)
    return dana


def test_a_feed_must_be_on_a_verified_site(dana):
    with pytest.raises(ValidationError) as refused:
        feed_add(owner=dana, url="https://elsewhere.example/feed.xml", mode="auto")
    assert "not on a site you verified" in str(refused.value)
    other = UserFactory()
    with pytest.raises(ValidationError):
        feed_add(owner=other, url="http://blog.example/rss.xml", mode="auto")  # Dana's site
    assert not Feed.objects.exists()


@pytest.fixture
def blog(local_http, loopback_sites, settings):
    loopback_sites("blog.example")
    settings.SITE_URL = "http://127.0.0.1:8000"
    return local_http


def add(owner, server, path, mode=Feed.Mode.AUTOMATIC):
    return feed_add(owner=owner, url=server.url(path, host="blog.example"), mode=mode)


def test_rss_entries_become_things(dana, blog):
    blog.route("/rss.xml", body=RSS, headers={"Content-Type": "application/rss+xml"})
    feed = add(dana, blog, "/rss.xml")
    new = feed_poll(feed)
    assert [e.status for e in new] == ["registered", "registered"]
    first = Thing.objects.get(title="First post")
    assert first.owner == dana
    assert first.url == "http://blog.example/first"  # canonical: the tracking parameter dropped
    assert first.description == "Hello world"
    assert first.tags == "Cooking, bread"
    assert first.language == "fr"
    feed.refresh_from_db()
    assert feed.title == "Dana's blog" and feed.failures == 0


def test_atom_feed(dana, blog):
    blog.route("/atom.xml", body=ATOM, headers={"Content-Type": "application/atom+xml"})
    feed_poll(add(dana, blog, "/atom.xml"))
    note = Thing.objects.get(title="An Atom note")
    assert (note.url, note.description, note.tags, note.language) == (
        "http://blog.example/notes/1",
        "Short",
        "maths",
        "en-GB",
    )


def test_podcast_feed_funding_is_recognised(dana, blog):
    blog.route("/show.xml", body=PODCAST, headers={"Content-Type": "application/rss+xml"})
    feed = add(dana, blog, "/show.xml")
    entries = {e.title: e for e in feed_poll(feed)}
    feed.refresh_from_db()
    assert feed.funding_url == "http://127.0.0.1:8000/@dana"
    assert entries["Episode 1"].status == "registered"
    assert entries["Episode 1"].payment_url == "http://127.0.0.1:8000/@dana"
    # A payment link naming another creator, or a link off the feed's site: not registered.
    assert entries["Stolen"].status == "skipped"
    assert "another creator" in entries["Stolen"].reason
    assert entries["Elsewhere"].status == "skipped"
    assert not Thing.objects.filter(title__in=["Stolen", "Elsewhere"]).exists()


def test_suggest_then_approve_or_reject(dana, blog):
    blog.route("/rss.xml", body=RSS, headers={"Content-Type": "application/rss+xml"})
    feed = add(dana, blog, "/rss.xml", mode=Feed.Mode.SUGGEST)
    first, second = feed_poll(feed)
    assert {first.status, second.status} == {"suggested"}
    assert not Thing.objects.exists()
    approved = entry_approve(entry=first)
    assert approved.status == "registered" and approved.thing.title == first.title
    entry_reject(entry=second)
    second.refresh_from_db()
    assert second.status == "rejected"
    # A later poll sees the same entries again and suggests nothing new.
    assert feed_poll(feed) == []
    assert Thing.objects.count() == 1


def test_conditional_get_and_304(dana, blog):
    def handler(request):
        if request.headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {"Content-Type": "application/rss+xml", "ETag": '"v1"'}, RSS

    blog.route("/rss.xml", handler=handler)
    feed = add(dana, blog, "/rss.xml")
    assert len(feed_poll(feed)) == 2
    feed.refresh_from_db()
    assert feed.etag == '"v1"'
    assert feed_poll(feed) == []
    feed.refresh_from_db()
    assert feed.last_status == 304
    sent = [headers for _m, _p, headers, _b in blog.requests]
    assert "If-None-Match" not in sent[0] and sent[1]["If-None-Match"] == '"v1"'


def test_a_feed_that_changes(dana, blog):
    blog.route("/rss.xml", body=RSS, headers={"Content-Type": "application/rss+xml"})
    feed = add(dana, blog, "/rss.xml")
    feed_poll(feed)
    changed = RSS.replace(
        b"<item><title>Second post",
        b"<item><title>Third post</title><link>http://blog.example/third</link>"
        b"<guid>post-3</guid></item><item><title>Second post",
    ).replace(b"First post", b"First post, edited")
    blog.route("/rss.xml", body=changed, headers={"Content-Type": "application/rss+xml"})
    new = feed_poll(feed)
    # Only the new entry; an edited old one (same guid) is not registered twice.
    assert [e.title for e in new] == ["Third post"]
    assert Thing.objects.count() == 3


def test_an_address_already_registered_is_skipped_with_its_reason(dana, blog):
    ThingFactory(url="http://blog.example/second")  # someone else's
    blog.route("/rss.xml", body=RSS, headers={"Content-Type": "application/rss+xml"})
    entries = {e.title: e for e in feed_poll(add(dana, blog, "/rss.xml"))}
    assert entries["Second post"].status == "skipped"
    assert "Another creator already registered" in entries["Second post"].reason


@pytest.mark.parametrize(
    ("route", "error"),
    [
        (
            {
                "body": b"<html><body>not a feed</body></html>",
                "headers": {"Content-Type": "text/html"},
            },
            "does not serve an RSS or Atom feed",
        ),
        ({"status": 500, "body": b"oops"}, "HTTP 500"),
        (
            {"body": b"<rss" + b"x" * 5000, "headers": {"Content-Type": "application/rss+xml"}},
            "too large",
        ),
    ],
    ids=["broken", "server-error", "too-large"],
)
def test_broken_feeds_back_off(dana, blog, settings, route, error):
    settings.FEED_MAX_BYTES = 4000
    settings.FEED_POLL_MINUTES = 60
    blog.route("/rss.xml", **route)
    feed = add(dana, blog, "/rss.xml")
    waits = []
    for _ in range(3):
        before = timezone.now()
        assert feed_poll(feed) == []
        feed.refresh_from_db()
        waits.append(round((feed.next_poll_at - before).total_seconds() / 3600))
    assert error in feed.last_error
    assert feed.failures == 3
    assert waits == [2, 4, 8]  # hours: doubling after each failure
    assert not Thing.objects.exists()


def test_a_private_address_is_refused(dana, loopback_sites, settings):
    loopback_sites("intranet.example", address="10.0.0.1")
    feed = feed_add(owner=dana, url="http://intranet.example/feed.xml", mode="auto")
    assert feed_poll(feed) == []
    feed.refresh_from_db()
    assert feed.failures == 1 and feed.last_error
    local = feed_add(owner=dana, url="http://127.0.0.1:9/feed.xml", mode="auto")
    feed_poll(local)
    local.refresh_from_db()
    assert local.failures == 1 and local.last_error


def test_the_beat_job_polls_due_feeds_once(dana, blog):
    blog.route("/rss.xml", body=RSS, headers={"Content-Type": "application/rss+xml"})
    due = add(dana, blog, "/rss.xml")
    later = add(dana, blog, "/other.xml")
    Feed.objects.filter(pk=later.pk).update(next_poll_at=timezone.now() + dt.timedelta(hours=1))
    assert poll_due_feeds() == 1  # eager Celery: the poll ran
    assert Thing.objects.count() == 2
    assert poll_due_feeds() == 0  # not due again before an hour
    due.refresh_from_db()
    assert due.next_poll_at > timezone.now() + dt.timedelta(minutes=50)


def test_the_feeds_page(client, dana, blog):
    blog.route("/rss.xml", body=RSS, headers={"Content-Type": "application/rss+xml"})
    client.force_login(dana)
    url = blog.url("/rss.xml", host="blog.example")
    response = client.post(reverse("tips:feeds"), {"url": url, "mode": "suggest"}, follow=True)
    page = response.content.decode()
    assert "Waiting for your approval" in page and "First post" in page
    entry = FeedEntry.objects.get(title="First post")
    client.post(reverse("tips:feed_entry", kwargs={"pk": entry.pk}), {"decision": "approve"})
    assert Thing.objects.filter(title="First post", owner=dana).exists()
    again = client.post(reverse("tips:feeds"), {"url": url, "mode": "suggest"})
    assert "You already added this feed." in again.content.decode()
    other = UserFactory()
    client.force_login(other)
    second = FeedEntry.objects.get(title="Second post")
    forbidden = client.post(
        reverse("tips:feed_entry", kwargs={"pk": second.pk}), {"decision": "approve"}
    )
    assert forbidden.status_code == 404
