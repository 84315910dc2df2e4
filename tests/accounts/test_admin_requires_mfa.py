import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def current_code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def log_in(client, email: str):
    return client.post(reverse("account_login"), {"login": email, "password": PASSWORD})


def test_a_visitor_is_sent_to_the_allauth_login(client):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert "next=/admin/" in response.redirect_chain[-1][0]


def test_staff_without_two_factor_are_sent_to_activate_it_and_get_in_once_they_have(client):
    UserFactory(email="op@example.com", is_staff=True, is_superuser=True)
    log_in(client, "op@example.com")

    response = client.get("/admin/accounts/user/", follow=True)

    visited = [url for url, _ in response.redirect_chain]
    assert visited[-1] == reverse("mfa_activate_totp")
    assert "Operators must use two-factor authentication" in response.content.decode()
    # The password typed to sign in a moment ago is the confirmation allauth would ask for:
    # the set-up page opens at once, not after a second password prompt.
    assert 'class="qr-code"' in response.content.decode()
    secret = response.context["form"].secret

    client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})

    assert client.get("/admin/accounts/user/").status_code == 200


def test_a_user_who_is_not_staff_gets_no_admin(client):
    client.force_login(UserFactory())

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Your account has no access to the administration." in response.content.decode()


def test_staff_with_an_authenticator_app_log_in_with_a_code_and_reach_the_admin(client):
    staff = UserFactory(email="op@example.com", is_staff=True, is_superuser=True)
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)

    after_password = log_in(client, "op@example.com")
    assert after_password.url == reverse("mfa_authenticate")
    # The password alone opens nothing.
    assert client.get("/admin/").status_code == 302

    after_code = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert after_code.status_code == 302
    admin_page = client.get("/admin/accounts/user/?q=op%40example.com")

    assert admin_page.status_code == 200
    assert "op@example.com" in admin_page.content.decode()


def test_a_wrong_code_keeps_staff_out(client):
    staff = UserFactory(email="op@example.com", is_staff=True)
    TOTP.activate(staff, generate_totp_secret())
    log_in(client, "op@example.com")

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})

    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_the_user_admin_filters_suspended_users_and_never_shows_the_password(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(staff, generate_totp_secret())
    client.force_login(staff)
    from django.utils import timezone

    suspended = UserFactory(email="banned@example.com", suspended_at=timezone.now())
    UserFactory(email="fine@example.com")

    listing = client.get("/admin/accounts/user/?suspended=yes").content.decode()
    change = client.get(f"/admin/accounts/user/{suspended.pk}/change/").content.decode()

    assert "banned@example.com" in listing
    assert "fine@example.com" not in listing
    assert "pbkdf2" not in change
    assert 'name="password"' not in change


def test_a_sign_in_long_ago_asks_for_the_password_again_before_two_factor_changes(client, settings):
    UserFactory(email="op@example.com", is_staff=True, is_superuser=True)
    log_in(client, "op@example.com")
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0  # as if the sign-in were minutes ago

    response = client.get(reverse("mfa_activate_totp"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
