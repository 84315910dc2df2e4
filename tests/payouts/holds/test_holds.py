"""Holds (docs/PRODUCT.md, Holds): money from risky card payments is held until its date,
payouts pay only available money, refunds and disputes take held money back first."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from payouts.batches.runs import payout_batch_run
from payouts.funding.holds import holds_release_due, split_in_proportion
from payouts.funding.models import Hold, TopUp
from payouts.ledger.models import Transfer
from tests.factories import PaymentAccountFactory, TopUpFactory, UserFactory
from tests.payouts.holds.helpers import balance, dispute, old_reader, refund, stripe_topup, system
from tests.tips.payday.helpers import MONTH, click, set_budget

pytestmark = pytest.mark.django_db


def test_a_new_readers_card_payment_is_held_sixty_days_then_paid_out(run_payday):
    reader = UserFactory()
    creator = UserFactory()
    PaymentAccountFactory(user=creator)
    topup = stripe_topup(reader, 2000)
    assert topup.hold_until == topup.completed_at + dt.timedelta(days=60)
    set_budget(reader, 2000)
    click(reader, creator)

    run_payday(MONTH)

    # 20.00 given: 2.00 commission, 18.00 held for the creator, nothing available.
    assert balance(creator, "earnings") == 0
    assert balance(creator, "held") == 1800
    (hold,) = Hold.objects.all()
    assert (hold.top_up, hold.creator, hold.held_cents) == (topup, creator, 1800)
    assert hold.available_on == topup.hold_until
    payout_batch_run()
    assert not creator.payouts.exists()

    # The day after its date, the batch releases it first and pays it.
    with time_machine.travel(topup.hold_until + dt.timedelta(days=1)):
        summary = payout_batch_run()
    assert summary.paid == 1 and summary.amount == 1800
    assert balance(creator, "held") == 0
    hold.refresh_from_db()
    assert (hold.held_cents, hold.released_cents) == (0, 1800)
    assert Transfer.objects.filter(kind="hold_release").get().amount_cents == 1800


def test_a_reader_with_history_or_a_sandbox_payment_is_not_held(run_payday, settings):
    settings.HOLD_MIN_EARLIER_PAYMENTS = 2
    veteran = old_reader()
    # Two payments long ago: held then, their window is over now.
    with time_machine.travel(dt.datetime(2025, 2, 1, tzinfo=dt.UTC)):
        early = [stripe_topup(veteran, 500) for _ in range(2)]
    assert early[0].hold_until is not None
    third = stripe_topup(veteran, 1000)
    assert third.hold_until is None
    sandbox_reader = UserFactory()
    assert TopUpFactory(user=sandbox_reader, amount_cents=1000).hold_until is None
    creator = UserFactory()
    for reader in (veteran, sandbox_reader):
        set_budget(reader, 1000)
        click(reader, creator)

    run_payday(MONTH)

    # Each gave 10.00, 9.00 to the creator; the veteran's oldest payments were spent first.
    assert balance(creator, "earnings") == 1800
    assert not Hold.objects.exists()


def test_the_oldest_payment_is_spent_first_and_only_its_risky_part_is_held(run_payday):
    reader = UserFactory(date_joined=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    safe = TopUpFactory(user=reader, amount_cents=1000)  # sandbox: cannot be disputed
    risky = stripe_topup(reader, 1000)
    assert risky.hold_until is not None
    a, b = UserFactory(), UserFactory()
    set_budget(reader, 2000)
    click(reader, a)
    click(reader, b)

    run_payday(MONTH)

    # 20.00 given, laid over the payments oldest first: commission 2.00, then the first
    # creator's 9.00 (8.00 from the safe payment, 1.00 from the risky one), then the second's.
    safe.refresh_from_db()
    risky.refresh_from_db()
    assert (safe.spent_cents, risky.spent_cents) == (1000, 1000)
    low, high = sorted([a, b], key=lambda user: user.pk)
    # The commission (2.00) and 8.00 of the first creator's share come from the safe payment.
    assert balance(low, "earnings") == 800
    assert balance(low, "held") == 100
    assert balance(high, "held") == 900
    assert sorted(Hold.objects.values_list("held_cents", flat=True)) == [100, 900]


def test_a_dispute_after_payday_takes_the_held_money_back_in_proportion_to_the_cent(run_payday):
    reader = UserFactory()
    creators = [UserFactory() for _ in range(3)]
    topup = stripe_topup(reader, 1000)
    set_budget(reader, 1000)
    for creator in creators:
        click(reader, creator)
    run_payday(MONTH)
    held = {creator.pk: balance(creator, "held") for creator in creators}
    assert sum(held.values()) == 900  # 300 each

    # A 5.00 dispute: the wallet is empty, so 5.00 comes out of the holds: 1.67/1.67/1.66.
    dispute(topup, 500)

    after = {creator.pk: balance(creator, "held") for creator in creators}
    taken = sorted(held[pk] - after[pk] for pk in held)
    assert taken == [166, 167, 167]
    assert system("losses") == 0
    # The other 5.00 disputed too: the rest of the holds (4.00), then 1.00 to losses (the
    # commission, spent on the reader's behalf).
    dispute(topup, 500, dispute_id="dp_second")
    assert all(balance(creator, "held") == 0 for creator in creators)
    assert system("losses") == -100


def test_a_refund_takes_the_wallet_first_then_holds_then_losses(run_payday):
    reader = UserFactory()
    creator = UserFactory()
    topup = stripe_topup(reader, 2000)
    set_budget(reader, 1000)
    click(reader, creator)
    run_payday(MONTH)
    assert (balance(reader, "wallet"), balance(creator, "held")) == (1000, 900)

    refund(topup, 1500)
    assert (balance(reader, "wallet"), balance(creator, "held")) == (0, 400)
    refund(topup, 2000)
    assert balance(creator, "held") == 0
    assert system("losses") == -100  # the commission had been spent on the reader's behalf
    refund(topup, 2000)  # told again: nothing more moves
    assert system("losses") == -100


def test_a_released_hold_is_not_taken_back_and_goes_to_losses(run_payday):
    reader = UserFactory()
    creator = UserFactory()
    topup = stripe_topup(reader, 1000)
    set_budget(reader, 1000)
    click(reader, creator)
    run_payday(MONTH)
    assert holds_release_due(now=timezone.now() + dt.timedelta(days=61)) == 900

    dispute(topup)
    assert balance(creator, "earnings") == 900
    assert system("losses") == -1000


@pytest.mark.parametrize(
    ("amount", "weights"),
    [(500, [300, 300, 300]), (1, [1, 1]), (0, [5]), (7, [1, 2, 4]), (10, [3, 0, 7])],
)
def test_split_in_proportion_is_exact(amount, weights):
    parts = split_in_proportion(amount, weights)
    assert sum(parts) == amount
    assert all(0 <= part <= weight for part, weight in zip(parts, weights, strict=True))


def test_the_creator_sees_held_money_and_the_day_it_becomes_available(client, run_payday):
    reader = UserFactory()
    creator = UserFactory()
    topup = stripe_topup(reader, 2000)
    set_budget(reader, 2000)
    click(reader, creator)
    run_payday(MONTH)
    client.force_login(creator)

    html = client.get("/dashboard/creator/").content.decode()

    day = timezone.localtime(topup.hold_until)
    assert "Held against card disputes: €18.00" in html
    assert f"€18.00 available on {day:%B} {day.day}, {day.year}" in html


def test_a_new_creators_first_payout_waits_then_later_ones_do_not(settings):
    from tests.factories import give_earnings

    settings.FIRST_PAYOUT_DELAY_DAYS = 7
    creator = UserFactory()
    account = PaymentAccountFactory(user=creator)
    give_earnings(creator, 1500)
    assert payout_batch_run().payouts == 0

    with time_machine.travel(account.created_at + dt.timedelta(days=7, minutes=1)):
        assert payout_batch_run().paid == 1
        give_earnings(creator, 1200, month="2026-11")
        # Paid once: the next payouts do not wait.
        assert payout_batch_run().paid == 1


def test_operators_see_the_money_of_creators_who_cannot_be_paid(settings):
    from tests.factories import give_earnings
    from tips.dashboards.operator import cannot_be_paid

    waiting = UserFactory()
    with time_machine.travel(timezone.now() - dt.timedelta(days=100)):
        give_earnings(waiting, 700)
    give_earnings(UserFactory(), 300, month="2026-11")
    ready = UserFactory()
    PaymentAccountFactory(user=ready)
    give_earnings(ready, 500, month="2026-09")

    assert cannot_be_paid() == {
        "creators": 2,
        "cents": 1000,
        "long_creators": 1,
        "long_cents": 700,
        "days": 90,
    }


def test_a_card_with_little_history_is_risky_even_for_an_old_reader(settings):
    from payouts.funding.holds import hold_until_for

    settings.HOLD_MIN_EARLIER_PAYMENTS = 1
    veteran = old_reader()
    with time_machine.travel(dt.datetime(2025, 2, 1, tzinfo=dt.UTC)):
        stripe_topup(veteran, 500)
    topup = stripe_topup(veteran, 1000)
    assert topup.hold_until is None  # no card known: the reader's history is enough
    topup.card_fingerprint = "fp_new"
    assert hold_until_for(topup, paid_at=topup.completed_at) is not None
    TopUp.objects.filter(pk=topup.pk).update(card_fingerprint="fp_new")  # that card paid once
    other = stripe_topup(veteran, 700)
    other.card_fingerprint = "fp_new"
    assert hold_until_for(other, paid_at=other.completed_at) is None  # the card paid before
