"""The error pages a person can meet are the platform's own, in their language."""

import pytest
from django.urls import reverse

from tests.tips.dashboards.test_operator_permissions import staff_client

pytestmark = pytest.mark.django_db


def sign_up(client, email, handle, **headers):
    data = {
        "email": email,
        "handle": handle,
        "password1": "a long demo passphrase",
        "password2": "a long demo passphrase",
    }
    return client.post(reverse("account_signup"), data, **headers)


def test_too_many_sign_ups_get_the_platforms_own_page(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/m/ip"}
    assert sign_up(client, "a@example.com", "first_one").status_code == 302

    refused = sign_up(client, "b@example.com", "second_one")

    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Slow down a little" in page
    assert "Please try again in a few minutes." in page
    assert "Too Many Requests" not in page


def test_the_rate_limit_page_speaks_french(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/m/ip"}
    sign_up(client, "a@example.com", "first_one", HTTP_ACCEPT_LANGUAGE="fr")

    refused = sign_up(client, "b@example.com", "second_one", HTTP_ACCEPT_LANGUAGE="fr")

    assert refused.status_code == 429
    assert "Ralentissez un peu" in refused.content.decode()


def test_staff_without_a_permission_get_a_page_that_says_so(client):
    response = staff_client(client).get("/admin/operations/")

    assert response.status_code == 403
    page = response.content.decode()
    assert "Not allowed" in page
    assert "Nothing was changed." in page
