"""The script embed on a creator's site (a second origin), driven in Debian's chromium."""

import pytest
from playwright.sync_api import expect

from tests.browser import blog_with_widget, log_in, static_site
from tests.factories import ThingFactory, ready_reader
from tips.clicks.models import Click

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def creator_site():
    """A plain static site on another origin: ``pages[path] = html`` serves a page."""
    with static_site() as site:
        yield site


@pytest.fixture
def platform(live_server, settings):
    settings.SITE_URL = live_server.url
    return live_server.url


def test_a_reader_flattrs_through_the_widget_and_the_count_updates_in_place(
    platform, creator_site, page
):
    thing = ThingFactory(title="A fine post")
    reader = ready_reader()
    log_in(page.context, reader, platform)
    creator_site.pages["/"] = blog_with_widget(platform, thing)

    page.goto(creator_site.url + "/")
    widget = page.frame_locator("iframe").locator("#flattr-widget")
    expect(widget.locator("[data-count]")).to_have_text("0")
    page.evaluate("window.notReloaded = true")
    # Every message this page receives, to see what the popup tells it.
    page.evaluate(
        "window.told = [];"
        "addEventListener('message', e => told.push(e.data && e.data.type || e.data))"
    )

    with page.expect_popup() as opened:
        widget.click()
    popup = opened.value
    assert popup.url.startswith(f"{platform}/t/{thing.pk}/popup/")
    popup.get_by_role("button", name="Flattr this").click()
    expect(popup.get_by_text("Thank you! You flattred “A fine post”.")).to_be_visible()

    expect(widget.locator("[data-count]")).to_have_text("1")
    assert page.evaluate("window.notReloaded") is True
    assert Click.objects.filter(reader=reader, thing=thing).count() == 1
    # The button closes the popup (window.close()). A mouse click on it races the closing
    # window: Playwright may lose the click's reply and raise TargetClosedError although the
    # click worked. So check a reader can click it (visible, enabled, not covered), fire the
    # click in the page, and wait until the window is gone.
    close = popup.get_by_role("button", name="Close this window")
    close.click(trial=True)
    with popup.expect_event("close"):
        close.dispatch_event("click")
    assert popup.is_closed()

    with page.expect_popup() as opened:
        widget.click()
    again = opened.value
    expect(again.get_by_text("You already flattred this thing this month.")).to_be_visible()
    assert Click.objects.filter(reader=reader, thing=thing).count() == 1
    # Merely opened, the popup tells its opener nothing: a message it sends now arrives
    # after anything the popup's own script posted while loading, and is the only one.
    again.wait_for_load_state("load")
    again.evaluate("window.opener.postMessage('probe', '*')")
    page.wait_for_function("window.told.includes('probe')")
    assert page.evaluate("window.told.filter(t => t === 'flattr:clicked').length") == 1
    assert page.context.cookies(creator_site.url) == []


def test_without_javascript_the_link_leads_to_the_thing_page_and_its_button(
    platform, creator_site, browser
):
    thing = ThingFactory(title="Plain post")
    reader = ready_reader()
    creator_site.pages["/"] = blog_with_widget(platform, thing)
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    try:
        log_in(context, reader, platform)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(creator_site.url + "/")
        assert page.locator("iframe").count() == 0

        page.get_by_role("link", name="Flattr").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Plain post")
        page.get_by_role("button", name="Flattr this").click()

        expect(page.get_by_text("You flattred “Plain post”. Thank you!")).to_be_visible()
        assert Click.objects.filter(reader=reader, thing=thing).count() == 1
    finally:
        context.close()


def test_only_the_widget_can_be_framed(platform, creator_site, page):
    thing = ThingFactory(title="Framed post")
    creator_site.pages["/frames"] = (
        "<!doctype html><html><body>"
        f'<iframe id="thing" src="{platform}/t/{thing.pk}/"></iframe>'
        f'<iframe id="widget" src="{platform}/t/{thing.pk}/widget/"></iframe>'
        "</body></html>"
    )

    page.goto(creator_site.url + "/frames")

    expect(page.frame_locator("#widget").locator("#flattr-widget")).to_be_visible()
    thing_frame = page.locator("#thing").element_handle().content_frame()
    # Chromium replaces a refused frame's document with its own error page.
    assert thing_frame.url.startswith("chrome-error://")
    assert "Framed post" not in thing_frame.content()
    widget_frame = page.locator("#widget").element_handle().content_frame()
    assert widget_frame.url == f"{platform}/t/{thing.pk}/widget/"
