"""Length limits on account fields, enforced by the services as well as the forms."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from accounts.services import user_update_preferences
from accounts.suspensions import SuspensionError, user_suspend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_preferences_service_refuses_a_too_long_display_name():
    user = UserFactory(display_name="Ada")

    with pytest.raises(ValidationError) as error:
        user_update_preferences(user=user, display_name="x" * 81, monthly_emails=True, language="")

    assert "display_name" in error.value.message_dict
    user.refresh_from_db()
    assert user.display_name == "Ada"


def test_suspending_refuses_a_too_long_reason_and_changes_nothing():
    user = UserFactory()

    with pytest.raises(SuspensionError):
        user_suspend(user=user, reason="x" * 2001)

    user.refresh_from_db()
    assert user.suspended_at is None
    assert user.suspension_reason == ""


def test_sign_up_refuses_a_too_long_display_name_and_creates_nothing(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.com",
            "handle": "newcomer",
            "display_name": "x" * 81,
            "password1": "a long demo passphrase",
            "password2": "a long demo passphrase",
        },
    )

    assert response.status_code == 200
    assert "Ensure this value has at most 80 characters" in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()


def test_the_user_form_of_the_admin_does_not_suspend_the_suspension_actions_do(client):
    operator = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(operator, generate_totp_secret())
    client.force_login(operator)
    user = UserFactory(email="someone@example.com", handle="someone")
    data = {
        "email": user.email,
        "handle": user.handle,
        "display_name": "",
        "monthly_emails": "on",
        "suspended_at_0": "2026-10-01",
        "suspended_at_1": "12:00:00",
        "suspension_reason": "x" * 2001,
        "is_active": "on",
    }

    response = client.post(f"/admin/accounts/user/{user.pk}/change/", data)

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.suspended_at is None
    assert user.suspension_reason == ""
