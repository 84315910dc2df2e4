"""/explore/: filters, sort orders and search ranking on a known data set; at most 3 queries
a page; hidden, retired, profile things and suspended or inactive creators left out."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories import ClickFactory, ThingFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def at(days_ago: int) -> dt.datetime:
    return NOW - dt.timedelta(days=days_ago)


def clicks(thing, n, *, days_ago):
    moment = at(days_ago)
    for _ in range(n):
        ClickFactory(thing=thing, created_at=moment, month=moment.date().replace(day=1))


@pytest.fixture
def catalogue():
    with time_machine.travel(NOW, tick=False):
        ada = UserFactory(handle="ada", display_name="Ada", bio="Jazz talk every week")
        bob = UserFactory(handle="bob", display_name="Bob")
        carl = UserFactory(handle="carl", suspended_at=timezone.now())
        dan = UserFactory(handle="dan", is_active=False)
        things = {
            "pod": ThingFactory(
                owner=ada,
                title="Jazz podcast",
                category="audio",
                language="fr",
                tags="jazz, talk",
                created_at=at(10),
            ),
            "blog": ThingFactory(
                owner=bob,
                title="Bread blog",
                category="text",
                language="en",
                tags="cooking",
                created_at=at(1),
            ),
            "old": ThingFactory(
                owner=bob,
                title="Old jazz record",
                category="audio",
                language="en-GB",
                tags="jazz",
                created_at=at(60),
            ),
            "desc": ThingFactory(
                owner=ada,
                title="Piano evening",
                category="audio",
                language="fr",
                description="Some jazz standards.",
                created_at=at(40),
            ),
        }
        ThingFactory(owner=ada, title="Hidden jazz", tags="jazz", hidden=True)
        ThingFactory(owner=ada, title="Retired jazz", tags="jazz", retired=True)
        ThingFactory(owner=carl, title="Suspended jazz", tags="jazz")
        ThingFactory(owner=dan, title="Inactive jazz", tags="jazz")
        ThingFactory(owner=ada, title="Ada herself", is_profile=True, url="http://x.example/@ada")
        clicks(things["pod"], 3, days_ago=3)
        clicks(things["pod"], 2, days_ago=15)
        clicks(things["blog"], 1, days_ago=1)
        clicks(things["old"], 10, days_ago=46)
        yield things


def titles(client, **params):
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("tips:explore"), params)
    assert response.status_code == 200
    return [row[0].title for row in response.context["items"]]


def test_sort_orders(client, catalogue):
    # Popular this month is the default.
    assert titles(client) == ["Jazz podcast", "Bread blog", "Piano evening", "Old jazz record"]
    assert titles(client, sort="alltime")[:3] == ["Old jazz record", "Jazz podcast", "Bread blog"]
    assert titles(client, sort="new") == [
        "Bread blog",
        "Jazz podcast",
        "Piano evening",
        "Old jazz record",
    ]
    # This week's pace against the month's: 3 of 5 this week beats 1 of 1; no click, no trend.
    assert titles(client, sort="trending") == ["Jazz podcast", "Bread blog"]


def test_filters(client, catalogue):
    assert set(titles(client, category="audio")) == {
        "Jazz podcast",
        "Old jazz record",
        "Piano evening",
    }
    assert set(titles(client, language="fr")) == {"Jazz podcast", "Piano evening"}
    assert set(titles(client, language="en")) == {"Bread blog", "Old jazz record"}  # en-GB too
    assert set(titles(client, tag="jazz")) == {"Jazz podcast", "Old jazz record"}
    assert titles(client, tag="jaz") == []  # a tag is matched whole
    assert titles(client, tag="jazz", language="fr", category="audio") == ["Jazz podcast"]
    # Unknown values are ignored, not errors.
    assert len(titles(client, category="nope", sort="sideways", language="<x>")) == 4


def test_search_ranking_leaves_out_what_is_not_public(client, catalogue):
    found = titles(client, q="jazz")
    assert set(found[:2]) == {"Jazz podcast", "Old jazz record"}  # title and tags
    assert found[2:] == ["Piano evening"]  # description only: ranked last
    assert titles(client, q="jazz talk") == ["Jazz podcast"]
    assert titles(client, q="jazz", sort="new") == [
        "Jazz podcast",
        "Piano evening",
        "Old jazz record",
    ]
    assert titles(client, q="zzzz") == []


def test_creators(client, catalogue):
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("tips:explore"), {"show": "creators"})
    handles = [creator.handle for creator, _count in page.context["items"]]
    assert handles == ["ada", "bob"]  # 5 flattrs this month against 1; carl and dan left out
    assert [count for _c, count in page.context["items"]] == [2, 2]
    with time_machine.travel(NOW, tick=False):
        found = client.get(reverse("tips:explore"), {"show": "creators", "q": "jazz talk"})
    assert [c.handle for c, _n in found.context["items"]] == ["ada"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "jazz"},
        {"sort": "trending"},
        {"sort": "alltime", "tag": "jazz"},
        {"show": "creators"},
        {"show": "creators", "sort": "trending", "q": "a"},
        {"page": "2"},
    ],
)
def test_a_page_in_at_most_three_queries(
    client, catalogue, settings, django_assert_max_num_queries, params
):
    settings.EXPLORE_PAGE_SIZE = 2
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(3):
        response = client.get(reverse("tips:explore"), params)
    assert response.status_code == 200


def test_pagination_keeps_the_filters(client, catalogue, settings):
    settings.EXPLORE_PAGE_SIZE = 2
    with time_machine.travel(NOW, tick=False):
        first = client.get(reverse("tips:explore"), {"category": "audio", "sort": "new"})
        assert first.context["next_url"] == "/explore/?category=audio&sort=new&page=2"
        second = client.get(first.context["next_url"])
    assert [t.title for t, *_ in second.context["items"]] == ["Old jazz record"]
    assert "Page 2 of 2" in second.content.decode()


def test_unverified_things_are_marked(client, catalogue):
    from tips.sites.models import Site

    ada = catalogue["pod"].owner
    Site.objects.create(
        owner=ada, host="creator.example", status=Site.Status.VERIFIED, verified_at=timezone.now()
    )
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("tips:explore"), {"sort": "new"})
    marks = {thing.title: thing.owner_verified for thing, *_ in response.context["items"]}
    # ThingFactory's URLs are on creator.example: Ada's things are covered, Bob's are not.
    assert marks == {
        "Bread blog": False,
        "Jazz podcast": True,
        "Piano evening": True,
        "Old jazz record": False,
    }
    page = response.content.decode()
    assert page.count("ownership-unverified") == 2 and page.count("ownership-verified") == 2
