"""A payday that dies at any point, followed by a new run, ends in exactly one clean run's
balances, with no transfer applied twice."""

import json
import signal
import subprocess

import pytest
from django.db import connection

from payouts.ledger.checks import ledger_check
from payouts.ledger.models import Transfer
from tests.factories import TopUpFactory, UserFactory
from tests.tips.payday import faults
from tests.tips.payday.expected import Reader, expected_payday
from tests.tips.payday.faults import InjectedCrash
from tests.tips.payday.helpers import (
    MONTH,
    click,
    commission_total,
    earnings,
    set_budget,
    wallet,
)
from tips.payday.models import PaydayChunk, PaydayRecord, PaydayRun


def build_world():
    """Four readers (one chunk each at chunk size 1), four creators, one suspended."""
    creators = UserFactory.create_batch(4)
    creators[3].suspended_at = creators[3].date_joined
    creators[3].save()
    plan = [(205, 1000, [0, 1, 2]), (5000, 777, [0, 3]), (1, 1, [1, 2]), (999, 2500, [0, 1, 2, 3])]
    readers, specs = [], []
    for budget, balance, targets in plan:
        reader = UserFactory()
        TopUpFactory(user=reader, amount_cents=balance)
        set_budget(reader, budget)
        for index in targets:
            click(reader, creators[index])
        readers.append(reader)
        specs.append(Reader(reader.pk, budget, balance, [creators[i].pk for i in targets]))
    return readers, creators, specs


def assert_clean_run_balances(readers, creators, specs):
    wallets, earned, commission = expected_payday(MONTH, specs, {creators[3].pk})
    assert [wallet(r) for r in readers] == [wallets[s.pk] for s in specs]
    assert [earnings(c) for c in creators] == [earned.get(c.pk, 0) for c in creators]
    assert commission_total() == commission
    # One transfer per (reader, creator) pair that receives a cent: none applied twice.
    transfers = Transfer.objects.filter(reference="payday:2025-03", kind="distribution")
    assert transfers.count() == sum(len(_shared(spec, creators)) for spec in specs)
    assert ledger_check(record=False).ok
    run = PaydayRun.objects.get(month=MONTH)
    assert run.status == PaydayRun.Status.DONE
    assert run.given_cents == commission + sum(earned.values())
    assert PaydayRecord.objects.filter(month=MONTH).count() == len(specs)


def _shared(spec, creators):
    """The (reader, creator) pairs that receive at least one cent."""
    _, earned, _ = expected_payday(MONTH, [spec], {creators[3].pk})
    return [pk for pk, cents in earned.items() if cents]


def payday_subprocess(kill_at: str = "") -> subprocess.CompletedProcess:
    return faults.command_in_subprocess("payday", "--month", "2025-03", "--json", kill_at=kill_at)


KILL_POINTS = [f"chunk_written:{n}" for n in (1, 2, 3, 4)] + [
    f"chunk_committed:{n}" for n in (1, 2, 3, 4)
]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kill_at", KILL_POINTS)
def test_a_killed_payday_resumes_to_the_balances_of_a_clean_run(kill_at):
    readers, creators, specs = build_world()
    connection.close()  # the subprocess must see committed data, not our session

    killed = payday_subprocess(kill_at)

    assert killed.returncode == -signal.SIGKILL, killed.stderr
    stage, number = kill_at.split(":")
    done = set(PaydayChunk.objects.filter(done_at__isnull=False).values_list("number", flat=True))
    # Killed inside chunk N: N rolled back. Killed right after committing N: N is done.
    last_done = int(number) - 1 if stage == "chunk_written" else int(number)
    assert done == set(range(1, last_done + 1))
    assert ledger_check(record=False).ok

    resumed = payday_subprocess()

    assert resumed.returncode == 0, resumed.stderr
    summary = json.loads(resumed.stdout.strip().splitlines()[-1])
    assert summary["status"] == "done"
    assert summary["given"] == summary["commission"] + summary["distributed"]
    assert_clean_run_balances(readers, creators, specs)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("point", ["chunk_written:1", "chunk_written:3", "chunk_written:4"])
def test_a_chunk_that_fails_inside_its_transaction_leaves_a_resumable_run(point):
    readers, creators, specs = build_world()
    from tips.payday.services import payday_run

    with faults.raising_at(point), pytest.raises(InjectedCrash):
        payday_run(month=MONTH, chunk_size=1)

    run = PaydayRun.objects.get(month=MONTH)
    assert run.status == PaydayRun.Status.FAILED
    assert "injected crash" in run.last_error
    assert run.chunks_done == int(point.split(":")[1]) - 1

    payday_run(month=MONTH)

    assert_clean_run_balances(readers, creators, specs)
