"""The wallet page: balance, budget, every movement of money, paginated."""

import datetime as dt

import pytest
from django.utils import timezone

from payouts.ledger.models import Account
from payouts.ledger.services import (
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
def reader(client):
    user = UserFactory()
    client.force_login(user)
    return user


def top_up(user, cents, key, at=None):
    post_transfer(
        debit=system_account(Account.Kind.EXTERNAL, "sandbox"),
        credit=wallet_of(user),
        amount_cents=cents,
        idempotency_key=key,
        kind="top_up",
        reference=key,
        at=at,
    )


def test_the_page_shows_balance_and_every_movement_grouped_by_month(client, reader):
    creator = UserFactory(display_name="Ada Lovelace")
    top_up(reader, 5000, "topup:1", at=timezone.make_aware(dt.datetime(2026, 9, 5, 10)))
    wallet = wallet_of(reader)
    post_transfers(
        [
            Posting(
                wallet.pk, system_account(Account.Kind.COMMISSION).pk, 100, "p:c", "commission"
            ),
            Posting(wallet.pk, earnings_of(creator).pk, 900, "p:s", "distribution"),
        ],
        at=timezone.make_aware(dt.datetime(2026, 10, 1, 2)),
    )

    page = client.get("/wallet/").content.decode()

    assert "€40.00" in page  # balance
    assert "+€50.00" in page
    assert "-€1.00" in page and "Platform commission" in page
    assert "-€9.00" in page and "Monthly distribution to Ada Lovelace" in page
    assert page.index("October 2026") < page.index("September 2026")
    assert "Not set" in page  # no budget yet


def test_the_history_shows_only_the_readers_own_wallet(client, reader):
    top_up(UserFactory(), 7777, "topup:other")

    page = client.get("/wallet/").content.decode()

    assert "€77.77" not in page
    assert "No money has moved yet" in page


def test_the_history_is_paginated(client, reader):
    for n in range(30):
        top_up(reader, 100 + n, f"topup:{n}")

    first = client.get("/wallet/").content.decode()
    second = client.get("/wallet/?page=2").content.decode()

    assert "+€1.29" in first and "+€1.04" not in first  # newest first, 25 a page
    assert "+€1.04" in second and "+€1.00" in second
    assert "Page 2 of 2" in second
    assert client.get("/wallet/?page=99").status_code == 200  # clamps to the last page


def test_the_nav_links_to_the_wallet(client, reader):
    page = client.get("/wallet/").content.decode()

    assert '<a href="/wallet/" aria-current="page">Wallet</a>' in page
