"""Abandoned top-ups expire (Stripe closes its Checkout Session; the sandbox's page closes
after TOP_UP_EXPIRY_MINUTES), and the reader can cancel one or start it again."""

import datetime as dt

import pytest
from django.urls import reverse

from payouts.funding.models import TopUp
from payouts.funding.topups import topup_expire_stale, topup_start
from tests.factories import UserFactory
from tests.fake_stripe import checkout as stripe_side
from tests.payouts.funding.test_topup_stripe import start_topup

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_a_stripe_session_closes_after_the_expiry_setting(client, fake_stripe, reader, settings):
    settings.TOP_UP_EXPIRY_MINUTES = 45
    topup = start_topup(client, fake_stripe, preset="2500")

    (call,) = fake_stripe.calls("POST", "/v1/checkout/sessions")
    expected = topup.created_at + dt.timedelta(minutes=45)
    assert abs(int(call.params["expires_at"]) - expected.timestamp()) < 2


def test_the_expired_event_marks_the_top_up_expired_and_offers_to_try_again(
    client, fake_stripe, reader
):
    topup = start_topup(client, fake_stripe, preset="2500")
    session = stripe_side.let_session_expire(fake_stripe, topup.session_id)

    event = stripe_side.event(fake_stripe, "checkout.session.expired", session)
    assert stripe_side.deliver(client, event).status_code == 200

    topup.refresh_from_db()
    assert topup.status == TopUp.Status.EXPIRED
    page = client.get(reverse("payouts:topup_status", args=[topup.pk])).content.decode()
    assert "The payment page closed before a payment was made." in page
    assert reverse("payouts:topup_retry", args=[topup.pk]) in page
    assert "Waiting for payment" not in client.get(reverse("payouts:wallet")).content.decode()


def test_trying_again_opens_a_new_session_for_the_same_amount(client, fake_stripe, reader):
    topup = start_topup(client, fake_stripe, preset="2500")
    stripe_side.let_session_expire(fake_stripe, topup.session_id)

    response = client.post(reverse("payouts:topup_retry", args=[topup.pk]))

    again = TopUp.objects.latest("pk")
    assert again.pk != topup.pk
    assert again.amount_cents == 2500
    assert response["Location"] == f"https://checkout.stripe.test/c/pay/{again.session_id}"


def test_cancelling_closes_the_session_at_stripe_first(client, fake_stripe, reader):
    topup = start_topup(client, fake_stripe, preset="2500")

    client.post(reverse("payouts:topup_cancel", args=[topup.pk]))

    assert fake_stripe.get("checkout_sessions", topup.session_id)["status"] == "expired"
    topup.refresh_from_db()
    assert topup.status == TopUp.Status.CANCELED


def test_a_session_paid_before_the_cancel_stays_to_be_credited(client, fake_stripe, reader):
    topup = start_topup(client, fake_stripe, preset="2500")
    stripe_side.pay_session(fake_stripe, topup.session_id)

    client.post(reverse("payouts:topup_cancel", args=[topup.pk]))

    topup.refresh_from_db()
    assert topup.status == TopUp.Status.PENDING  # the completed event will credit it


def test_nobody_cancels_someone_elses_top_up(client, fake_stripe, reader):
    other = topup_start(user=UserFactory(), amount_cents=2500)[0]

    assert client.post(reverse("payouts:topup_cancel", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.status == TopUp.Status.PENDING


def test_a_sandbox_top_up_left_unpaid_expires_and_a_fresh_one_does_not(settings):
    settings.TOP_UP_EXPIRY_MINUTES = 60
    old = topup_start(user=UserFactory(), amount_cents=1000)[0]
    fresh = topup_start(user=UserFactory(), amount_cents=1000)[0]
    TopUp.objects.filter(pk=old.pk).update(created_at=old.created_at - dt.timedelta(minutes=61))

    assert topup_expire_stale() == 1

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == (TopUp.Status.EXPIRED, TopUp.Status.PENDING)


def test_a_stripe_top_up_whose_expired_event_was_lost_is_expired_by_the_check(
    client, fake_stripe, reader
):
    topup = start_topup(client, fake_stripe, preset="2500")
    stripe_side.let_session_expire(fake_stripe, topup.session_id)

    assert topup_expire_stale(now=topup.created_at + dt.timedelta(hours=3)) == 1

    topup.refresh_from_db()
    assert topup.status == TopUp.Status.EXPIRED


def test_the_sandbox_page_offers_to_pay_or_cancel_a_waiting_top_up(client, reader):
    topup = topup_start(user=reader, amount_cents=1000)[0]

    page = client.get(reverse("payouts:wallet")).content.decode()

    assert reverse("payouts:sandbox_checkout", args=[topup.session_id]) in page
    assert reverse("payouts:topup_cancel", args=[topup.pk]) in page
    client.post(reverse("payouts:topup_cancel", args=[topup.pk]))
    topup.refresh_from_db()
    assert topup.status == TopUp.Status.CANCELED
