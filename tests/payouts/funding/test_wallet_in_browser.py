"""A reader tops up through the sandbox and sets a budget, in a real browser."""

import pytest

from payouts.funding.selectors import budget_in_effect
from payouts.ledger.checks import ledger_check
from payouts.ledger.models import Account
from payouts.ledger.selectors import balance_cents
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("payments_sandbox"),
]


def test_a_reader_tops_up_in_the_sandbox_sets_a_budget_and_sees_both(live_server, page):
    reader = UserFactory(email="reader@example.com")
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("reader@example.com")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign In").click()

    page.get_by_role("link", name="Wallet", exact=True).click()
    assert page.get_by_test_id("wallet-balance").inner_text() == "€0.00"
    page.get_by_role("button", name="Add €25.00").click()

    assert page.get_by_role("heading", name="Test payment — no real money").is_visible()
    assert page.get_by_test_id("sandbox-amount").inner_text() == "€25.00"
    page.get_by_role("button", name="Pay €25.00 (test)").click()

    assert (
        "Test payment done: €25.00 added to your wallet." in page.get_by_role("status").inner_text()
    )
    assert page.get_by_test_id("wallet-balance").inner_text() == "€25.00"

    page.get_by_label("Monthly budget (EUR)").fill("1")
    page.get_by_role("button", name="Save budget").click()
    assert "Choose a monthly budget between €2.00 and €100.00." in page.content()

    page.get_by_label("Monthly budget (EUR)").fill("8.50")
    page.get_by_role("button", name="Save budget").click()

    assert page.get_by_test_id("wallet-budget").inner_text() == "€8.50"
    assert page.get_by_test_id("wallet-balance").inner_text() == "€25.00"
    history = page.get_by_role("table").inner_text()
    assert "Top-up" in history and "+€25.00" in history
    assert balance_cents(reader, Account.Kind.WALLET) == 2500
    assert budget_in_effect(reader).amount_cents == 850
    assert ledger_check(record=False).ok
