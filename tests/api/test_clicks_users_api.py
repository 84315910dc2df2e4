"""Contract tests of clicks, users, flattrs, subscriptions and the small resources."""

import pytest
from django.test import override_settings

from tests.api.conftest import api_as
from tests.factories import ClickFactory, ThingFactory, UserFactory, fund_reader, ready_reader
from tips.clicks.models import Click
from tips.subscriptions.models import Subscription
from tips.things.models import Thing

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"


@pytest.mark.parametrize("as_json", [True, False])
def test_a_reader_flattrs_a_thing_once_a_month(creator, as_json):
    thing = ThingFactory(owner=creator, title="Song")
    api = api_as(ready_reader(), "flattr")

    first = api.post(f"/rest/v2/things/{thing.pk}/flattr", {}, as_json=as_json)
    again = api.post(f"/rest/v2/things/{thing.pk}/flattr/", {}, as_json=as_json)

    assert first.status_code == 200, first.content
    body = first.json()
    assert body["message"] == "ok" and body["description"]
    assert body["thing"] == {
        "type": "thing",
        "resource": f"{SITE}/rest/v2/things/{thing.pk}",
        "link": f"{SITE}/t/{thing.pk}/",
        "id": thing.pk,
        "url": thing.url,
        "title": "Song",
        "image": "",
        "flattrs": 1,
    }
    assert again.status_code == 403 and again.json()["error"] == "flattr_once"
    assert Click.objects.filter(thing=thing).count() == 1


def test_flattring_your_own_thing_is_flattr_owner(creator):
    thing = ThingFactory(owner=creator)
    fund_reader(creator)
    response = api_as(creator, "flattr").post(f"/rest/v2/things/{thing.pk}/flattr")
    assert response.status_code == 403 and response.json()["error"] == "flattr_owner"


def test_a_reader_without_budget_or_money_gets_no_means():
    thing = ThingFactory()
    for reader in (ready_reader(budget_cents=0), ready_reader(wallet_cents=0)):
        response = api_as(reader, "flattr").post(f"/rest/v2/things/{thing.pk}/flattr")
        assert response.status_code == 401 and response.json()["error"] == "no_means"
    assert not Click.objects.exists()


def test_a_retired_thing_cannot_be_flattred():
    thing = ThingFactory(retired=True)
    response = api_as(ready_reader(), "flattr").post(f"/rest/v2/things/{thing.pk}/flattr")
    assert response.status_code == 404 and not Click.objects.exists()


def test_flattring_needs_the_flattr_scope():
    thing = ThingFactory()
    response = api_as(ready_reader(), "thing").post(f"/rest/v2/things/{thing.pk}/flattr")
    assert response.status_code == 403 and response.json()["error"] == "insufficient_scope"


@override_settings(CLICK_RATE_LIMIT_PER_HOUR=1)
def test_the_click_rate_limit_applies_to_the_api():
    api = api_as(ready_reader(), "flattr")
    assert api.post(f"/rest/v2/things/{ThingFactory().pk}/flattr").status_code == 200
    refused = api.post(f"/rest/v2/things/{ThingFactory().pk}/flattr")
    assert refused.status_code == 403 and refused.json()["error"] == "rate_limit_exceeded"


@pytest.mark.parametrize("as_json", [True, False])
def test_flattr_by_url_of_a_thing_or_an_auto_submit_link(creator, as_json):
    thing = ThingFactory(url="https://alice.example/a")
    api = api_as(ready_reader(), "flattr")
    by_url = api.post(
        "/rest/v2/flattr", {"url": "https://alice.example/a?utm_source=feed"}, as_json=as_json
    )
    assert by_url.status_code == 200 and by_url.json()["thing"]["id"] == thing.pk

    link = f"{SITE}/submit/?creator=alice&url=https://alice.example/new&title=New+post"
    by_link = api.post("/rest/v2/flattr/", {"url": link}, as_json=as_json)
    assert by_link.status_code == 200, by_link.content
    created = Thing.objects.get(url="https://alice.example/new")
    assert (created.owner, created.title) == (creator, "New post")
    assert by_link.json()["thing"]["id"] == created.pk


def test_flattr_by_an_unknown_url_is_not_found():
    response = api_as(ready_reader(), "flattr").post(
        "/rest/v2/flattr", {"url": "https://x.example/"}
    )
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_only_public_flattrs_are_listed(anonymous, creator):
    thing = ThingFactory(owner=creator)
    shown = UserFactory(handle="bob", public_flattrs=True)
    private = UserFactory(handle="carol")
    ClickFactory(thing=thing, reader=shown)
    ClickFactory(thing=thing, reader=private)

    on_thing = anonymous.get(f"/rest/v2/things/{thing.pk}/flattrs").json()
    assert [f["owner"]["username"] for f in on_thing] == ["bob"]
    assert on_thing[0]["type"] == "flattr" and on_thing[0]["thing"]["id"] == thing.pk
    assert isinstance(on_thing[0]["created_at"], int)
    assert len(anonymous.get("/rest/v2/users/bob/flattrs").json()) == 1
    assert anonymous.get("/rest/v2/users/carol/flattrs").json() == []
    full = anonymous.get("/rest/v2/users/bob/flattrs?full").json()[0]
    assert "description" in full["thing"] and "firstname" in full["owner"]
    # A private reader still sees their own clicks.
    assert len(api_as(private).get("/rest/v2/user/flattrs").json()) == 1


def test_a_user_and_the_caller(anonymous, creator):
    body = anonymous.get("/rest/v2/users/ALICE").json()
    assert body["username"] == "alice" and body["type"] == "user"
    assert body["firstname"] == "Alice" and "email" not in body and "registered_at" not in body
    assert anonymous.get("/rest/v2/users/nobody").status_code == 404

    me = api_as(creator, "email", "extendedread").get("/rest/v2/user").json()
    assert me["email"] == creator.email
    assert me["registered_at"] == int(creator.date_joined.timestamp())
    plain = api_as(creator).get("/rest/v2/user/").json()
    assert "email" not in plain and "registered_at" not in plain
    assert anonymous.get("/rest/v2/user").status_code == 401


def test_the_callers_things_include_hidden_ones(creator):
    ThingFactory(owner=creator, title="Hidden", hidden=True)
    ThingFactory(title="Someone else's")
    assert [t["title"] for t in api_as(creator).get("/rest/v2/user/things").json()] == ["Hidden"]


def test_subscriptions_start_pause_resume_and_end(creator):
    thing = ThingFactory(owner=creator)
    api = api_as(ready_reader(), "flattr")
    path = f"/rest/v2/things/{thing.pk}/subscriptions"

    started = api.post(path, {"months": 3})
    assert started.status_code == 201, started.content
    assert started.json()["status"] == "active" and started.json()["months"] == 3
    assert [s["thing"]["id"] for s in api.get("/rest/v2/user/subscriptions").json()] == [thing.pk]
    assert api.put(path).json()["status"] == "paused"
    assert api.put(path, as_json=False).json()["status"] == "active"
    assert api.delete(path).status_code == 204
    assert Subscription.objects.get().status == "cancelled"
    assert api.delete(path).status_code == 404


def test_a_bad_subscription_is_refused(creator):
    thing = ThingFactory(owner=creator)
    api = api_as(ready_reader(), "flattr")
    bad = api.post(f"/rest/v2/things/{thing.pk}/subscriptions", {"months": 5})
    assert bad.status_code == 400 and bad.json()["error"] == "validation"
    assert not Subscription.objects.exists()


def test_categories_and_languages(anonymous):
    categories = anonymous.get("/rest/v2/categories").json()
    assert [c["id"] for c in categories] == [
        "text",
        "images",
        "video",
        "audio",
        "software",
        "people",
        "rest",
    ]
    languages = anonymous.get("/rest/v2/languages/").json()
    assert {"id": "en_GB", "text": "British English"} in languages
    assert {"id": "fr_FR", "text": "French"} in languages


# --- Conventions: rate limit, CORS, content negotiation ----------------------------------


@override_settings(API_ANONYMOUS_RATE_LIMIT_PER_HOUR=3)
def test_rate_limit_headers_and_endpoint_per_ip(anonymous):
    first = anonymous.get("/rest/v2/categories")
    assert first["X-RateLimit-Limit"] == "3"
    assert first["X-RateLimit-Current"] == "1" and first["X-RateLimit-Remaining"] == "2"
    assert int(first["X-RateLimit-Reset"]) > 0
    status = anonymous.get("/rest/v2/rate_limit").json()
    assert status["hourly_limit"] == 3 and status["current_hits"] == 1
    assert status["remaining_hits"] == 2 and 0 < status["reset_time_in_seconds"] <= 3600
    assert status["reset_time"].endswith("GMT")
    anonymous.get("/rest/v2/categories")
    anonymous.get("/rest/v2/categories")
    over = anonymous.get("/rest/v2/categories")
    assert over.status_code == 403 and over.json()["error"] == "rate_limit_exceeded"


@override_settings(API_ANONYMOUS_RATE_LIMIT_PER_HOUR=1, API_RATE_LIMIT_PER_HOUR=5)
def test_a_token_has_its_own_count(anonymous, creator):
    anonymous.get("/rest/v2/categories")
    with_token = api_as(creator).get("/rest/v2/categories")
    assert with_token.status_code == 200 and with_token["X-RateLimit-Limit"] == "5"


def test_anonymous_gets_may_be_read_from_any_origin_without_credentials(anonymous):
    response = anonymous.get("/rest/v2/categories", HTTP_ORIGIN="https://reader.example")
    got = anonymous.get("/rest/v2/categories", Origin="https://reader.example")
    assert got["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in got
    preflight = anonymous.client.options(
        "/rest/v2/things",
        headers={"Origin": "https://x.example", "Access-Control-Request-Method": "POST"},
    )
    assert "POST" not in preflight.get("Access-Control-Allow-Methods", "")
    assert response.status_code == 200
    # Pages are not shared.
    assert "Access-Control-Allow-Origin" not in anonymous.get("/", Origin="https://x.example")


def test_asking_for_something_else_than_json_is_not_acceptable(anonymous):
    response = anonymous.get("/rest/v2/categories", Accept="application/xml")
    assert response.status_code == 406
    assert response.json()["error"] == "not_acceptable"


def test_a_broken_json_body_is_invalid_request(creator):
    api = api_as(creator, "thing")
    response = api.client.post(
        "/rest/v2/things", "{nope", content_type="application/json", headers=api.headers
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
