"""A new reader opens /explore/, searches, opens a profile, flattrs the creator and one of
the things (issue 17, "Done when")."""

import pytest

from tests.browser import log_in
from tests.factories import ThingFactory, UserFactory, ready_reader
from tips.clicks.models import Click
from tips.things.models import Thing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_explore_search_profile_and_two_flattrs(live_server, browser, settings):
    settings.SITE_URL = live_server.url
    maya = UserFactory(
        handle="maya", display_name="Maya Keys", bio="I play **jazz piano** on Sundays."
    )
    ThingFactory(owner=maya, title="Sunday jazz session", tags="jazz, piano", category="audio")
    ThingFactory(owner=maya, title="Scales for beginners", category="audio")
    ThingFactory(title="Sourdough diary", tags="bread")
    reader = ready_reader()
    context = browser.new_context(locale="en-US")
    log_in(context, reader, live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Find work to flattr").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Explore"
    page.get_by_role("searchbox", name="Search").fill("jazz")
    page.get_by_role("button", name="Show").click()
    results = page.locator(".explore-results > li")
    assert results.count() == 1
    assert "Sunday jazz session" in results.first.inner_text()
    assert page.get_by_role("status").first.inner_text() == "1 result"

    results.first.get_by_role("link", name="Maya Keys").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Maya Keys"
    assert page.locator(".profile-bio strong").inner_text() == "jazz piano"
    flattr_maya = page.locator(".profile-flattr")
    flattr_maya.get_by_role("button", name="Flattr this").click()
    assert "You flattred this thing this month" in page.locator(".profile-flattr").inner_text()
    assert page.locator('[data-count="month"]').inner_text() == "1"

    page.get_by_role("link", name="Sunday jazz session").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Sunday jazz session"
    assert "More by Maya Keys" in page.content()
    page.get_by_role("button", name="Flattr this").click()
    assert page.locator('[data-count="month"]').inner_text() == "1"

    clicks = Click.objects.filter(reader=reader, revoked_at__isnull=True)
    profile = Thing.objects.get(owner=maya, is_profile=True)
    assert {c.thing_id for c in clicks} == {
        profile.pk,
        Thing.objects.get(title="Sunday jazz session").pk,
    }
    assert all(c.creator_id == maya.pk for c in clicks)
    context.close()
