"""Disputes in full (docs/PRODUCT.md, Disputes): opened, won, lost, in any order of the
webhooks, each step in the ledger once. Stripe is the local fake; the webhooks are signed."""

import datetime as dt

import pytest
import time_machine

from payouts.funding.models import Dispute
from payouts.ledger.models import Transfer
from tests.factories import UserFactory
from tests.fake_stripe import checkout as stripe_side
from tests.payouts.holds.helpers import balance, send, system, webhook_topup
from tests.tips.payday.helpers import MONTH, click, set_budget

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(client, fake_stripe, run_payday):
    """A new reader paid 10.00 by card and gave it to two creators at payday: 4.50 each is
    held, the wallet is empty."""
    reader = UserFactory()
    creators = sorted([UserFactory(), UserFactory()], key=lambda user: user.pk)
    topup, session = webhook_topup(client, fake_stripe, reader)
    set_budget(reader, 1000)
    for creator in creators:
        click(reader, creator)
    run_payday(MONTH)
    assert [balance(creator, "held") for creator in creators] == [450, 450]
    return reader, creators, topup, session


def held(creators):
    return [balance(creator, "held") for creator in creators]


def test_opened_then_won_takes_back_then_restores_the_holds_once(client, fake_stripe, funded):
    reader, creators, topup, session = funded
    dispute = stripe_side.dispute(fake_stripe, session["payment_intent"])
    for event_type in ("charge.dispute.created", "charge.dispute.funds_withdrawn"):
        send(client, fake_stripe, event_type, dispute)
    assert held(creators) == [0, 0]
    assert system("losses") == -100  # the commission
    assert Dispute.objects.get().status == "open"

    won = stripe_side.win_dispute(fake_stripe, dispute["id"])
    for event_type in ("charge.dispute.funds_reinstated", "charge.dispute.closed"):
        send(client, fake_stripe, event_type, won)
        send(client, fake_stripe, event_type, won)  # a second delivery of the same news

    assert held(creators) == [450, 450]
    assert system("losses") == 0
    record = Dispute.objects.get()
    assert (record.status, record.taken_cents, record.reinstated_cents) == ("won", 1000, 1000)
    assert Transfer.objects.filter(kind="dispute_won").count() == 3


def test_the_outcome_arriving_before_the_opening_books_each_step_once(client, fake_stripe, funded):
    reader, creators, topup, session = funded
    dispute = stripe_side.dispute(fake_stripe, session["payment_intent"])
    won = stripe_side.win_dispute(fake_stripe, dispute["id"])
    send(client, fake_stripe, "charge.dispute.closed", won)
    send(client, fake_stripe, "charge.dispute.created", dispute)
    send(client, fake_stripe, "charge.dispute.funds_withdrawn", dispute)

    assert held(creators) == [450, 450]
    assert system("losses") == 0
    assert Dispute.objects.get().status == "won"
    assert Transfer.objects.filter(kind="dispute").count() == 2
    assert Transfer.objects.filter(kind="loss").count() == 1
    assert Transfer.objects.filter(kind="dispute_won").count() == 3


def test_a_lost_dispute_moves_nothing_more(client, fake_stripe, funded):
    reader, creators, topup, session = funded
    dispute = stripe_side.dispute(fake_stripe, session["payment_intent"], 600)
    send(client, fake_stripe, "charge.dispute.created", dispute)
    # 6.00 from the holds (in proportion: 3.00 each), nothing to losses.
    assert held(creators) == [150, 150]
    before = list(Transfer.objects.values_list("pk", flat=True))
    lost = stripe_side.lose_dispute(fake_stripe, dispute["id"])
    send(client, fake_stripe, "charge.dispute.closed", lost)

    assert list(Transfer.objects.values_list("pk", flat=True)) == before
    assert Dispute.objects.get().status == "lost"


def test_an_inquiry_moves_no_money(client, fake_stripe, funded):
    reader, creators, topup, session = funded
    dispute = stripe_side.dispute(fake_stripe, session["payment_intent"])
    dispute["status"] = "warning_needs_response"
    send(client, fake_stripe, "charge.dispute.created", dispute)
    assert held(creators) == [450, 450]
    assert Dispute.objects.get().status == "inquiry"


def test_a_dispute_won_after_the_hold_date_goes_straight_to_earnings(client, fake_stripe, funded):
    reader, creators, topup, session = funded
    dispute = stripe_side.dispute(fake_stripe, session["payment_intent"])
    send(client, fake_stripe, "charge.dispute.created", dispute)
    won = stripe_side.win_dispute(fake_stripe, dispute["id"])
    with time_machine.travel(topup.hold_until + dt.timedelta(days=1)):
        send(client, fake_stripe, "charge.dispute.funds_reinstated", won)
    assert held(creators) == [0, 0]
    assert [balance(creator, "earnings") for creator in creators] == [450, 450]


def test_a_creator_funded_by_new_accounts_with_one_card_is_flagged_for_review(
    client, fake_stripe, run_payday
):
    from payouts.batches.runs import payout_batch_run
    from payouts.connect.services import connect_flag_clear
    from tests.payouts.batches.test_payout_batch import stripe_creator

    creator = stripe_creator(fake_stripe, 0)
    honest = stripe_creator(fake_stripe, 0)
    # Three fresh accounts pay with the same stolen card, for one creator.
    for _ in range(3):
        reader = UserFactory()
        topup, session = webhook_topup(client, fake_stripe, reader, "2500", card="fp_stolen")
        set_budget(reader, 2500)
        click(reader, creator)
    assert topup.card_fingerprint == "fp_stolen"
    assert topup.hold_until is not None  # a new account, and a card with little history
    friend = UserFactory()
    webhook_topup(client, fake_stripe, friend, "2500")
    set_budget(friend, 2500)
    click(friend, honest)
    run_payday(MONTH)
    from payouts.funding.holds import holds_release_due

    holds_release_due(now=topup.hold_until + dt.timedelta(days=1))
    assert balance(creator, "earnings") == 3 * 2250

    summary = payout_batch_run()

    account = creator.payment_account
    account.refresh_from_db()
    assert account.is_flagged
    assert "3 new accounts paying with one card" in account.flag_reason
    assert not creator.payouts.exists()
    assert honest.payouts.get().amount_cents == 2250  # one new account: no review
    assert summary.paid == 1
    # An operator reviews and clears the flag: this money is paid, not flagged again.
    connect_flag_clear(account=account)
    assert payout_batch_run().paid == 1
    assert creator.payouts.get().amount_cents == 3 * 2250
