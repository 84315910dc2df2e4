"""The site's own error pages, favicon and admin columns; the web process's warnings and
log lines."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory, give_earnings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "title"), [("en", "Page not found"), ("fr", "Page introuvable")]
)
def test_a_missing_page_is_ours_in_the_visitors_language(client, language, title):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 404
    page = response.content.decode()
    assert f'<html lang="{language}"' in page
    assert title in page
    assert 'class="site-header"' in page


def test_a_server_error_is_ours_too(settings):
    from flattr_clone.errors import server_error

    request = Client().get("/").wsgi_request
    request.user = UserFactory()
    response = server_error(request)

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert 'class="site-header"' in response.content.decode()


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
    assert 'rel="icon"' in client.get("/").content.decode()


def test_admin_amounts_are_money_and_months_are_named(client):
    give_earnings(UserFactory(), 1050, month="2026-10")
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    operator = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(operator, generate_totp_secret())
    client.force_login(operator)
    operator = client

    transfers = operator.get("/admin/payouts/transfer/").content.decode()
    runs_of_clicks = operator.get("/admin/tips/click/").content.decode()

    assert "€10.50" in transfers
    assert "(cents)" not in transfers
    assert "(cents)" not in runs_of_clicks
    index = operator.get(reverse("admin:index")).content.decode()
    assert index.count(">Accounts<") == 1  # allauth's e-mail addresses; ours is "Users"
    assert ">Users<" in index


def _run(code: str, **env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("STRIPE_SECRET_KEY",)}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


PRODUCTION = {
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "example.org",
    "DATABASE_URL": "sqlite:////tmp/flattr-warning-test.sqlite3",
}


def test_the_missing_stripe_key_is_said_by_the_web_process_only():
    command = _run(
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        "'flattr_clone.settings'); django.setup()",
        **PRODUCTION,
    )
    web = _run("import flattr_clone.wsgi", **PRODUCTION)

    assert "STRIPE_SECRET_KEY" not in command.stderr
    assert web.stderr.count("STRIPE_SECRET_KEY is not set") == 1


def test_a_log_line_is_printed_once():
    code = (
        "import django, os, logging; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        "'flattr_clone.settings'); django.setup(); "
        "logging.getLogger('django.request').warning('one line only')"
    )
    assert _run(code).stderr.count("one line only") == 1
