"""In a real browser, through the sandbox: a reader saves a test card, switches to paying after
the month and flattrs two things; at payday the card is charged and the creators' dashboards
show the money. And a card that needs authentication, paid from the e-mailed link."""

import datetime as dt
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from payouts.cards.models import Charge
from payouts.ledger.checks import ledger_check
from tests.browser import log_in
from tests.factories import BudgetChangeFactory, ThingFactory, UserFactory
from tips.payday.jobs import payday_previous_month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def sandbox_on(payments_sandbox, settings, live_server):
    settings.SITE_URL = live_server.url


def reader_pays_after_the_month(page, platform, card_label):
    """Save a test card on the sandbox page (consent first) and switch the funding mode."""
    page.goto(platform + "/wallet/")
    page.get_by_role("button", name="Save a card").click()
    expect(page.get_by_text("Tick the box")).to_be_visible()
    page.get_by_label(re.compile("^I authorise")).check()
    page.get_by_role("button", name="Save a card").click()
    expect(page.get_by_role("heading", name="Test card — no real money")).to_be_visible()
    page.get_by_label(card_label).check()
    page.get_by_role("button", name="Save this test card").click()
    expect(page.get_by_test_id("saved-card")).to_contain_text("Visa")
    page.get_by_label(re.compile("^Pay after the month")).check()
    page.get_by_role("button", name="Save how I pay").click()
    expect(page.get_by_text("You now fund your budget with: Pay after the month.")).to_be_visible()


def flattr(page, platform, thing):
    page.goto(f"{platform}/t/{thing.pk}/")
    page.get_by_role("button", name="Flattr this").click()
    expect(page.get_by_text(re.compile("flattred", re.I)).first).to_be_visible()


def world(time_machine, number_label):
    time_machine.move_to(utc(2026, 3, 10, 10), tick=True)
    creators = [UserFactory(display_name=name) for name in ("Ada", "Bea")]
    things = [ThingFactory(owner=c, title=f"{c.display_name}'s post") for c in creators]
    reader = UserFactory()
    BudgetChangeFactory(user=reader, amount_cents=1000, created_at=utc(2026, 3, 10, 9))
    return creators, things, reader


def test_a_reader_who_pays_after_the_month_funds_two_creators_at_payday(
    live_server, page, time_machine
):
    platform = live_server.url
    creators, things, reader = world(time_machine, "")
    log_in(page.context, reader, platform)
    reader_pays_after_the_month(page, platform, re.compile("Always succeeds"))
    for thing in things:
        flattr(page, platform, thing)

    time_machine.move_to(utc(2026, 4, 1, 2, 0), tick=True)
    assert payday_previous_month.delay().get() == "done"
    charge = Charge.objects.get(user=reader)
    assert charge.status == Charge.Status.SUCCEEDED

    log_in(page.context, reader, platform)  # weeks later: a new session
    page.goto(platform + "/wallet/")
    expect(page.get_by_test_id("charges")).to_contain_text("€10.00 — Collected")
    for creator in creators:
        log_in(page.context, creator, platform)
        page.goto(platform + "/dashboard/creator/")
        expect(page.locator("#earnings-balance")).to_contain_text("€4.50")
    assert ledger_check(record=False).ok


def test_a_card_that_needs_authentication_is_paid_from_the_e_mailed_link(
    live_server, page, time_machine
):
    platform = live_server.url
    creators, things, reader = world(time_machine, "")
    log_in(page.context, reader, platform)
    reader_pays_after_the_month(page, platform, re.compile("asks for authentication"))
    for thing in things:
        flattr(page, platform, thing)

    time_machine.move_to(utc(2026, 4, 1, 2, 0), tick=True)
    assert payday_previous_month.delay().get() == "done"
    charge = Charge.objects.get(user=reader)
    assert charge.status == Charge.Status.NEEDS_ACTION
    log_in(page.context, creators[0], platform)
    page.goto(platform + "/dashboard/creator/")
    expect(page.locator("#charges-due")).to_contain_text("€4.50 still being collected")

    notice = next(m for m in mail.outbox if m.to == [reader.email] and "confirm" in m.subject)
    link = re.search(r"http\S+/wallet/charge/\S+", notice.body)[0]
    log_in(page.context, reader, platform)
    page.goto(platform + "/wallet/")
    expect(page.get_by_test_id("charge-notices")).to_contain_text("€10.00")
    page.goto(link)
    expect(page.get_by_test_id("sandbox-amount")).to_have_text("€10.00")
    page.get_by_role("button", name="Confirm and pay €10.00 (test)").click()
    expect(page.get_by_text("Test payment done: €10.00 paid.")).to_be_visible()
    expect(page.get_by_test_id("charge-notices")).to_have_count(0)

    for creator in creators:
        log_in(page.context, creator, platform)
        page.goto(platform + "/dashboard/creator/")
        expect(page.locator("#earnings-balance")).to_contain_text("€4.50")
    assert ledger_check(record=False).ok
