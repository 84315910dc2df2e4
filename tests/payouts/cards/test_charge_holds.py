"""A saved card's payment is a card payment like a top-up (docs/PRODUCT.md, Holds): its TopUp
row carries the card and the hold date, the shares a risky month charge funds are held, and
reconciliation finds the payment under its TopUp, all through the fake Stripe server."""

import datetime as dt

import pytest
from django.utils import timezone

from payouts.cards.charges import charge_collect
from payouts.cards.models import Charge
from payouts.cards.services import auto_top_up_set
from payouts.cards.topups import auto_top_ups_create
from payouts.funding.models import Hold
from payouts.ledger.checks import ledger_check
from payouts.ledger.models import Account
from payouts.ledger.selectors import balance_cents
from payouts.reconciliation.services import reconcile
from tests.factories import UserFactory
from tests.fake_stripe.checkout import deliver
from tests.payouts.cards.helpers import intent_event, month_charge, save_stripe_card
from tests.payouts.cards.test_cards_stripe import world
from tests.tips.payday.helpers import MONTH, set_budget
from tips.payday.keys import share_key

pytestmark = pytest.mark.django_db


def _fingerprint(fake, card) -> str:
    return fake.get("payment_methods", card.payment_method_id)["card"]["fingerprint"]


def _today() -> dt.date:
    return timezone.now().astimezone(dt.UTC).date()


def test_a_risky_month_charge_holds_the_shares_it_pays(client, fake_stripe, run_payday):
    reader, creators = world(client, fake_stripe)  # a new account: its payments are risky
    run_payday(MONTH)
    charge = month_charge(reader)
    deliver(client, intent_event(fake_stripe, charge.attempts.get().payment_intent_id))
    charge.refresh_from_db()
    assert charge.status == Charge.Status.SUCCEEDED
    topup = charge.topup
    assert topup.payment_id == charge.payment_id and topup.hold_until is not None
    assert topup.card_fingerprint == _fingerprint(fake_stripe, charge.card)
    assert topup.spent_cents == topup.amount_cents == 1000
    holds = Hold.objects.filter(top_up=topup)
    assert {(h.creator_id, h.share_key, h.held_cents) for h in holds} == {
        (c.pk, share_key(MONTH, reader.pk, c.pk), 450) for c in creators
    }
    for creator in creators:
        assert balance_cents(creator, Account.Kind.HELD) == 450
        assert balance_cents(creator, Account.Kind.EARNINGS) == 0
    # Stripe's charge and its fee match the ledger's payment, found by its TopUp.
    report = reconcile(day=_today())
    assert report.ok, report.differences
    assert report.fees_booked_cents > 0
    assert ledger_check(record=False).ok


def test_an_automatic_top_up_carries_the_card_and_its_hold_date(client, fake_stripe):
    reader = UserFactory()
    card = save_stripe_card(client, fake_stripe, reader)
    set_budget(reader, 1000)
    auto_top_up_set(user=reader, amount_cents=2500)
    [charge_id] = auto_top_ups_create(month=MONTH)
    charge_collect(charge_id)
    charge = Charge.objects.get(pk=charge_id)
    deliver(client, intent_event(fake_stripe, charge.attempts.get().payment_intent_id))
    charge.refresh_from_db()
    topup = charge.topup
    assert balance_cents(reader, Account.Kind.WALLET) == 2500
    assert topup.hold_until is not None and topup.spent_cents == 0
    assert topup.card_fingerprint == _fingerprint(fake_stripe, card)
    report = reconcile(day=_today())
    assert report.ok, report.differences
