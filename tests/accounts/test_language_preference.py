"""A user's language choice is remembered on the account, and e-mails use it."""

import pytest
from django.core import mail

from accounts.models import User
from tests.factories import TopUpFactory, UserFactory
from tests.tips.dashboards.helpers import click, last_month, run_payday, set_budget, thing_of

pytestmark = pytest.mark.django_db


def test_switching_the_language_while_logged_in_remembers_it(client):
    user = UserFactory(language="")
    client.force_login(user)

    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})

    assert response.status_code == 302
    assert response.cookies["django_language"].value == "fr"
    assert User.objects.get(pk=user.pk).language == "fr"


def test_a_visitor_switches_the_language_with_a_cookie_only(client):
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})

    assert response.cookies["django_language"].value == "fr"
    assert client.get("/").content.decode().count('lang="fr"') >= 1


def test_an_unknown_language_changes_nothing(client):
    user = UserFactory(language="fr")
    client.force_login(user)

    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})

    assert User.objects.get(pk=user.pk).language == "fr"


def test_the_settings_page_sets_the_language_of_emails(client):
    user = UserFactory(language="")
    client.force_login(user)

    response = client.post(
        "/settings/", {"display_name": "Zoé", "monthly_emails": "on", "language": "fr"}
    )

    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).language == "fr"


def test_the_monthly_summary_speaks_the_readers_language(django_capture_on_commit_callbacks):
    reader = UserFactory(email="lea@example.com", language="fr")
    english = UserFactory(email="ann@example.com", language="")
    creator = UserFactory(monthly_emails=False)
    for person in (reader, english):
        TopUpFactory(user=person, amount_cents=3000)
        set_budget(person, 1000)
        click(person, thing_of(creator, f"t-{person.pk}"), last_month())
    mail.outbox = []

    run_payday(last_month(), django_capture_on_commit_callbacks)

    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert "Ce que vous avez donné en" in subjects["lea@example.com"]
    assert "What you gave in" in subjects["ann@example.com"]
