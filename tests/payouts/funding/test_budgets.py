import datetime as dt

import pytest
from django.utils import timezone

from flattr_clone.months import month_end, month_last_instant
from payouts.funding.budgets import BudgetError, budget_set
from payouts.funding.models import BudgetChange
from payouts.funding.selectors import budget_in_effect, budgets_in_effect_cents
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OCTOBER = dt.date(2026, 10, 1)


@pytest.fixture
def reader():
    return UserFactory()


def budget_now(user):
    change = budget_in_effect(user)
    return change.amount_cents if change else None


def at(day, hour=12, month=10):
    return timezone.make_aware(dt.datetime(2026, month, day, hour))


def test_a_reader_without_a_budget_has_none(reader):
    assert budget_in_effect(reader) is None
    assert budgets_in_effect_cents(user_ids=[reader.pk], at=month_last_instant(OCTOBER)) == {}


def test_every_change_is_kept_with_its_time(reader):
    budget_set(user=reader, amount_cents=500, at=at(3))
    budget_set(user=reader, amount_cents=800, at=at(20))

    assert [c.amount_cents for c in BudgetChange.objects.filter(user=reader)] == [800, 500]
    assert budget_in_effect(reader, at=at(10)).amount_cents == 500
    assert budget_in_effect(reader, at=at(21)).amount_cents == 800
    assert budget_in_effect(reader, at=at(1)) is None


def test_payday_uses_the_budget_in_effect_when_the_month_ended(reader):
    budget_set(user=reader, amount_cents=500, at=at(3))
    budget_set(user=reader, amount_cents=900, at=month_end(OCTOBER) - dt.timedelta(microseconds=1))
    # Lowered on the first instant of November: that is November's budget.
    budget_set(user=reader, amount_cents=200, at=month_end(OCTOBER))

    def at_end_of(month):
        budgets = budgets_in_effect_cents(user_ids=[reader.pk], at=month_last_instant(month))
        return budgets[reader.pk]

    assert at_end_of(OCTOBER) == 900
    assert at_end_of(dt.date(2026, 11, 1)) == 200


def test_setting_the_same_budget_again_writes_nothing(reader):
    first = budget_set(user=reader, amount_cents=500)
    again = budget_set(user=reader, amount_cents=500)

    assert again.pk == first.pk
    assert BudgetChange.objects.count() == 1


@pytest.mark.parametrize("amount", [199, 10001, 0, -500, 5.0, "500"])
def test_a_budget_outside_the_limits_is_refused_and_nothing_changes(reader, amount):
    budget_set(user=reader, amount_cents=300)

    with pytest.raises(BudgetError):
        budget_set(user=reader, amount_cents=amount)
    assert budget_now(reader) == 300
    assert BudgetChange.objects.count() == 1


def test_the_limits_come_from_the_settings_of_the_moment(reader, settings):
    settings.BUDGET_MAX_CENTS = 20000

    budget_set(user=reader, amount_cents=15000)

    assert budget_now(reader) == 15000


def test_the_budgets_of_other_readers_are_their_own(reader):
    budget_set(user=UserFactory(), amount_cents=700)

    assert budget_now(reader) is None


# --- The budget form on the wallet page ------------------------------------------------


def test_the_wallet_page_requires_login(client):
    response = client.get("/wallet/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_reader_sets_a_budget_from_the_wallet_page(client, reader):
    client.force_login(reader)

    response = client.post("/wallet/budget/", {"amount": "7.50"}, follow=True)

    assert budget_now(reader) == 750
    page = response.content.decode()
    assert "Your monthly budget is now €7.50." in page
    assert 'value="7.50"' in page  # the form shows the current budget


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1", "Choose a monthly budget between €2.00 and €100.00."),
        ("100.01", "Choose a monthly budget between €2.00 and €100.00."),
        ("a lot", "Enter an amount such as 12.50 or 1,234.50."),
        ("7,50", "Enter an amount such as 12.50 or 1,234.50."),  # a French amount in English
        ("١٢", "Enter an amount such as 12.50 or 1,234.50."),
        ("1e1", "Enter an amount such as 12.50 or 1,234.50."),
        ("1_000", "Enter an amount such as 12.50 or 1,234.50."),
        ("1,000", "Choose a monthly budget between €2.00 and €100.00."),  # one thousand
        ("", "This field is required."),
    ],
)
def test_a_bad_budget_is_explained_and_nothing_changes(client, reader, amount, message):
    client.force_login(reader)
    budget_set(user=reader, amount_cents=400)

    response = client.post("/wallet/budget/", {"amount": amount})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert budget_now(reader) == 400


def test_the_budget_form_needs_a_csrf_token(reader):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)

    assert client.post("/wallet/budget/", {"amount": "5"}).status_code == 403
    assert budget_now(reader) is None


def test_amounts_are_shown_in_the_readers_language(client, reader):
    client.force_login(reader)
    budget_set(user=reader, amount_cents=1250)

    page = client.get("/wallet/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "12,50\u00a0€" in page


# --- Amounts typed in the reader's language (issue 12) ----------------------------------


def test_a_french_reader_types_the_budget_with_a_decimal_comma(client, reader):
    client.force_login(reader)

    response = client.post("/wallet/budget/", {"amount": "7,50"}, HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 302
    assert budget_now(reader) == 750


def test_the_budget_field_shows_the_budget_as_the_reader_types_it(client, reader):
    client.force_login(reader)
    budget_set(user=reader, amount_cents=750)

    english = client.get("/wallet/").content.decode()
    french = client.get("/wallet/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert 'value="7.50"' in english
    assert 'value="7,50"' in french
    # Sent back unchanged, it is the same budget.
    client.post("/wallet/budget/", {"amount": "7,50"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert budget_now(reader) == 750


@pytest.mark.parametrize("amount", ["12.50", "1,000", "١٢", "1e1"])
def test_a_french_reader_gets_the_french_format_explained(client, reader, amount):
    client.force_login(reader)
    budget_set(user=reader, amount_cents=400)

    response = client.post("/wallet/budget/", {"amount": amount}, HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 400
    assert "12,50" in response.content.decode()
    assert "1\u00a0234,50" in response.content.decode()
    assert budget_now(reader) == 400
