"""``payday --wait`` and ``payouts --wait`` follow their run to the end with a progress bar
and exit non-zero when it fails."""

import io

import pytest
from django.core.management import CommandError, call_command

from flattr_clone.progress import Progress, follow, progress_bar
from tests.factories import TopUpFactory, UserFactory
from tests.payouts.batches.test_payout_batch import stripe_creator
from tests.tips.payday.helpers import MONTH, click, set_budget


def test_the_bar_shows_parts_done_and_money_moved():
    bar = progress_bar(Progress(3, 10, "chunks", 123450, False), width=10)

    assert bar == "[###-------] 3/10 chunks, €1,234.50 moved"


def test_following_writes_each_change_until_the_run_ends():
    states = iter(
        [
            Progress(0, 2, "chunks", 0, False),
            Progress(0, 2, "chunks", 0, False),
            Progress(1, 2, "chunks", 500, False),
            Progress(2, 2, "chunks", 900, True),
        ]
    )
    out = io.StringIO()

    last = follow(lambda: next(states), out, interval=0)

    assert last.finished
    assert out.getvalue().splitlines() == [
        "[------------------------------] 0/2 chunks, €0.00 moved",
        "[###############---------------] 1/2 chunks, €5.00 moved",
        "[##############################] 2/2 chunks, €9.00 moved",
    ]


@pytest.mark.django_db(transaction=True)
def test_payday_wait_follows_the_run_to_its_end():
    creator = UserFactory()
    for _ in range(2):
        reader = UserFactory()
        TopUpFactory(user=reader, amount_cents=1000)
        set_budget(reader, 500)
        click(reader, creator)
    out, err = io.StringIO(), io.StringIO()

    call_command("payday", month=MONTH.strftime("%Y-%m"), wait=True, stdout=out, stderr=err)

    assert "1/1 chunks, €10.00 moved" in err.getvalue()
    assert "payday 2025-03 (done): 2 readers gave €10.00 to 1 creator" in out.getvalue()


@pytest.mark.django_db
def test_payouts_wait_exits_non_zero_when_a_payout_failed(
    fake_stripe, django_capture_on_commit_callbacks
):
    creator = stripe_creator(fake_stripe, 2500)
    del fake_stripe.objects["accounts"][creator.payment_account.provider_account_id]
    err = io.StringIO()

    with (
        pytest.raises(CommandError, match="1 payout failed"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("payouts", wait=True, stdout=io.StringIO(), stderr=err)

    assert "1/1 payouts, €0.00 moved" in err.getvalue()
