"""Two paydays for one month never run at once; months that cannot run yet are refused."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection

from flattr_clone.months import month_of, previous_month
from payouts.ledger.models import Transfer
from tests.factories import TopUpFactory, UserFactory
from tests.tips.payday import faults
from tests.tips.payday.helpers import MONTH, click, earnings, set_budget, wallet
from tips.payday.chunks import payday_chunk_process
from tips.payday.models import PaydayChunk, PaydayRun
from tips.payday.services import PaydayBusy, PaydayError, payday_run


def reader_clicking(creator, *, budget=500, balance=500, month=MONTH):
    reader = UserFactory()
    TopUpFactory(user=reader, amount_cents=balance)
    set_budget(reader, budget)
    click(reader, creator, month=month)
    return reader


@pytest.fixture
def blocking_hook():
    with faults.blocking_first_chunk():
        yield


def in_thread(target):
    outcome = {}

    def run():
        try:
            outcome["value"] = target()
        except Exception as error:
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_payday_for_the_same_month_is_refused_while_the_first_runs(blocking_hook):
    creator = UserFactory()
    reader = reader_clicking(creator)
    first, first_outcome = in_thread(lambda: payday_run(month=MONTH))
    assert faults.entered.wait(timeout=20)

    with pytest.raises(PaydayBusy, match="already running"):
        payday_run(month=MONTH)

    faults.release.set()
    first.join(timeout=30)
    assert "error" not in first_outcome
    assert PaydayRun.objects.get(month=MONTH).status == PaydayRun.Status.DONE
    assert (wallet(reader), earnings(creator)) == (0, 450)
    assert Transfer.objects.filter(reference="payday:2025-03").count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_chunk_being_processed_is_skipped_by_a_second_worker(blocking_hook):
    creator = UserFactory()
    reader = reader_clicking(creator)
    first, first_outcome = in_thread(lambda: payday_run(month=MONTH))
    assert faults.entered.wait(timeout=20)
    chunk = PaydayChunk.objects.get(run__month=MONTH)

    assert payday_chunk_process(chunk_id=chunk.pk) is False

    faults.release.set()
    first.join(timeout=30)
    assert "error" not in first_outcome
    assert payday_chunk_process(chunk_id=chunk.pk) is False  # done: a re-run is a no-op
    assert (wallet(reader), earnings(creator)) == (0, 450)


@pytest.mark.django_db
def test_a_month_that_has_not_ended_is_refused():
    this_month = month_of()
    reader_clicking(UserFactory(), month=this_month)

    with pytest.raises(PaydayError, match="has not ended"):
        payday_run(month=this_month)
    assert not PaydayRun.objects.exists()


@pytest.mark.django_db
def test_a_month_is_refused_while_an_earlier_month_with_clicks_has_no_finished_payday(
    run_payday,
):
    creator = UserFactory()
    early = reader_clicking(creator, month=dt.date(2025, 1, 1))
    reader_clicking(creator)

    with pytest.raises(PaydayError, match="2025-01 has not finished"):
        payday_run(month=MONTH)
    assert not PaydayRun.objects.exists()
    assert wallet(early) == 500

    run_payday(dt.date(2025, 1, 1))
    assert run_payday(MONTH).status == PaydayRun.Status.DONE


@pytest.mark.django_db
def test_months_without_clicks_do_not_block_later_ones(run_payday):
    reader_clicking(UserFactory(), month=dt.date(2024, 11, 1))
    run_payday(dt.date(2024, 11, 1))
    reader_clicking(UserFactory())  # nothing in 2024-12 .. 2025-02

    assert run_payday(MONTH).status == PaydayRun.Status.DONE


@pytest.mark.django_db
def test_the_previous_month_is_what_the_monthly_schedule_runs():
    from django.conf import settings

    from tips.payday.jobs import payday_previous_month

    entry = settings.CELERY_BEAT_SCHEDULE["payday-previous-month"]
    assert entry["task"] == "tips.tasks.payday_previous_month"
    assert entry["schedule"].day_of_month == {1}
    assert entry["schedule"].hour == {settings.PAYDAY_HOUR}

    assert payday_previous_month() == "done"
    assert PaydayRun.objects.get().month == previous_month(month_of())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_worker_takes_the_next_chunk_while_the_first_chunk_is_open(blocking_hook):
    first_reader = reader_clicking(UserFactory())
    second_creator = UserFactory()
    second_reader = reader_clicking(second_creator)
    first, first_outcome = in_thread(lambda: payday_run(month=MONTH, chunk_size=1))
    assert faults.entered.wait(timeout=20)  # chunk 1 is written, its transaction open
    second_chunk = PaydayChunk.objects.get(run__month=MONTH, number=2)

    # Another worker takes chunk 2 meanwhile. It must not skip it as if it were taken (its
    # lock once covered the run's row, which chunk 1 holds): a skipped chunk is never paid.
    second, second_outcome = in_thread(lambda: payday_chunk_process(chunk_id=second_chunk.pk))
    _until_done_or_waiting_for_a_lock(second)
    faults.release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert "error" not in first_outcome and "error" not in second_outcome
    assert second_outcome["value"] is True
    assert (wallet(first_reader), wallet(second_reader), earnings(second_creator)) == (0, 0, 450)
    assert PaydayRun.objects.get(month=MONTH).status == PaydayRun.Status.DONE


def _until_done_or_waiting_for_a_lock(thread) -> None:
    """Until ``thread`` has ended or a session waits for a lock (chunk 2 reaching the
    commission account, which chunk 1 holds until its commit)."""
    for _ in range(200):
        if not thread.is_alive():
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
