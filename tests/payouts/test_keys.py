"""The keys that find work already done are frozen (docs/PRODUCT.md, "Contracts that never change").

A re-run after a crash finds its transfers only through their idempotency keys, and
Stripe finds its objects only through the keys and metadata we send. Each test
drives the real service (the batch against the fake Stripe, a top-up through the
signed webhook) and compares every key it wrote with literal strings built from row
ids only, so a change of one character, or an extra or missing transfer, fails here.
The payday keys are pinned in tests/tips/payday/.
"""

import json

import pytest
from django.urls import reverse

from payouts.batches.models import Payout
from payouts.batches.runs import payout_batch_run
from payouts.connect.models import PaymentAccount
from payouts.funding.models import TopUp
from payouts.ledger.models import Transfer
from payouts.ledger.services import earnings_of, post_transfer, wallet_of
from tests.factories import UserFactory
from tests.fake_stripe import checkout as fake_checkout
from tests.fake_stripe import connect as fake_connect
from tests.fake_stripe import sign_payload
from tests.payouts.batches.test_payout_batch import stripe_creator

pytestmark = pytest.mark.django_db


def ledger(reference: str) -> list[tuple[str, str, int]]:
    """(idempotency key, kind, cents) of every transfer written under ``reference``, in order."""
    return list(
        Transfer.objects.filter(reference=reference)
        .order_by("pk")
        .values_list("idempotency_key", "kind", "amount_cents")
    )


def transfer_calls(fake_stripe) -> list:
    return fake_stripe.calls("POST", "/v1/transfers")


# --- Payouts ---------------------------------------------------------------------------


def run_batch(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return payout_batch_run()


def test_a_paid_payout_is_written_under_payout_pk_and_sent_as_payout_dash_pk(
    fake_stripe, django_capture_on_commit_callbacks
):
    creator = stripe_creator(fake_stripe, 2550)

    summary = run_batch(django_capture_on_commit_callbacks)

    payout = Payout.objects.get(user=creator)
    p = payout.pk
    assert ledger(f"payout:{p}") == [
        (f"payout:{p}", "payout", 2550),
        (f"payout:{p}:paid", "payout_paid", 2550),
    ]
    (call,) = transfer_calls(fake_stripe)
    assert call.idempotency_key == f"payout-{p}"
    assert call.params["transfer_group"] == f"payout-batch-{summary.batch}"
    assert call.params["metadata"] == {"payout": f"{p}", "creator": f"{creator.pk}"}


def test_a_payout_refused_at_once_is_returned_under_attempt_one(
    fake_stripe, django_capture_on_commit_callbacks
):
    creator = stripe_creator(fake_stripe, 1800)
    del fake_stripe.objects["accounts"][creator.payment_account.provider_account_id]

    run_batch(django_capture_on_commit_callbacks)

    p = Payout.objects.get(user=creator).pk
    assert ledger(f"payout:{p}") == [
        (f"payout:{p}", "payout", 1800),
        (f"payout:{p}:returned:1", "payout_returned", 1800),
    ]


def test_a_payout_refused_on_its_retry_is_returned_under_that_attempt_and_the_same_key(
    fake_stripe, django_capture_on_commit_callbacks
):
    creator = stripe_creator(fake_stripe, 3000)
    fake_stripe.fail_next("POST", "/v1/transfers", status=500)  # unknown outcome: retried
    fake_stripe.balance_cents = 10  # the retry is refused

    summary = run_batch(django_capture_on_commit_callbacks)

    payout = Payout.objects.get(user=creator)
    p = payout.pk
    assert (payout.status, payout.attempts) == ("failed", 2)
    assert ledger(f"payout:{p}") == [
        (f"payout:{p}", "payout", 3000),
        (f"payout:{p}:returned:2", "payout_returned", 3000),
    ]
    sent = [
        (r.idempotency_key, r.params["transfer_group"])
        for r in fake_stripe.requests
        if (r.method, r.path) == ("POST", "/v1/transfers")
    ]
    assert sent == [(f"payout-{p}", f"payout-batch-{summary.batch}")] * 2
    # Before sending again, the retry looked for a transfer of the first attempt.
    (search,) = fake_stripe.calls("GET", "/v1/transfers")
    assert search.params["transfer_group"] == f"payout-batch-{summary.batch}"


def test_reversals_are_restored_under_keys_naming_the_cumulative_total(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    creator = stripe_creator(fake_stripe, 5000)
    run_batch(django_capture_on_commit_callbacks)
    payout = Payout.objects.get(user=creator)
    p = payout.pk

    for cents in (1200, 800):
        transfer = fake_connect.reverse_transfer(fake_stripe, payout.provider_transfer_id, cents)
        payload, signature = fake_connect.signed_event(
            fake_stripe, "transfer.reversed", transfer, "whsec_test_platform"
        )
        response = client.post(
            "/webhooks/stripe/",
            data=payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=signature,
        )
        assert response.json()["outcome"] == "processed"

    assert ledger(f"payout:{p}") == [
        (f"payout:{p}", "payout", 5000),
        (f"payout:{p}:paid", "payout_paid", 5000),
        (f"payout:{p}:reversed:1200", "reversal", 1200),
        (f"payout:{p}:reversed:2000", "reversal", 800),
    ]


def test_a_sandbox_payout_uses_the_same_keys(settings, django_capture_on_commit_callbacks):
    from tests.factories import PaymentAccountFactory, give_earnings

    settings.PAYMENTS_SANDBOX = True
    creator = PaymentAccountFactory().user
    give_earnings(creator, 1500)

    run_batch(django_capture_on_commit_callbacks)

    p = Payout.objects.get(user=creator).pk
    assert ledger(f"payout:{p}") == [
        (f"payout:{p}", "payout", 1500),
        (f"payout:{p}:paid", "payout_paid", 1500),
    ]


# --- Top-ups ----------------------------------------------------------------------------


@pytest.fixture
def reader(client):
    user = UserFactory()
    client.force_login(user)
    return user


def deliver(client, fake_stripe, event_type: str, obj: dict) -> None:
    event = fake_checkout.event(fake_stripe, event_type, obj)
    body = json.dumps(event)
    response = client.post(
        "/webhooks/stripe/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign_payload(body, "whsec_test_platform"),
    )
    assert response.status_code == 200, response.content


def paid_topup(client, fake_stripe, cents: int) -> tuple[TopUp, dict]:
    assert client.post("/wallet/top-up/", {"preset": str(cents)}).status_code == 302
    topup = TopUp.objects.latest("pk")
    session = fake_checkout.pay_session(fake_stripe, topup.session_id)
    deliver(client, fake_stripe, "checkout.session.completed", session)
    return topup, session


def spend(reader, cents: int) -> None:
    """Payday gave part of the wallet to a creator (its own keys, not pinned here)."""
    post_transfer(
        debit=wallet_of(reader),
        credit=earnings_of(UserFactory()),
        amount_cents=cents,
        idempotency_key=f"test-spend:{reader.pk}:{cents}",
        kind="distribution",
    )


def test_a_stripe_top_up_opens_checkout_under_its_key_and_is_credited_under_topup_pk(
    client, fake_stripe, reader
):
    topup, _session = paid_topup(client, fake_stripe, 2500)
    t = topup.pk

    (call,) = fake_stripe.calls("POST", "/v1/checkout/sessions")
    assert call.idempotency_key == f"topup:{t}:checkout"
    assert call.params["client_reference_id"] == f"{t}"
    assert call.params["metadata"] == {"topup": f"{t}"}
    assert call.params["payment_intent_data"]["metadata"] == {"topup": f"{t}"}
    assert ledger(f"topup:{t}") == [(f"topup:{t}", "top_up", 2500)]


def test_refunds_are_taken_back_under_keys_naming_the_refunded_total_and_losses_under_loss(
    client, fake_stripe, reader
):
    topup, session = paid_topup(client, fake_stripe, 2500)
    t = topup.pk
    spend(reader, 2000)  # 5.00 left in the wallet

    for cents in (1000, 500):
        charge = fake_checkout.refund(fake_stripe, session["payment_intent"], cents)
        deliver(client, fake_stripe, "charge.refunded", charge)

    assert ledger(f"topup:{t}") == [
        (f"topup:{t}", "top_up", 2500),
        (f"topup:{t}:refund:1000", "refund", 500),
        (f"topup:{t}:refund:1000:loss", "loss", 500),
        (f"topup:{t}:refund:1500:loss", "loss", 500),
    ]


def test_a_dispute_is_taken_back_under_a_key_naming_the_dispute(client, fake_stripe, reader):
    topup, session = paid_topup(client, fake_stripe, 1000)
    t = topup.pk
    spend(reader, 300)
    dispute = fake_checkout.dispute(fake_stripe, session["payment_intent"])
    d = dispute["id"]

    deliver(client, fake_stripe, "charge.dispute.created", dispute)

    assert ledger(f"topup:{t}") == [
        (f"topup:{t}", "top_up", 1000),
        (f"topup:{t}:dispute:{d}", "dispute", 700),
        (f"topup:{t}:dispute:{d}:loss", "loss", 300),
    ]


def test_a_sandbox_top_up_is_credited_under_topup_pk(client, settings, reader):
    settings.PAYMENTS_SANDBOX = True
    client.post("/wallet/top-up/", {"preset": "1000"})
    topup = TopUp.objects.get()

    client.post(reverse("payouts:sandbox_checkout", args=[topup.session_id]), {"action": "pay"})

    assert ledger(f"topup:{topup.pk}") == [(f"topup:{topup.pk}", "top_up", 1000)]


# --- Connect ----------------------------------------------------------------------------


def test_a_connected_account_is_created_under_connect_account_pk(client, fake_stripe):
    creator = UserFactory()
    client.force_login(creator)

    client.post(reverse("payouts:connect_start"))

    account = PaymentAccount.objects.get(user=creator)
    (call,) = fake_stripe.calls("POST", "/v1/accounts")
    assert call.idempotency_key == f"connect-account-{account.pk}"
    assert call.params["metadata"] == {"platform_reference": f"user:{creator.pk}"}
