"""The factories build valid rows, and those that write money go through the real services
(the autouse ledger check runs after each of these tests too)."""

import pytest

from payouts.batches.models import Payout
from payouts.funding.models import TopUp
from payouts.ledger.checks import ledger_check
from payouts.ledger.models import Account, Transfer
from payouts.ledger.selectors import balance_cents
from payouts.ledger.services import system_account
from tests import factories

pytestmark = pytest.mark.django_db

PLAIN_ROWS = [
    factories.UserFactory,
    factories.LedgerCheckFactory,
    factories.BudgetChangeFactory,
    factories.ProviderEventFactory,
    factories.PaymentAccountFactory,
    factories.PayoutBatchFactory,
    factories.ThingFactory,
    factories.ClickFactory,
    factories.PaydayRunFactory,
    factories.PaydayChunkFactory,
    factories.PaydayRecordFactory,
    factories.MonthlyEmailFactory,
    factories.SubscriptionFactory,
    factories.SubscriptionMonthFactory,
    factories.SubscriptionRunFactory,
    factories.SubscriptionChunkFactory,
]


@pytest.mark.parametrize("factory", PLAIN_ROWS, ids=lambda f: f.__name__)
def test_each_factory_builds_a_valid_row(factory):
    first, second = factory(), factory()

    for row in (first, second):
        row.full_clean(validate_unique=False)
    assert first.pk != second.pk


def test_an_account_is_the_ledgers_own_and_starts_empty():
    wallet = factories.AccountFactory()
    external = factories.AccountFactory(kind=Account.Kind.EXTERNAL)

    assert (wallet.kind, wallet.balance_cents) == (Account.Kind.WALLET, 0)
    assert wallet.user is not None
    assert external == system_account(Account.Kind.EXTERNAL, "sandbox")
    assert factories.AccountFactory(kind=Account.Kind.WALLET, user=wallet.user) == wallet


def test_a_transfer_is_posted_through_the_ledger():
    transfer = factories.TransferFactory(amount_cents=700)

    assert transfer.credit.balance_cents == 700
    assert transfer.debit.balance_cents == -700
    assert transfer.kind == Transfer.Kind.CORRECTION
    assert ledger_check(record=False).ok


@pytest.mark.parametrize("amount", [1, 777, 1000])
def test_a_top_up_is_paid_through_the_sandbox_whatever_the_amount(amount):
    topup = factories.TopUpFactory(amount_cents=amount)

    assert (topup.status, topup.provider) == (TopUp.Status.PAID, "sandbox")
    assert balance_cents(topup.user, Account.Kind.WALLET) == amount
    assert Transfer.objects.get().idempotency_key == f"topup:{topup.pk}"


@pytest.mark.parametrize("status", ["pending", "canceled", "failed"])
def test_an_unpaid_top_up_moves_nothing(status):
    topup = factories.TopUpFactory(status=status)

    assert topup.status == status
    assert topup.session_id.startswith("sbx_")
    assert not Transfer.objects.exists()


def test_a_ready_reader_has_a_paid_top_up_and_a_budget():
    reader = factories.ready_reader(wallet_cents=1500, budget_cents=700)

    assert reader.top_ups.get().status == TopUp.Status.PAID
    assert balance_cents(reader, Account.Kind.WALLET) == 1500
    assert reader.budget_changes.get().amount_cents == 700


@pytest.mark.parametrize(
    ("status", "earnings", "in_transit"),
    [("sending", 0, 2500), ("paid", 0, 0), ("failed", 2500, 0)],
)
def test_a_payout_is_written_and_sent_by_the_payout_service(status, earnings, in_transit):
    payout = factories.PayoutFactory(amount_cents=2500, status=status)

    assert (payout.status, payout.amount_cents) == (status, 2500)
    assert payout.payment_account.user == payout.user
    assert balance_cents(payout.user, Account.Kind.EARNINGS) == earnings
    assert system_account(Account.Kind.IN_TRANSIT).balance_cents == in_transit
    keys = set(
        Transfer.objects.filter(reference=f"payout:{payout.pk}").values_list(
            "idempotency_key", flat=True
        )
    )
    assert f"payout:{payout.pk}" in keys


def test_a_payout_cannot_be_made_reversed_by_the_factory():
    with pytest.raises(ValueError, match="sending, paid or failed"):
        factories.PayoutFactory(status=Payout.Status.REVERSED)
