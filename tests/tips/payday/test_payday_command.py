"""``python manage.py payday --month YYYY-MM [--dry-run] [--json]`` as operators use it."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from flattr_clone.months import format_month, month_of
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
