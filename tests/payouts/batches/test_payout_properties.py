"""Whatever Stripe does (errors, lost answers, refusals, retries that run or not), every cent a
creator earned ends up paid exactly once, and nothing is ever transferred twice."""

import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payouts.batches.models import Payout
from payouts.batches.runs import payout_batch_run
from payouts.ledger.checks import ledger_check
from payouts.ledger.selectors import balance_cents
from payouts.ledger.services import system_account
from tests.factories import give_earnings
from tests.payouts.batches.test_payout_batch import stripe_creator

pytestmark = pytest.mark.django_db

MONTHS = [f"2027-{m:02d}" for m in range(1, 13)]

step = st.tuples(
    st.integers(min_value=0, max_value=4000),  # earnings added before this run
    st.sampled_from(["ok", "server_error", "lost_answer", "platform_short"]),
    st.booleans(),  # whether the queued Celery retry runs
)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=st.integers(min_value=1, max_value=5000), steps=st.lists(step, max_size=4))
def test_every_cent_earned_is_paid_once_whatever_the_provider_does(
    fake_stripe, django_capture_on_commit_callbacks, first, steps
):
    fake_stripe.failures.clear()
    fake_stripe.balance_cents = 10_000_000
    external_before = system_account("external", "stripe").balance_cents
    creator = stripe_creator(fake_stripe, first)
    earned = first
    destination = creator.payment_account.provider_account_id

    for month, (more, outcome, retry_runs) in zip(MONTHS, steps, strict=False):
        if more:
            give_earnings(creator, more, month=month)
            earned += more
        fake_stripe.balance_cents = 10_000_000
        if outcome == "server_error":
            fake_stripe.fail_next("POST", "/v1/transfers", status=500)
        elif outcome == "lost_answer":
            fake_stripe.fail_next("POST", "/v1/transfers", after_work=True)
        elif outcome == "platform_short":
            fake_stripe.balance_cents = 0
        with django_capture_on_commit_callbacks(execute=retry_runs):
            payout_batch_run()
        fake_stripe.failures.clear()
        assert ledger_check(record=False).ok

    # A last clean run settles whatever is still in flight and pays what is due.
    fake_stripe.balance_cents = 10_000_000
    with django_capture_on_commit_callbacks(execute=True):
        payout_batch_run()

    mine = [t for t in fake_stripe.objects["transfers"].values() if t["destination"] == destination]
    paid = Payout.objects.filter(user=creator, status="paid")
    remaining = balance_cents(creator, "earnings")
    assert sum(t["amount"] for t in mine) + remaining == earned
    assert len(mine) == paid.count()
    assert sorted(t["metadata"]["payout"] for t in mine) == sorted(str(p.pk) for p in paid)
    assert not Payout.objects.filter(user=creator, status="sending").exists()
    # The clean run paid any balance at the minimum; only less than that may wait.
    assert remaining < django_settings.PAYOUT_MINIMUM_CENTS
    assert system_account("in_transit").balance_cents == 0
    assert (
        system_account("external", "stripe").balance_cents - external_before == earned - remaining
    )
