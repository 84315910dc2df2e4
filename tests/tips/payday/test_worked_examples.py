"""docs/PRODUCT.md's payday rule on small cases, every amount recomputed by hand."""

import datetime as dt

import pytest

from flattr_clone.months import month_end, month_start
from payouts.ledger.models import Transfer
from tests.factories import TopUpFactory, UserFactory
from tests.tips.payday.helpers import (
    MONTH,
    after,
    click,
    commission_total,
    earnings,
    set_budget,
    sha_order,
    wallet,
)
from tips.payday.models import PaydayRecord, PaydayRun

pytestmark = pytest.mark.django_db


def reader_with(budget: int, balance: int):
    reader = UserFactory()
    TopUpFactory(user=reader, amount_cents=balance)
    set_budget(reader, budget)
    return reader


def test_five_euros_over_ten_creators_gives_each_forty_five_cents(run_payday):
    reader = reader_with(500, 2000)
    creators = UserFactory.create_batch(10)
    for creator in creators:
        click(reader, creator)

    run = run_payday(MONTH)

    # commission = (500 * 1000 + 5000) // 10000 = 50; net 450 / 10 = 45, nothing left over.
    assert [earnings(c) for c in creators] == [45] * 10
    assert commission_total() == 50
    assert wallet(reader) == 1500
    assert (run.status, run.readers, run.creators, run.given_cents) == ("done", 1, 10, 500)
    assert (run.commission_cents, run.distributed_cents) == (50, 450)


def test_two_euros_five_over_three_rounds_the_commission_up_and_hands_out_one_cent(run_payday):
    reader = reader_with(205, 1000)
    creators = UserFactory.create_batch(3)
    for creator in creators:
        click(reader, creator)

    run_payday(MONTH)

    # commission = 20.5 rounded half up = 21; net 184 = 3 * 61 + 1: one creator gets 62,
    # the first in sha256("2025-03:<reader>:<creator>") order.
    first, *others = sha_order(MONTH, reader.pk, [c.pk for c in creators])
    by_pk = {c.pk: earnings(c) for c in creators}
    assert by_pk[first] == 62
    assert [by_pk[pk] for pk in others] == [61, 61]
    assert commission_total() == 21
    assert wallet(reader) == 1000 - 205


def test_one_cent_over_two_creators_goes_to_the_first_in_order_only(run_payday):
    reader = reader_with(1, 1)
    creators = UserFactory.create_batch(2)
    for creator in creators:
        click(reader, creator)

    run_payday(MONTH)

    # commission = (10 + 5000) // 10000 = 0; net 1 = 2 * 0 + 1.
    first, second = sha_order(MONTH, reader.pk, [c.pk for c in creators])
    assert earnings(UserFactory._meta.model.objects.get(pk=first)) == 1
    assert earnings(UserFactory._meta.model.objects.get(pk=second)) == 0
    # A zero share posts nothing: one transfer only, no commission transfer.
    assert Transfer.objects.filter(reference="payday:2025-03").count() == 1
    assert wallet(reader) == 0


def test_a_budget_larger_than_the_wallet_gives_the_wallet(run_payday):
    reader = reader_with(1000, 300)
    creators = UserFactory.create_batch(2)
    for creator in creators:
        click(reader, creator)

    run_payday(MONTH)

    # given = min(1000, 300) = 300; commission 30; net 270 / 2 = 135.
    assert [earnings(c) for c in creators] == [135, 135]
    assert commission_total() == 30
    assert wallet(reader) == 0
    record = PaydayRecord.objects.get(reader=reader)
    assert (record.budget_cents, record.wallet_cents, record.given_cents) == (1000, 300, 300)
    assert (record.commission_cents, record.creators) == (30, 2)


def test_a_reader_who_clicked_only_their_own_thing_gives_nothing(run_payday):
    reader = reader_with(500, 500)
    click(reader, reader)

    run = run_payday(MONTH)

    assert wallet(reader) == 500
    assert earnings(reader) == 0
    assert not Transfer.objects.filter(reference="payday:2025-03").exists()
    record = PaydayRecord.objects.get(reader=reader)
    assert (record.given_cents, record.creators) == (0, 0)
    assert (run.status, run.readers, run.given_cents) == ("done", 0, 0)


def test_a_suspended_or_deleted_creator_gets_nothing_and_the_others_get_it_all(run_payday):
    reader = reader_with(300, 300)
    kept = UserFactory()
    suspended = UserFactory(suspended_at=after(MONTH))
    deleted = UserFactory(is_active=False)
    for creator in (kept, suspended, deleted):
        click(reader, creator)

    run_payday(MONTH)

    # commission 30; net 270 to the only eligible creator.
    assert earnings(kept) == 270
    assert earnings(suspended) == 0
    assert earnings(deleted) == 0
    assert wallet(reader) == 0


def test_a_month_without_clicks_finishes_with_nothing_moved(run_payday):
    reader = reader_with(500, 500)

    run = run_payday(MONTH)

    assert wallet(reader) == 500
    assert run.status == PaydayRun.Status.DONE
    assert (run.readers, run.creators, run.given_cents, run.chunks_total) == (0, 0, 0, 0)


def test_revoked_clicks_do_not_count(run_payday):
    reader = reader_with(500, 500)
    kept, revoked = UserFactory(), UserFactory()
    click(reader, kept)
    click(reader, revoked, revoked=True)

    run_payday(MONTH)

    assert (earnings(kept), earnings(revoked)) == (450, 0)


def test_only_readers_with_an_unrevoked_click_give(run_payday):
    clicker = reader_with(500, 500)
    revoker = reader_with(500, 500)
    click(clicker, UserFactory())
    click(revoker, UserFactory(), revoked=True)

    run_payday(MONTH)

    assert (wallet(clicker), wallet(revoker)) == (0, 500)
    assert not PaydayRecord.objects.filter(reader=revoker).exists()


def test_the_budget_in_effect_at_the_end_of_the_month_counts(run_payday):
    reader = reader_with(200, 5000)
    set_budget(reader, 300, at=month_start(MONTH) + dt.timedelta(days=20))
    set_budget(reader, 1000, at=month_end(MONTH))  # from the first instant of next month
    click(reader, UserFactory())

    run_payday(MONTH)

    assert PaydayRecord.objects.get(reader=reader).budget_cents == 300
    assert wallet(reader) == 5000 - 300


def test_a_budget_of_zero_gives_nothing(run_payday):
    reader = reader_with(0, 500)
    creator = UserFactory()
    click(reader, creator)

    run_payday(MONTH)

    assert (wallet(reader), earnings(creator)) == (500, 0)


def test_several_clicks_on_one_creator_count_once(run_payday):
    reader = reader_with(1000, 1000)
    busy, other = UserFactory(), UserFactory()
    click(reader, busy)
    click(reader, busy)
    click(reader, other)

    run_payday(MONTH)

    assert (earnings(busy), earnings(other)) == (450, 450)


def test_running_payday_again_moves_nothing_twice(run_payday):
    reader = reader_with(500, 2000)
    creator = UserFactory()
    click(reader, creator)

    first = run_payday(MONTH)
    again = run_payday(MONTH)

    assert (wallet(reader), earnings(creator)) == (1500, 450)
    assert Transfer.objects.filter(reference="payday:2025-03").count() == 2
    assert again.finished_at == first.finished_at
