"""A retired thing (its owner withdrew it) is no longer available
on any public page: thing page, popup, widget, badge and auto-submit link."""

import html
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from tests.factories import ClickFactory, ThingFactory, UserFactory, ready_reader
from tips.clicks.models import Click
from tips.clicks.services import ClickRefused, click_register
from tips.things.models import Thing
from tips.things.services import thing_set_retired

pytestmark = pytest.mark.django_db

GONE = "This thing is no longer available"


def text(response) -> str:
    return html.unescape(response.content.decode())


def url_of(name, thing, **query):
    url = reverse(f"tips:{name}", kwargs={"pk": thing.pk})
    return f"{url}?{urlencode(query)}" if query else url


def click_form(thing) -> str:
    return f'action="{reverse("tips:click", kwargs={"pk": thing.pk})}"'


@pytest.fixture
def retired():
    return ThingFactory(title="Old song", owner=UserFactory(display_name="Dana"), retired=True)


def test_the_thing_page_of_a_retired_thing_is_gone_for_readers(client, retired):
    client.force_login(ready_reader())

    response = client.get(retired.get_absolute_url())

    assert response.status_code == 410
    page = text(response)
    assert GONE in page
    assert "Old song" in page and "Dana" in page
    assert click_form(retired) not in page
    assert 'rel="payment"' not in page
    assert response["X-Frame-Options"] == "DENY"


def test_the_thing_page_of_a_retired_thing_is_gone_for_visitors(client, retired):
    response = client.get(retired.get_absolute_url())

    assert response.status_code == 410
    assert GONE in text(response)
    assert "Log in to flattr this." not in text(response)


def test_the_owner_still_sees_their_retired_things_page_with_a_notice(client, retired):
    client.force_login(retired.owner)

    response = client.get(retired.get_absolute_url())

    assert response.status_code == 200
    assert "This thing is retired: nobody can flattr it" in text(response)
    assert click_form(retired) not in text(response)


def test_the_popup_of_a_retired_thing_is_gone(client, retired):
    client.force_login(ready_reader())

    response = client.get(url_of("popup", retired, origin="https://creator.example"))

    assert response.status_code == 410
    page = text(response)
    assert GONE in page
    assert click_form(retired) not in page
    assert "flattr-handoff" not in page
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "unsafe-none"


def test_the_widget_of_a_retired_thing_is_gone_and_still_framable(client, retired):
    ClickFactory(thing=retired)

    response = client.get(url_of("widget", retired, origin="https://creator.example"))

    assert response.status_code == 410
    assert "X-Frame-Options" not in response
    assert response["Content-Security-Policy"] == "frame-ancestors *"
    assert not response.cookies
    page = text(response)
    assert "No longer available" in page
    assert url_of("popup", retired) not in page  # nothing left to click
    assert "data-count" not in page


def test_the_badge_of_a_retired_thing_is_a_gone_svg(client, retired):
    ClickFactory.create_batch(2, thing=retired)

    response = client.get(url_of("badge", retired))

    assert response.status_code == 410
    assert response["Content-Type"] == "image/svg+xml"
    svg = text(response)
    assert 'role="img"' in svg
    assert "Flattr: this thing is no longer available" in svg
    assert ">no longer available</text>" in svg
    assert ">2</text>" not in svg


def test_retiring_a_thing_shows_at_once_on_a_warm_badge_and_widget(client):
    thing = ThingFactory()
    live_badge = client.get(url_of("badge", thing))
    assert client.get(url_of("widget", thing)).status_code == 200  # both now cached

    thing_set_retired(thing=thing, retired=True)
    badge = client.get(url_of("badge", thing), HTTP_IF_NONE_MATCH=live_badge["ETag"])
    widget = client.get(url_of("widget", thing))

    assert (badge.status_code, widget.status_code) == (410, 410)

    thing_set_retired(thing=thing, retired=False)
    assert client.get(url_of("badge", thing)).status_code == 200
    assert client.get(url_of("widget", thing)).status_code == 200


def test_the_auto_submit_link_of_a_retired_thing_does_not_click_it(client, retired):
    reader = ready_reader()
    client.force_login(reader)
    data = {"creator": retired.owner.handle, "url": retired.url, "title": "Again"}

    page = client.post(reverse("tips:submit"), data, follow=True)

    assert page.status_code == 410
    assert GONE in text(page)
    assert not Click.objects.exists()
    assert Thing.objects.count() == 1
    for name in ("submit", "submit_widget"):
        shown = client.get(reverse(f"tips:{name}") + "?" + urlencode(data), follow=True)
        assert shown.status_code == 410
    with pytest.raises(ClickRefused) as refused:
        click_register(reader=reader, thing=retired)
    assert refused.value.blocker.code == "retired"
    assert not Click.objects.exists()


def test_a_click_post_on_a_retired_thing_records_nothing_and_says_why(client, retired):
    client.force_login(ready_reader())

    page = client.post(url_of("click", retired), follow=True)

    assert page.status_code == 410
    assert GONE in text(page)
    assert not Click.objects.exists()
