import re

import pytest
from django.core import mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_signs_up_verifies_logs_in_and_switches_to_french(live_server, page):
    page.goto(live_server.url + "/")
    page.get_by_role("banner").get_by_role("link", name="Sign up").click()

    page.get_by_label("Email").fill("newreader@example.com")
    page.get_by_label("Handle").fill("new_reader")
    page.get_by_label("Display name").fill("New Reader")
    page.get_by_label("Password", exact=True).fill("a long demo passphrase")
    page.get_by_label("Password (again)").fill("a long demo passphrase")
    page.get_by_role("button", name="Sign Up").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Verify Your Email Address"
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(live_server.url + link[link.index("/accounts/") :])
    page.get_by_role("button", name="Confirm").click()

    # Confirming logs the reader in.
    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("banner").get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill("newreader@example.com")
    page.get_by_label("Password").fill("a long demo passphrase")
    page.get_by_role("button", name="Sign In").click()
    page.locator(".account-menu summary").click()
    page.get_by_role("banner").get_by_role("link", name="Settings").click()
    assert page.get_by_label("Display name").input_value() == "New Reader"

    page.get_by_label("Language", exact=True).select_option("fr")
    page.get_by_role("button", name="Change").click()

    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).inner_text() == "Paramètres du compte"


def test_the_menu_collapses_on_a_small_screen(live_server, browser):
    context = browser.new_context(viewport={"width": 380, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + "/")
    menu = page.get_by_role("button", name="Menu")
    login = page.get_by_role("banner").get_by_role("link", name="Log in")

    assert not login.is_visible()
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    assert login.is_visible()
    context.close()
