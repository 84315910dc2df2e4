"""The badge's and widget's one cache policy (README, Embeds): what browsers and CDNs are told,
what they get back when they revalidate, and that a click shows after revalidation."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from flattr_clone.cache import forget_local_copies
from tests.factories import ThingFactory, ready_reader
from tips.clicks.services import click_register
from tips.embeds import representations

pytestmark = pytest.mark.django_db

KINDS = ["badge", "widget"]


def url(kind, thing, **query):
    path = reverse(f"tips:{kind}", kwargs={"pk": thing.pk})
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def count_in(kind, response) -> int:
    body = response.content.decode()
    pattern = r"data-count>(\d+)<" if kind == "widget" else r">(\d+)</text>"
    return int(re.search(pattern, body).group(1))


@pytest.mark.parametrize("kind", KINDS)
def test_embeds_are_publicly_cacheable_with_a_strong_etag_and_no_cookie(kind, settings):
    settings.EMBED_MAX_AGE_SECONDS = 30
    settings.EMBED_STALE_SECONDS = 60
    thing = ThingFactory()
    # A visitor of the creator's site who is logged in to the platform sends their cookies.
    reader = ready_reader()
    client = Client()
    client.force_login(reader)

    response = client.get(url(kind, thing, origin="https://creator.example"))

    assert response.status_code == 200
    assert response["Cache-Control"] == (
        "public, max-age=30, s-maxage=30, stale-while-revalidate=60"
    )
    etag = response["ETag"]
    assert re.fullmatch(r'"[^"]+"', etag)  # strong: no W/
    assert "Vary" not in response  # neither Cookie nor Accept-Language
    assert not response.cookies  # no session, CSRF or language cookie
    assert "Set-Cookie" not in response


@pytest.mark.parametrize("kind", KINDS)
def test_the_answer_is_the_same_whoever_asks(kind, client):
    thing = ThingFactory()
    anonymous = client.get(url(kind, thing))
    logged_in = Client()
    logged_in.force_login(ready_reader())

    known = logged_in.get(url(kind, thing))

    assert known.content == anonymous.content
    assert known["ETag"] == anonymous["ETag"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_language_comes_from_the_url_not_from_the_browser(kind, client):
    thing = ThingFactory(title="Un billet")

    french = client.get(url(kind, thing, lang="fr"), HTTP_ACCEPT_LANGUAGE="en")
    default = client.get(url(kind, thing), HTTP_ACCEPT_LANGUAGE="fr")
    regional = client.get(url(kind, thing, lang="fr-CA"))

    words = "flattrs jusqu’ici" if kind == "widget" else "Flattrer ce contenu"
    assert words in french.content.decode()
    assert words not in default.content.decode()
    assert regional.content == french.content
    assert french["ETag"] != default["ETag"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_current_etag_gets_304_with_the_same_policy(kind, client):
    thing = ThingFactory()
    first = client.get(url(kind, thing))

    again = client.get(url(kind, thing), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == first["Cache-Control"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_click_shows_in_the_embed_after_revalidation(kind, client):
    thing = ThingFactory()
    first = client.get(url(kind, thing))
    assert count_in(kind, first) == 0

    click_register(reader=ready_reader(), thing=thing)
    # The browser's copy is stale after max-age: it revalidates with its ETag.
    revalidated = client.get(url(kind, thing), HTTP_IF_NONE_MATCH=first["ETag"])

    assert revalidated.status_code == 200
    assert count_in(kind, revalidated) == 1
    assert revalidated["ETag"] != first["ETag"]


def test_badge_and_widget_agree_after_a_click(client):
    thing = ThingFactory()
    client.get(url("badge", thing))
    client.get(url("widget", thing))

    click_register(reader=ready_reader(), thing=thing)

    assert count_in("badge", client.get(url("badge", thing))) == 1
    assert count_in("widget", client.get(url("widget", thing))) == 1


def test_a_warm_embed_costs_no_query_and_one_cache_read(
    client, django_assert_num_queries, monkeypatch
):
    thing = ThingFactory()
    client.get(url("badge", thing))  # warms the shared cache
    reads = []
    real_get = representations.safe_get
    monkeypatch.setattr(representations, "safe_get", lambda key: reads.append(key) or real_get(key))

    with django_assert_num_queries(0):
        response = client.get(url("badge", thing))

    assert response.status_code == 200
    assert len(reads) == 1


def test_the_process_copy_holds_briefly_and_fresh_reads_past_it(client, settings):
    settings.EMBED_LOCAL_CACHE_SECONDS = 60
    forget_local_copies()
    thing = ThingFactory()
    try:
        assert count_in("widget", client.get(url("widget", thing))) == 0
        click_register(reader=ready_reader(), thing=thing)

        # This process still holds its copy for EMBED_LOCAL_CACHE_SECONDS...
        assert count_in("widget", client.get(url("widget", thing))) == 0
        # ...but the widget's own fetch right after a click (?fresh=) reads the shared cache,
        # which the click emptied.
        assert count_in("widget", client.get(url("widget", thing, fresh=1))) == 1
    finally:
        forget_local_copies()


def test_an_unknown_thing_is_404_and_a_post_is_405(client):
    assert client.get("/t/999999/badge.svg").status_code == 404
    assert client.get("/t/999999/widget/").status_code == 404
    thing = ThingFactory()
    assert client.post(url("badge", thing)).status_code == 405


def test_a_host_outside_allowed_hosts_is_refused(client):
    thing = ThingFactory()
    assert client.get(url("badge", thing), HTTP_HOST="evil.example").status_code == 400
