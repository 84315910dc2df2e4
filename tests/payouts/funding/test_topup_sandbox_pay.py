"""``topup_sandbox_pay``: a whole sandbox top-up in one call, as a reader pays it on the test
page. The demo's seed data and the tests' wallets are funded with it."""

import pytest

from payouts.funding.models import TopUp
from payouts.funding.topups import TopUpError, topup_sandbox_pay
from payouts.ledger.models import Account, Transfer
from payouts.ledger.selectors import balance_cents
from payouts.ledger.services import system_account
from payouts.providers import Provider, TopUpUnavailable
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("payments_sandbox")]


def test_it_credits_the_wallet_under_the_top_ups_own_key():
    reader = UserFactory()

    topup = topup_sandbox_pay(user=reader, amount_cents=1200)

    assert (topup.provider, topup.status, topup.amount_cents) == (Provider.SANDBOX, "paid", 1200)
    assert topup.session_id.startswith("sbx_")
    assert topup.payment_id == topup.session_id
    assert topup.completed_at is not None
    assert balance_cents(reader, Account.Kind.WALLET) == 1200
    transfer = Transfer.objects.get()
    assert (transfer.idempotency_key, transfer.reference) == (
        f"topup:{topup.pk}",
        f"topup:{topup.pk}",
    )
    assert transfer.kind == Transfer.Kind.TOP_UP
    assert transfer.debit == system_account(Account.Kind.EXTERNAL, "sandbox")


def test_it_ends_like_paying_on_the_test_page(client):
    on_page, by_call = UserFactory(), UserFactory()
    client.force_login(on_page)
    url = client.post("/wallet/top-up/", {"custom_amount": "12.00"})["Location"]
    client.post(url, {"action": "pay"})

    topup_sandbox_pay(user=by_call, amount_cents=1200)

    fields = ("provider", "status", "amount_cents", "currency", "refunded_cents")
    paid_on_page, paid_by_call = (
        TopUp.objects.filter(user=user).values(*fields).get() for user in (on_page, by_call)
    )
    assert paid_by_call == paid_on_page
    assert balance_cents(by_call, Account.Kind.WALLET) == 1200
    assert balance_cents(on_page, Account.Kind.WALLET) == 1200


def test_every_call_is_a_new_top_up():
    reader = UserFactory()

    first = topup_sandbox_pay(user=reader, amount_cents=1000)
    second = topup_sandbox_pay(user=reader, amount_cents=1000)

    assert first.pk != second.pk
    assert balance_cents(reader, Account.Kind.WALLET) == 2000


def test_it_refuses_when_the_sandbox_is_off(settings):
    settings.PAYMENTS_SANDBOX = False
    reader = UserFactory()

    with pytest.raises(TopUpUnavailable, match="sandbox is off"):
        topup_sandbox_pay(user=reader, amount_cents=1000)

    assert not TopUp.objects.exists()
    assert balance_cents(reader, Account.Kind.WALLET) == 0


@pytest.mark.parametrize("amount", [1, 499, 50_001])
def test_it_refuses_what_the_top_up_form_refuses(amount):
    reader = UserFactory()

    with pytest.raises(TopUpError):
        topup_sandbox_pay(user=reader, amount_cents=amount)

    assert not TopUp.objects.exists()
    assert balance_cents(reader, Account.Kind.WALLET) == 0
