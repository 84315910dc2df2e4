"""A NUL byte or another control character in a request is refused with a 400 that says
why, before any view runs, so nothing is stored (issue 12). PostgreSQL cannot store NUL in
text at all, so without this such a request answered 500 there."""

import html
import json
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from tests.factories import UserFactory, ready_reader
from tests.fake_stripe import connect as fake_connect
from tests.fake_stripe import sign_payload
from tips.clicks.models import Click
from tips.things.models import Thing

pytestmark = pytest.mark.django_db

REFUSED = "This request contains a control character"


def text(response) -> str:
    return html.unescape(response.content.decode())


def assert_refused(response):
    assert response.status_code == 400
    assert REFUSED in text(response)


@pytest.fixture
def reader_client(client):
    UserFactory(handle="creator1")
    client.force_login(ready_reader())
    return client


def test_a_nul_byte_in_an_auto_submit_link_is_refused(reader_client):
    response = reader_client.get("/submit/?creator=creator1&url=https://c.example/p%00x")

    assert_refused(response)
    assert not Thing.objects.exists()


def test_a_nul_byte_in_an_auto_submit_click_is_refused_and_nothing_is_stored(reader_client):
    for field in ("creator", "url", "title"):
        data = {"creator": "creator1", "url": "https://c.example/p", "title": "Hi"}
        data[field] = data[field][:3] + "\x00" + data[field][3:]

        assert_refused(reader_client.post(reverse("tips:submit"), data))
    assert not Thing.objects.exists()
    assert not Click.objects.exists()


def test_a_nul_byte_in_a_handle_in_the_path_is_refused(client):
    UserFactory(handle="creator1")

    assert_refused(client.get("/@cre%00ator1"))


def test_a_nul_byte_in_a_form_body_is_refused_and_nothing_is_stored(client):
    client.force_login(UserFactory())
    body = urlencode({"url": "https://c.example/p", "title": "A\x00title", "description": ""})

    assert_refused(
        client.post(
            reverse("tips:thing_new"), body, content_type="application/x-www-form-urlencoded"
        )
    )
    assert not Thing.objects.exists()


@pytest.mark.parametrize("character", ["\x01", "\x08", "\x1b", "\x1f", "\t", "\n", "\r"])
def test_other_control_characters_in_a_query_string_are_refused(reader_client, character):
    query = {"creator": "creator1", "url": "https://c.example/p", "title": f"Hi{character}"}

    assert_refused(reader_client.get(reverse("tips:submit"), query))


def test_a_control_character_in_a_parameter_name_is_refused(reader_client):
    assert_refused(reader_client.get(reverse("tips:submit") + "?creator%01=creator1"))


def test_a_control_character_other_than_tab_and_line_breaks_in_a_body_is_refused(client):
    client.force_login(UserFactory())
    data = {"url": "https://c.example/p", "title": "Title", "description": "a\x07b"}

    assert_refused(client.post(reverse("tips:thing_new"), data))
    assert not Thing.objects.exists()


def test_tabs_and_line_breaks_in_a_body_are_kept(client):
    client.force_login(UserFactory())
    data = {"url": "https://c.example/p", "title": "Title", "description": "one\r\ntwo\tthree"}

    response = client.post(reverse("tips:thing_new"), data)

    assert response.status_code == 302
    assert Thing.objects.get().description == "one\r\ntwo\tthree"


def test_a_multipart_body_is_checked_too(client):
    client.force_login(UserFactory())
    data = {"url": "https://c.example/p", "title": "A\x00title", "description": ""}

    # The test client encodes a dict as multipart/form-data unless told otherwise.
    assert_refused(client.post(reverse("tips:thing_new"), data))
    assert not Thing.objects.exists()


def test_the_refusal_page_is_a_normal_page_of_the_site(client):
    response = client.get("/@cre%00ator1")

    assert response["Content-Type"].startswith("text/html")
    assert response["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert "<h1>" in text(response)


# --- The signed webhooks read their raw JSON body --------------------------------------


def test_a_signed_webhook_with_a_pretty_printed_body_is_still_received(client, fake_stripe):
    # Stripe sends indented JSON: line breaks in a raw body are not form values.
    payload, _ = fake_connect.signed_event(
        fake_stripe, "capability.updated", {"id": "transfers", "object": "capability"}, "x"
    )
    pretty = json.dumps(json.loads(payload), indent=2)

    response = client.post(
        "/webhooks/stripe/connect/",
        data=pretty,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign_payload(pretty, "whsec_test_connect"),
    )

    assert (response.status_code, response.content) == (200, b"ignored")


def test_a_webhook_posted_as_a_form_still_gets_its_signature_checked(client, fake_stripe):
    # The webhook views read request.body; the middleware must not consume the stream first.
    response = client.post(
        "/webhooks/stripe/", {"field": "a\x00b"}, HTTP_STRIPE_SIGNATURE="t=1,v1=forged"
    )

    assert response.status_code == 400
    assert response.json() == {"error": "invalid signature"}
