"""Saved cards and pay-after-the-month charges through the fake Stripe server (the real
``stripe`` library talks to it): the setup session, the customer keyed by our row, off-session
payments that succeed, decline, need authentication or lose their answer, and a payment that
succeeds twice."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from payouts.cards.charges import charge_collect, charges_due
from payouts.cards.models import Charge, ChargeAttempt, PaymentCustomer
from payouts.cards.services import card_remove, consent_text
from payouts.ledger.models import Account, Transfer
from payouts.ledger.selectors import balance_cents
from tests.factories import UserFactory
from tests.fake_stripe.cards import pay_charge_session, set_card_behaviour
from tests.fake_stripe.checkout import deliver, event
from tests.payouts.cards.helpers import (
    intent_event,
    month_charge,
    pay_after_month,
    save_stripe_card,
)
from tests.tips.payday import helpers as payday
from tests.tips.payday.helpers import MONTH, click, commission_total, wallet
from tips.clicks.selectors import reader_blocker
from tips.payday.keys import commission_key, share_key

pytestmark = pytest.mark.django_db


def earnings(creator) -> int:
    """What the creator was credited: these readers' accounts are new, so their card payments
    are risky and the shares sit in held earnings until the hold ends (test_charge_holds)."""
    return payday.earnings(creator) + balance_cents(creator, Account.Kind.HELD)


def world(client, fake, number="4242424242424242", budget=1000):
    reader = UserFactory()
    save_stripe_card(client, fake, reader, number)
    pay_after_month(reader, budget)
    creators = UserFactory.create_batch(2)
    for creator in creators:
        click(reader, creator)
    return reader, creators


def test_a_card_saved_through_checkout_setup_is_shown_with_its_consent(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    reader = UserFactory()
    card = save_stripe_card(client, fake_stripe, reader, "4242424242424242")
    assert (card.brand, card.last4, card.exp_month, card.exp_year) == ("visa", "4242", 4, 2031)
    assert card.consent_text == consent_text() and card.consented_at is not None
    customer = PaymentCustomer.objects.get(user=reader)
    created = fake_stripe.calls("POST", "/v1/customers")
    assert len(created) == 1 and created[0].idempotency_key == f"customer:{customer.pk}"
    # Replacing it: a second setup, the same customer, the old card detached at Stripe.
    with django_capture_on_commit_callbacks(execute=True):
        second = save_stripe_card(client, fake_stripe, reader, "4000000000000002")
    card.refresh_from_db()
    assert card.removed_at is not None and second.last4 == "0002"
    assert len(fake_stripe.calls("POST", "/v1/customers")) == 1
    assert fake_stripe.get("payment_methods", card.payment_method_id)["customer"] is None
    client.force_login(reader)
    page = client.get("/wallet/").content.decode()
    assert "•••• 0002" in page and "expires 04/2031" in page
    card_remove(user=reader)
    assert "•••• 0002" not in client.get("/wallet/").content.decode()


def test_pay_after_the_month_moves_money_only_once_the_signed_webhook_says_succeeded(
    client, fake_stripe, run_payday
):
    reader, creators = world(client, fake_stripe)
    run = run_payday(MONTH)
    assert run.status == "done"
    charge = month_charge(reader)
    attempt = charge.attempts.get()
    assert attempt.status == ChargeAttempt.Status.SUCCEEDED and attempt.payment_intent_id
    created = fake_stripe.calls("POST", "/v1/payment_intents")
    assert [r.idempotency_key for r in created] == [f"charge:{charge.pk}:attempt:1"]
    assert created[0].params["off_session"] == "true" and created[0].params["amount"] == "1000"
    # Nothing moved yet: Stripe's answer is not the signed confirmation.
    assert charge.status == Charge.Status.PENDING
    assert [earnings(c) for c in creators] == [0, 0]
    deliver(client, intent_event(fake_stripe, attempt.payment_intent_id))
    charge.refresh_from_db()
    assert charge.status == Charge.Status.SUCCEEDED
    assert sorted(earnings(c) for c in creators) == [450, 450]
    assert commission_total() == 100 and wallet(reader) == 0
    keys = set(
        Transfer.objects.filter(reference="payday:2025-03")
        .exclude(kind=Transfer.Kind.HOLD)
        .values_list("idempotency_key", flat=True)
    )
    assert keys == {commission_key(MONTH, reader.pk)} | {
        share_key(MONTH, reader.pk, c.pk) for c in creators
    }
    # The webhook again (Stripe retries): nothing twice.
    deliver(client, intent_event(fake_stripe, attempt.payment_intent_id))
    assert sorted(earnings(c) for c in creators) == [450, 450]


def test_declines_are_retried_on_schedule_then_not_collected_and_clicks_blocked(
    client, fake_stripe, run_payday, settings, django_capture_on_commit_callbacks
):
    settings.CHARGE_RETRY_DAYS = [1, 3]
    reader, creators = world(client, fake_stripe, "4000000000000002")
    run_payday(MONTH)
    charge = month_charge(reader)
    assert charge.status == Charge.Status.PENDING and charge.declines == 1
    first_due = charge.next_attempt_at
    assert first_due - timezone.now() > dt.timedelta(hours=23)
    assert charges_due() == 0  # not due yet
    charges_due(now=first_due + dt.timedelta(minutes=1))
    charge.refresh_from_db()
    assert charge.declines == 2 and charge.attempts.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        charges_due(now=charge.next_attempt_at + dt.timedelta(minutes=1))
    charge.refresh_from_db()
    assert charge.status == Charge.Status.FAILED and charge.attempts.count() == 3
    assert [earnings(c) for c in creators] == [0, 0]
    assert reader_blocker(reader).code == "card_failed"
    assert any("could not be collected" in m.subject for m in mail.outbox)
    # A card that works lifts the block.
    save_stripe_card(client, fake_stripe, reader, "4242424242424242")
    assert reader_blocker(reader) is None


def test_a_decline_then_a_success_pays_once(client, fake_stripe, run_payday):
    reader, creators = world(client, fake_stripe, "4000000000009995")
    run_payday(MONTH)
    charge = month_charge(reader)
    set_card_behaviour(fake_stripe, charge.card.payment_method_id, "4242424242424242")
    charge_collect(charge.pk, force=True)
    second = charge.attempts.get(number=2)
    deliver(client, intent_event(fake_stripe, second.payment_intent_id))
    assert sorted(earnings(c) for c in creators) == [450, 450]


def test_authentication_stops_retries_and_the_link_pays_the_exact_amount(
    client, fake_stripe, run_payday
):
    reader, creators = world(client, fake_stripe, "4000002760003184")
    run_payday(MONTH)
    charge = month_charge(reader)
    assert charge.status == Charge.Status.NEEDS_ACTION
    first = charge.attempts.get()
    assert first.status == ChargeAttempt.Status.REQUIRES_ACTION
    assert charges_due(now=timezone.now() + dt.timedelta(days=30)) == 0  # no more retries
    notice = next(m for m in mail.outbox if "confirm a payment" in m.subject)
    link = f"/wallet/charge/{charge.pk}/pay/{charge.action_token}/"
    assert link in notice.body
    client.force_login(reader)
    assert "Pay it now" in client.get("/wallet/").content.decode()
    response = client.get(link)
    assert response.status_code == 302 and "checkout.stripe.test" in response["Location"]
    assert fake_stripe.get("payment_intents", first.payment_intent_id)["status"] == "canceled"
    second = charge.attempts.get(number=2)
    session = fake_stripe.get("checkout_sessions", second.session_id)
    assert (
        session["amount_total"] == 1000 and session["metadata"]["attempt"] == second.idempotency_key
    )
    paid = pay_charge_session(fake_stripe, second.session_id)
    deliver(client, event(fake_stripe, "checkout.session.completed", paid))
    charge.refresh_from_db()
    assert charge.status == Charge.Status.SUCCEEDED
    assert sorted(earnings(c) for c in creators) == [450, 450]


def test_a_second_success_for_one_charge_is_refunded_at_once(
    client, fake_stripe, run_payday, django_capture_on_commit_callbacks
):
    reader, creators = world(client, fake_stripe, "4000002760003184")
    run_payday(MONTH)
    charge = month_charge(reader)
    client.force_login(reader)
    client.get(f"/wallet/charge/{charge.pk}/pay/{charge.action_token}/")
    checkout = charge.attempts.get(number=2)
    paid = pay_charge_session(fake_stripe, checkout.session_id)
    deliver(client, event(fake_stripe, "checkout.session.completed", paid))
    # The same charge paid again (say the reader paid from an older page too).
    extra = pay_charge_session(fake_stripe, _another_session(client, fake_stripe, charge))
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, intent_event(fake_stripe, extra["payment_intent"]))
    assert sorted(earnings(c) for c in creators) == [450, 450]
    refunds = fake_stripe.calls("POST", "/v1/refunds")
    assert [r.params["payment_intent"] for r in refunds] == [extra["payment_intent"]]
    assert ChargeAttempt.objects.filter(charge=charge, status="refunded").count() == 1
    assert wallet(reader) == 0


def _another_session(client, fake, charge):
    """A second payment page for an already paid charge, made at Stripe directly."""
    attempt = ChargeAttempt.objects.create(
        charge=charge, number=9, via=ChargeAttempt.Via.CHECKOUT, status="canceled"
    )
    from payouts.cards.providers import StripeCards

    session_id, _url = StripeCards().start_checkout(
        attempt,
        customer_id=PaymentCustomer.objects.get(user=charge.user).customer_id,
        return_url="http://testserver/wallet/",
    )
    return session_id


def test_a_lost_answer_is_asked_about_before_trying_again(client, fake_stripe, run_payday):
    reader, creators = world(client, fake_stripe)
    fake_stripe.fail_next("POST", "/v1/payment_intents", after_work=True)
    run_payday(MONTH)
    charge = month_charge(reader)
    attempt = charge.attempts.get()
    assert attempt.status == ChargeAttempt.Status.CREATED and not attempt.payment_intent_id
    # Days later Stripe has forgotten the key: the retry finds the payment by its metadata.
    charge_collect(charge.pk, now=timezone.now() + dt.timedelta(days=2), force=True)
    attempt.refresh_from_db()
    assert attempt.status == ChargeAttempt.Status.SUCCEEDED and attempt.payment_intent_id
    assert len(fake_stripe.objects["payment_intents"]) == 1
    assert charge.attempts.count() == 1
    deliver(client, intent_event(fake_stripe, attempt.payment_intent_id))
    assert sorted(earnings(c) for c in creators) == [450, 450]
