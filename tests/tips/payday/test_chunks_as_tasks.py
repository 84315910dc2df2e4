"""Each chunk is its own Celery task, enqueued once the plan is committed; the chunk that
finishes last closes the run and enqueues the follow-up tasks."""

import pytest

from tests.factories import TopUpFactory, UserFactory
from tests.tips.payday import faults
from tests.tips.payday.helpers import MONTH, click, earnings, set_budget, wallet
from tips.payday.models import PaydayRun
from tips.payday.services import payday_run

pytestmark = pytest.mark.django_db


def three_readers():
    creator = UserFactory()
    readers = []
    for _ in range(3):
        reader = UserFactory()
        TopUpFactory(user=reader, amount_cents=1000)
        set_budget(reader, 500)
        click(reader, creator)
        readers.append(reader)
    return readers, creator


def test_chunks_run_as_tasks_after_commit_in_any_order(django_capture_on_commit_callbacks):
    readers, creator = three_readers()

    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        payday_run(month=MONTH, chunk_size=1)

    run = PaydayRun.objects.get(month=MONTH)
    assert (run.status, run.chunks_total, run.chunks_done) == ("running", 3, 0)
    assert [wallet(r) for r in readers] == [1000, 1000, 1000]
    assert len(enqueued) == 3

    for task in reversed(enqueued):
        task()
        enqueued[0]()  # a chunk delivered twice does nothing the second time

    run.refresh_from_db()
    assert (run.status, run.chunks_done) == ("done", 3)
    assert [wallet(r) for r in readers] == [500, 500, 500]
    assert earnings(creator) == 3 * 450


def test_the_follow_up_tasks_run_once_the_run_is_done(settings, run_payday):
    settings.PAYDAY_FOLLOW_UP_TASKS = ["tests.tips.payday.faults.remember_follow_up"]
    faults.follow_ups.clear()
    three_readers()

    run_payday(MONTH, chunk_size=2)
    run_payday(MONTH)  # already done: nothing is enqueued again

    assert faults.follow_ups == [{"month": "2025-03", "status": "done"}]
