"""One card funding many accounts (docs/PRODUCT.md, First payouts and velocity): the card is
only known once Stripe took the payment, so a payment by a card that already funded
CARD_MAX_ACCOUNTS other accounts in the window is held (like any risky payment) and listed
for operators, whatever the account's own history."""

import datetime as dt

import pytest
import time_machine

from accounts.models import LimitHit
from payouts.funding.models import TopUp
from tests.payouts.holds.helpers import old_reader, webhook_topup

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def only_the_card_rule(settings):
    # Readers with history: nothing else would hold their payments.
    settings.HOLD_NEW_ACCOUNT_DAYS = 0
    settings.HOLD_MIN_EARLIER_PAYMENTS = 0
    settings.CARD_MAX_ACCOUNTS = 2
    settings.CARD_ACCOUNTS_WINDOW_DAYS = 30


def test_the_card_paying_for_a_third_account_is_held_and_recorded(client, fake_stripe):
    a, b, c = old_reader(), old_reader(), old_reader()
    first, _ = webhook_topup(client, fake_stripe, a, card="fp_shared")
    second, _ = webhook_topup(client, fake_stripe, b, card="fp_shared")
    own_card, _ = webhook_topup(client, fake_stripe, c, card="fp_own")
    third, _ = webhook_topup(client, fake_stripe, c, card="fp_shared")

    assert (first.hold_until, second.hold_until, own_card.hold_until) == (None, None, None)
    assert third.status == TopUp.Status.PAID  # the money is taken: held, not refused
    assert third.hold_until == third.completed_at + dt.timedelta(days=60)
    hit = LimitHit.objects.get()
    assert (hit.kind, hit.user) == (LimitHit.Kind.CARD_ACCOUNTS, c)
    assert third.ledger_key in hit.detail
    assert "fp_shared" not in hit.key_digest  # kept as a digest


def test_payments_older_than_the_window_do_not_count(client, fake_stripe):
    a, b, c = old_reader(), old_reader(), old_reader()
    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(days=40)):
        webhook_topup(client, fake_stripe, a, card="fp_shared")
    webhook_topup(client, fake_stripe, b, card="fp_shared")

    later, _ = webhook_topup(client, fake_stripe, c, card="fp_shared")

    assert later.hold_until is None
    assert not LimitHit.objects.exists()
