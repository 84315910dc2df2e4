"""One writer of provider events: each endpoint's events are stored once, under its own
provider name, and applied by the handler registered for their type."""

import json
import time

import pytest
from django.core.exceptions import ImproperlyConfigured

from payouts.connect.models import PaymentAccount
from payouts.webhooks.events import Event, event_parse
from payouts.webhooks.models import ProviderEvent
from payouts.webhooks.services import EventHandlers, Handled
from tests.factories import PaymentAccountFactory
from tests.fake_stripe import connect as fake_connect
from tests.fake_stripe import sign_payload

pytestmark = pytest.mark.django_db

PLATFORM_SECRET = "whsec_test_platform"  # the fake_stripe fixture's secrets
CONNECT_SECRET = "whsec_test_connect"


def post(client, path: str, payload: str, secret: str):
    return client.post(
        path,
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign_payload(payload, secret),
    )


def to_connect(client, payload: str):
    return post(client, "/webhooks/stripe/connect/", payload, CONNECT_SECRET)


def deauthorized(fake_stripe, account_id: str | None, *, created: int | None = None) -> str:
    application = {"id": "ca_platform", "object": "application", "name": "Tips"}
    payload, _signature = fake_connect.signed_event(
        fake_stripe,
        "account.application.deauthorized",
        application,
        CONNECT_SECRET,
        account=account_id,
        created=created,
    )
    return payload


def event_parse_id(event: Event) -> str:
    return event.id


@pytest.fixture
def ready_stripe_account(fake_stripe):
    _, remote = fake_connect.create_account(
        fake_stripe, {"capabilities": {"transfers": {"requested": "true"}}}, None
    )
    fake_connect.complete_onboarding(fake_stripe, remote["id"])
    return PaymentAccountFactory(provider="stripe", provider_account_id=remote["id"])


def test_a_deauthorized_account_is_restricted_and_the_event_stored_under_stripe_connect(
    client, fake_stripe, ready_stripe_account
):
    payload = deauthorized(fake_stripe, ready_stripe_account.provider_account_id)

    response = to_connect(client, payload)

    assert (response.status_code, response.content) == (200, b"applied")
    ready_stripe_account.refresh_from_db()
    assert (ready_stripe_account.status, ready_stripe_account.disabled_reason) == (
        "restricted",
        "deauthorized",
    )
    assert not ready_stripe_account.can_receive
    record = ProviderEvent.objects.get(event_id=json.loads(payload)["id"])
    assert (record.provider, record.event_type, record.outcome) == (
        "stripe_connect",
        "account.application.deauthorized",
        "processed",
    )
    assert to_connect(client, payload).content == b"replay"


def test_a_deauthorization_of_an_account_we_do_not_know_is_recorded_as_unknown(
    client, fake_stripe, ready_stripe_account
):
    response = to_connect(client, deauthorized(fake_stripe, "acct_someone_else"))

    assert (response.status_code, response.content) == (200, b"unknown_account")
    assert ProviderEvent.objects.get().outcome == "unknown"
    ready_stripe_account.refresh_from_db()
    assert ready_stripe_account.status == "ready"


def test_events_naming_no_account_leave_accounts_still_being_created_alone(client, fake_stripe):
    # Written before Stripe is called, so it has no connected account id yet.
    waiting = PaymentAccountFactory(
        provider="stripe", provider_account_id="", status="information_needed"
    )
    nameless = {"id": "", "object": "account", "capabilities": {"transfers": "active"}}
    updated, _ = fake_connect.signed_event(fake_stripe, "account.updated", nameless, CONNECT_SECRET)

    assert to_connect(client, deauthorized(fake_stripe, None)).content == b"unknown_account"
    assert to_connect(client, updated).content == b"unknown_account"

    waiting.refresh_from_db()
    assert (waiting.status, waiting.disabled_reason, waiting.synced_at) == (
        "information_needed",
        "",
        None,
    )


def test_an_event_type_the_connect_endpoint_does_not_handle_is_recorded_as_ignored(
    client, fake_stripe
):
    payload, _ = fake_connect.signed_event(
        fake_stripe, "capability.updated", {"id": "transfers", "object": "capability"}, "x"
    )

    response = to_connect(client, payload)

    assert (response.status_code, response.content) == (200, b"ignored")
    record = ProviderEvent.objects.get()
    assert (record.provider, record.outcome) == ("stripe_connect", "ignored")


def test_each_endpoint_stores_the_same_event_id_once_for_itself(
    client, fake_stripe, ready_stripe_account
):
    """The endpoints have their own secrets and event ids: one endpoint's record never
    makes the other's delivery a replay, and each applies only its own handlers."""
    remote = fake_stripe.get("accounts", ready_stripe_account.provider_account_id)
    payload, _ = fake_connect.signed_event(
        fake_stripe, "account.updated", remote, CONNECT_SECRET, created=int(time.time())
    )

    to_platform = post(client, "/webhooks/stripe/", payload, PLATFORM_SECRET)
    to_connect_endpoint = to_connect(client, payload)

    assert to_platform.json() == {"received": True, "outcome": "ignored", "replay": False}
    assert to_connect_endpoint.content == b"applied"
    stored = ProviderEvent.objects.filter(event_id=json.loads(payload)["id"])
    assert sorted(stored.values_list("provider", "outcome")) == [
        ("stripe", "ignored"),
        ("stripe_connect", "processed"),
    ]
    assert PaymentAccount.objects.get(pk=ready_stripe_account.pk).synced_at is not None


def test_a_second_handler_for_one_event_type_is_refused():
    handlers = EventHandlers(provider="test")

    @handlers.handles("thing.happened", parse=event_parse_id)
    def first(event_id: str) -> Handled:
        return Handled(ProviderEvent.Outcome.PROCESSED)

    with pytest.raises(ImproperlyConfigured, match="thing.happened"):

        @handlers.handles("other.thing", "thing.happened", parse=event_parse_id)
        def second(event_id: str) -> Handled:
            return Handled(ProviderEvent.Outcome.PROCESSED)

    assert handlers.handler_for("thing.happened").apply is first


def test_an_event_whose_handler_fails_is_not_stored_and_is_applied_on_the_next_delivery():
    from payouts.webhooks.services import event_receive

    handlers = EventHandlers(provider="test")
    calls = []

    @handlers.handles("thing.happened", parse=event_parse_id)
    def flaky(event_id: str) -> Handled:
        calls.append(event_id)
        if len(calls) == 1:
            raise RuntimeError("not yet")
        return Handled(ProviderEvent.Outcome.PROCESSED, note="done")

    event = event_parse(
        {"id": "evt_1", "type": "thing.happened", "data": {"object": {"id": "obj_1"}}}
    )

    with pytest.raises(RuntimeError):
        event_receive(handlers=handlers, event=event)
    assert not ProviderEvent.objects.exists()

    record, first = event_receive(handlers=handlers, event=event)
    again, first_again = event_receive(handlers=handlers, event=event)

    assert (first, first_again) == (True, False)
    assert again.pk == record.pk
    assert (record.provider, record.object_id, record.outcome, record.note) == (
        "test",
        "obj_1",
        "processed",
        "done",
    )
    assert calls == ["evt_1", "evt_1"]
