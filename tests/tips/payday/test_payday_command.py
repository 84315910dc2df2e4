"""``python manage.py payday --month YYYY-MM [--dry-run] [--json]`` as operators use it."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from flattr_clone.months import format_month, month_of, month_start, previous_month
from payouts.ledger.models import Transfer
from tests.factories import TopUpFactory, UserFactory
from tests.tips.payday.helpers import click, earnings, set_budget, wallet
from tips.payday.models import PaydayRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    creators = UserFactory.create_batch(3)
    readers = []
    for budget, balance in [(205, 1000), (1000, 300)]:
        reader = UserFactory()
        TopUpFactory(user=reader, amount_cents=balance)
        set_budget(reader, budget)
        for creator in creators:
            click(reader, creator)
        readers.append(reader)
    return readers, creators


def payday(*args):
    out = StringIO()
    call_command("payday", *args, stdout=out)
    return out.getvalue()


def last_json(output):
    return json.loads(output.strip().splitlines()[-1])


def test_the_dry_run_prints_the_totals_and_moves_nothing(world):
    readers, creators = world

    summary = last_json(payday("--month", "2025-03", "--dry-run", "--json"))

    # 205 → commission 21, 184 shared; 300 → commission 30, 270 shared.
    assert summary == {
        "month": "2025-03",
        "readers": 2,
        "creators": 3,
        "given": 505,
        "commission": 51,
        "distributed": 454,
        "status": "dry_run",
        # docs/PRODUCT.md, Funding, Totals: the month's charges to cards (none here).
        "charged": {
            "charges": 0,
            "amount": 0,
            "collected": 0,
            "pending": 0,
            "not_collected": 0,
            "pending_count": 0,
            "not_collected_count": 0,
        },
    }
    assert [wallet(r) for r in readers] == [1000, 300]
    assert not PaydayRun.objects.exists()


def test_the_run_prints_the_same_totals_as_its_dry_run(world, django_capture_on_commit_callbacks):
    dry = last_json(payday("--month", "2025-03", "--dry-run", "--json"))

    with django_capture_on_commit_callbacks(execute=True):
        payday("--month", "2025-03", "--json")
    done = last_json(payday("--month", "2025-03", "--json"))

    assert {**dry, "status": "done"} == done
    readers, creators = world
    assert [wallet(r) for r in readers] == [1000 - 205, 0]
    assert sum(earnings(c) for c in creators) == 454


def test_the_plain_output_says_what_happened(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        payday("--month", "2025-03")
    output = payday("--month", "2025-03")

    assert "payday 2025-03 (done): 2 readers gave €5.05 to 3 creators" in output


@pytest.mark.parametrize("month", ["2025-13", "march", "2025-3", ""])
def test_a_bad_month_is_a_clear_error(month):
    with pytest.raises(CommandError, match="is not a month; use YYYY-MM"):
        payday("--month", month)


def test_the_current_month_is_refused():
    with pytest.raises(CommandError, match="has not ended yet"):
        payday("--month", format_month(month_of()), "--dry-run")


# --- Which months may be paid (issue 12) ------------------------------------------------


def nothing_stored():
    return (
        not PaydayRun.objects.exists()
        and not Transfer.objects.filter(reference__startswith="payday:").exists()
    )


@pytest.mark.parametrize("month", ["9999-12", "2999-01"])
def test_a_month_far_in_the_future_is_refused_not_a_crash(world, month):
    last_ended = format_month(previous_month(month_of()))
    with pytest.raises(
        CommandError,
        match=f"The month {month} has not ended yet; the last month that has ended is {last_ended}",
    ):
        payday("--month", month, "--json")
    with pytest.raises(CommandError, match="has not ended yet"):
        payday("--month", month, "--dry-run")
    assert nothing_stored()


@pytest.mark.parametrize("month", ["0001-01", "0999-12", "1990-01", "2025-02"])
def test_a_month_before_the_first_budget_and_click_is_refused_and_nothing_is_stored(world, month):
    with pytest.raises(
        CommandError, match=f"The month {month} is before the platform's first month, 2025-03"
    ):
        payday("--month", month)
    with pytest.raises(CommandError, match="before the platform's first month"):
        payday("--month", month, "--dry-run", "--json")
    assert nothing_stored()


def test_the_first_budget_opens_the_first_month_even_before_any_click(
    django_capture_on_commit_callbacks,
):
    set_budget(UserFactory(), 500, at=month_start(dt.date(2025, 1, 1)))

    with pytest.raises(CommandError, match="2024-12 is before the platform's first month, 2025-01"):
        payday("--month", "2024-12")
    with django_capture_on_commit_callbacks(execute=True):
        payday("--month", "2025-01")

    assert PaydayRun.objects.get().status == PaydayRun.Status.DONE


def test_on_a_new_platform_only_the_month_that_has_just_ended_can_be_closed(
    django_capture_on_commit_callbacks,
):
    last_ended = format_month(previous_month(month_of()))

    with pytest.raises(CommandError, match=f"before the platform's first month, {last_ended}"):
        payday("--month", "2025-03")
    assert nothing_stored()
    with django_capture_on_commit_callbacks(execute=True):
        payday("--month", last_ended)
    assert last_json(payday("--month", last_ended, "--json"))["status"] == "done"


def test_year_zero_is_not_a_month():
    with pytest.raises(CommandError, match="is not a month; use YYYY-MM"):
        payday("--month", "0000-01")


def test_the_first_month_and_the_last_ended_month_are_accepted(
    world, django_capture_on_commit_callbacks
):
    last_ended = format_month(previous_month(month_of()))
    for month in ("2025-03", last_ended):
        with django_capture_on_commit_callbacks(execute=True):
            payday("--month", month)

    first = last_json(payday("--month", "2025-03", "--json"))
    last = last_json(payday("--month", last_ended, "--json"))
    assert (first["month"], first["status"], first["readers"]) == ("2025-03", "done", 2)
    assert (last["month"], last["status"], last["readers"]) == (last_ended, "done", 0)
