import pytest

from payouts.ledger.checks import ledger_check
from payouts.ledger.models import Account, Transfer
from payouts.ledger.selectors import balance_cents
from payouts.ledger.services import (
    IdempotencyConflict,
    InsufficientFunds,
    LedgerError,
    Posting,
    earnings_of,
    post_transfer,
    post_transfers,
    system_account,
    wallet_of,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    return UserFactory()


@pytest.fixture
def outside():
    return system_account(Account.Kind.EXTERNAL, "sandbox")


def fund(user, outside, cents, key="fund"):
    return post_transfer(
        debit=outside,
        credit=wallet_of(user),
        amount_cents=cents,
        idempotency_key=key,
        kind="top_up",
    )


def test_a_transfer_moves_money_and_keeps_the_sum_at_zero(reader, outside):
    fund(reader, outside, 1500)

    assert balance_cents(reader, Account.Kind.WALLET) == 1500
    assert Account.objects.get(pk=outside.pk).balance_cents == -1500
    assert ledger_check(record=False).ok


def test_posting_the_same_key_again_applies_it_once(reader, outside):
    first = fund(reader, outside, 1500)
    again = fund(reader, outside, 1500)

    assert again.pk == first.pk
    assert balance_cents(reader, Account.Kind.WALLET) == 1500
    assert Transfer.objects.count() == 1


def test_the_same_key_with_other_fields_is_refused(reader, outside):
    fund(reader, outside, 1500)

    with pytest.raises(IdempotencyConflict):
        fund(reader, outside, 1600)
    assert balance_cents(reader, Account.Kind.WALLET) == 1500


def test_a_wallet_cannot_be_overdrawn(reader, outside):
    fund(reader, outside, 500)
    creator = UserFactory()

    with pytest.raises(InsufficientFunds) as refused:
        post_transfer(
            debit=wallet_of(reader),
            credit=earnings_of(creator),
            amount_cents=501,
            idempotency_key="too-much",
            kind="distribution",
        )
    assert refused.value.missing_cents == 1
    assert balance_cents(reader, Account.Kind.WALLET) == 500
    assert not Transfer.objects.filter(idempotency_key="too-much").exists()


def test_a_group_is_applied_whole_or_not_at_all(reader, outside):
    fund(reader, outside, 500)
    creator = UserFactory()
    wallet, earnings = wallet_of(reader), earnings_of(creator)
    commission = system_account(Account.Kind.COMMISSION)

    with pytest.raises(InsufficientFunds):
        post_transfers(
            [
                Posting(wallet.pk, commission.pk, 50, "c", "commission"),
                Posting(wallet.pk, earnings.pk, 451, "d", "distribution"),
            ]
        )
    assert balance_cents(reader, Account.Kind.WALLET) == 500
    assert Transfer.objects.count() == 1


@pytest.mark.parametrize("amount", [0, -5, 1.5, "100", True])
def test_amounts_must_be_positive_integer_cents(reader, outside, amount):
    with pytest.raises(LedgerError):
        fund(reader, outside, amount)
    assert Transfer.objects.count() == 0


def test_the_database_refuses_a_negative_wallet_even_when_code_forgets(reader):
    from django.db import IntegrityError, transaction

    wallet = wallet_of(reader)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=wallet.pk).update(balance_cents=-1)


@pytest.mark.ledger_broken
def test_check_ledger_reports_a_cached_balance_that_differs(reader, outside):
    fund(reader, outside, 500)
    Account.objects.filter(pk=wallet_of(reader).pk).update(balance_cents=400)

    report = ledger_check(record=False)

    assert not report.ok
    assert report.mismatched_accounts == [
        {"account": wallet_of(reader).pk, "cached": 400, "transfers": 500}
    ]


def test_a_reference_longer_than_the_column_is_refused_before_touching_the_database(
    reader, outside
):
    with pytest.raises(LedgerError):
        post_transfer(
            debit=outside,
            credit=wallet_of(reader),
            amount_cents=100,
            idempotency_key="long-reference",
            kind="top_up",
            reference="x" * 201,
        )
    assert Transfer.objects.count() == 0


def test_check_ledger_counts_every_transfer_once(reader, outside):
    fund(reader, outside, 500, key="a")
    fund(reader, outside, 700, key="b")

    report = ledger_check(record=False)

    assert report.ok
    assert report.transfers == 2
    assert report.total_cents == 0


@pytest.mark.parametrize(
    "key", ['quote"d', "back\\slash", "comma,{braces}", "spaces and é", "NULL", ""]
)
def test_keys_and_references_are_stored_exactly_as_given_whatever_their_characters(
    reader, outside, key
):
    # PostgreSQL receives the rows as array literals: nothing in a key may change it.
    key = f"odd:{key}"
    transfer = fund(reader, outside, 700, key=key)
    again = fund(reader, outside, 700, key=key)

    stored = Transfer.objects.get(pk=transfer.pk)
    assert stored.idempotency_key == key
    assert again.pk == transfer.pk
    assert balance_cents(reader, Account.Kind.WALLET) == 700
