"""The creator's Payouts page, and the demo's whole getting-paid path in a real browser."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from payouts.batches.models import Payout
from payouts.batches.runs import payout_batch_run
from payouts.batches.services import next_batch_at
from tests.browser import log_in
from tests.factories import PaymentAccountFactory, UserFactory, give_earnings
from tests.payouts.batches.test_payout_batch import stripe_creator


@pytest.mark.django_db
def test_the_page_shows_the_balance_and_the_progress_toward_the_minimum(client, settings):
    settings.PAYOUT_MINIMUM_CENTS = 1000
    creator = UserFactory()
    give_earnings(creator, 640)
    client.force_login(creator)

    html = client.get(reverse("payouts:payouts")).content.decode()

    assert 'id="earnings-balance" data-cents="640">€6.40<' in html
    assert '<progress id="payout-progress" max="100" value="64">64%</progress>' in html
    assert "€6.40 of €10.00: €3.60 more" in html
    assert "Get paid: set up your payment account" in html  # no payment account yet
    assert "No payouts yet." in html


@pytest.mark.django_db
def test_the_history_shows_each_payout_state_and_amount(
    client, fake_stripe, django_capture_on_commit_callbacks
):
    creator = stripe_creator(fake_stripe, 2000)
    with django_capture_on_commit_callbacks(execute=True):
        payout_batch_run()  # paid
    give_earnings(creator, 1500, month="2026-11")
    fake_stripe.balance_cents = 0
    with django_capture_on_commit_callbacks(execute=True):
        payout_batch_run()  # failed, money back
    client.force_login(creator)

    html = client.get(reverse("payouts:payouts")).content.decode()

    paid, failed = Payout.objects.get(status="paid"), Payout.objects.get(status="failed")
    assert f'data-payout="{paid.pk}"' in html and f'data-payout="{failed.pk}"' in html
    assert 'data-cents="2000">€20.00<' in html
    assert 'class="payout-status-paid">Paid<' in html
    assert 'class="payout-status-failed">Failed<' in html
    assert "went back to your earnings" in html
    assert 'id="earnings-balance" data-cents="1500"' in html
    assert 'value="100">100%' in html


@pytest.mark.django_db
def test_amounts_follow_the_language(client):
    creator = UserFactory()
    give_earnings(creator, 123456)
    client.force_login(creator)

    html = client.get(reverse("payouts:payouts"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert (
        "1\u202f234,56\u00a0€" in html
        or "1\u00a0234,56\u00a0€" in html
        or "1 234,56\u00a0€" in html
    )


def test_the_next_batch_is_right_after_the_next_payday(settings):
    settings.PAYDAY_HOUR, settings.PAYDAY_MINUTE = 2, 30
    tz = timezone.get_current_timezone()

    mid_month = dt.datetime(2026, 10, 17, 12, 0, tzinfo=tz)
    early_on_the_first = dt.datetime(2026, 11, 1, 1, 0, tzinfo=tz)
    late_on_the_first = dt.datetime(2026, 11, 1, 3, 0, tzinfo=tz)
    december = dt.datetime(2026, 12, 31, 23, 59, tzinfo=tz)

    assert next_batch_at(mid_month) == dt.datetime(2026, 11, 1, 2, 30, tzinfo=tz)
    assert next_batch_at(early_on_the_first) == dt.datetime(2026, 11, 1, 2, 30, tzinfo=tz)
    assert next_batch_at(late_on_the_first) == dt.datetime(2026, 12, 1, 2, 30, tzinfo=tz)
    assert next_batch_at(december) == dt.datetime(2027, 1, 1, 2, 30, tzinfo=tz)


@pytest.mark.django_db
def test_the_nav_links_to_payouts(client):
    client.force_login(UserFactory())

    html = client.get(reverse("payouts:get_paid")).content.decode()

    assert 'href="/payouts/" aria-current="page">Payouts</a>' in html


@pytest.mark.django_db
def test_a_ready_sandbox_creator_sees_no_reminder(client, settings):
    settings.PAYMENTS_SANDBOX = True
    creator = PaymentAccountFactory().user
    client.force_login(creator)

    html = client.get(reverse("payouts:payouts")).content.decode()

    assert "get-paid-reminder" not in html


# --- In a real browser -------------------------------------------------------------


@pytest.fixture
def platform(live_server, settings):
    settings.SITE_URL = live_server.url
    settings.PAYMENTS_SANDBOX = True
    settings.STRIPE_SECRET_KEY = ""
    return live_server.url


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_demo_creator_connects_the_sandbox_and_sees_their_payout(platform, page, settings):
    settings.PAYOUT_MINIMUM_CENTS = 1000
    creator = UserFactory()
    give_earnings(creator, 2750)
    log_in(page.context, creator, platform)

    page.goto(platform + "/")
    page.locator(".account-menu summary").click()
    page.get_by_role("link", name="Payouts").click()
    assert page.locator("#earnings-balance").inner_text() == "€27.50"
    page.get_by_role("link", name="Get paid: set up your payment account").click()
    assert page.locator("#payment-account-state h2").inner_text() == "Not started"

    page.get_by_role("button", name="Connect a sandbox account").click()

    assert page.locator("#payment-account-state h2").inner_text() == "Ready"
    assert "connected" in page.get_by_role("status").inner_text()

    summary = payout_batch_run()  # what payday's follow-up task does
    assert summary.paid == 1

    page.get_by_role("link", name="Your earnings and payouts").click()
    assert page.locator("#earnings-balance").inner_text() == "€0.00"
    row = page.locator("#payouts-history tbody tr").first
    assert "€27.50" in row.inner_text() and "Paid" in row.inner_text()
