"""The popup's own page (issue 18, The click): its minimal layout, the reader's month, what
stands in the way with one link, and the login pages that keep the popup's opener."""

import pytest
from django.urls import reverse

from tests.factories import ClickFactory, ThingFactory, UserFactory, ready_reader

pytestmark = pytest.mark.django_db

ORIGIN = "https://creator.example"


def popup_url(thing):
    return reverse("tips:popup", kwargs={"pk": thing.pk}) + f"?origin={ORIGIN}"


def test_the_popup_has_no_site_navigation_banner_or_footer(client):
    thing = ThingFactory(title="A post", owner__display_name="Dana")
    ClickFactory(thing=thing)

    page = client.get(popup_url(thing)).content.decode()

    assert "<h1>A post</h1>" in page
    assert "by Dana" in page and "1 flattr" in page
    assert "site-header" not in page and "<nav" not in page and "<footer" not in page
    # What stands in the way, with one link to fix it, in the popup itself (the login).
    assert "Log in to flattr this." in page
    assert page.count('class="button flattr-button"') == 0


def test_a_reader_sees_the_month_they_give_and_one_button(client):
    reader = ready_reader(budget_cents=1000)
    ClickFactory(reader=reader)  # one creator flattred already this month
    client.force_login(reader)
    thing = ThingFactory()

    page = client.get(popup_url(thing)).content.decode()

    assert page.count("Flattr this</button>") == 1
    assert 'id="popup-estimate"' in page
    assert "This month you give €10.00, shared by 1 creator." in page
    assert "About €9.00 each" in page  # 10% commission


def test_an_empty_wallet_is_fixed_in_a_new_tab(client):
    reader = ready_reader(wallet_cents=0)
    client.force_login(reader)

    page = client.get(popup_url(ThingFactory())).content.decode()

    assert 'data-blocker="empty_wallet"' in page
    assert 'target="_blank" rel="noopener" data-fix-elsewhere>Top up my wallet</a>' in page


@pytest.mark.parametrize(
    "next_url",
    ["/t/12/popup/?origin=https%3A%2F%2Fcreator.example", "/submit/?creator=a&url=b"],
)
def test_the_login_on_the_way_back_to_a_popup_keeps_its_opener(client, next_url):
    login = client.get(reverse("account_login"), {"next": next_url})
    signup = client.get(reverse("account_signup"), {"next": next_url})
    failed = client.post(
        reverse("account_login"), {"login": "x@example.com", "password": "no", "next": next_url}
    )
    sent = client.get(
        reverse("account_email_verification_sent"),
        HTTP_REFERER=f"http://testserver/accounts/signup/?next={next_url}",
    )

    for response in (login, signup, failed, sent):
        assert response["Cross-Origin-Opener-Policy"] == "unsafe-none"


def test_every_other_page_keeps_same_origin(client):
    UserFactory(email="r@example.com")
    plain = client.get(reverse("account_login"))
    elsewhere = client.get(reverse("account_login"), {"next": "/wallet/"})
    foreign = client.get(
        reverse("account_login"),
        HTTP_REFERER="https://evil.example/?next=/t/1/popup/",
    )

    for response in (plain, elsewhere, foreign):
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
