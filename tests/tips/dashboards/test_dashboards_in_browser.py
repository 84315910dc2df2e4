"""The three dashboards in a real browser, filled with the demo data after a real payday, in
English and French; the screenshots are kept for people to look at (CI keeps artifacts/)."""

import io
import os
import time
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.management import call_command
from django.db.models import Count, Sum

from accounts.models import User
from flattr_clone.money import format_cents
from flattr_clone.months import format_month, month_of, previous_month
from payouts.ledger.models import Transfer
from payouts.ledger.services import earnings_of, wallet_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-password-2024"
SCREENSHOTS = Path(os.environ.get("CI_ARTIFACTS") or "artifacts") / "screenshots"


@pytest.fixture
def demo_after_payday():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("payday", month=format_month(previous_month(month_of())), stdout=out)
    operator = User.objects.get(email="operator@example.com")
    secret = generate_totp_secret()
    TOTP.activate(operator, secret)
    return secret


def totp_code(secret: str) -> str:
    """The authenticator app's current code, taken early enough in its 30-second window that
    the browser submits it before the window turns over."""
    from allauth.mfa import app_settings

    remaining = app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD
    if remaining < 5:
        time.sleep(remaining + 0.2)
    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


def log_in(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def switch_to_french(page) -> None:
    page.locator("#language-select").select_option("fr")
    page.locator("form.language-switcher button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def new_page(browser):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_the_creator_dashboard_shows_the_demo_paydays_earnings(
    live_server, browser, demo_after_payday
):
    dana = User.objects.get(email="dana@example.com")
    month = previous_month(month_of())
    earned = Transfer.objects.filter(
        credit=earnings_of(dana), kind="distribution", reference=f"payday:{month:%Y-%m}"
    ).aggregate(amount=Sum("amount_cents"), readers=Count("debit", distinct=True))
    assert earned["amount"] > 0
    context, page = new_page(browser)
    log_in(page, live_server.url, dana.email)
    page.get_by_role("link", name="Dashboard", exact=True).click()
    page.get_by_role("link", name="As a creator").click()

    row = page.locator(f'#earnings-table tr[data-month="{month:%Y-%m}"]')
    assert row.locator("td").nth(0).inner_text() == str(earned["readers"])
    assert row.locator("td").nth(1).inner_text() == format_cents(earned["amount"], language="en")
    bar = page.locator(f'.chart-bar[data-month="{month:%Y-%m}"]')
    assert bar.get_attribute("data-cents") == str(earned["amount"])
    balance = page.locator("#earnings-balance .card-figure").inner_text()
    assert balance == format_cents(earnings_of(dana).balance_cents, language="en")
    assert page.get_by_role("link", name="Download earnings (CSV)").is_visible()
    shoot(page, "dashboard-creator-en")

    switch_to_french(page)
    assert page.get_by_role("heading", level=1).inner_text() != ""
    row = page.locator(f'#earnings-table tr[data-month="{month:%Y-%m}"]')
    assert row.locator("td").nth(1).inner_text() == format_cents(earned["amount"], language="fr")
    shoot(page, "dashboard-creator-fr")
    context.close()


def test_the_reader_dashboard_shows_what_the_demo_reader_gave(
    live_server, browser, demo_after_payday
):
    alice = User.objects.get(email="alice@example.com")
    month = previous_month(month_of())
    gave = Transfer.objects.filter(debit=wallet_of(alice), reference=f"payday:{month:%Y-%m}")
    given = gave.aggregate(s=Sum("amount_cents"))["s"]
    assert given == 1000  # her budget; her wallet held more
    context, page = new_page(browser)
    log_in(page, live_server.url, alice.email)
    page.get_by_role("link", name="Dashboard", exact=True).click()

    history = page.locator(f'.history-month[data-month="{month:%Y-%m}"]')
    assert f"You gave {format_cents(given, language='en')}" in history.inner_text()
    for transfer in gave.filter(kind="distribution").select_related("credit__user"):
        assert transfer.credit.user.name in history.inner_text()
    assert page.locator("#wallet-card .card-figure").inner_text() == format_cents(
        wallet_of(alice).balance_cents, language="en"
    )
    shoot(page, "dashboard-reader-en")
    switch_to_french(page)
    history = page.locator(f'.history-month[data-month="{month:%Y-%m}"]')
    assert format_cents(given, language="fr") in history.inner_text()
    shoot(page, "dashboard-reader-fr")
    context.close()


def test_the_operator_dashboard_behind_two_factor_shows_the_demo_volume(
    live_server, browser, demo_after_payday
):
    month = previous_month(month_of())
    given = Transfer.objects.filter(reference=f"payday:{month:%Y-%m}").aggregate(
        s=Sum("amount_cents")
    )["s"]
    context, page = new_page(browser)
    log_in(page, live_server.url, "operator@example.com")
    page.locator('input[name="code"]').fill(totp_code(demo_after_payday))
    page.locator('input[name="code"]').press("Enter")
    page.wait_for_load_state()
    page.goto(live_server.url + "/admin/")
    page.get_by_role("link", name="Operations dashboard").click()

    row = page.locator(f'#platform-months tr[data-month="{month:%Y-%m}"]')
    assert row.locator("td").nth(0).get_attribute("data-cents") == str(given)
    assert row.locator("td").nth(0).inner_text() == format_cents(given, language="en")
    page.get_by_role("button", name="Run the ledger check now").click()
    assert "Ledger check passed" in page.locator(".messagelist").inner_text()
    shoot(page, "dashboard-operator-en")

    page.goto(live_server.url + "/")
    switch_to_french(page)
    page.goto(live_server.url + "/admin/operations/")
    row = page.locator(f'#platform-months tr[data-month="{month:%Y-%m}"]')
    assert row.locator("td").nth(0).inner_text() == format_cents(given, language="fr")
    shoot(page, "dashboard-operator-fr")
    context.close()
