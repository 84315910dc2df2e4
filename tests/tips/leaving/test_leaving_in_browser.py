"""A reader withdraws part of their wallet, then closes their account, in Chromium; the
refunds go to the local fake Stripe through the real ``stripe`` library."""

import pytest

from accounts.models import User
from payouts.funding.topups import topup_complete, topup_start
from payouts.ledger.models import Account
from payouts.ledger.selectors import balance_cents
from tests.browser import log_in
from tests.factories import BudgetChangeFactory, ClickFactory, UserFactory
from tests.fake_stripe import checkout as stripe_side

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def stripe_topup(fake_stripe, user, cents: int) -> None:
    """A top-up paid on Stripe's page and confirmed, as the webhook confirms it."""
    topup, _url = topup_start(user=user, amount_cents=cents)
    session = stripe_side.pay_session(fake_stripe, topup.session_id)
    topup_complete(
        provider="stripe",
        session_id=session["id"],
        amount_cents=cents,
        currency="EUR",
        payment_id=session["payment_intent"],
        topup_id=topup.pk,
    )


def test_a_reader_withdraws_then_closes_their_account(live_server, browser, fake_stripe):
    reader = UserFactory(email="rae@example.org", handle="rae_reads", display_name="Rae")
    for cents in (2000, 1000):
        stripe_topup(fake_stripe, reader, cents)
    BudgetChangeFactory(user=reader, amount_cents=500)
    click = ClickFactory(reader=reader)
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    log_in(context, reader, live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)

    page.goto(live_server.url + "/settings/")
    page.get_by_role("link", name="Your data and leaving").click()
    # 30.00 in the wallet, 5.00 kept for this month's click.
    assert page.locator("#withdrawable").inner_text().replace("\xa0", "") == "€25.00"
    page.get_by_label("Amount to withdraw").fill("12.50")
    page.get_by_role("button", name="Withdraw").click()

    assert "€12.50 is on its way back to your card." in page.inner_text(".messages, main")
    assert page.locator("#withdrawable").inner_text().replace("\xa0", "") == "€12.50"
    refunds = fake_stripe.calls("POST", "/v1/refunds")
    assert [c.params["amount"] for c in refunds] == ["1000", "250"]  # the newest top-up first
    assert balance_cents(reader, Account.Kind.WALLET) == 1750

    page.get_by_role("link", name="Close my account").click()
    page.get_by_role("button", name="Close my account for good").click()
    # Not ticked: the browser asks for the box first, and nothing is closed.
    assert page.get_by_role("heading", level=1).inner_text() == "Close your account"
    assert User.objects.get(pk=reader.pk).is_active
    page.get_by_label("I understand that closing my account cannot be undone").check()
    page.get_by_role("button", name="Close my account for good").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Your account is closed"
    assert "Refunded to your cards: €17.50." in page.inner_text("main").replace("\xa0", "")
    assert balance_cents(reader, Account.Kind.WALLET) == 0
    charges = [stripe_side.charge_of(fake_stripe, t.payment_id) for t in reader.top_ups.all()]
    assert sorted(c["amount_refunded"] for c in charges) == [1000, 2000]  # all of it, once
    click.refresh_from_db()
    assert click.revoked_at is not None
    closed = User.objects.get(pk=reader.pk)
    assert (closed.email, closed.handle, closed.is_active) == (
        f"closed-{reader.pk}@closed.invalid",
        f"closed_{reader.pk}",
        False,
    )

    # Signed out, and the old address and password open nothing.
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("rae@example.org")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign In").click()
    assert "/accounts/login/" in page.url
    context.close()
