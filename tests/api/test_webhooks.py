"""Outgoing webhooks against a receiver on loopback: signed bodies, a retry after a 500,
every event at least once with a stable id; the Integrations page shows the deliveries."""

import hashlib
import hmac
import html
import json

import pytest
from django.test import Client

from api.models import WebhookDelivery
from api.webhooks import endpoint_save, webhook_deliver
from tests.api.conftest import api_as
from tests.factories import ThingFactory, UserFactory, ready_reader

pytestmark = pytest.mark.django_db


def verified(secret: str, headers: dict, body: bytes) -> bool:
    fields = dict(part.split("=", 1) for part in headers["Flattr-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), fields["v1"])


@pytest.fixture
def receiver(local_http, loopback_sites):
    loopback_sites("hooks.example")
    answers = [500]  # the first delivery fails; the next ones succeed

    def handler(request):
        return (answers.pop(0) if answers else 200), {"Content-Type": "text/plain"}, b"ok"

    local_http.route("/hook", handler=handler)
    return local_http, local_http.url("/hook", host="hooks.example")


def test_a_click_is_posted_signed_retried_after_a_500_with_a_stable_id(
    receiver, django_capture_on_commit_callbacks
):
    server, url = receiver
    creator = UserFactory()
    endpoint = endpoint_save(user=creator, url=url)
    thing = ThingFactory(owner=creator, title="Song")

    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(ready_reader(), "flattr").post(f"/rest/v2/things/{thing.pk}/flattr")
    assert response.status_code == 200

    posts = [r for r in server.requests if r[0] == "POST"]
    assert len(posts) == 2  # a 500, then the retry
    ids = {headers["Flattr-Event-Id"] for _m, _p, headers, _b in posts}
    assert len(ids) == 1
    for _method, _path, headers, body in posts:
        assert verified(endpoint.secret, headers, body)
        event = json.loads(body)
        assert event["id"] in ids and event["type"] == "flattr.created"
        assert event["data"]["thing"]["id"] == thing.pk and event["data"]["owner"] is None
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)


def test_a_tampered_body_does_not_verify(receiver, django_capture_on_commit_callbacks):
    server, url = receiver
    creator = UserFactory()
    endpoint = endpoint_save(user=creator, url=url)
    with django_capture_on_commit_callbacks(execute=True):
        api_as(ready_reader(), "flattr").post(
            f"/rest/v2/things/{ThingFactory(owner=creator).pk}/flattr"
        )
    _m, _p, headers, body = server.requests[-1]
    assert verified(endpoint.secret, headers, body)
    assert not verified(endpoint.secret, headers, body.replace(b"flattr", b"flattR"))
    assert not verified("whsec_other", headers, body)


def test_delivering_again_sends_nothing_more_once_delivered(
    receiver, django_capture_on_commit_callbacks
):
    server, url = receiver
    creator = UserFactory()
    endpoint_save(user=creator, url=url)
    with django_capture_on_commit_callbacks(execute=True):
        api_as(ready_reader(), "flattr").post(
            f"/rest/v2/things/{ThingFactory(owner=creator).pk}/flattr"
        )
    sent = len(server.requests)
    webhook_deliver.delay(WebhookDelivery.objects.get().pk)  # a duplicate task (at least once)
    assert len(server.requests) == sent


def test_a_private_address_is_never_fetched(loopback_sites, django_capture_on_commit_callbacks):
    loopback_sites("intranet.example", address="10.0.0.1")
    creator = UserFactory()
    endpoint_save(user=creator, url="http://intranet.example/hook")
    with django_capture_on_commit_callbacks(execute=True):
        api_as(ready_reader(), "flattr").post(
            f"/rest/v2/things/{ThingFactory(owner=creator).pk}/flattr"
        )
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 1 and delivery.last_error


def test_the_integrations_page_sets_the_address_and_lists_deliveries(
    receiver, django_capture_on_commit_callbacks
):
    _server, url = receiver
    creator = UserFactory()
    client = Client()
    client.force_login(creator)
    assert client.post("/settings/integrations/", {"url": url}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/settings/integrations/test/")
    page = html.unescape(client.get("/settings/integrations/").content.decode())
    assert creator.webhook_endpoint.secret in page
    assert "ping" in page and "Delivered" in page
    bad = client.post("/settings/integrations/", {"url": "not an address"})
    assert bad.status_code == 400
    client.post("/settings/integrations/delete/")
    assert not WebhookDelivery.objects.exists()


def test_after_payday_each_creator_with_earnings_hears_once(
    receiver, django_capture_on_commit_callbacks
):
    import datetime as dt

    from tests.factories import PaydayRunFactory, give_earnings
    from tips.payday.models import PaydayRun

    server, url = receiver
    earner, idle = UserFactory(), UserFactory()
    secret = endpoint_save(user=earner, url=url).secret
    endpoint_save(user=idle, url=url)
    give_earnings(earner, 450, month="2026-10")
    run = PaydayRunFactory(month=dt.date(2026, 10, 1))
    with django_capture_on_commit_callbacks(execute=True):
        run.status = PaydayRun.Status.DONE
        run.save()
    with django_capture_on_commit_callbacks(execute=True):
        run.save()  # saved again: the same event id, nothing new
    events = [json.loads(body) for method, _p, _h, body in server.requests if method == "POST"]
    assert [e["type"] for e in events] == ["payday.completed", "payday.completed"]  # 500, retry
    assert events[0]["id"] == events[1]["id"]
    assert events[-1]["data"] == {"month": "2026-10", "earned_cents": 450, "readers": 1}
    assert verified(secret, server.requests[-1][2], server.requests[-1][3])
    assert WebhookDelivery.objects.count() == 1
