"""With Redis down, allauth cannot count attempts: sign-in pages answer a clear 503, no
traceback, and nothing is done (no login, no account, no e-mail)."""

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"

# A Redis server that is not there: connection refused on every cache call (port 1).
UNREACHABLE_CACHE = override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    },
    SESSION_ENGINE="django.contrib.sessions.backends.db",
)


def assert_clear_503(response):
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    page = response.content.decode()
    assert "Signing in is briefly unavailable" in page
    assert "Traceback" not in page


def test_logging_in_answers_a_clear_503_and_logs_nobody_in(client):
    UserFactory(email="reader@example.com")

    with UNREACHABLE_CACHE:
        response = client.post(
            reverse("account_login"), {"login": "reader@example.com", "password": PASSWORD}
        )
        settings_page = client.get(reverse("account_settings"))

    assert_clear_503(response)
    assert settings_page.status_code == 302  # still anonymous


def test_signing_up_answers_a_clear_503_and_creates_nothing(client):
    data = {
        "email": "new@example.com",
        "handle": "newcomer",
        "password1": "a long demo passphrase",
        "password2": "a long demo passphrase",
    }

    with UNREACHABLE_CACHE:
        response = client.post(reverse("account_signup"), data)

    assert_clear_503(response)
    assert not User.objects.filter(email="new@example.com").exists()
    assert mail.outbox == []


def test_asking_for_a_password_reset_answers_a_clear_503_and_sends_nothing(client):
    UserFactory(email="reader@example.com")

    with UNREACHABLE_CACHE:
        response = client.post(reverse("account_reset_password"), {"email": "reader@example.com"})

    assert_clear_503(response)
    assert mail.outbox == []


def test_the_login_page_itself_still_opens(client):
    with UNREACHABLE_CACHE:
        response = client.get(reverse("account_login"))

    assert response.status_code == 200
