"""Limits on registering things: a per-creator hourly throttle, and a length limit on every
text field, checked by the form and again by the services. Nothing is stored past a limit."""

import html

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from tests.factories import ThingFactory, UserFactory
from tips.things.models import Thing
from tips.things.services import thing_create, thing_update

pytestmark = pytest.mark.django_db

UNREACHABLE_CACHE = override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    },
    SESSION_ENGINE="django.contrib.sessions.backends.db",
)


def text(response) -> str:
    return html.unescape(response.content.decode())


def register(client, **data):
    fields = {"url": "", "title": "A title", "description": "", "language": "", "tags": ""}
    return client.post(reverse("tips:thing_new"), {**fields, **data})


# --- Throttle ----------------------------------------------------------------------------


def test_registering_over_the_hourly_limit_answers_429_and_stores_nothing(client, settings):
    settings.THING_CREATE_RATE_LIMIT_PER_HOUR = 2
    creator = UserFactory()
    client.force_login(creator)
    for n in range(2):
        assert register(client, url=f"https://blog.example/{n}").status_code == 302

    response = register(client, url="https://blog.example/2")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    page = text(response)
    assert "You can register at most 2 things an hour." in page
    assert "Nothing was changed." in page
    assert Thing.objects.filter(owner=creator).count() == 2


def test_the_form_page_and_editing_are_not_throttled(client, settings):
    settings.THING_CREATE_RATE_LIMIT_PER_HOUR = 1
    thing = ThingFactory()
    client.force_login(thing.owner)
    register(client, url="https://blog.example/1")

    assert client.get(reverse("tips:thing_new")).status_code == 200
    edit = reverse("tips:thing_edit", kwargs={"pk": thing.pk})
    for title in ("One", "Two"):
        assert client.post(edit, {"title": title}).status_code == 302


def test_with_the_cache_down_creators_still_register_things(client, settings):
    settings.THING_CREATE_RATE_LIMIT_PER_HOUR = 1
    client.force_login(UserFactory())

    with UNREACHABLE_CACHE:
        responses = [register(client, url=f"https://blog.example/{n}") for n in range(2)]

    assert [r.status_code for r in responses] == [302, 302]
    assert Thing.objects.count() == 2


# --- Lengths -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("description", "x" * 5001, "at most 5000 characters"),
        ("title", "x" * 201, "at most 200 characters"),
        ("tags", "x" * 301, "at most 300 characters"),
        ("language", "x" * 11, "at most 10 characters"),
        ("url", "https://blog.example/" + "x" * 2000, "at most 2000 characters"),
    ],
)
def test_a_too_long_field_is_refused_with_a_clear_message(client, field, value, message):
    client.force_login(UserFactory())

    response = register(client, **{"url": "https://blog.example/p", field: value})

    assert response.status_code == 200
    assert message in text(response)
    assert not Thing.objects.exists()


def test_a_description_of_2_megabytes_is_refused(client):
    client.force_login(UserFactory())

    response = register(client, url="https://blog.example/p", description="x" * 2_400_000)

    assert response.status_code == 200
    assert "at most 5000 characters" in text(response)
    assert not Thing.objects.exists()


def test_editing_with_a_too_long_description_changes_nothing(client):
    thing = ThingFactory(title="Kept", description="Short")
    client.force_login(thing.owner)

    response = client.post(
        reverse("tips:thing_edit", kwargs={"pk": thing.pk}),
        {"title": "Changed", "description": "x" * 5001},
    )

    assert response.status_code == 200
    assert "at most 5000 characters" in text(response)
    thing.refresh_from_db()
    assert (thing.title, thing.description) == ("Kept", "Short")


def test_the_services_refuse_a_too_long_description_too():
    owner = UserFactory()
    thing = ThingFactory(owner=owner, description="Short")

    with pytest.raises(ValidationError) as created:
        thing_create(owner=owner, url="https://blog.example/p", title="T", description="x" * 5001)
    with pytest.raises(ValidationError) as updated:
        thing_update(thing=thing, title="T", description="x" * 5001)

    assert "description" in created.value.message_dict
    assert "description" in updated.value.message_dict
    assert Thing.objects.count() == 1
    thing.refresh_from_db()
    assert thing.description == "Short"


def test_the_services_refuse_tags_longer_than_the_form_allows():
    # The same limit as the form, on the text as given: the services never sort megabytes.
    repeated = ", ".join(["music"] * 100)

    with pytest.raises(ValidationError) as error:
        thing_create(owner=UserFactory(), url="https://blog.example/p", title="T", tags=repeated)

    assert "tags" in error.value.message_dict
    assert not Thing.objects.exists()


def test_the_admin_refuses_a_too_long_description_too(client):
    operator = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(operator, generate_totp_secret())
    client.force_login(operator)
    thing = ThingFactory(description="Short")
    data = {
        "owner": thing.owner.pk,
        "url": thing.url,
        "title": thing.title,
        "description": "x" * 5001,
        "language": "",
        "tags": "",
    }

    response = client.post(f"/admin/tips/thing/{thing.pk}/change/", data)

    assert response.status_code == 200
    assert "at most 5000 characters" in text(response)
    thing.refresh_from_db()
    assert thing.description == "Short"
