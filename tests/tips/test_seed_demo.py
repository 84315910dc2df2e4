from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from accounts.models import User
from flattr_clone.months import month_of, previous_month
from payouts.funding.models import BudgetChange, TopUp
from payouts.ledger.checks import ledger_check
from payouts.ledger.models import Account, Transfer
from payouts.ledger.selectors import balance_cents
from tests.factories import AccountFactory, TransferFactory, UserFactory
from tips.clicks.models import Click
from tips.subscriptions.models import Subscription, SubscriptionMonth
from tips.things.models import Thing

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict:
    return {
        "users": User.objects.count(),
        "emails": EmailAddress.objects.count(),
        "budgets": BudgetChange.objects.count(),
        "transfers": Transfer.objects.count(),
        "things": Thing.objects.count(),
        "clicks": Click.objects.count(),
        "subscriptions": Subscription.objects.count(),
        "subscription_months": SubscriptionMonth.objects.count(),
    }


def test_it_creates_people_money_things_and_clicks_in_two_months():
    output = seed()

    created = counts()
    assert {key: value for key, value in created.items() if key != "clicks"} == {
        "users": 7,
        "emails": 7,
        "budgets": 3,
        "transfers": 3,
        "things": 8,
        "subscriptions": 1,
        "subscription_months": 2,
    }
    operator = User.objects.get(email="operator@example.com")
    assert operator.is_staff and operator.is_superuser
    assert not EmailAddress.objects.filter(verified=False).exists()
    alice = User.objects.get(email="alice@example.com")
    assert balance_cents(alice, "wallet") == 5000
    assert alice.budget_changes.get().amount_cents == 1000
    this_month = month_of()
    months = set(Click.objects.values_list("month", flat=True))
    assert months == {this_month, previous_month(this_month)}
    assert Click.objects.filter(reader=F("creator")).count() == 0
    assert Click.objects.exclude(creator=F("thing__owner")).count() == 0
    assert all(url.startswith("https://") for url in Thing.objects.values_list("url", flat=True))
    readers = User.objects.filter(budget_changes__isnull=False)
    assert readers.count() == 3
    for reader in readers:
        assert reader.clicks.filter(month=this_month).exists()
        assert reader.clicks.filter(month=previous_month(this_month)).exists()
    # Alice flattrs a podcast episode every month, since last month.
    subscription = Subscription.objects.get()
    assert (subscription.reader, subscription.thing.title) == (alice, "Episode 1: Why we tip")
    assert subscription.first_month == previous_month(this_month)
    assert set(
        Click.objects.filter(reader=alice, thing=subscription.thing).values_list("month", flat=True)
    ) == {this_month, previous_month(this_month)}
    assert "operator@example.com" in output
    assert "demo-password-2024" in output
    assert "authenticator app" in output


def test_running_it_twice_duplicates_nothing_and_keeps_the_ledger_consistent():
    seed()
    first = counts()

    seed()

    assert counts() == first
    assert ledger_check(record=False).ok


def test_the_printed_login_works(client):
    seed()

    response = client.post(
        "/accounts/login/", {"login": "alice@example.com", "password": "demo-password-2024"}
    )

    assert response.status_code == 302
    assert client.get("/settings/").status_code == 200


def test_it_refuses_to_run_in_production(settings):
    settings.EMBEDDED = False

    with pytest.raises(CommandError, match="embedded demo"):
        seed()
    assert User.objects.count() == 0


def test_the_wallets_are_topped_up_through_the_sandbox_as_a_reader_would():
    seed()

    top_ups = TopUp.objects.order_by("user__email")
    assert [(t.user.email, t.amount_cents) for t in top_ups] == [
        ("alice@example.com", 5000),
        ("bob@example.com", 2500),
        ("chloe@example.com", 10000),
    ]
    for top_up in top_ups:
        assert (top_up.provider, top_up.status) == ("sandbox", TopUp.Status.PAID)
        transfer = Transfer.objects.get(idempotency_key=f"topup:{top_up.pk}")
        assert (transfer.kind, transfer.amount_cents) == ("top_up", top_up.amount_cents)


def test_a_demo_funded_under_the_former_seed_key_is_not_funded_again():
    alice = UserFactory(email="alice@example.com", handle="alice")
    TransferFactory(
        credit=AccountFactory(kind=Account.Kind.WALLET, user=alice),
        amount_cents=5000,
        idempotency_key="seed:topup:alice@example.com",
        kind="top_up",
        reference="seed",
    )

    seed()

    assert balance_cents(alice, "wallet") == 5000
    assert not TopUp.objects.filter(user=alice).exists()
    assert TopUp.objects.count() == 2


def test_it_refuses_to_run_without_the_payment_sandbox(settings):
    settings.PAYMENTS_SANDBOX = False

    with pytest.raises(CommandError, match="offline payment sandbox"):
        seed()
    assert User.objects.count() == 0
