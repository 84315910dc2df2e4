"""A reader finds the History page from the navigation and sees where March's money went."""

import pytest
from django.core.management import call_command

from tests.tips.payday.helpers import MONTH, sha_order
from tests.tips.payday.test_history_and_admin import reader_and_creators

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reader_follows_the_history_link_and_sees_each_share(live_server, page):
    reader, creators = reader_and_creators()
    call_command("payday", "--month", "2025-03")  # outside any test transaction: real commits

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(reader.email)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign In").click()
    page.locator(".account-menu summary").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="History").click()

    assert page.get_by_role("heading", name="March 2025").is_visible()
    month = page.get_by_role("region", name="March 2025")
    assert "€2.05" in month.locator("dl").inner_text()
    rows = month.get_by_role("row").all_inner_texts()[1:]
    first = sha_order(MONTH, reader.pk, [c.pk for c in creators])[0]
    first_name = next(c.display_name for c in creators if c.pk == first)
    assert rows[0].split("\t") == [first_name, "€0.62"]
    assert sorted(row.split("\t")[1] for row in rows[1:]) == ["€0.61", "€0.61"]

    page.get_by_role("link", name="See this month's estimate").click()
    assert page.url == live_server.url + "/month/"
