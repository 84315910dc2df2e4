"""Top-up limits (docs/PRODUCT.md, First payouts and velocity): per client IP a day, and for
a new account a number a day and an amount over its first days. A refused top-up is told
clearly, starts nothing, and is listed for operators."""

import datetime as dt
import html

import pytest
from django.utils import timezone

from accounts.models import LimitHit
from flattr_clone.money import format_cents
from payouts.funding.models import TopUp
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sandbox_on(payments_sandbox, settings):
    settings.TOP_UP_RATE_LIMIT_PER_HOUR = 100


def text(response) -> str:
    return html.unescape(response.content.decode())


def old_account():
    return UserFactory(date_joined=timezone.now() - dt.timedelta(days=400))


def test_a_new_account_starts_at_most_n_top_ups_a_day(client, settings):
    settings.TOP_UP_NEW_ACCOUNT_PER_DAY = 2
    reader = UserFactory()
    client.force_login(reader)
    for _ in range(2):
        assert client.post("/wallet/top-up/", {"preset": "1000"}).status_code == 302

    refused = client.post("/wallet/top-up/", {"preset": "1000"})

    assert refused.status_code == 429
    page = text(refused)
    assert "an account can start at most 2 top-ups a day" in page
    assert "Nothing was charged." in page
    assert TopUp.objects.filter(user=reader).count() == 2
    hit = LimitHit.objects.get()
    assert (hit.kind, hit.user, hit.ip) == (
        LimitHit.Kind.TOP_UP_NEW_ACCOUNT_DAY,
        reader,
        "127.0.0.1",
    )
    # An older account is not limited this way.
    client.force_login(old_account())
    for _ in range(3):
        assert client.post("/wallet/top-up/", {"preset": "1000"}).status_code == 302


def test_a_new_account_adds_at_most_the_amount_in_its_first_days(client, settings):
    settings.TOP_UP_NEW_ACCOUNT_MAX_CENTS = 3500
    reader = UserFactory()
    client.force_login(reader)
    assert client.post("/wallet/top-up/", {"preset": "2500"}).status_code == 302

    refused = client.post("/wallet/top-up/", {"preset": "2500"})
    fits = client.post("/wallet/top-up/", {"preset": "1000"})

    assert refused.status_code == 429
    assert f"you can still add {format_cents(1000)}." in text(refused)
    assert "Nothing was charged." in text(refused)
    assert fits.status_code == 302
    assert sorted(TopUp.objects.filter(user=reader).values_list("amount_cents", flat=True)) == [
        1000,
        2500,
    ]
    assert LimitHit.objects.get().kind == LimitHit.Kind.TOP_UP_NEW_ACCOUNT_AMOUNT


def test_retrying_a_top_up_does_not_count_it_twice_against_the_amount(client, settings):
    settings.TOP_UP_NEW_ACCOUNT_MAX_CENTS = 2500
    reader = UserFactory()
    client.force_login(reader)
    client.post("/wallet/top-up/", {"preset": "2500"})
    open_one = TopUp.objects.get(user=reader)

    response = client.post(f"/wallet/top-up/{open_one.pk}/retry/")

    assert response.status_code == 302
    assert TopUp.objects.filter(user=reader).count() == 2
    assert not LimitHit.objects.exists()


def test_top_ups_per_ip_a_day_are_limited_across_accounts(client, settings):
    settings.TOP_UP_PER_IP_PER_DAY = 2
    for _ in range(2):
        client.force_login(old_account())
        assert client.post("/wallet/top-up/", {"preset": "1000"}).status_code == 302
    last = old_account()
    client.force_login(last)

    refused = client.post("/wallet/top-up/", {"preset": "1000"})

    assert refused.status_code == 429
    assert "Too many top-ups were started from your network today." in text(refused)
    assert not TopUp.objects.filter(user=last).exists()
    hit = LimitHit.objects.get()
    assert (hit.kind, hit.user, hit.ip) == (LimitHit.Kind.TOP_UP_IP_DAY, last, "127.0.0.1")


def test_the_refusal_is_in_french(client, settings):
    settings.TOP_UP_NEW_ACCOUNT_PER_DAY = 0
    client.force_login(UserFactory(language="fr"))
    refused = client.post("/wallet/top-up/", {"preset": "1000"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Rien n’a été débité." in text(refused)
