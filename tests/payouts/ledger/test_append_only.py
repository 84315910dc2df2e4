"""On PostgreSQL the database itself refuses to rewrite money history."""

import pytest
from django.db import DatabaseError, transaction

from payouts.funding.models import BudgetChange
from payouts.ledger.models import Transfer
from payouts.ledger.services import post_transfer, system_account, wallet_of
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def transfer():
    return post_transfer(
        debit=system_account("external", "sandbox"),
        credit=wallet_of(UserFactory()),
        amount_cents=1000,
        idempotency_key="append-only",
        kind="top_up",
    )


def test_a_transfer_cannot_be_edited(transfer):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Transfer.objects.filter(pk=transfer.pk).update(amount_cents=1)

    assert Transfer.objects.get(pk=transfer.pk).amount_cents == 1000


def test_a_transfer_cannot_be_deleted(transfer):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Transfer.objects.filter(pk=transfer.pk).delete()

    assert Transfer.objects.filter(pk=transfer.pk).exists()


def test_a_budget_change_cannot_be_rewritten():
    change = BudgetChange.objects.create(user=UserFactory(), amount_cents=500)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        BudgetChange.objects.filter(pk=change.pk).update(amount_cents=100)

    assert BudgetChange.objects.get(pk=change.pk).amount_cents == 500
