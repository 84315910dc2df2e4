"""The wallet's history groups its lines by the month they belong to."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from flattr_clone.months import month_in_reference
from payouts.ledger.models import Account, Transfer
from payouts.ledger.services import post_transfer, system_account, wallet_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_payday_reference_names_its_month_and_other_references_none():
    assert month_in_reference("payday:2026-10") == dt.date(2026, 10, 1)
    assert month_in_reference("payday:2026-10:7:commission") == dt.date(2026, 10, 1)
    assert month_in_reference("topup:12") is None
    assert month_in_reference("") is None


def test_octobers_payday_posted_on_november_first_is_listed_under_october(client):
    reader = UserFactory()
    wallet = wallet_of(reader)
    november_first = timezone.make_aware(dt.datetime(2026, 11, 1, 2, 0))
    october = timezone.make_aware(dt.datetime(2026, 10, 20, 12, 0))
    post_transfer(
        debit=system_account(Account.Kind.EXTERNAL, "sandbox"),
        credit=wallet,
        amount_cents=5000,
        idempotency_key="test:topup:october",
        kind=Transfer.Kind.TOP_UP,
        reference="test:topup:october",
        at=october,
    )
    post_transfer(
        debit=wallet,
        credit=system_account(Account.Kind.COMMISSION),
        amount_cents=100,
        idempotency_key="payday:2026-10:x:commission",
        kind=Transfer.Kind.COMMISSION,
        reference="payday:2026-10",
        at=november_first,
    )
    client.force_login(reader)

    page = client.get(reverse("payouts:wallet")).content.decode()

    assert "November 2026" not in page
    assert page.count("October 2026") == 1
    assert page.index("October 2026") < page.index("Platform commission")
