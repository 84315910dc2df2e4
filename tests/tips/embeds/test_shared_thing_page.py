"""The thing page as every visitor with no session sees it: rendered once per thing and
language, each visitor with their own CSRF token, fresh after every click (issue 19)."""

import re

import pytest
from django.test import Client

from tests.factories import ThingFactory, ready_reader
from tips.clicks.services import click_register

pytestmark = pytest.mark.django_db


def total_on(response) -> int:
    return int(re.search(r'data-count="total">(\d+)<', response.content.decode()).group(1))


def token_in(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())[1]


def test_a_warm_visit_without_a_session_costs_no_query(django_assert_num_queries):
    thing = ThingFactory(title="Shared page")
    Client().get(thing.get_absolute_url())  # renders and keeps it

    with django_assert_num_queries(0):
        response = Client().get(thing.get_absolute_url())

    assert response.status_code == 200
    assert "Shared page" in response.content.decode()


def test_each_visitor_gets_their_own_working_csrf_token():
    thing = ThingFactory()
    Client().get(thing.get_absolute_url())
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)

    one, two = first.get(thing.get_absolute_url()), second.get(thing.get_absolute_url())

    assert "csrf-token-slot" not in one.content.decode()
    assert token_in(one) != token_in(two)
    # The language switcher on the cached page works: the token matches this visitor's cookie.
    switched = first.post(
        "/i18n/setlang/",
        {"language": "fr", "next": thing.get_absolute_url(), "csrfmiddlewaretoken": token_in(one)},
    )
    assert switched.status_code == 302
    assert "Flattrs au total" in first.get(thing.get_absolute_url()).content.decode()


def test_the_page_is_kept_per_language():
    thing = ThingFactory()
    english = Client().get(thing.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    french = Client().get(thing.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr")

    assert english["Content-Language"] == "en"
    assert french["Content-Language"] == "fr"
    assert 'lang="fr"' in french.content.decode()


def test_a_click_shows_on_the_shared_page_at_once():
    thing = ThingFactory()
    assert total_on(Client().get(thing.get_absolute_url())) == 0

    click_register(reader=ready_reader(), thing=thing)

    assert total_on(Client().get(thing.get_absolute_url())) == 1


def test_a_logged_in_reader_sees_their_own_page_not_the_shared_one(client):
    thing = ThingFactory(title="Mine to flattr")
    Client().get(thing.get_absolute_url())  # the shared page says "Log in to flattr this."
    reader = ready_reader()
    click_register(reader=reader, thing=thing)
    client.force_login(reader)

    page = client.get(thing.get_absolute_url()).content.decode()

    assert "Log in to flattr this." not in page
    assert "You flattred this thing this month. Thank you!" in page
