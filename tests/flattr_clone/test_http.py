"""``next`` parameters: only a path on this site is followed."""

import pytest

from tests.factories import ThingFactory, ready_reader

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("next_url", ["-1", "home", "//evil.example/", "https://evil.example/"])
def test_a_click_with_a_next_that_is_not_a_path_here_goes_to_the_thing(client, next_url):
    thing = ThingFactory()
    client.force_login(ready_reader())

    response = client.post(f"/t/{thing.pk}/click/", {"next": next_url})

    assert response.status_code == 302
    assert response["Location"] == thing.get_absolute_url()


def test_a_click_with_a_path_here_as_next_goes_back_there(client):
    thing = ThingFactory()
    client.force_login(ready_reader())

    response = client.post(f"/t/{thing.pk}/click/", {"next": "/month/"})

    assert response.status_code == 302
    assert response["Location"] == "/month/"
