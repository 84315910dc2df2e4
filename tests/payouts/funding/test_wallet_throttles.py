"""Per-reader throttles on the wallet's writes: starting top-ups and changing the budget.
Over the limit: a 429 page saying so, with Retry-After, and nothing written."""

import html

import pytest
from django.test import override_settings

from payouts.funding.models import BudgetChange, TopUp
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("payments_sandbox")]

UNREACHABLE_CACHE = override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    },
    SESSION_ENGINE="django.contrib.sessions.backends.db",
)


@pytest.fixture
def reader(client):
    user = UserFactory()
    client.force_login(user)
    return user


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_top_ups_over_the_hourly_limit_answer_429_and_start_nothing(client, reader, settings):
    settings.TOP_UP_RATE_LIMIT_PER_HOUR = 2
    for _ in range(2):
        assert client.post("/wallet/top-up/", {"preset": "1000"}).status_code == 302

    response = client.post("/wallet/top-up/", {"preset": "1000"})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    page = text(response)
    assert "You can start at most 2 top-ups an hour." in page
    assert "Nothing was changed." in page
    assert TopUp.objects.filter(user=reader).count() == 2


def test_the_top_up_limit_is_per_reader(client, reader, settings):
    settings.TOP_UP_RATE_LIMIT_PER_HOUR = 1
    client.post("/wallet/top-up/", {"preset": "1000"})
    other = UserFactory()
    client.force_login(other)

    response = client.post("/wallet/top-up/", {"preset": "1000"})

    assert response.status_code == 302
    assert TopUp.objects.filter(user=other).count() == 1


def test_budget_changes_over_the_hourly_limit_answer_429_and_keep_the_budget(
    client, reader, settings
):
    settings.BUDGET_CHANGE_RATE_LIMIT_PER_HOUR = 1
    assert client.post("/wallet/budget/", {"amount": "5"}).status_code == 302

    response = client.post("/wallet/budget/", {"amount": "9"})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "You can change your budget at most 1 time an hour." in text(response)
    budgets = BudgetChange.objects.filter(user=reader).values_list("amount_cents", flat=True)
    assert list(budgets) == [500]


def test_looking_at_the_wallet_is_not_limited(client, reader, settings):
    settings.BUDGET_CHANGE_RATE_LIMIT_PER_HOUR = 1
    settings.TOP_UP_RATE_LIMIT_PER_HOUR = 1
    client.post("/wallet/budget/", {"amount": "5"})
    client.post("/wallet/top-up/", {"preset": "1000"})

    for _ in range(3):
        assert client.get("/wallet/").status_code == 200


def test_with_the_cache_down_top_ups_and_budget_changes_still_go_through(client, reader, settings):
    settings.TOP_UP_RATE_LIMIT_PER_HOUR = 1
    settings.BUDGET_CHANGE_RATE_LIMIT_PER_HOUR = 1

    with UNREACHABLE_CACHE:
        top_ups = [client.post("/wallet/top-up/", {"preset": "1000"}) for _ in range(2)]
        budgets = [client.post("/wallet/budget/", {"amount": a}) for a in ("5", "6")]

    assert [r.status_code for r in top_ups + budgets] == [302, 302, 302, 302]
    assert TopUp.objects.filter(user=reader).count() == 2
    assert BudgetChange.objects.filter(user=reader).count() == 2
