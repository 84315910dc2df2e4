"""Flattr's fields of a thing on the web pages: category, image and "hide from listings"."""

import html

import pytest
from django.urls import reverse

from tests.factories import ThingFactory, UserFactory
from tips.things.models import Thing

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_a_creator_registers_a_thing_with_category_image_and_hidden(client):
    creator = UserFactory()
    client.force_login(creator)
    response = client.post(
        reverse("tips:thing_new"),
        {
            "url": "https://me.example/clip",
            "title": "Clip",
            "category": "video",
            "image": "https://me.example/clip.png",
            "hidden": "on",
        },
    )
    assert response.status_code == 302
    thing = Thing.objects.get()
    assert (thing.category, thing.image, thing.hidden, thing.retired) == (
        "video",
        "https://me.example/clip.png",
        True,
        False,
    )
    page = text(client.get(thing.get_absolute_url()))
    assert "Category: Video" in page and 'src="https://me.example/clip.png"' in page
    assert "its button still works" in page
    listing = text(client.get(reverse("tips:my_things")))
    assert "Hidden from listings" in listing


def test_editing_shows_and_changes_the_new_fields(client):
    thing = ThingFactory(category="audio", hidden=True)
    client.force_login(thing.owner)
    form = text(client.get(reverse("tips:thing_edit", kwargs={"pk": thing.pk})))
    assert '<option value="audio" selected>' in form and 'name="hidden"' in form
    client.post(
        reverse("tips:thing_edit", kwargs={"pk": thing.pk}),
        {"title": "Renamed", "category": "software"},
    )
    thing.refresh_from_db()
    assert (thing.title, thing.category, thing.hidden) == ("Renamed", "software", False)


def test_a_bad_category_or_image_changes_nothing(client):
    thing = ThingFactory(title="Kept")
    client.force_login(thing.owner)
    for data in ({"category": "cooking"}, {"image": "javascript:alert(1)"}):
        response = client.post(
            reverse("tips:thing_edit", kwargs={"pk": thing.pk}), {"title": "New", **data}
        )
        assert response.status_code == 200
    thing.refresh_from_db()
    assert thing.title == "Kept"


def test_a_hidden_thing_can_still_be_flattred_but_a_retired_one_cannot(client):
    from tests.factories import ready_reader

    hidden, retired = ThingFactory(hidden=True), ThingFactory(retired=True)
    client.force_login(ready_reader())
    client.post(reverse("tips:click", kwargs={"pk": hidden.pk}))
    client.post(reverse("tips:click", kwargs={"pk": retired.pk}))
    assert hidden.clicks.count() == 1 and retired.clicks.count() == 0


def test_a_reader_makes_their_flattrs_public_in_settings(client):
    reader = UserFactory(display_name="Bea")
    client.force_login(reader)
    assert "Make my flattrs public" in text(client.get(reverse("account_settings")))
    client.post(
        reverse("account_settings"),
        {"display_name": "Bea", "monthly_emails": "on", "public_flattrs": "on", "language": ""},
    )
    reader.refresh_from_db()
    assert reader.public_flattrs
