"""A creator verifies her site with the meta tag, in Debian's chromium: the site is a second
loopback origin under a real-looking name (Chromium's --host-resolver-rules for the browser,
the fetcher's test-only settings for the server)."""

import pytest
from playwright.sync_api import expect

from tests.browser import blog_with_widget, log_in
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.factories import UserFactory
from tests.local_http import LocalHTTPServer
from tips.sites.models import Site
from tips.things.models import Thing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOG = "dana-blog.example"


@pytest.fixture
def blog(loopback_sites):
    server = LocalHTTPServer().start()
    loopback_sites(BLOG)
    yield server
    server.stop()


@pytest.fixture
def named_browser(browser):
    """A chromium that resolves the blog's name to loopback, like a DNS record would."""
    chromium = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {BLOG} 127.0.0.1"],
    )
    yield chromium
    chromium.close()


def test_a_creator_verifies_her_site_with_the_meta_tag_and_its_widget_says_verified(
    live_server, settings, blog, named_browser
):
    settings.SITE_URL = live_server.url
    platform = live_server.url
    dana = UserFactory(handle="dana", display_name="Dana")
    context = named_browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(context, dana, platform)
    home = f"http://{BLOG}:{blog.port}"
    blog.route("/", body="<!doctype html><title>Dana's blog</title><p>Hello</p>")

    # She adds her site; the page gives her the meta tag with her token.
    page.goto(platform + "/sites/")
    page.get_by_label("Site").fill(f"{BLOG}:{blog.port}")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{BLOG}:{blog.port}")
    meta_tag = page.get_by_label("Meta tag").input_value()
    site = Site.objects.get(owner=dana)
    assert site.token in meta_tag and len(site.token) == 64

    # Before the tag is there, the check says so.
    page.get_by_role("button", name="Check now").click()
    expect(page.get_by_text("Not verified yet")).to_be_visible()
    expect(page.get_by_text("Meta tag: Reached, but your token is not there.")).to_be_visible()

    # She puts it in her home page's head and checks again.
    blog.route("/", body=f"<!doctype html><head>{meta_tag}<title>Dana</title></head><p>Hi</p>")
    page.get_by_role("button", name="Check now").click()
    expect(page.get_by_role("status").filter(has_text="Verified")).to_contain_text("Meta tag")

    # She registers a post of her site; its page names her the verified owner.
    page.goto(platform + "/things/new/")
    page.get_by_label("Address (URL)").fill(f"{home}/posts/first/")
    page.get_by_label("Title").fill("My first post")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Verified owner: Dana, since")).to_be_visible()
    thing = Thing.objects.get(owner=dana)
    assert thing.url == f"{home}/posts/first"

    # The widget on her site, in another origin's page, says verified.
    blog.route("/posts/first", body=blog_with_widget(platform, thing))
    page.goto(f"{home}/posts/first")
    widget = page.frame_locator("iframe").locator("#flattr-widget")
    expect(widget).to_have_attribute("data-verified", "1")
    expect(widget).to_have_attribute("title", "Verified owner")
    page.screenshot(path=_shot("widget-verified-en-1280.png"))
    context.close()


def _shot(name: str) -> str:
    import os
    from pathlib import Path

    folder = Path(os.environ.get("CI_ARTIFACTS") or "artifacts") / "screenshots" / "sites"
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / name)
