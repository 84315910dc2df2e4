"""allauth's pages are rendered inside the product's layout, not allauth's bare defaults."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LAYOUT_MARKERS = ['class="skip-link"', 'href="/static/css/site.css"', '<main id="main"', "<footer"]


@pytest.mark.parametrize(
    "url_name",
    [
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_email_verification_sent",
    ],
)
def test_entrance_pages_use_the_product_layout(client, url_name):
    page = client.get(reverse(url_name)).content.decode()

    for marker in LAYOUT_MARKERS:
        assert marker in page
    assert 'class="card entrance-card"' in page
    assert "Menu:" not in page  # allauth's default layout


def test_the_signup_form_labels_every_field(client):
    page = client.get(reverse("account_signup")).content.decode()

    for field in ["email", "handle", "display_name", "password1", "password2"]:
        assert f'<label for="id_{field}"' in page


@pytest.mark.parametrize(
    "url_name", ["account_email", "account_change_password", "mfa_index", "account_settings"]
)
def test_account_pages_share_the_settings_menu(client, url_name):
    client.force_login(UserFactory())

    page = client.get(reverse(url_name)).content.decode()

    assert 'class="settings-nav"' in page
    assert 'aria-current="page"' in page
