"""Public profiles: bio, links, supporters, things with counts, the creator as a thing,
meta tags for link previews and rel="payment"."""

import html

import feedparser
import pytest
from django.urls import reverse

from flattr_clone.months import month_of, previous_month
from tests.factories import ClickFactory, ThingFactory, UserFactory, ready_reader
from tips.clicks.models import Click
from tips.things.models import Thing

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_profile_shows_bio_links_supporters_and_things(client):
    creator = UserFactory(
        handle="ada",
        display_name="Ada Lovelace",
        bio="I write about **engines**. <script>alert(1)</script>",
        links=["https://ada.example/", "https://code.example/ada"],
    )
    first, second = ThingFactory(owner=creator, title="Notes"), ThingFactory(owner=creator)
    ThingFactory(owner=creator, title="Withdrawn", retired=True)
    ThingFactory(owner=creator, title="Unlisted", hidden=True)
    last_month = previous_month(month_of())
    # Two readers last month (one of them twice), one revoked, one only this month.
    a, b, c, d = UserFactory.create_batch(4)
    ClickFactory(reader=a, thing=first, month=last_month)
    ClickFactory(reader=a, thing=second, month=last_month)
    ClickFactory(reader=b, thing=first, month=last_month)
    from django.utils import timezone

    ClickFactory(reader=c, thing=first, month=last_month, revoked_at=timezone.now())
    ClickFactory(reader=d, thing=first)
    page = client.get("/@ADA")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<strong>engines</strong>" in body and "<script>alert" not in body
    assert '<a href="https://ada.example/" rel="me nofollow ugc noopener">' in body
    assert '<dd data-count="supporters">2</dd>' in body
    assert "Notes" in body and "Withdrawn" not in body and "Unlisted" not in body
    assert "3 flattrs" in text(page)  # Notes: a, b last month, d this month
    # Link previews and the payment link.
    assert '<meta property="og:title" content="Ada Lovelace">' in body
    assert '<meta name="twitter:card" content="summary">' in body
    assert '<meta property="og:description" content="I write about engines.' in body
    profile_thing = Thing.objects.get(owner=creator, is_profile=True)
    assert f'<link rel="payment" href="http://testserver{profile_thing.get_absolute_url()}"' in (
        body.replace("http://127.0.0.1:8000", "http://testserver")
    )


def test_flattr_the_creator_as_a_whole(client):
    creator, reader = UserFactory(handle="bo"), ready_reader()
    client.force_login(reader)
    page = client.get("/@bo")
    thing = page.context["thing"]
    assert thing.is_profile and thing.owner == creator
    # Visiting again does not make a second one.
    client.get("/@bo")
    assert Thing.objects.filter(owner=creator, is_profile=True).count() == 1
    response = client.post(
        reverse("tips:click", kwargs={"pk": thing.pk}), {"next": "/@bo"}, follow=True
    )
    assert "You flattred this thing this month" in text(response)
    click = Click.objects.get(reader=reader)
    # A click like any other: payday shares the budget with the creator through it.
    assert click.creator == creator and click.thing == thing
    assert '<dd data-count="month">1</dd>' in response.content.decode()
    # The profile thing's own page is the profile; it is not listed among the things.
    assert client.get(thing.get_absolute_url())["Location"] == "/@bo"
    assert thing.title not in [t.title for t in response.context["things"]]


def test_unknown_or_inactive_creator_is_404(client):
    UserFactory(handle="gone", is_active=False)
    assert client.get("/@gone").status_code == 404
    assert client.get("/@nobody").status_code == 404
    assert client.get("/@nobody/feed/").status_code == 404


def test_atom_feed_with_a_payment_link_per_entry(client):
    creator = UserFactory(handle="cy", display_name="Cy")
    ThingFactory(owner=creator, title="Episode 1", url="https://cy.example/1", tags="audio, jazz")
    ThingFactory(owner=creator, title="Episode 2", url="https://cy.example/2")
    ThingFactory(owner=creator, title="Secret", hidden=True)
    client.get("/@cy")  # makes the profile thing
    response = client.get("/@cy/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    # Read as a feed reader reads it.
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert [e.title for e in feed.entries] == ["Episode 2", "Episode 1"]
    for entry in feed.entries:
        rels = {link.rel: link.href for link in entry.links}
        assert rels["alternate"].startswith("https://cy.example/")
        assert "/t/" in rels["payment"]
    assert [t.term for t in feed.entries[1].tags] == ["audio", "jazz"]
    assert "/t/" in {link.rel: link.href for link in feed.feed.links}["payment"]


def test_edit_the_profile(client):
    user = UserFactory(handle="dee")
    client.force_login(user)
    response = client.post(
        reverse("profile_edit"),
        {
            "display_name": "Dee",
            "bio": "Hi *there*",
            "link_1": "https://dee.example",
            "link_2": "javascript:alert(1)",
        },
    )
    assert "is not a web address" in text(response)
    user.refresh_from_db()
    assert user.bio == "" and user.links == []
    client.post(
        reverse("profile_edit"),
        {"display_name": "Dee", "bio": "Hi *there*", "link_1": "https://dee.example"},
    )
    user.refresh_from_db()
    assert (user.display_name, user.bio, user.links) == (
        "Dee",
        "Hi *there*",
        ["https://dee.example"],
    )
