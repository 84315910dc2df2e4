"""Sign-ups per IP (docs/PRODUCT.md, First payouts and velocity): over the hourly or daily
number of accounts from one client address, the sign-up is refused with a clear message,
no account is created, and operators find the limit reached in the admin."""

import html

import pytest
import time_machine
from django.urls import reverse

from accounts.models import LimitHit, User
from tests.tips.dashboards.test_operator_admin import operator  # noqa: F401

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


def sign_up(client, n: int, *, forwarded_for: str, **headers):
    return client.post(
        reverse("account_signup"),
        {
            "email": f"reader{n}@example.com",
            "handle": f"reader_{n}",
            "password1": "a long demo passphrase",
            "password2": "a long demo passphrase",
        },
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
        **headers,
    )


def test_sign_ups_over_the_hourly_limit_per_ip_are_refused_and_recorded(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SIGNUP_PER_IP_PER_HOUR = 2
    for n in range(2):
        assert sign_up(client, n, forwarded_for="203.0.113.9").status_code == 302
        client.logout()

    refused = sign_up(client, 2, forwarded_for="203.0.113.9")
    other_client = sign_up(client, 3, forwarded_for="198.51.100.7")

    assert refused.status_code == 200
    page = html.unescape(refused.content.decode())
    assert "Too many accounts were created from your network recently." in page
    assert "No account was created" in page
    assert not User.objects.filter(email="reader2@example.com").exists()
    assert other_client.status_code == 302  # counted per client, not per proxy
    hit = LimitHit.objects.get()
    assert (hit.kind, hit.ip, hit.user) == (LimitHit.Kind.SIGNUP_IP_HOUR, "203.0.113.9", None)


def test_the_daily_limit_counts_across_hours_and_a_typo_is_not_a_sign_up(client, settings):
    settings.SIGNUP_PER_IP_PER_HOUR = 10
    settings.SIGNUP_PER_IP_PER_DAY = 2
    with time_machine.travel("2026-03-02 08:10Z", tick=False):
        bad = client.post(reverse("account_signup"), {"email": "x@example.com"})
        assert bad.status_code == 200  # invalid form: not counted
        assert sign_up(client, 0, forwarded_for="").status_code == 302
        client.logout()
    with time_machine.travel("2026-03-02 15:10Z", tick=False):
        assert sign_up(client, 1, forwarded_for="").status_code == 302
        client.logout()
        refused = sign_up(client, 2, forwarded_for="")
    with time_machine.travel("2026-03-03 00:10Z", tick=False):
        next_day = sign_up(client, 3, forwarded_for="")

    assert "No account was created" in html.unescape(refused.content.decode())
    assert next_day.status_code == 302
    assert User.objects.count() == 3
    assert LimitHit.objects.get().kind == LimitHit.Kind.SIGNUP_IP_DAY


def test_the_refusal_is_in_french_for_a_french_visitor(client, settings):
    settings.SIGNUP_PER_IP_PER_HOUR = 0
    refused = sign_up(client, 0, forwarded_for="", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Trop de comptes ont été créés depuis votre réseau" in html.unescape(
        refused.content.decode()
    )


def test_operators_list_limits_reached_read_only_and_see_the_count(
    client,
    settings,
    operator,  # noqa: F811
):
    settings.SIGNUP_PER_IP_PER_HOUR = 0
    sign_up(client, 0, forwarded_for="")
    client.force_login(operator)

    listing = client.get("/admin/accounts/limithit/?kind=signup_ip_hour").content.decode()
    dashboard = html.unescape(client.get("/admin/operations/").content.decode())

    assert PROXY in listing  # no TRUSTED_PROXY_COUNT: the connection's address
    assert "Sign-ups per IP address (hour)" in listing
    assert "1 limit reached in the last 24 hours" in dashboard
    hit = LimitHit.objects.get()
    assert client.get(f"/admin/accounts/limithit/{hit.pk}/change/").status_code == 200
    assert client.get("/admin/accounts/limithit/add/").status_code == 403
    assert client.post(f"/admin/accounts/limithit/{hit.pk}/delete/").status_code == 403
    assert LimitHit.objects.count() == 1
