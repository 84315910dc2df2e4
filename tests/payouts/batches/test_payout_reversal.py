"""``transfer.reversed`` on the platform webhook gives the creator their earnings back, once."""

import pytest

from payouts.batches.models import Payout
from payouts.batches.runs import payout_batch_run
from payouts.ledger.models import Transfer
from payouts.ledger.selectors import balance_cents
from payouts.ledger.services import system_account
from payouts.webhooks.models import ProviderEvent
from tests.fake_stripe import connect as fake_connect
from tests.payouts.batches.test_payout_batch import stripe_creator

pytestmark = pytest.mark.django_db


PLATFORM_SECRET = "whsec_test_platform"  # the fake_stripe fixture's platform webhook secret


def deliver(client, fake_stripe, transfer: dict, secret=PLATFORM_SECRET):
    payload, signature = fake_connect.signed_event(
        fake_stripe, "transfer.reversed", transfer, secret
    )
    return payload, client.post(
        "/webhooks/stripe/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )


def redeliver(client, payload: str):
    from tests.fake_stripe import sign_payload

    return client.post(
        "/webhooks/stripe/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign_payload(payload, "whsec_test_platform"),
    )


def paid_creator(fake_stripe, cents, django_capture_on_commit_callbacks):
    creator = stripe_creator(fake_stripe, cents)
    with django_capture_on_commit_callbacks(execute=True):
        payout_batch_run()
    payout = Payout.objects.get(user=creator)
    assert payout.status == "paid"
    return creator, payout


def test_a_replayed_reversal_restores_the_earnings_once(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    creator, payout = paid_creator(fake_stripe, 3300, django_capture_on_commit_callbacks)
    transfer = fake_connect.reverse_transfer(fake_stripe, payout.provider_transfer_id)

    payload, first = deliver(client, fake_stripe, transfer)
    replay = redeliver(client, payload)

    assert first.status_code == 200 and first.json()["outcome"] == "processed"
    assert replay.status_code == 200 and replay.json()["replay"] is True
    assert balance_cents(creator, "earnings") == 3300
    assert system_account("external", "stripe").balance_cents == 0
    payout.refresh_from_db()
    assert (payout.status, payout.reversed_cents) == ("reversed", 3300)
    assert Transfer.objects.filter(kind="reversal", reference=f"payout:{payout.pk}").count() == 1


def test_the_same_reversal_again_restores_nothing_more_and_a_partial_one_only_its_part(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    creator, payout = paid_creator(fake_stripe, 5000, django_capture_on_commit_callbacks)
    transfer = fake_connect.reverse_transfer(fake_stripe, payout.provider_transfer_id, 1200)

    deliver(client, fake_stripe, transfer)
    # Stripe may send the same state again under another event id.
    _, again = deliver(client, fake_stripe, transfer)
    assert again.json()["outcome"] == "processed"
    assert balance_cents(creator, "earnings") == 1200

    transfer = fake_connect.reverse_transfer(fake_stripe, payout.provider_transfer_id, 800)
    deliver(client, fake_stripe, transfer)

    assert balance_cents(creator, "earnings") == 2000
    payout.refresh_from_db()
    assert (payout.status, payout.reversed_cents) == ("paid", 2000)
    assert system_account("external", "stripe").balance_cents == 3000


def test_a_reversal_of_a_transfer_the_platform_does_not_know_moves_nothing(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    paid_creator(fake_stripe, 1000, django_capture_on_commit_callbacks)
    stranger = {"id": "tr_unknown", "object": "transfer", "amount": 1000, "amount_reversed": 1000}

    _, response = deliver(client, fake_stripe, stranger)

    assert response.status_code == 200
    assert ProviderEvent.objects.get(object_id="tr_unknown").outcome == "unknown"
    assert Transfer.objects.filter(kind="reversal").count() == 0


def test_a_forged_reversal_is_refused(client, fake_stripe, django_capture_on_commit_callbacks):
    creator, payout = paid_creator(fake_stripe, 1000, django_capture_on_commit_callbacks)
    transfer = fake_connect.reverse_transfer(fake_stripe, payout.provider_transfer_id)

    _, response = deliver(client, fake_stripe, transfer, secret="whsec_attacker")

    assert response.status_code == 400
    assert balance_cents(creator, "earnings") == 0


def test_a_reversal_that_arrives_before_its_payout_settled_is_asked_for_again(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    from tests.payouts.batches.test_payout_batch import in_transit, transfers_at_fake

    creator = stripe_creator(fake_stripe, 3000)
    fake_stripe.fail_next("POST", "/v1/transfers", after_work=True)
    with django_capture_on_commit_callbacks(execute=False):
        payout_batch_run()  # Stripe made the transfer; we never heard back.
    transfer = fake_connect.reverse_transfer(fake_stripe, transfers_at_fake(fake_stripe)[0]["id"])

    payload, early = deliver(client, fake_stripe, transfer)

    assert early.status_code == 500  # Stripe delivers it again later
    assert not ProviderEvent.objects.filter(event_type="transfer.reversed").exists()
    assert (balance_cents(creator, "earnings"), in_transit()) == (0, 3000)

    with django_capture_on_commit_callbacks(execute=True):
        payout_batch_run()  # the payout settles as paid
    later = redeliver(client, payload)

    assert later.status_code == 200 and later.json()["outcome"] == "processed"
    assert (balance_cents(creator, "earnings"), in_transit()) == (3000, 0)
