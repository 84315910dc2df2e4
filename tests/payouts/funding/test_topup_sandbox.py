"""The offline payment sandbox of the demo: a test checkout page on the platform."""

import pytest

from payouts.funding.models import TopUp
from payouts.ledger.models import Account, Transfer
from payouts.ledger.selectors import balance_cents
from payouts.ledger.services import system_account
from payouts.providers import Provider
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("payments_sandbox")]


@pytest.fixture
def reader(client):
    user = UserFactory()
    client.force_login(user)
    return user


def start(client, **data) -> tuple[TopUp, str]:
    response = client.post("/wallet/top-up/", data)
    assert response.status_code == 302
    topup = TopUp.objects.latest("pk")
    return topup, response["Location"]


def test_a_top_up_goes_to_the_clearly_labelled_test_page(client, reader):
    topup, url = start(client, preset="2500")

    assert url == f"/wallet/sandbox/{topup.session_id}/"
    assert topup.provider == Provider.SANDBOX
    page = client.get(url).content.decode()
    assert "Test payment — no real money" in page
    assert "€25.00" in page
    assert balance_cents(reader, Account.Kind.WALLET) == 0


def test_paying_on_the_test_page_credits_the_wallet_once(client, reader):
    topup, url = start(client, custom_amount="12.00")

    response = client.post(url, {"action": "pay"}, follow=True)
    client.post(url, {"action": "pay"})  # a double submit

    assert "Test payment done: €12.00 added to your wallet." in response.content.decode()
    assert balance_cents(reader, Account.Kind.WALLET) == 1200
    transfer = Transfer.objects.get()
    assert transfer.idempotency_key == f"topup:{topup.pk}"
    assert transfer.debit == system_account(Account.Kind.EXTERNAL, "sandbox")
    topup.refresh_from_db()
    assert topup.status == TopUp.Status.PAID


def test_canceling_on_the_test_page_adds_nothing(client, reader):
    topup, url = start(client, preset="1000")

    response = client.post(url, {"action": "cancel"}, follow=True)
    client.post(url, {"action": "pay"})  # too late: the payment was canceled

    assert "Test payment canceled" in response.content.decode()
    assert balance_cents(reader, Account.Kind.WALLET) == 0
    topup.refresh_from_db()
    assert topup.status == TopUp.Status.CANCELED


def test_another_reader_cannot_pay_or_see_someone_elses_test_payment(client, reader):
    topup, url = start(client, preset="1000")
    client.force_login(UserFactory())

    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "pay"}).status_code == 404
    assert balance_cents(reader, Account.Kind.WALLET) == 0


def test_without_the_sandbox_the_test_page_does_not_exist(client, reader, settings):
    topup, url = start(client, preset="1000")
    settings.PAYMENTS_SANDBOX = False

    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "pay"}).status_code == 404
    assert balance_cents(reader, Account.Kind.WALLET) == 0


def test_production_settings_can_never_turn_the_sandbox_on():
    """settings.py: a SECRET_KEY (production) forces PAYMENTS_SANDBOX off whatever else is set."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, SECRET_KEY="x" * 50, PAYMENTS_SANDBOX="true", STRIPE_SECRET_KEY="")
    env.pop("DATABASE_URL", None)
    code = (
        "import django; django.setup(); "
        "from django.conf import settings; print(settings.PAYMENTS_SANDBOX)"
    )
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code],
        env=dict(env, DJANGO_SETTINGS_MODULE="flattr_clone.settings"),
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "False"


def test_the_wallet_history_lists_the_sandbox_top_up(client, reader):
    _topup, url = start(client, preset="5000")
    client.post(url, {"action": "pay"})

    page = client.get("/wallet/").content.decode()

    assert "+€50.00" in page
    assert "Top-up" in page
