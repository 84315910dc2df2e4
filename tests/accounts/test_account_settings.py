import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_requires_login(client):
    response = client.get(reverse("account_settings"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_it_shows_the_current_settings_and_links_to_security_pages(client):
    user = UserFactory(display_name="Ada", monthly_emails=True)
    client.force_login(user)

    page = client.get(reverse("account_settings")).content.decode()

    assert 'value="Ada"' in page
    assert 'name="monthly_emails" id="id_monthly_emails" checked' in page
    for url_name in ["account_email", "account_change_password", "mfa_index"]:
        assert f'href="{reverse(url_name)}"' in page


def test_it_saves_display_name_and_monthly_emails(client):
    user = UserFactory(display_name="Ada", monthly_emails=True)
    client.force_login(user)

    response = client.post(reverse("account_settings"), {"display_name": "  Ada L.  "}, follow=True)

    user.refresh_from_db()
    assert (user.display_name, user.monthly_emails) == ("Ada L.", False)
    assert "Your settings were saved." in response.content.decode()


def test_a_too_long_display_name_is_refused_and_nothing_changes(client):
    user = UserFactory(display_name="Ada", monthly_emails=True)
    client.force_login(user)

    response = client.post(
        reverse("account_settings"), {"display_name": "x" * 81, "monthly_emails": "on"}
    )

    assert response.status_code == 200
    assert "Ensure this value has at most 80 characters" in response.content.decode()
    user.refresh_from_db()
    assert user.display_name == "Ada"


def test_the_navigation_links_to_settings_when_logged_in(client):
    client.force_login(UserFactory())

    page = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("account_settings")}"' in page
