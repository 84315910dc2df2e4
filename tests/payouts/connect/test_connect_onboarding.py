"""Creators onboard with Stripe Connect (hosted onboarding) or, in the demo, the sandbox."""

import time

import pytest
from django.urls import reverse

from payouts.connect.models import PaymentAccount
from tests.factories import UserFactory
from tests.fake_stripe import connect as fake_connect

pytestmark = pytest.mark.django_db


@pytest.fixture
def creator(client):
    user = UserFactory()
    client.force_login(user)
    return user


def start(client):
    return client.post(reverse("payouts:connect_start"))


def deliver_connect_event(client, fake_stripe, event_type, obj, *, created=None, secret=None):
    payload, signature = fake_connect.signed_event(
        fake_stripe,
        event_type,
        obj,
        secret or "whsec_test_connect",
        account=obj.get("id"),
        created=created,
    )
    response = client.post(
        "/webhooks/stripe/connect/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )
    return payload, response


def page_state(client) -> str:
    html = client.get(reverse("payouts:get_paid")).content.decode()
    return html.split('id="payment-account-state" data-state="')[1].split('"')[0]


def test_starting_creates_a_connected_account_and_redirects_to_stripe_onboarding(
    client, creator, fake_stripe, settings
):
    settings.SITE_URL = "https://tips.example.org"

    response = start(client)

    account = PaymentAccount.objects.get(user=creator)
    assert account.provider == "stripe"
    assert account.provider_account_id.startswith("acct_")
    assert response.status_code == 302
    assert response["Location"].startswith(
        f"https://connect.stripe.com/setup/e/{account.provider_account_id}/"
    )
    created = fake_stripe.calls("POST", "/v1/accounts")[0]
    assert created.idempotency_key == f"connect-account-{account.pk}"
    assert created.params["controller"]["stripe_dashboard"]["type"] == "express"
    assert created.params["controller"]["requirement_collection"] == "stripe"
    assert created.params["capabilities"]["transfers"]["requested"] == "true"
    assert created.params["email"] == creator.email
    link = fake_stripe.calls("POST", "/v1/account_links")[0].params
    assert link["type"] == "account_onboarding"
    assert link["return_url"] == "https://tips.example.org/payouts/get-paid/return/"
    assert link["refresh_url"] == "https://tips.example.org/payouts/get-paid/refresh/"
    assert page_state(client) == "information_needed"


def test_starting_twice_reuses_the_account(client, creator, fake_stripe):
    start(client)
    second = start(client)

    assert len(fake_stripe.objects["accounts"]) == 1
    assert len(fake_stripe.calls("POST", "/v1/account_links")) == 2
    assert second["Location"].startswith("https://connect.stripe.com/setup/e/")


def test_a_timeout_while_creating_the_account_then_a_second_try_makes_one_account(
    client, creator, fake_stripe
):
    fake_stripe.fail_next("POST", "/v1/accounts", after_work=True)

    failed = start(client)
    assert failed["Location"] == reverse("payouts:get_paid")
    assert "could not be reached" in client.get(failed["Location"]).content.decode()

    retried = start(client)

    assert retried["Location"].startswith("https://connect.stripe.com/setup/e/")
    assert len(fake_stripe.objects["accounts"]) == 1
    keys = {r.idempotency_key for r in fake_stripe.requests if r.path == "/v1/accounts"}
    assert len(keys) == 1
    account = PaymentAccount.objects.get(user=creator)
    assert account.provider_account_id == next(iter(fake_stripe.objects["accounts"]))


def test_account_updated_webhook_makes_the_creator_ready_and_replays_change_nothing(
    client, creator, fake_stripe
):
    start(client)
    account_id = PaymentAccount.objects.get(user=creator).provider_account_id
    remote = fake_connect.complete_onboarding(fake_stripe, account_id)

    payload, response = deliver_connect_event(client, fake_stripe, "account.updated", remote)

    assert response.status_code == 200 and response.content == b"applied"
    assert page_state(client) == "ready"
    account = PaymentAccount.objects.get(user=creator)
    assert account.can_receive and account.details_submitted and account.requirements_due == []

    # Stripe's replay of the same delivery is recognised and ignored.
    from tests.fake_stripe import sign_payload

    replay = client.post(
        "/webhooks/stripe/connect/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign_payload(payload, "whsec_test_connect"),
    )
    assert replay.content == b"replay"


def test_an_older_account_event_arriving_late_does_not_undo_a_newer_state(
    client, creator, fake_stripe
):
    start(client)
    account_id = PaymentAccount.objects.get(user=creator).provider_account_id
    before = dict(
        fake_stripe.get("accounts", account_id),
        requirements={
            "currently_due": ["external_account"],
            "past_due": [],
            "disabled_reason": None,
        },
    )
    remote = fake_connect.complete_onboarding(fake_stripe, account_id)
    now = int(time.time())

    deliver_connect_event(client, fake_stripe, "account.updated", remote, created=now)
    _, late = deliver_connect_event(
        client, fake_stripe, "account.updated", before, created=now - 60
    )

    assert late.content == b"stale"
    assert page_state(client) == "ready"


def test_restriction_reported_by_stripe_stops_payouts_and_shows_it(client, creator, fake_stripe):
    start(client)
    account_id = PaymentAccount.objects.get(user=creator).provider_account_id
    fake_connect.complete_onboarding(fake_stripe, account_id)
    remote = fake_connect.restrict(fake_stripe, account_id, "rejected.fraud")

    deliver_connect_event(client, fake_stripe, "account.updated", remote)

    assert page_state(client) == "restricted"
    assert "rejected.fraud" in client.get(reverse("payouts:get_paid")).content.decode()
    assert not PaymentAccount.objects.get(user=creator).can_receive


def test_a_webhook_with_a_bad_signature_changes_nothing(client, creator, fake_stripe):
    start(client)
    account_id = PaymentAccount.objects.get(user=creator).provider_account_id
    remote = fake_connect.complete_onboarding(fake_stripe, account_id)

    _, response = deliver_connect_event(
        client, fake_stripe, "account.updated", remote, secret="whsec_wrong"
    )

    assert response.status_code == 400
    assert page_state(client) == "information_needed"


def test_the_platform_webhook_secret_does_not_open_the_connect_endpoint(
    client, creator, fake_stripe
):
    start(client)
    account_id = PaymentAccount.objects.get(user=creator).provider_account_id
    remote = fake_connect.complete_onboarding(fake_stripe, account_id)

    _, response = deliver_connect_event(
        client, fake_stripe, "account.updated", remote, secret="whsec_test_platform"
    )

    assert response.status_code == 400


def test_returning_from_stripe_reads_the_account_state_at_once(client, creator, fake_stripe):
    start(client)
    account_id = PaymentAccount.objects.get(user=creator).provider_account_id
    fake_connect.complete_onboarding(fake_stripe, account_id)

    response = client.get(reverse("payouts:connect_return"), follow=True)

    assert "Your payment account is ready" in response.content.decode()
    assert page_state(client) == "ready"


def test_an_expired_link_sends_the_creator_back_to_stripe_with_a_fresh_one(
    client, creator, fake_stripe
):
    start(client)

    response = client.get(reverse("payouts:connect_refresh"))

    assert response["Location"].startswith("https://connect.stripe.com/setup/e/")
    assert len(fake_stripe.objects["accounts"]) == 1
    assert len(fake_stripe.calls("POST", "/v1/account_links")) == 2


def test_a_ready_creator_can_open_their_express_dashboard(client, creator, fake_stripe):
    start(client)
    account_id = PaymentAccount.objects.get(user=creator).provider_account_id
    fake_connect.complete_onboarding(fake_stripe, account_id)
    client.get(reverse("payouts:connect_return"))

    response = client.post(reverse("payouts:connect_dashboard"))

    assert response["Location"].startswith("https://connect.stripe.com/express/")


def test_the_get_paid_page_says_not_started_and_offers_stripe(client, creator, fake_stripe):
    html = client.get(reverse("payouts:get_paid")).content.decode()

    assert page_state(client) == "not_started"
    assert "Set up payouts with Stripe" in html
    assert "Connect a sandbox account" not in html


def test_pages_require_login_and_start_requires_post(client, fake_stripe):
    assert client.get(reverse("payouts:get_paid"))["Location"].startswith("/accounts/login/")
    client.force_login(UserFactory())
    assert client.get(reverse("payouts:connect_start")).status_code == 405
    assert fake_stripe.requests == []


def test_the_sandbox_button_makes_a_demo_creator_ready(client, creator, settings):
    settings.PAYMENTS_SANDBOX = True
    settings.STRIPE_SECRET_KEY = ""
    assert "Connect a sandbox account" in client.get(reverse("payouts:get_paid")).content.decode()

    client.post(reverse("payouts:connect_sandbox"))

    assert page_state(client) == "ready"
    assert PaymentAccount.objects.get(user=creator).can_receive


def test_there_is_no_sandbox_when_it_is_off(client, creator, settings):
    settings.PAYMENTS_SANDBOX = False

    response = client.post(reverse("payouts:connect_sandbox"))

    assert response.status_code == 404
    assert not PaymentAccount.objects.filter(user=creator).exists()


def test_a_sandbox_account_cannot_receive_money_once_the_sandbox_is_off(
    client, creator, settings, fake_stripe
):
    settings.PAYMENTS_SANDBOX = True
    client.post(reverse("payouts:connect_sandbox"))
    settings.PAYMENTS_SANDBOX = False

    assert page_state(client) == "not_started"
    assert not PaymentAccount.objects.get(user=creator).can_receive
    # Onboarding with Stripe replaces the demo account.
    start(client)
    account = PaymentAccount.objects.get(user=creator)
    assert (account.provider, account.provider_account_id[:5]) == ("stripe", "acct_")
