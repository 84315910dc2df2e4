"""allauth's per-IP limits count per client, not per reverse proxy (TRUSTED_PROXY_COUNT).

Behind the proxy every request comes from the proxy's address; the proxy appends the
address it saw to X-Forwarded-For. The client is the entry TRUSTED_PROXY_COUNT hops from
the right; anything further left was written by the client and proves nothing.
"""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
PROXY = "10.0.0.2"  # REMOTE_ADDR of every request: the reverse proxy
ATTACKER = "203.0.113.66"
READER = "198.51.100.7"


def log_in(client, email, password, *, forwarded_for):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def exhaust_failed_logins_per_ip(client, forwarded_for):
    # allauth allows 10 failed logins per IP and minute; each try names another address so
    # only the per-IP limit is spent, never the per-address one.
    for attempt in range(10):
        forwarded = forwarded_for(attempt)
        failed = log_in(client, f"victim{attempt}@example.com", "wrong", forwarded_for=forwarded)
        assert "Too many failed login attempts" not in failed.content.decode()


def test_one_attacker_behind_the_proxy_does_not_lock_everyone_out_of_login(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(email="reader@example.com")
    exhaust_failed_logins_per_ip(client, lambda attempt: ATTACKER)

    refused = log_in(client, "victim@example.com", "wrong", forwarded_for=ATTACKER)
    response = log_in(client, "reader@example.com", PASSWORD, forwarded_for=READER)

    assert "Too many failed login attempts" in refused.content.decode()
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_a_forged_left_most_address_does_not_reset_the_attackers_limit(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    exhaust_failed_logins_per_ip(client, lambda attempt: f"192.0.2.{attempt}, {ATTACKER}")

    refused = log_in(client, "victim@example.com", "wrong", forwarded_for=f"{READER}, {ATTACKER}")

    assert refused.status_code == 200
    assert "Too many failed login attempts" in refused.content.decode()


def test_with_two_trusted_proxies_the_client_is_the_second_address_from_the_right(client, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    cdn = "192.0.2.200"  # the outer proxy appends the client, the inner one the outer proxy
    UserFactory(email="reader@example.com")
    exhaust_failed_logins_per_ip(client, lambda attempt: f"192.0.2.{attempt}, {ATTACKER}, {cdn}")

    refused = log_in(client, "victim@example.com", "wrong", forwarded_for=f"{ATTACKER}, {cdn}")
    response = log_in(client, "reader@example.com", PASSWORD, forwarded_for=f"{READER}, {cdn}")

    assert "Too many failed login attempts" in refused.content.decode()
    assert response.status_code == 302


def test_without_trusted_proxies_x_forwarded_for_is_ignored(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    exhaust_failed_logins_per_ip(client, lambda attempt: f"192.0.2.{attempt}")

    refused = log_in(client, "victim@example.com", "wrong", forwarded_for=READER)

    assert "Too many failed login attempts" in refused.content.decode()


def test_a_header_shorter_than_the_proxy_count_is_no_server_error(client, settings):
    # A request that reached the inner proxy directly has one hop too few; it is counted
    # by the address the first proxy saw instead of failing.
    settings.TRUSTED_PROXY_COUNT = 2
    UserFactory(email="reader@example.com")

    response = log_in(client, "reader@example.com", PASSWORD, forwarded_for=READER)

    assert response.status_code == 302


def test_the_signup_limit_counts_per_client_behind_the_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/m/ip"}

    def sign_up(email, handle, address):
        data = {
            "email": email,
            "handle": handle,
            "password1": "a long demo passphrase",
            "password2": "a long demo passphrase",
        }
        return client.post(
            reverse("account_signup"), data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address
        )

    assert sign_up("a@example.com", "first_one", ATTACKER).status_code == 302
    assert sign_up("b@example.com", "second_one", ATTACKER).status_code == 429
    assert sign_up("c@example.com", "third_one", READER).status_code == 302
