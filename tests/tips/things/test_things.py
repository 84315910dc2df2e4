import html

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ClickFactory, ThingFactory, UserFactory
from tips.things.models import Thing

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def register(client, **data):
    fields = {"url": "", "title": "", "description": "", "language": "", "tags": ""}
    return client.post(reverse("tips:thing_new"), {**fields, **data}, follow=True)


def test_it_requires_login_to_list_things(client):
    response = client.get(reverse("tips:my_things"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_creator_registers_a_thing_by_its_canonical_url(client):
    creator = UserFactory()
    client.force_login(creator)

    page = register(
        client,
        url="HTTPS://Blog.Example:443/post?utm_source=feed#top",
        title="  My   first post ",
        language="fr",
        tags="music, Music , podcast",
    )

    thing = Thing.objects.get()
    assert (thing.owner, thing.url, thing.title) == (
        creator,
        "https://blog.example/post",
        "My first post",
    )
    assert thing.tags == "music, podcast"
    assert "Your thing is registered." in text(page)
    assert page.redirect_chain[-1][0] == thing.get_absolute_url()


def test_a_url_another_creator_registered_is_a_form_error(client):
    ThingFactory(url="https://blog.example/post")
    client.force_login(UserFactory())

    page = register(client, url="https://blog.example/post?utm_campaign=x", title="Mine")

    assert "Another creator already registered this address." in text(page)
    assert Thing.objects.count() == 1


def test_registering_ones_own_url_twice_says_so(client):
    creator = UserFactory()
    ThingFactory(owner=creator, url="https://blog.example/post")
    client.force_login(creator)

    page = register(client, url="https://blog.example/post", title="Again")

    assert "You already registered this address." in text(page)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"url": "ftp://x.example/", "title": "T"}, "Use a web address starting with http://"),
        ({"url": "https://x.example/", "title": ""}, "This field is required."),
        ({"url": "https://x.example/", "title": "T", "language": "french!"}, "Use a language code"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(client, data, message):
    client.force_login(UserFactory())
    page = register(client, **data)
    assert message in text(page)
    assert not Thing.objects.exists()


def test_a_creator_edits_their_thing_but_not_its_address(client):
    thing = ThingFactory(url="https://blog.example/a")
    client.force_login(thing.owner)

    client.post(
        reverse("tips:thing_edit", kwargs={"pk": thing.pk}),
        {"title": "New title", "description": "About it", "language": "en", "tags": "a"},
    )

    thing.refresh_from_db()
    assert (thing.title, thing.description, thing.url) == (
        "New title",
        "About it",
        "https://blog.example/a",
    )


def test_nobody_else_can_edit_or_retire_a_thing(client):
    thing = ThingFactory()
    client.force_login(UserFactory())

    assert client.get(reverse("tips:thing_edit", kwargs={"pk": thing.pk})).status_code == 404
    assert (
        client.post(
            reverse("tips:thing_retire", kwargs={"pk": thing.pk}), {"retired": "1"}
        ).status_code
        == 404
    )
    thing.refresh_from_db()
    assert not thing.retired


def test_a_creator_retires_and_brings_back_a_thing_and_lists_it_with_counts(client):
    thing = ThingFactory(title="Song")
    ClickFactory.create_batch(2, thing=thing)
    client.force_login(thing.owner)

    page = client.post(
        reverse("tips:thing_retire", kwargs={"pk": thing.pk}), {"retired": "1"}, follow=True
    )
    assert "“Song” is retired: nobody can flattr it." in text(page)
    thing.refresh_from_db()
    assert thing.retired
    listing = text(client.get(reverse("tips:my_things")))
    assert "Song" in listing and "Retired" in listing and "<td>2</td>" in listing

    client.post(reverse("tips:thing_retire", kwargs={"pk": thing.pk}), {"retired": "0"})
    thing.refresh_from_db()
    assert not thing.retired


def test_the_profile_shows_visible_things_with_counts(client):
    creator = UserFactory(handle="Alice", display_name="Alice A.")
    shown = ThingFactory(owner=creator, title="Visible post")
    ThingFactory(owner=creator, title="Secret post", hidden=True)
    ThingFactory(owner=creator, title="Withdrawn post", retired=True)
    ClickFactory.create_batch(3, thing=shown)

    page = text(client.get("/@alice"))

    assert "Alice A." in page
    assert "Visible post" in page and "3 flattrs" in page
    assert "Secret post" not in page and "Withdrawn post" not in page
    assert client.get(creator.get_absolute_url()).status_code == 200


def test_the_profile_of_an_unknown_or_deleted_user_is_not_found(client):
    UserFactory(handle="gone", is_active=False)
    assert client.get("/@gone").status_code == 404
    assert client.get("/@nobody").status_code == 404


def test_the_thing_page_links_to_the_creators_profile_and_shows_embeds_to_the_owner(
    client, settings
):
    settings.SITE_URL = "https://flattr.example"
    thing = ThingFactory(owner=UserFactory(handle="bob"))

    public = text(client.get(thing.get_absolute_url()))
    assert 'href="/@bob"' in public
    assert "Add the button to your site" not in public

    client.force_login(thing.owner)
    own = text(client.get(thing.get_absolute_url()))
    assert '<script async src="https://flattr.example/static/tips/embed.js"></script>' in own
    assert f'<a class="flattr-button" href="https://flattr.example/t/{thing.pk}/">Flattr</a>' in own
    assert f"https://flattr.example/t/{thing.pk}/badge.svg" in own
    assert f'<link rel="payment" href="https://flattr.example/t/{thing.pk}/"' in own


def test_a_suspended_creators_profile_says_so(client):
    creator = UserFactory(handle="sus", suspended_at=timezone.now())
    assert "This account is suspended" in text(client.get("/@sus"))
    assert creator.is_suspended
