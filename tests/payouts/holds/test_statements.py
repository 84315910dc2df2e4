"""Statements (docs/PRODUCT.md, Statements) equal the ledger to the cent: a year of generated
activity (card top-ups, paydays, holds and their release, payouts, refunds, disputes won and
lost), then each person's statement of the year and of every month."""

import csv
import datetime as dt
import io
import random

import pytest
import time_machine
from django.utils import timezone

from flattr_clone.months import month_start, next_month
from payouts.batches.runs import payout_batch_run
from payouts.funding.holds import holds_release_due
from payouts.funding.topups import dispute_record
from payouts.ledger.models import Account
from payouts.statements.services import statement_for, statement_period
from tests.factories import BudgetChangeFactory, ClickFactory, PaymentAccountFactory, UserFactory
from tests.payouts.holds.helpers import refund, stripe_topup
from tips.payday.services import payday_run

pytestmark = pytest.mark.django_db

YEAR = 2025


def line_cents(part, code: str) -> int:
    return next(line["cents"] for line in part.lines if line["code"] == code)


def _ledger_balance(user, *kinds) -> int:
    return sum(
        Account.objects.filter(user=user, kind__in=kinds).values_list("balance_cents", flat=True)
    )


def test_statements_equal_the_ledger_for_a_year_of_activity(django_capture_on_commit_callbacks):
    rng = random.Random(13)
    with time_machine.travel(dt.datetime(YEAR, 1, 2, tzinfo=dt.UTC), tick=False) as clock:
        readers = [UserFactory() for _ in range(4)]
        creators = [UserFactory() for _ in range(3)]
        for creator in creators:
            PaymentAccountFactory(user=creator)
        for reader in readers:
            BudgetChangeFactory(user=reader, amount_cents=rng.choice([500, 1200, 3000]))
        topups = []
        month = dt.date(YEAR, 1, 1)
        # January to November: each month's payday runs on the 1st of the next, still in YEAR.
        for _ in range(11):
            clock.move_to(month_start(month) + dt.timedelta(days=3))
            for reader in readers:
                if rng.random() < 0.6:
                    topups.append(stripe_topup(reader, rng.choice([1000, 2500, 5000])))
                for creator in rng.sample(creators, rng.randint(1, 3)):
                    ClickFactory(reader=reader, thing__owner=creator, month=month)
            clock.move_to(month_start(month) + dt.timedelta(days=12))
            paid = [
                t for t in topups if t.refunded_cents < t.amount_cents and not t.disputes.exists()
            ]
            if paid and rng.random() < 0.5:
                topup = rng.choice(paid)
                topup.refresh_from_db()
                refund(topup, min(topup.amount_cents, topup.refunded_cents + rng.randint(100, 900)))
            if paid and rng.random() < 0.4:
                topup = rng.choice(paid)
                topup.refresh_from_db()
                left = topup.amount_cents - topup.refunded_cents
                if left > 0:
                    status = rng.choice(["needs_response", "won", "lost"])
                    dispute_record(
                        provider="stripe",
                        payment_id=topup.payment_id,
                        dispute_id=f"dp_{topup.pk}_{month:%m}",
                        amount_cents=left,
                        status=status,
                    )
            clock.move_to(month_start(next_month(month)) + dt.timedelta(hours=3))
            with django_capture_on_commit_callbacks(execute=True):
                payday_run(month=month)
            holds_release_due()
            payout_batch_run()
            month = next_month(month)

    people = readers + creators
    year = statement_period(str(YEAR))
    for person in people:
        statement = statement_for(user=person, period=year)
        for part, kinds in (
            (statement.creator, ("earnings", "held")),
            (statement.reader, ("wallet",)),
        ):
            if part is None:
                continue
            assert part.opening_cents == 0
            assert part.opening_cents + part.movement_cents == part.closing_cents
            # Nothing happened after the year: its closing balances are the ledger's now.
            assert part.closing_cents == _ledger_balance(person, *kinds)
        if statement.creator:
            assert statement.creator.held_cents == _ledger_balance(person, "held")
        # The twelve months add up to the year, line by line.
        months = [
            statement_for(user=person, period=statement_period(f"{YEAR}-{m:02d}"))
            for m in range(1, 13)
        ]
        for name in ("creator", "reader"):
            year_part = getattr(statement, name)
            if year_part is None:
                continue
            for line in year_part.lines:
                monthly = sum(line_cents(getattr(m, name), line["code"]) for m in months)
                assert monthly == line["cents"], (person, name, line["code"])
    earned = sum(line_cents(statement_for(user=c, period=year).creator, "earned") for c in creators)
    given = -sum(line_cents(statement_for(user=r, period=year).reader, "given") for r in readers)
    assert earned == given > 0


def test_the_statements_page_and_its_csv(client):
    reader = UserFactory()
    with time_machine.travel(dt.datetime(YEAR, 3, 5, tzinfo=dt.UTC)):
        stripe_topup(reader, 2500)
    client.force_login(reader)

    html = client.get("/statements/", {"period": str(YEAR)}).content.decode()
    assert "As a reader: your wallet" in html
    assert "€25.00" in html

    response = client.get(f"/statements/{YEAR}-03.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["reader", "paid_in", "2500"] in rows
    assert ["reader", "closing", "2500"] in rows
    assert response["Content-Disposition"] == f'attachment; filename="statement-{YEAR}-03.csv"'


@pytest.mark.parametrize("period", ["last year", "2025-13", "9999", "1999"])
def test_a_bad_or_future_period_is_refused_with_a_message(client, period):
    client.force_login(UserFactory())
    response = client.get("/statements/", {"period": period})
    assert response.status_code == 400
    assert (
        "A statement is for a year" in response.content.decode()
        or "has not begun" in response.content.decode()
    )
    assert timezone.now()  # nothing else to check: nothing was written
