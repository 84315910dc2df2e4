"""Contract tests of the things resources (docs/API-V2.md) through the real URL conf."""

import pytest

from tests.api.conftest import ApiClient, api_as
from tests.factories import ClickFactory, ThingFactory, UserFactory
from tips.things.models import Thing

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"


def test_a_thing_has_every_field_of_the_spec_with_unix_times_and_a_mini_owner(anonymous, creator):
    thing = ThingFactory(
        owner=creator,
        title="Song",
        description="A song",
        tags="music, live",
        language="en-GB",
        category="audio",
        image="https://img.example/a.png",
    )
    readers = UserFactory.create_batch(2)
    ClickFactory(thing=thing, reader=readers[0])
    ClickFactory(thing=thing, reader=readers[1])

    body = anonymous.get(f"/rest/v2/things/{thing.pk}").json()

    assert body == {
        "type": "thing",
        "resource": f"{SITE}/rest/v2/things/{thing.pk}",
        "link": f"{SITE}/t/{thing.pk}/",
        "id": thing.pk,
        "url": thing.url,
        "title": "Song",
        "image": "https://img.example/a.png",
        "flattrs": 2,
        "description": "A song",
        "flattrs_user_count": 2,
        "tags": ["music", "live"],
        "language": "en_GB",
        "category": "audio",
        "created_at": int(thing.created_at.timestamp()),
        "hidden": False,
        "owner": {
            "type": "user",
            "resource": f"{SITE}/rest/v2/users/alice",
            "link": f"{SITE}/@alice",
            "username": "alice",
        },
    }


@pytest.mark.parametrize("suffix", ["", "/"])
def test_both_trailing_slash_forms_answer_the_same_without_redirect(anonymous, suffix):
    thing = ThingFactory()
    response = anonymous.get(f"/rest/v2/things/{thing.pk}{suffix}")
    assert response.status_code == 200
    assert response.json()["id"] == thing.pk


@pytest.mark.parametrize(
    "flag,expanded",
    [
        ("full", True),
        ("full=true", True),
        ("full=1", True),
        ("full=True", True),
        ("full=false", False),
        ("full=False", False),
        ("full=0", False),
    ],
)
def test_full_as_bare_flag_or_string_boolean_expands_the_owner(anonymous, creator, flag, expanded):
    thing = ThingFactory(owner=creator)
    owner = anonymous.get(f"/rest/v2/things/{thing.pk}?{flag}").json()["owner"]
    assert ("firstname" in owner) is expanded
    if expanded:
        assert owner["firstname"] == "Alice" and owner["lastname"] == "Martin"


def test_a_bad_boolean_is_invalid_parameters(anonymous):
    thing = ThingFactory()
    response = anonymous.get(f"/rest/v2/things/{thing.pk}?full=perhaps")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_parameters"


def test_several_things_by_id_keep_the_order_and_skip_missing_and_retired(anonymous):
    a, b, retired = ThingFactory(), ThingFactory(), ThingFactory(retired=True)
    body = anonymous.get(f"/rest/v2/things/{b.pk},{a.pk},999999,{retired.pk}").json()
    assert [t["id"] for t in body] == [b.pk, a.pk]


def test_a_missing_or_retired_thing_is_not_found_in_the_error_form(anonymous):
    retired = ThingFactory(retired=True)
    for path in ("/rest/v2/things/999999", f"/rest/v2/things/{retired.pk}"):
        response = anonymous.get(path)
        assert response.status_code == 404
        body = response.json()
        assert body["error"] == "not_found"
        assert body["error_description"]
        assert body["error_uri"].startswith("http")


def test_a_hidden_thing_is_readable_by_id_but_left_out_of_listings_and_search(anonymous, creator):
    hidden = ThingFactory(owner=creator, title="Secret song", hidden=True)
    ThingFactory(owner=creator, title="Open song")
    assert anonymous.get(f"/rest/v2/things/{hidden.pk}").json()["hidden"] is True
    assert [t["title"] for t in anonymous.get("/rest/v2/users/alice/things").json()] == [
        "Open song"
    ]
    found = anonymous.get("/rest/v2/things/search?query=song").json()
    assert [t["title"] for t in found["things"]] == ["Open song"]


def test_the_caller_sees_flattred_and_subscribed_and_the_owner_sees_more(creator):
    thing = ThingFactory(owner=creator)
    reader = UserFactory()
    ClickFactory(thing=thing, reader=reader)
    as_reader = api_as(reader).get(f"/rest/v2/things/{thing.pk}").json()
    assert as_reader["flattred"] is True and as_reader["subscribed"] is False
    assert "updated_at" not in as_reader
    as_owner = api_as(creator).get(f"/rest/v2/things/{thing.pk}").json()
    assert as_owner["flattred"] is False
    assert isinstance(as_owner["updated_at"], int) and isinstance(as_owner["last_flattr_at"], int)


# --- Create, edit, retire ---------------------------------------------------------------


@pytest.mark.parametrize("as_json", [True, False])
def test_creating_a_thing_with_json_or_a_form_answers_201(creator, as_json):
    api = api_as(creator, "thing")
    response = api.post(
        "/rest/v2/things",
        {
            "url": "https://alice.example/post?utm_source=x",
            "title": "Post",
            "tags": "a, b",
            "category": "text",
            "language": "fr_FR",
            "hidden": "true" if as_json else "1",
        },
        as_json=as_json,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    thing = Thing.objects.get(pk=body["id"])
    assert body == {
        "id": thing.pk,
        "link": f"{SITE}/rest/v2/things/{thing.pk}",
        "message": "ok",
        "description": body["description"],
    }
    assert thing.url == "https://alice.example/post"
    assert (thing.owner, thing.tags, thing.category, thing.language, thing.hidden) == (
        creator,
        "a, b",
        "text",
        "fr-FR",
        True,
    )


def test_a_new_thing_gets_flattrs_defaults_and_a_title_from_its_address(creator):
    response = api_as(creator, "thing").post("/rest/v2/things/", {"url": "https://alice.example/x"})
    thing = Thing.objects.get(pk=response.json()["id"])
    assert (thing.category, thing.language, thing.hidden) == ("rest", "en-GB", False)
    assert thing.title == "alice.example/x"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"url": "not a url"},
        {"url": "https://alice.example/a", "category": "cooking"},
        {"url": "https://alice.example/a", "language": "english please"},
        {"url": "https://alice.example/a", "title": "x" * 201},
    ],
)
def test_a_bad_thing_is_a_validation_error_and_changes_nothing(creator, data):
    response = api_as(creator, "thing").post("/rest/v2/things", data)
    assert response.status_code == 400
    assert response.json()["error"] == "validation"
    assert not Thing.objects.exists()


def test_an_address_already_registered_is_a_validation_error(creator):
    ThingFactory(url="https://alice.example/a")
    response = api_as(creator, "thing").post("/rest/v2/things", {"url": "https://alice.example/a"})
    assert response.status_code == 400
    assert response.json()["error"] == "validation"
    assert (
        "Another creator already registered this address." in response.json()["error_description"]
    )


def test_writing_needs_a_token_with_the_thing_scope(anonymous, creator):
    no_token = anonymous.post("/rest/v2/things", {"url": "https://alice.example/a"})
    assert no_token.status_code == 401 and no_token.json()["error"] == "unauthorized"
    no_scope = api_as(creator, "flattr").post("/rest/v2/things", {"url": "https://alice.example/a"})
    assert no_scope.status_code == 403 and no_scope.json()["error"] == "insufficient_scope"
    bad = ApiClient("flattr_pat_nonsense").post("/rest/v2/things", {"url": "https://a.example/"})
    assert bad.status_code == 401 and bad.json()["error"] == "unauthorized"
    assert not Thing.objects.exists()


@pytest.mark.parametrize(
    "how", ["patch-json", "patch-form", "post-method-json", "post-method-form"]
)
def test_editing_a_thing_by_patch_or_post_with_method_patch(creator, how):
    thing = ThingFactory(owner=creator, title="Old", tags="a")
    api = api_as(creator, "thing")
    data = {"title": "New", "description": "Now described", "hidden": "1"}
    if how.startswith("patch"):
        response = api.patch(f"/rest/v2/things/{thing.pk}", data, as_json=how.endswith("json"))
    else:
        response = api.post(
            f"/rest/v2/things/{thing.pk}/",
            {**data, "_method": "patch"},
            as_json=how.endswith("json"),
        )
    assert response.status_code == 200, response.content
    assert response.json()["message"] == "ok"
    thing.refresh_from_db()
    assert (thing.title, thing.description, thing.tags, thing.hidden) == (
        "New",
        "Now described",
        "a",
        True,
    )


def test_only_the_owner_edits_or_retires_a_thing(creator):
    thing = ThingFactory(owner=creator, title="Mine")
    other = api_as(UserFactory(), "thing")
    assert (
        other.patch(f"/rest/v2/things/{thing.pk}", {"title": "Stolen"}).json()["error"]
        == "forbidden"
    )
    assert other.delete(f"/rest/v2/things/{thing.pk}").status_code == 403
    thing.refresh_from_db()
    assert (thing.title, thing.retired) == ("Mine", False)


def test_delete_retires_the_thing_with_an_empty_204(creator):
    thing = ThingFactory(owner=creator)
    response = api_as(creator, "thing").delete(f"/rest/v2/things/{thing.pk}")
    assert response.status_code == 204 and response.content == b""
    thing.refresh_from_db()
    assert thing.retired


# --- Lookup -----------------------------------------------------------------------------


def test_lookup_finds_a_thing_by_any_form_of_its_address(anonymous):
    thing = ThingFactory(url="https://alice.example/a")
    response = anonymous.get("/rest/v2/things/lookup", {"url": "https://ALICE.example:443/a#top"})
    location = f"{SITE}/rest/v2/things/{thing.pk}"
    assert response.status_code == 302
    assert response["Location"] == location
    assert response.json() == {"message": "found", "location": location}


def test_lookup_of_an_unknown_address_gives_both_error_forms(anonymous):
    response = anonymous.get("/rest/v2/things/lookup/", {"url": "https://nobody.example/"})
    assert response.status_code == 404
    body = response.json()
    assert body["message"] == "not_found" and body["description"]
    assert body["error"] == "not_found" and body["error_description"] == body["description"]


def test_lookup_of_an_auto_submit_link_without_a_thing_is_flattrable(anonymous, creator):
    link = f"{SITE}/submit/?creator=alice&url=https://alice.example/new&title=New"
    response = anonymous.get("/rest/v2/things/lookup", {"url": link})
    assert response.status_code == 200 and response.json() == {"message": "flattrable"}


# --- Search -----------------------------------------------------------------------------


def test_search_has_flattrs_envelope_and_pages(anonymous, creator):
    for n in range(3):
        ThingFactory(owner=creator, title=f"Podcast episode {n}", category="audio")
    ThingFactory(title="Unrelated")

    body = anonymous.get(
        "/rest/v2/things/search", {"query": "podcast", "count": 2, "page": 2}
    ).json()

    assert body["total_items"] == 3 and body["items"] == 1 and body["page"] == 2
    assert len(body["things"]) == 1 and body["things"][0]["type"] == "thing"


def test_search_filters_by_tags_language_category_user_and_url(anonymous, creator):
    ThingFactory(
        owner=creator,
        title="A",
        tags="jazz",
        language="fr-FR",
        category="audio",
        url="https://alice.example/music/a",
    )
    ThingFactory(title="B", tags="rock", language="en-GB", category="text")

    def titles(**query):
        return [t["title"] for t in anonymous.get("/rest/v2/things/search", query).json()["things"]]

    assert titles(tags="jazz") == ["A"]
    assert titles(language="fr_FR") == ["A"]
    assert titles(category="text") == ["B"]
    assert titles(user="alice") == ["A"]
    assert titles(url="https://alice.example/music") == ["A"]
    assert sorted(titles()) == ["A", "B"]


def test_search_sorts_by_flattrs(anonymous):
    few, many = ThingFactory(title="Few"), ThingFactory(title="Many")
    ClickFactory.create_batch(3, thing=many)
    ClickFactory(thing=few)
    for sort in ("flattrs", "flattrs_month", "flattrs_week", "flattrs_day", "trend"):
        body = anonymous.get("/rest/v2/things/search", {"sort": sort}).json()
        assert [t["title"] for t in body["things"]] == ["Many", "Few"], sort


@pytest.mark.parametrize(
    "query", [{"sort": "best"}, {"page": "0"}, {"count": "x"}, {"full": "maybe"}]
)
def test_bad_search_parameters_are_invalid_parameters(anonymous, query):
    response = anonymous.get("/rest/v2/things/search", query)
    assert response.status_code == 400 and response.json()["error"] == "invalid_parameters"


def test_count_is_at_most_100(anonymous, creator):
    ThingFactory.create_batch(3, owner=creator)
    assert len(anonymous.get("/rest/v2/users/alice/things?count=1000").json()) == 3


def test_a_thing_on_a_site_another_creator_verified_is_refused(creator):
    from django.utils import timezone

    from tips.sites.models import Site

    Site.objects.create(
        owner=UserFactory(),
        host="verified.example",
        status=Site.Status.VERIFIED,
        method=Site.Method.META,
        verified_at=timezone.now(),
    )
    response = api_as(creator, "thing").post(
        "/rest/v2/things", {"url": "https://verified.example/post"}
    )
    assert response.status_code == 400 and response.json()["error"] == "validation"
    assert "a site another creator verified" in response.json()["error_description"]
    assert not Thing.objects.exists()


def test_lookup_of_an_auto_submit_link_naming_another_creator_is_not_found(anonymous, creator):
    ThingFactory(owner=creator, url="https://alice.example/a")
    UserFactory(handle="mallory")
    link = f"{SITE}/submit/?creator=mallory&url=https://alice.example/a"
    response = anonymous.get("/rest/v2/things/lookup", {"url": link})
    assert response.status_code == 404
