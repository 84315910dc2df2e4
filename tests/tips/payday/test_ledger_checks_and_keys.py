"""Payday's own steps around the chunks: the ledger self-check before and after, and the
ledger keys it writes, pinned character by character (docs/PRODUCT.md, "Contracts that never
change": a re-run after a crash finds the work done only through these keys)."""

import pytest

from payouts.batches.models import PayoutBatch
from payouts.ledger.models import Account, Transfer
from tests.factories import TopUpFactory, UserFactory
from tests.tips.payday.helpers import MONTH, click, set_budget
from tips.payday.chunks import payday_check_after
from tips.payday.models import PaydayRun
from tips.payday.services import PaydayError, payday_run

pytestmark = pytest.mark.django_db


def funded_reader(cents: int, budget: int):
    """A reader who topped up through the sandbox, with a budget in effect during MONTH."""
    reader = UserFactory()
    TopUpFactory(user=reader, amount_cents=cents)
    set_budget(reader, budget)
    return reader


def break_the_ledger(user) -> None:
    """A cached balance that no longer equals its transfers, as a bad manual fix would leave."""
    Account.objects.filter(kind=Account.Kind.WALLET, user=user).update(balance_cents=1)


def test_payday_writes_exactly_these_keys_and_references(run_payday):
    reader = funded_reader(1000, 500)
    first, second = UserFactory(), UserFactory()
    click(reader, first)
    click(reader, second)

    run_payday(MONTH)

    keys = set(
        Transfer.objects.filter(reference="payday:2025-03").values_list("idempotency_key", "kind")
    )
    assert keys == {
        (f"payday:2025-03:{reader.pk}:commission", "commission"),
        (f"payday:2025-03:{reader.pk}:{first.pk}", "distribution"),
        (f"payday:2025-03:{reader.pk}:{second.pk}", "distribution"),
    }
    assert PaydayRun.objects.get(month=MONTH).reference == "payday:2025-03"


def test_a_clean_payday_checks_the_ledger_before_and_after(run_payday):
    reader = funded_reader(1000, 500)
    click(reader, UserFactory())

    run = run_payday(MONTH)

    assert run.status == PaydayRun.Status.DONE
    assert run.check_before.ok and run.check_after.ok
    assert run.check_before.created_at <= run.check_after.created_at


@pytest.mark.ledger_broken
def test_payday_refuses_to_start_on_a_broken_ledger_and_moves_nothing(
    django_capture_on_commit_callbacks,
):
    reader = funded_reader(1000, 500)
    click(reader, UserFactory())
    break_the_ledger(reader)

    with (
        pytest.raises(PaydayError, match="ledger check failed"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        payday_run(month=MONTH)

    assert not Transfer.objects.filter(reference="payday:2025-03").exists()
    assert not PaydayRun.objects.filter(month=MONTH, status=PaydayRun.Status.DONE).exists()


@pytest.mark.ledger_broken
def test_a_ledger_broken_by_the_end_of_payday_stops_the_payouts(run_payday, settings, caplog):
    reader = funded_reader(1000, 500)
    click(reader, UserFactory())
    settings.PAYDAY_FOLLOW_UP_TASKS = []
    run = run_payday(MONTH)
    assert run.check_after.ok
    settings.PAYDAY_FOLLOW_UP_TASKS = ["payouts.batches.jobs.payout_batch_after_payday"]
    break_the_ledger(reader)

    assert payday_check_after(run_pk=run.pk) is False

    run.refresh_from_db()
    assert not run.check_after.ok
    assert "ledger check after payday failed" in run.last_error
    assert not PayoutBatch.objects.exists()
    assert "LEDGER CHECK FAILED after payday 2025-03" in caplog.text


def test_a_sound_ledger_at_the_end_of_payday_starts_the_payout_batch(run_payday, settings):
    settings.PAYDAY_FOLLOW_UP_TASKS = ["payouts.batches.jobs.payout_batch_after_payday"]
    reader = funded_reader(1000, 500)
    click(reader, UserFactory())

    run_payday(MONTH)

    assert PayoutBatch.objects.filter(trigger="payday:2025-03").count() == 1
