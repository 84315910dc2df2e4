"""Every Stripe Connect link (onboarding start, refresh, Express dashboard) costs a call to
Stripe; a creator may ask for a limited number an hour. Over it: 429, no call to Stripe."""

import html

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def creator(client):
    user = UserFactory()
    client.force_login(user)
    return user


def links_made(fake_stripe) -> int:
    return len(fake_stripe.calls("POST", "/v1/account_links"))


def test_onboarding_links_over_the_hourly_limit_answer_429_and_call_stripe_no_more(
    client, creator, fake_stripe, settings
):
    settings.CONNECT_LINK_RATE_LIMIT_PER_HOUR = 2
    assert client.post(reverse("payouts:connect_start")).status_code == 302
    assert client.get(reverse("payouts:connect_refresh")).status_code == 302

    started = client.post(reverse("payouts:connect_start"))
    refreshed = client.get(reverse("payouts:connect_refresh"))
    dashboard = client.post(reverse("payouts:connect_dashboard"))

    assert [started.status_code, refreshed.status_code, dashboard.status_code] == [429] * 3
    assert int(started["Retry-After"]) > 0
    page = html.unescape(started.content.decode())
    assert "You can open your payment account's pages at most 2 times an hour." in page
    assert links_made(fake_stripe) == 2
    assert not fake_stripe.calls("POST", "/v1/accounts/.*/login_links")


def test_the_get_paid_page_itself_is_not_limited(client, creator, fake_stripe, settings):
    settings.CONNECT_LINK_RATE_LIMIT_PER_HOUR = 1
    client.post(reverse("payouts:connect_start"))

    for _ in range(3):
        assert client.get(reverse("payouts:get_paid")).status_code == 200
