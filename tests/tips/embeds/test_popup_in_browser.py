"""The click in one motion (issue 18, The click): whatever happens in the popup (logging in
inside it, topping up first), the count on the creator's page updates in place and the
widget says "Flattred", handed over by the popup; the widget itself reads nothing of the
visitor. Driven in Debian's chromium against a creator's site on a second origin."""

import os
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import expect

from tests.browser import blog_with_widget, log_in, static_site
from tests.factories import ThingFactory, fund_reader, ready_reader
from tips.clicks.models import Click
from tips.clicks.services import click_register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def creator_site():
    with static_site() as site:
        yield site


@pytest.fixture
def platform(live_server, settings):
    settings.SITE_URL = live_server.url
    return live_server.url


SCREENSHOTS = Path(os.environ.get("CI_ARTIFACTS") or "artifacts") / "screenshots" / "popup"


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def open_blog(page, creator_site, platform, thing):
    creator_site.pages["/"] = blog_with_widget(platform, thing)
    page.goto(creator_site.url + "/")
    widget = page.frame_locator("iframe").locator("#flattr-widget")
    expect(widget.locator("[data-count]")).to_have_text("0")
    # Reloading the creator's page would reset this: the count must change in place.
    page.evaluate("window.notReloaded = true")
    return widget


def test_logging_in_inside_the_popup_then_flattring_updates_the_count_in_place(
    platform, creator_site, page
):
    thing = ThingFactory(title="A fine post")
    reader = ready_reader(email="reader@example.com")
    widget = open_blog(page, creator_site, platform, thing)

    with page.expect_popup() as opened:
        widget.click()
    popup = opened.value
    # The popup's own layout: no site navigation, banner or footer.
    expect(popup.get_by_role("heading", level=1)).to_have_text("A fine post")
    assert popup.locator("header, nav, footer").count() == 0
    expect(popup.get_by_text("Log in to flattr this.")).to_be_visible()
    popup.set_viewport_size({"width": 480, "height": 620})
    screenshot(popup, "popup-anonymous-480")

    popup.get_by_role("link", name="Log in").click()
    popup.get_by_label("Email").fill("reader@example.com")
    popup.get_by_label("Password").fill("correct horse battery staple")
    popup.get_by_role("button", name="Sign In").click()
    # Back in the popup, logged in: its remaining estimate for the month and one button.
    expect(popup.locator("#popup-estimate")).to_contain_text("€10.00")
    screenshot(popup, "popup-after-login-480")
    popup.get_by_role("button", name="Flattr this").click()
    expect(popup.get_by_text("Thank you! You flattred “A fine post”.")).to_be_visible()

    # Handed over by the popup, though it went through the login page on the way.
    expect(widget.locator("[data-count]")).to_have_text("1")
    expect(widget.locator("[data-flattred]")).to_be_visible()
    expect(widget.locator("[data-label]")).to_be_hidden()
    screenshot(popup, "popup-thank-you-480")
    screenshot(page, "blog-widget-flattred")
    assert page.evaluate("window.notReloaded") is True
    assert Click.objects.filter(reader=reader, thing=thing).count() == 1
    # The widget reads nothing of the visitor: the creator's site holds no cookie of ours,
    # and the embeds' answers set none.
    assert page.context.cookies(creator_site.url) == []


def test_topping_up_first_in_another_tab_then_flattring_updates_the_count_in_place(
    platform, creator_site, page
):
    thing = ThingFactory(title="Worth a tip")
    reader = ready_reader(wallet_cents=0)
    log_in(page.context, reader, platform)
    widget = open_blog(page, creator_site, platform, thing)

    with page.expect_popup() as opened:
        widget.click()
    popup = opened.value
    expect(popup.locator("[data-blocker=empty_wallet]")).to_contain_text("Your wallet is empty.")
    # The one link to fix it opens a new tab, so the popup keeps its link to the blog.
    with popup.expect_popup() as wallet_tab:
        popup.get_by_role("link", name="Top up my wallet").click()
    wallet = wallet_tab.value
    expect(wallet.get_by_role("heading", level=1)).to_be_visible()
    fund_reader(reader, wallet_cents=2000, budget_cents=0)  # the top-up, paid in that tab
    wallet.close()

    # Back on the popup: it looks again and offers the button.
    popup.bring_to_front()
    popup.evaluate("window.dispatchEvent(new Event('focus'))")
    popup.get_by_role("button", name="Flattr this").click()
    expect(popup.get_by_text("Thank you! You flattred “Worth a tip”.")).to_be_visible()

    expect(widget.locator("[data-count]")).to_have_text("1")
    expect(widget.locator("[data-flattred]")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True


def test_a_popup_closed_without_a_hand_over_still_leaves_the_fresh_count(
    platform, creator_site, page
):
    thing = ThingFactory(title="Elsewhere")
    widget = open_blog(page, creator_site, platform, thing)

    with page.expect_popup() as opened:
        widget.click()
    popup = opened.value
    # Someone flattrs meanwhile (another reader, or this one in a window that lost its link
    # to the blog): when the popup closes, the widget fetches the count past every cache.
    click_register(reader=ready_reader(), thing=thing)
    popup.close()

    expect(widget.locator("[data-count]")).to_have_text("1")
    expect(widget.locator("[data-label]")).to_be_visible()  # nobody said this reader did
    assert page.evaluate("window.notReloaded") is True


def test_the_widget_speaks_the_language_of_the_page_that_embeds_it(platform, creator_site, page):
    thing = ThingFactory(title="Un billet")
    creator_site.pages["/fr"] = blog_with_widget(platform, thing).replace(
        "<html>", '<html lang="fr-FR">'
    )

    page.goto(creator_site.url + "/fr")

    frame = page.frame_locator("iframe")
    expect(frame.locator("html")).to_have_attribute("lang", "fr")
    assert "lang=fr" in page.locator("iframe").get_attribute("src")
    expect(frame.locator("#flattr-widget")).to_contain_text("flattrs jusqu’ici")


def test_signing_up_inside_the_popup_then_flattring_updates_the_count_in_place(
    platform, creator_site, page
):
    thing = ThingFactory(title="First flattr")
    widget = open_blog(page, creator_site, platform, thing)

    with page.expect_popup() as opened:
        widget.click()
    popup = opened.value
    popup.get_by_role("link", name="Log in").click()
    popup.get_by_role("link", name="sign up", exact=True).click()
    popup.get_by_label("Email").fill("new@example.com")
    popup.get_by_label("Handle").fill("new_reader")
    popup.get_by_label("Display name").fill("New Reader")
    popup.get_by_label("Password", exact=True).fill("a long demo passphrase")
    popup.get_by_label("Password (again)").fill("a long demo passphrase")
    popup.get_by_role("button", name="Sign Up").click()
    expect(popup.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")
    # The reader follows the link of the e-mail (here in the popup itself), which logs them in;
    # then sets a budget and tops up (their first steps), done here directly.
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    popup.goto(platform + link[link.index("/accounts/") :])
    popup.get_by_role("button", name="Confirm").click()
    fund_reader(get_user_model().objects.get(email="new@example.com"))
    popup.goto(f"{platform}/t/{thing.pk}/popup/?origin={quote(creator_site.url, safe='')}")
    popup.get_by_role("button", name="Flattr this").click()
    expect(popup.get_by_text("Thank you! You flattred “First flattr”.")).to_be_visible()
    popup.close()
    # Back on the creator's page: whatever the popup went through, the count is the new one.
    page.evaluate("window.dispatchEvent(new Event('focus'))")

    expect(widget.locator("[data-count]")).to_have_text("1")
    assert page.evaluate("window.notReloaded") is True
