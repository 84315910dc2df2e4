import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def sign_up(client, **overrides):
    data = {
        "email": "reader@example.com",
        "handle": "reader_one",
        "display_name": "Reader One",
        "password1": "a long demo passphrase",
        "password2": "a long demo passphrase",
        **overrides,
    }
    return client.post(reverse("account_signup"), data)


def confirmation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body).group(1)


def test_sign_up_saves_handle_and_display_name_and_mails_a_verification_link(client):
    response = sign_up(client)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email="reader@example.com")
    assert (user.handle, user.display_name) == ("reader_one", "Reader One")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["reader@example.com"]
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_the_verification_link_verifies_the_address_and_logs_the_user_in(client):
    sign_up(client)
    link = confirmation_link(mail.outbox[0])

    page = client.get(link)
    assert page.status_code == 200
    assert b"Confirm" in page.content
    response = client.post(link)

    assert response.status_code == 302
    assert EmailAddress.objects.get(email="reader@example.com").verified
    assert client.get(reverse("account_settings")).status_code == 200


def test_a_verified_user_logs_in_with_email_and_password(client):
    UserFactory(email="known@example.com")

    response = client.post(
        reverse("account_login"), {"login": "known@example.com", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("account_settings")).status_code == 200


def test_an_unverified_user_cannot_log_in_and_gets_a_new_link(client):
    UserFactory(email="unverified@example.com", verified=False)

    response = client.post(
        reverse("account_login"), {"login": "unverified@example.com", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert client.get(reverse("account_settings")).status_code == 302
    assert mail.outbox and mail.outbox[-1].to == ["unverified@example.com"]


def test_a_taken_handle_is_refused_with_a_clear_message_and_creates_nothing(client):
    UserFactory(handle="Reader_One")

    response = sign_up(client)

    assert response.status_code == 200
    assert "This handle is taken" in response.content.decode()
    assert not User.objects.filter(email="reader@example.com").exists()
    assert mail.outbox == []


def test_an_invalid_handle_is_refused(client):
    response = sign_up(client, handle="no spaces!")

    assert "Use 2 to 30 letters, digits or underscores." in response.content.decode()
    assert not User.objects.filter(email="reader@example.com").exists()


def test_repeated_failed_logins_are_refused_even_with_the_right_password(client):
    UserFactory(email="target@example.com")
    login_url = reverse("account_login")
    for _ in range(5):
        failed = client.post(login_url, {"login": "target@example.com", "password": "wrong"})
        assert failed.status_code == 200

    response = client.post(login_url, {"login": "target@example.com", "password": PASSWORD})

    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get(reverse("account_settings")).status_code == 302


def test_logging_out_ends_the_session(client):
    client.force_login(UserFactory())

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert client.get(reverse("account_settings")).status_code == 302
