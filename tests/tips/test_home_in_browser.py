import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_sees_what_the_platform_does(live_server, page):
    page.goto(live_server.url + "/")

    assert page.get_by_role("heading", level=1).inner_text() == (
        "Support the people whose work you enjoy"
    )
    assert page.get_by_role("link", name="Sign up").is_visible()
