"""Concurrent postings against real PostgreSQL row locks (SQLite serialises writers)."""

import threading

import pytest
from django.db import connection

from payouts.ledger.checks import ledger_check
from payouts.ledger.models import Account, Transfer
from payouts.ledger.selectors import balance_cents
from payouts.ledger.services import (
    InsufficientFunds,
    earnings_of,
    post_transfer,
    system_account,
    wallet_of,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_in_threads(count, work):
    """Start ``count`` threads on ``work(i)`` at the same moment; return results or errors."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def target(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:  # collected and asserted on by the test
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def fund(user, cents, key):
    post_transfer(
        debit=system_account(Account.Kind.EXTERNAL, "sandbox"),
        credit=wallet_of(user),
        amount_cents=cents,
        idempotency_key=key,
        kind="top_up",
    )


def test_threads_spending_one_wallet_succeed_only_as_far_as_it_affords():
    reader, creator = UserFactory(), UserFactory()
    fund(reader, 1000, "fund")
    wallet, earnings = wallet_of(reader), earnings_of(creator)

    def spend(i):
        return post_transfer(
            debit=wallet,
            credit=earnings,
            amount_cents=300,
            idempotency_key=f"spend:{i}",
            kind="distribution",
        )

    results = run_in_threads(12, spend)

    succeeded = [r for r in results if isinstance(r, Transfer)]
    refused = [r for r in results if isinstance(r, InsufficientFunds)]
    assert len(succeeded) == 3
    assert len(refused) == 9
    assert balance_cents(reader, Account.Kind.WALLET) == 100
    assert balance_cents(creator, Account.Kind.EARNINGS) == 900
    assert ledger_check(record=False).ok


def test_the_same_key_posted_by_many_threads_at_once_applies_once():
    reader = UserFactory()
    wallet_of(reader)
    system_account(Account.Kind.EXTERNAL, "stripe")

    def credit(i):
        return post_transfer(
            debit=system_account(Account.Kind.EXTERNAL, "stripe"),
            credit=wallet_of(reader),
            amount_cents=2500,
            idempotency_key="topup:same",
            kind="top_up",
        )

    results = run_in_threads(10, credit)

    assert all(isinstance(r, Transfer) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Transfer.objects.filter(idempotency_key="topup:same").count() == 1
    assert balance_cents(reader, Account.Kind.WALLET) == 2500


def test_the_self_check_never_reports_a_sound_ledger_broken_while_money_moves():
    """Regression: the check used to read credits, debits and balances in separate queries,
    so a transfer committed between them looked like a broken ledger."""
    readers = [UserFactory() for _ in range(4)]
    for reader in readers:
        wallet_of(reader)
    system_account(Account.Kind.EXTERNAL, "sandbox")
    stop = threading.Event()

    def keep_posting(i):
        n = 0
        while not stop.is_set():
            fund(readers[i], 1, f"drip:{i}:{n}")
            n += 1
        return n

    posters = []
    for i in range(len(readers)):
        thread = threading.Thread(
            target=lambda i=i: (keep_posting(i), connection.close()), daemon=True
        )
        thread.start()
        posters.append(thread)
    try:
        reports = [ledger_check(record=False)]
        while reports[-1].transfers < 300 and len(reports) < 20_000:
            reports.append(ledger_check(record=False))
    finally:
        stop.set()
        for thread in posters:
            thread.join(timeout=30)

    assert reports[-1].transfers >= 300  # money really moved during the checks
    assert [r.as_dict() for r in reports if not r.ok] == []
