"""Audit findings on payouts: each test is a way money could be paid twice or sent wrongly."""

import pytest
from django.core import mail

from payouts.batches.models import Payout
from payouts.batches.runs import payout_batch_prepare, payout_batch_run
from payouts.batches.services import payout_send
from payouts.ledger.selectors import balance_cents
from payouts.ledger.services import system_account
from tests.factories import PaymentAccountFactory, UserFactory, give_earnings
from tests.fake_stripe import connect as fake_connect

pytestmark = pytest.mark.django_db


def stripe_creator(fake_stripe, earnings_cents: int):
    creator = UserFactory()
    _, account = fake_connect.create_account(
        fake_stripe, {"capabilities": {"transfers": {"requested": "true"}}}, None
    )
    fake_connect.complete_onboarding(fake_stripe, account["id"])
    PaymentAccountFactory(user=creator, provider="stripe", provider_account_id=account["id"])
    give_earnings(creator, earnings_cents)
    return creator


def money(creator) -> tuple[int, int, int]:
    """(creator's earnings, payouts in transit, paid out through Stripe)."""
    return (
        balance_cents(creator, "earnings"),
        system_account("in_transit").balance_cents,
        system_account("external", "stripe").balance_cents,
    )


def test_a_conflict_on_the_idempotency_key_is_not_a_refusal_and_pays_once(
    fake_stripe, django_capture_on_commit_callbacks
):
    """Stripe answers 409 while another request with the same key is still running (a batch
    and a Celery retry sending the same payout). That request may well create the transfer,
    so the money must stay in transit: returning it to earnings would pay the creator twice."""
    creator = stripe_creator(fake_stripe, 3000)
    payout_batch_prepare(trigger="manual")
    payout = Payout.objects.get(user=creator)
    fake_stripe.fail_next(
        "POST",
        "/v1/transfers",
        status=409,
        body={
            "error": {
                "type": "invalid_request_error",
                "code": "idempotency_key_in_use",
                "message": "There is currently another in-progress request using this "
                "Idempotent Key. Please try again later.",
            }
        },
    )

    with django_capture_on_commit_callbacks(execute=False):
        payout_batch_run()

    payout.refresh_from_db()
    assert payout.status == "sending"
    assert money(creator) == (0, 3000, 0)
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        assert payout_send(payout_id=payout.pk) == "paid"

    assert len(fake_stripe.objects["transfers"]) == 1
    assert money(creator) == (0, 0, 3000)


def test_a_payout_resumed_after_stripe_forgot_its_idempotency_key_is_not_sent_twice(
    fake_stripe, django_capture_on_commit_callbacks
):
    """Stripe prunes idempotency keys after 24 hours. A payout whose transfer was made but
    whose answer was lost (timeout, crash) waits in flight for the next batch, often weeks
    later: the resend must find the transfer already made, not make a second one."""
    creator = stripe_creator(fake_stripe, 2500)
    fake_stripe.fail_next("POST", "/v1/transfers", after_work=True)
    with django_capture_on_commit_callbacks(execute=False):
        payout_batch_run()  # the Celery retry never runs: the worker was restarted
    assert len(fake_stripe.objects["transfers"]) == 1
    assert money(creator) == (0, 2500, 0)

    fake_connect.forget_idempotency_keys(fake_stripe)  # a month later
    with django_capture_on_commit_callbacks(execute=True):
        summary = payout_batch_run()

    assert summary.resumed == 1
    assert len(fake_stripe.objects["transfers"]) == 1
    payout = Payout.objects.get(user=creator)
    assert payout.status == "paid"
    assert payout.provider_transfer_id == next(iter(fake_stripe.objects["transfers"]))
    assert money(creator) == (0, 0, 2500)


def test_a_payout_that_never_reached_stripe_is_still_sent_when_resumed(
    fake_stripe, django_capture_on_commit_callbacks
):
    creator = stripe_creator(fake_stripe, 1800)
    fake_stripe.fail_next("POST", "/v1/transfers", status=500)
    with django_capture_on_commit_callbacks(execute=False):
        payout_batch_run()
    assert fake_stripe.objects["transfers"] == {}

    fake_connect.forget_idempotency_keys(fake_stripe)
    with django_capture_on_commit_callbacks(execute=True):
        payout_batch_run()

    assert len(fake_stripe.objects["transfers"]) == 1
    assert Payout.objects.get(user=creator).status == "paid"
    assert money(creator) == (0, 0, 1800)


def test_a_payout_in_flight_is_held_while_its_creator_is_suspended(
    fake_stripe, django_capture_on_commit_callbacks
):
    """Suspension holds payouts (accounts.suspensions): a payout written before the creator
    was suspended, and still in flight, must not be sent until the suspension is lifted."""
    from accounts.suspensions import user_suspend, user_unsuspend

    creator = stripe_creator(fake_stripe, 4000)
    payout_batch_prepare(trigger="manual")  # written; the process stopped before sending
    user_suspend(user=creator, reason="fraud report under review")

    with django_capture_on_commit_callbacks(execute=True):
        summary = payout_batch_run()

    assert summary.resumed == 1
    assert fake_stripe.objects["transfers"] == {}
    payout = Payout.objects.get(user=creator)
    assert payout.status == "sending"
    assert money(creator) == (0, 4000, 0)
    assert mail.outbox == []

    user_unsuspend(user=creator)
    with django_capture_on_commit_callbacks(execute=True):
        payout_batch_run()

    payout.refresh_from_db()
    assert payout.status == "paid"
    assert len(fake_stripe.objects["transfers"]) == 1
    assert money(creator) == (0, 0, 4000)
