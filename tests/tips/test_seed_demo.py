from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from accounts.models import User
from flattr_clone.months import month_of, previous_month
from payouts.funding.models import BudgetChange
from payouts.ledger.checks import ledger_check
from payouts.ledger.models import Transfer
from payouts.ledger.selectors import balance_cents
from tips.clicks.models import Click
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
