"""A monthly subscription run that dies at any point, then runs again, ends with one click
per subscription: each chunk is applied fully or not at all, and the rest is finished."""

import json
import signal
import subprocess

import pytest
from django.db import connection

from flattr_clone.months import month_of, next_month
from tests.factories import SubscriptionFactory, ThingFactory, ready_reader
from tests.tips.payday import faults
from tests.tips.payday.faults import InjectedCrash
from tips.clicks.models import Click
from tips.subscriptions.chunks import SubscriptionRunError, subscription_chunk_process
from tips.subscriptions.models import SubscriptionChunk, SubscriptionMonth, SubscriptionRun
from tips.subscriptions.runs import subscriptions_run
from tips.subscriptions.signals import subscription_chunk_stage


def build_world():
    """Four subscriptions (one chunk each at chunk size 1) started last month: two readers,
    and a thing one of them flattred by hand this month already."""
    readers = [ready_reader(), ready_reader()]
    subscriptions = [
        SubscriptionFactory(reader=readers[0]),
        SubscriptionFactory(reader=readers[1]),
        SubscriptionFactory(reader=readers[0], thing=ThingFactory(retired=True)),
        SubscriptionFactory(reader=readers[1]),
    ]
    return subscriptions


def assert_one_click_per_subscription(subscriptions):
    month = month_of()
    for subscription in subscriptions:
        clicks = Click.objects.filter(
            reader=subscription.reader, thing=subscription.thing, month=month
        )
        assert clicks.count() == (0 if subscription.thing.is_retired else 1)
        assert SubscriptionMonth.objects.filter(subscription=subscription, month=month).count() == 1
    run = SubscriptionRun.objects.get(month=month)
    assert run.status == SubscriptionRun.Status.DONE
    assert (run.chunks_done, run.clicked, run.refused) == (4, 3, 1)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("point", ["chunk_written:1", "chunk_written:2", "chunk_written:4"])
def test_a_chunk_that_fails_inside_its_transaction_leaves_a_resumable_run(point):
    subscriptions = build_world()

    with faults.raising_at(point, subscription_chunk_stage), pytest.raises(InjectedCrash):
        subscriptions_run(chunk_size=1)

    run = SubscriptionRun.objects.get()
    failed_chunk = int(point.split(":")[1])
    assert run.status == SubscriptionRun.Status.FAILED
    assert "injected crash" in run.last_error
    assert run.chunks_done == failed_chunk - 1
    # The failed chunk left nothing behind: its subscription has no click and no row.
    failed = subscriptions[failed_chunk - 1]
    assert not SubscriptionMonth.objects.filter(subscription=failed).exists()
    assert not Click.objects.filter(reader=failed.reader, thing=failed.thing).exists()

    subscriptions_run()

    assert_one_click_per_subscription(subscriptions)


@pytest.mark.django_db(transaction=True)
def test_a_run_that_was_not_resumed_before_its_month_ended_stays_failed(time_machine):
    subscriptions = build_world()
    with (
        faults.raising_at("chunk_written:1", subscription_chunk_stage),
        pytest.raises(InjectedCrash),
    ):
        subscriptions_run(chunk_size=1)
    chunk = SubscriptionChunk.objects.get(number=1)
    time_machine.move_to(next_month(month_of()), tick=False)

    with pytest.raises(SubscriptionRunError, match="has ended"):
        subscription_chunk_process(chunk_id=chunk.pk)

    first = subscriptions[0]
    assert not Click.objects.filter(reader=first.reader, thing=first.thing).exists()
    assert "has ended" in SubscriptionRun.objects.get().last_error


def subscriptions_subprocess(kill_at: str = "") -> subprocess.CompletedProcess:
    return faults.command_in_subprocess("subscriptions", "--json", kill_at=kill_at)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kill_at", ["chunk_written:2", "chunk_committed:2", "chunk_written:4"])
def test_a_killed_run_resumes_to_one_click_per_subscription(kill_at):
    subscriptions = build_world()
    connection.close()  # the subprocess must see committed data, not our session

    killed = subscriptions_subprocess(kill_at)

    assert killed.returncode == -signal.SIGKILL, killed.stderr
    stage, number = kill_at.split(":")
    done = set(
        SubscriptionChunk.objects.filter(done_at__isnull=False).values_list("number", flat=True)
    )
    last_done = int(number) - 1 if stage == "chunk_written" else int(number)
    assert done == set(range(1, last_done + 1))
    assert SubscriptionMonth.objects.filter(month=month_of()).count() == last_done

    resumed = subscriptions_subprocess()

    assert resumed.returncode == 0, resumed.stderr
    summary = json.loads(resumed.stdout.strip().splitlines()[-1])
    assert summary["status"] == "done"
    assert (summary["clicked"], summary["refused"], summary["subscriptions"]) == (3, 1, 4)
    assert_one_click_per_subscription(subscriptions)
