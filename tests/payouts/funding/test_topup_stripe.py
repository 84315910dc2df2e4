"""Top-ups through Stripe Checkout: the real ``stripe`` library against the local fake,
webhooks signed the way Stripe signs them."""

import pytest

from payouts.funding.models import TopUp
from payouts.ledger.models import Account, Transfer
from payouts.ledger.selectors import balance_cents
from payouts.ledger.services import system_account
from payouts.webhooks.models import ProviderEvent
from tests.factories import UserFactory
from tests.fake_stripe import checkout as stripe_side
from tests.fake_stripe import sign_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client):
    user = UserFactory()
    client.force_login(user)
    return user


def wallet(user) -> int:
    return balance_cents(user, Account.Kind.WALLET)


def start_topup(client, fake_stripe, **data) -> TopUp:
    response = client.post("/wallet/top-up/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    topup = TopUp.objects.latest("pk")
    assert response["Location"] == f"https://checkout.stripe.test/c/pay/{topup.session_id}"
    return topup


def paid_topup(client, fake_stripe, **data) -> tuple[TopUp, dict]:
    topup = start_topup(client, fake_stripe, **data)
    session = stripe_side.pay_session(fake_stripe, topup.session_id)
    event = stripe_side.event(fake_stripe, "checkout.session.completed", session)
    assert stripe_side.deliver(client, event).status_code == 200
    topup.refresh_from_db()
    return topup, session


def test_a_preset_opens_a_checkout_session_carrying_the_top_up(client, fake_stripe, reader):
    topup = start_topup(client, fake_stripe, preset="2500")

    (call,) = fake_stripe.calls("POST", "/v1/checkout/sessions")
    assert call.params["mode"] == "payment"
    assert call.params["line_items"][0]["price_data"]["unit_amount"] == "2500"
    assert call.params["line_items"][0]["price_data"]["currency"] == "eur"
    assert call.params["metadata"] == {"topup": str(topup.pk)}
    assert call.params["client_reference_id"] == str(topup.pk)
    assert call.params["success_url"].endswith(
        f"/wallet/top-up/{topup.pk}/?session_id={{CHECKOUT_SESSION_ID}}"
    )
    assert call.idempotency_key == f"topup:{topup.pk}:checkout"
    assert topup.status == TopUp.Status.PENDING
    assert topup.amount_cents == 2500
    assert wallet(reader) == 0  # nothing is credited before Stripe confirms


def test_a_custom_amount_is_accepted_within_the_limits(client, fake_stripe, reader):
    topup = start_topup(client, fake_stripe, custom_amount="12.34")

    assert topup.amount_cents == 1234


def test_a_french_reader_types_the_amount_with_a_decimal_comma(client, fake_stripe, reader):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"

    topup = start_topup(client, fake_stripe, custom_amount="12,34")

    assert topup.amount_cents == 1234


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"custom_amount": "4.99"}, "Choose an amount between €5.00 and €500.00."),
        ({"custom_amount": "500.01"}, "Choose an amount between €5.00 and €500.00."),
        ({"custom_amount": "ten"}, "Enter an amount such as 12.50 or 1,234.50."),
        ({"custom_amount": "10.001"}, "Enter an amount such as 12.50 or 1,234.50."),
        ({"custom_amount": "1e40"}, "Enter an amount such as 12.50 or 1,234.50."),
        ({"custom_amount": "1e1"}, "Enter an amount such as 12.50 or 1,234.50."),
        ({"custom_amount": "١٢"}, "Enter an amount such as 12.50 or 1,234.50."),
        ({"custom_amount": "1_000"}, "Enter an amount such as 12.50 or 1,234.50."),
        ({"custom_amount": "12,50"}, "Enter an amount such as 12.50 or 1,234.50."),
        ({"custom_amount": "1,000"}, "Choose an amount between €5.00 and €500.00."),
        ({"preset": "1234"}, "Choose one of the amounts offered."),
        ({}, "Choose an amount to add to your wallet."),
    ],
)
def test_a_bad_amount_is_explained_and_nothing_is_started(
    client, fake_stripe, reader, data, message
):
    response = client.post("/wallet/top-up/", data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TopUp.objects.exists()
    assert fake_stripe.calls("POST", "/v1/checkout/sessions") == []


def test_when_stripe_fails_the_reader_is_told_and_the_top_up_is_marked_failed(
    client, fake_stripe, reader
):
    fake_stripe.fail_next("POST", "/v1/checkout/sessions")

    response = client.post("/wallet/top-up/", {"preset": "1000"}, follow=True)

    assert "Payments are unavailable right now" in response.content.decode()
    topup = TopUp.objects.get()
    assert topup.status == TopUp.Status.FAILED
    assert wallet(reader) == 0


def test_the_return_page_never_credits_the_wallet(client, fake_stripe, reader):
    topup = start_topup(client, fake_stripe, preset="1000")
    stripe_side.pay_session(fake_stripe, topup.session_id)

    response = client.get(f"/wallet/top-up/{topup.pk}/?session_id={topup.session_id}")

    assert "waiting for the payment provider to confirm" in response.content.decode()
    assert wallet(reader) == 0


def test_another_reader_cannot_see_a_top_up(client, fake_stripe, reader):
    topup = start_topup(client, fake_stripe, preset="1000")
    client.force_login(UserFactory())

    assert client.get(f"/wallet/top-up/{topup.pk}/").status_code == 404


def test_the_signed_completion_webhook_credits_the_wallet(client, fake_stripe, reader):
    topup, session = paid_topup(client, fake_stripe, preset="2500")

    assert wallet(reader) == 2500
    assert topup.status == TopUp.Status.PAID
    assert topup.payment_id == session["payment_intent"]
    transfer = Transfer.objects.get(idempotency_key=f"topup:{topup.pk}")
    assert transfer.kind == "top_up"
    assert transfer.debit == system_account(Account.Kind.EXTERNAL, "stripe")
    assert "Payment received" in client.get(f"/wallet/top-up/{topup.pk}/").content.decode()


def test_a_replayed_event_credits_once(client, fake_stripe, reader):
    topup = start_topup(client, fake_stripe, preset="1000")
    session = stripe_side.pay_session(fake_stripe, topup.session_id)
    event = stripe_side.event(fake_stripe, "checkout.session.completed", session)

    answers = [stripe_side.deliver(client, event) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json()["replay"] for a in answers] == [False, True, True]
    assert wallet(reader) == 1000
    assert ProviderEvent.objects.filter(event_id=event["id"]).count() == 1
    assert Transfer.objects.filter(kind="top_up").count() == 1


def test_a_second_event_for_the_same_session_credits_nothing_more(client, fake_stripe, reader):
    """Stripe may send completed and async_payment_succeeded for one session: the session id
    (and the ledger key) make the top-up apply once."""
    topup, session = paid_topup(client, fake_stripe, preset="1000")
    other = stripe_side.event(fake_stripe, "checkout.session.async_payment_succeeded", session)

    assert stripe_side.deliver(client, other).status_code == 200
    assert wallet(reader) == 1000


@pytest.mark.parametrize(
    "signature",
    [
        "",  # missing
        "t=1,v1=0000",  # forged
        "garbage",
        sign_payload("{}", "whsec_someone_else"),  # another secret
    ],
)
def test_a_forged_or_missing_signature_is_refused_and_changes_nothing(
    client, fake_stripe, reader, signature
):
    topup = start_topup(client, fake_stripe, preset="1000")
    session = stripe_side.pay_session(fake_stripe, topup.session_id)
    event = stripe_side.event(fake_stripe, "checkout.session.completed", session)

    response = stripe_side.deliver(client, event, signature=signature)

    assert response.status_code == 400
    assert not ProviderEvent.objects.exists()
    assert wallet(reader) == 0


def test_a_correctly_signed_but_stale_event_is_refused(client, fake_stripe, reader):
    import json
    import time

    topup = start_topup(client, fake_stripe, preset="1000")
    session = stripe_side.pay_session(fake_stripe, topup.session_id)
    event = stripe_side.event(fake_stripe, "checkout.session.completed", session)
    old = sign_payload(json.dumps(event), "whsec_test_platform", timestamp=int(time.time()) - 3600)

    assert stripe_side.deliver(client, event, signature=old).status_code == 400
    assert wallet(reader) == 0


def test_a_signed_body_that_was_altered_is_refused(client, fake_stripe, reader):
    import json

    topup = start_topup(client, fake_stripe, preset="1000")
    session = stripe_side.pay_session(fake_stripe, topup.session_id)
    event = stripe_side.event(fake_stripe, "checkout.session.completed", session)
    header = sign_payload(json.dumps(event), "whsec_test_platform")
    event["data"]["object"]["amount_total"] = 99999

    assert stripe_side.deliver(client, event, signature=header).status_code == 400
    assert wallet(reader) == 0


def test_the_webhook_needs_no_csrf_token_but_only_accepts_post(fake_stripe):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    event = {"id": "evt_x", "type": "ping", "data": {"object": {}}}

    assert stripe_side.deliver(strict, event).status_code == 200
    assert strict.get("/webhooks/stripe/").status_code == 405
    assert ProviderEvent.objects.get().outcome == ProviderEvent.Outcome.IGNORED


def test_without_a_configured_secret_events_are_refused_for_later(client, fake_stripe, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    event = {"id": "evt_x", "type": "ping", "data": {"object": {}}}

    assert stripe_side.deliver(client, event).status_code == 503
    assert not ProviderEvent.objects.exists()


def test_an_unknown_session_is_recorded_and_credits_nothing(client, fake_stripe, reader):
    session = {
        "id": "cs_test_from_elsewhere",
        "object": "checkout.session",
        "payment_status": "paid",
        "amount_total": 5000,
        "currency": "eur",
        "metadata": {},
        "payment_intent": "pi_elsewhere",
    }
    event = stripe_side.event(fake_stripe, "checkout.session.completed", session)

    response = stripe_side.deliver(client, event)

    assert response.status_code == 200
    assert response.json()["outcome"] == "unknown"
    record = ProviderEvent.objects.get(event_id=event["id"])
    assert record.outcome == ProviderEvent.Outcome.UNKNOWN
    assert record.top_up is None
    assert not Transfer.objects.exists()


def test_metadata_naming_another_sessions_top_up_credits_nothing(client, fake_stripe, reader):
    topup = start_topup(client, fake_stripe, preset="1000")
    session = stripe_side.pay_session(fake_stripe, topup.session_id)
    session = dict(session, id="cs_test_other")
    event = stripe_side.event(fake_stripe, "checkout.session.completed", session)

    assert stripe_side.deliver(client, event).json()["outcome"] == "unknown"
    assert wallet(reader) == 0


def test_a_session_whose_amount_differs_from_the_top_up_is_rejected(client, fake_stripe, reader):
    topup = start_topup(client, fake_stripe, preset="1000")
    session = stripe_side.pay_session(fake_stripe, topup.session_id)
    session["amount_total"] = 100000
    event = stripe_side.event(fake_stripe, "checkout.session.completed", session)

    assert stripe_side.deliver(client, event).json()["outcome"] == "rejected"
    assert wallet(reader) == 0
    topup.refresh_from_db()
    assert topup.status == TopUp.Status.PENDING


def test_a_delayed_payment_is_credited_only_when_it_succeeds(client, fake_stripe, reader):
    topup = start_topup(client, fake_stripe, preset="5000")
    session = stripe_side.pay_session(fake_stripe, topup.session_id, delayed=True)
    completed = stripe_side.event(fake_stripe, "checkout.session.completed", session)

    assert stripe_side.deliver(client, completed).status_code == 200
    assert wallet(reader) == 0
    topup.refresh_from_db()
    assert topup.status == TopUp.Status.PENDING

    settled = stripe_side.settle_session(fake_stripe, topup.session_id)
    succeeded = stripe_side.event(fake_stripe, "checkout.session.async_payment_succeeded", settled)
    assert stripe_side.deliver(client, succeeded).status_code == 200
    assert wallet(reader) == 5000
    topup.refresh_from_db()
    assert topup.status == TopUp.Status.PAID


def test_a_delayed_payment_that_fails_credits_nothing(client, fake_stripe, reader):
    topup = start_topup(client, fake_stripe, preset="5000")
    session = stripe_side.pay_session(fake_stripe, topup.session_id, delayed=True)
    stripe_side.deliver(
        client, stripe_side.event(fake_stripe, "checkout.session.completed", session)
    )

    failed = stripe_side.event(fake_stripe, "checkout.session.async_payment_failed", session)
    assert stripe_side.deliver(client, failed).status_code == 200

    topup.refresh_from_db()
    assert topup.status == TopUp.Status.FAILED
    assert wallet(reader) == 0
    assert "The payment failed" in client.get(f"/wallet/top-up/{topup.pk}/").content.decode()


def test_a_webhook_that_overtakes_the_stored_session_id_finds_the_top_up_by_metadata(
    client, fake_stripe, reader
):
    """The row is written before Stripe is called; if the event comes before the session id
    is saved, the top-up id in the metadata finds it."""
    topup = start_topup(client, fake_stripe, preset="1000")
    session_id = topup.session_id
    TopUp.objects.filter(pk=topup.pk).update(session_id="", status=TopUp.Status.CREATED)
    session = stripe_side.pay_session(fake_stripe, session_id)

    stripe_side.deliver(
        client, stripe_side.event(fake_stripe, "checkout.session.completed", session)
    )

    topup.refresh_from_db()
    assert wallet(reader) == 1000
    assert topup.session_id == session_id


def spend(user, cents):
    from payouts.ledger.services import earnings_of, post_transfer, wallet_of

    post_transfer(
        debit=wallet_of(user),
        credit=earnings_of(UserFactory()),
        amount_cents=cents,
        idempotency_key=f"spend:{user.pk}:{cents}",
        kind="distribution",
    )


def test_a_refund_larger_than_the_wallet_empties_it_and_books_the_rest_to_losses(
    client, fake_stripe, reader
):
    topup, session = paid_topup(client, fake_stripe, preset="2500")
    spend(reader, 2000)  # payday already gave most of it to creators
    charge = stripe_side.refund(fake_stripe, session["payment_intent"], 2500)

    response = stripe_side.deliver(
        client, stripe_side.event(fake_stripe, "charge.refunded", charge)
    )

    assert response.status_code == 200
    assert wallet(reader) == 0
    losses = system_account(Account.Kind.LOSSES)
    external = system_account(Account.Kind.EXTERNAL, "stripe")
    assert Account.objects.get(pk=losses.pk).balance_cents == -2000
    assert Account.objects.get(pk=external.pk).balance_cents == 0  # all 25.00 went back
    refund = Transfer.objects.get(kind="refund")
    loss = Transfer.objects.get(kind="loss")
    assert (refund.amount_cents, refund.credit_id) == (500, external.pk)
    assert (loss.amount_cents, loss.debit_id, loss.credit_id) == (2000, losses.pk, external.pk)
    assert {refund.reference, loss.reference} == {f"topup:{topup.pk}"}


def test_partial_refunds_are_each_booked_once_even_replayed_and_out_of_order(
    client, fake_stripe, reader
):
    topup, session = paid_topup(client, fake_stripe, preset="5000")
    first = stripe_side.event(
        fake_stripe,
        "charge.refunded",
        stripe_side.refund(fake_stripe, session["payment_intent"], 1000),
    )
    second = stripe_side.event(
        fake_stripe,
        "charge.refunded",
        stripe_side.refund(fake_stripe, session["payment_intent"], 1500),
    )

    for event in (second, first, second, first):
        assert stripe_side.deliver(client, event).status_code == 200

    assert wallet(reader) == 2500
    topup.refresh_from_db()
    assert topup.refunded_cents == 2500
    assert (
        sum(Transfer.objects.filter(kind="refund").values_list("amount_cents", flat=True)) == 2500
    )


def test_a_dispute_takes_the_money_back_once(client, fake_stripe, reader):
    topup, session = paid_topup(client, fake_stripe, preset="1000")
    spend(reader, 300)
    dispute = stripe_side.dispute(fake_stripe, session["payment_intent"])
    event = stripe_side.event(fake_stripe, "charge.dispute.created", dispute)

    for _ in range(2):
        assert stripe_side.deliver(client, event).status_code == 200
    # Even a second event about the same dispute (another id) books nothing more.
    again = stripe_side.event(fake_stripe, "charge.dispute.created", dispute)
    assert stripe_side.deliver(client, again).status_code == 200

    assert wallet(reader) == 0
    assert Transfer.objects.get(kind="dispute").amount_cents == 700
    assert Transfer.objects.get(kind="loss").amount_cents == 300
    history = client.get("/wallet/").content.decode()
    assert "Payment disputed" in history


def test_a_refund_of_a_payment_we_never_saw_is_recorded_and_moves_nothing(client, fake_stripe):
    charge = {"id": "ch_x", "object": "charge", "payment_intent": "pi_x", "amount_refunded": 500}

    response = stripe_side.deliver(
        client, stripe_side.event(fake_stripe, "charge.refunded", charge)
    )

    assert response.status_code == 200
    assert ProviderEvent.objects.get().outcome == ProviderEvent.Outcome.UNKNOWN
    assert not Transfer.objects.exists()


def test_a_refund_arriving_before_the_payment_is_confirmed_is_asked_again_later(
    client, fake_stripe, reader
):
    """Stripe does not promise order. Booking the refund before the credit would lose it,
    so the event is refused unstored and Stripe delivers it again."""
    topup = start_topup(client, fake_stripe, preset="1000")
    session = stripe_side.pay_session(fake_stripe, topup.session_id)
    TopUp.objects.filter(pk=topup.pk).update(payment_id=session["payment_intent"])
    charge = stripe_side.refund(fake_stripe, session["payment_intent"], 1000)
    early = stripe_side.event(fake_stripe, "charge.refunded", charge)

    assert stripe_side.deliver(client, early).status_code == 500
    assert not ProviderEvent.objects.filter(event_id=early["id"]).exists()

    stripe_side.deliver(
        client, stripe_side.event(fake_stripe, "checkout.session.completed", session)
    )
    assert stripe_side.deliver(client, early).status_code == 200
    assert wallet(reader) == 0
    assert Transfer.objects.get(kind="refund").amount_cents == 1000


def test_the_checkout_session_creation_is_idempotent_at_stripe(fake_stripe):
    """Retrying the same top-up's session (a timeout) reuses its key and gets the same session."""
    from payouts.stripe_gateway.checkout import create_session

    arguments = dict(
        topup_id=7,
        amount_cents=1000,
        currency="EUR",
        product_name="Wallet top-up",
        customer_email="a@example.com",
        success_url="https://example.com/ok",
        cancel_url="https://example.com/no",
        idempotency_key="topup:7:checkout",
    )
    first = create_session(**arguments)
    second = create_session(**arguments)

    assert first["id"] == second["id"]
    assert len(fake_stripe.objects["checkout_sessions"]) == 1
