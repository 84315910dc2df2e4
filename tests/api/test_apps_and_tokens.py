"""The apps, authorized apps and personal access tokens pages, and the OAuth 2 token endpoint
(client authentication by HTTP Basic or form fields, body form-encoded or JSON; PKCE)."""

import base64
import hashlib
import html
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken, Application

from api.models import PersonalAccessToken, token_hash
from tests.api.conftest import ApiClient
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REDIRECT = "https://app.example/back"
VERIFIER = "a" * 50
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=")


def text(response) -> str:
    return html.unescape(response.content.decode())


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_personal_token_is_shown_once_stored_hashed_works_and_can_be_revoked():
    user = UserFactory(handle="scripter")
    client = logged_in(user)

    page = client.post("/settings/tokens/", {"name": "Backup", "scopes": ["thing", "email"]})

    secret = re.search(r'<code id="new-token">([^<]+)</code>', page.content.decode()).group(1)
    token = PersonalAccessToken.objects.get()
    assert token.token_hash == token_hash(secret) and secret not in str(token.__dict__)
    assert token.scopes == ["thing", "email"]
    listing = text(client.get("/settings/tokens/"))
    assert secret not in listing and "Backup" in listing and token.token_start in listing
    assert ApiClient(secret).get("/rest/v2/user").json()["email"] == user.email

    client.post(f"/settings/tokens/{token.pk}/revoke/")
    assert ApiClient(secret).get("/rest/v2/user").status_code == 401


def test_nobody_revokes_someone_elses_token():
    owner = UserFactory()
    client = logged_in(owner)
    client.post("/settings/tokens/", {"name": "Mine", "scopes": ["flattr"]})
    token = PersonalAccessToken.objects.get()
    logged_in(UserFactory()).post(f"/settings/tokens/{token.pk}/revoke/")
    assert PersonalAccessToken.objects.filter(pk=token.pk).exists()


def test_a_token_without_a_name_is_refused_and_nothing_is_made():
    response = logged_in(UserFactory()).post("/settings/tokens/", {"name": ""})
    assert response.status_code == 400 and not PersonalAccessToken.objects.exists()


def register(client, *, confidential: bool, uris: str = REDIRECT):
    return client.post(
        "/settings/apps/",
        {"name": "Reader app", "redirect_uris": uris, "confidential": "1" if confidential else "0"},
    )


def test_a_confidential_apps_secret_is_shown_once_and_stored_hashed():
    client = logged_in(UserFactory())
    page = register(client, confidential=True).content.decode()
    secret = re.search(r'<code id="client-secret">([^<]+)</code>', page).group(1)
    app = Application.objects.get()
    assert app.client_type == "confidential" and app.client_secret != secret
    assert secret not in client.get("/settings/apps/").content.decode()


def test_a_bad_redirect_address_is_refused_with_a_message():
    response = register(logged_in(UserFactory()), confidential=True, uris="javascript:alert(1)")
    assert response.status_code == 400 and not Application.objects.exists()


def authorize(client, app, **extra):
    query = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": REDIRECT,
        "scope": "flattr thing",
        "state": "s",
        **extra,
    }
    consent = client.get("/oauth/authorize", query)
    assert consent.status_code == 200, consent.content[:500]
    return consent, client.post("/oauth/authorize/", {**query, "allow": "Authorize"})


def code_of(response) -> str:
    assert response.status_code == 302, response.content[:300]
    return parse_qs(urlsplit(response["Location"]).query)["code"][0]


def make_app(user, *, confidential: bool):
    client = logged_in(user)
    page = register(client, confidential=confidential).content.decode()
    match = re.search(r'<code id="client-secret">([^<]+)</code>', page)
    return Application.objects.get(), (match.group(1) if match else "")


def test_the_consent_page_says_what_each_scope_lets_the_app_do_in_french():
    app, _secret = make_app(UserFactory(), confidential=True)
    client = logged_in(UserFactory())
    client.cookies["django_language"] = "fr"
    consent, _answer = authorize(client, app)
    page = text(consent)
    assert "Autoriser «\u00a0Reader app\u00a0» à utiliser votre compte" in page
    assert "Flattrer des contenus pour vous, sur votre budget mensuel." in page
    assert "Enregistrer des contenus à votre nom, les modifier ou les retirer." in page


def test_a_confidential_client_without_pkce_uses_basic_auth_and_a_json_body():
    app, secret = make_app(UserFactory(), confidential=True)
    _consent, answer = authorize(logged_in(UserFactory()), app)
    basic = base64.b64encode(f"{app.client_id}:{secret}".encode()).decode()
    response = Client().post(
        "/oauth/token",
        json.dumps(
            {"grant_type": "authorization_code", "code": code_of(answer), "redirect_uri": REDIRECT}
        ),
        content_type="application/json",
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "flattr thing"
    assert AccessToken.objects.filter(token_checksum__isnull=False).count() == 1


def test_a_confidential_client_may_authenticate_with_form_fields():
    app, secret = make_app(UserFactory(), confidential=True)
    _consent, answer = authorize(logged_in(UserFactory()), app)
    response = Client().post(
        "/oauth/token/",
        {
            "grant_type": "authorization_code",
            "code": code_of(answer),
            "redirect_uri": REDIRECT,
            "client_id": app.client_id,
            "client_secret": secret,
        },
    )
    assert response.status_code == 200 and response.json()["access_token"]


def test_a_public_client_must_use_pkce():
    app, _secret = make_app(UserFactory(), confidential=False)
    client = logged_in(UserFactory())
    refused = client.get(
        "/oauth/authorize",
        {
            "response_type": "code",
            "client_id": app.client_id,
            "redirect_uri": REDIRECT,
            "scope": "flattr",
            "state": "s",
        },
    )
    assert refused.status_code == 302 and "error=invalid_request" in refused["Location"]

    _consent, answer = authorize(
        client, app, code_challenge=CHALLENGE.decode(), code_challenge_method="S256"
    )
    wrong = Client().post(
        "/oauth/token",
        {
            "grant_type": "authorization_code",
            "code": code_of(answer),
            "redirect_uri": REDIRECT,
            "client_id": app.client_id,
            "code_verifier": "b" * 50,
        },
    )
    assert wrong.status_code == 400 and not AccessToken.objects.exists()


def test_the_authorized_apps_page_lists_and_revokes():
    app, secret = make_app(UserFactory(), confidential=True)
    reader = UserFactory()
    client = logged_in(reader)
    _consent, answer = authorize(client, app)
    token = (
        Client()
        .post(
            "/oauth/token",
            {
                "grant_type": "authorization_code",
                "code": code_of(answer),
                "redirect_uri": REDIRECT,
                "client_id": app.client_id,
                "client_secret": secret,
            },
        )
        .json()["access_token"]
    )
    page = text(client.get("/settings/authorized-apps/"))
    assert "Reader app" in page and "Flattr things for you" in page
    assert ApiClient(token).get("/rest/v2/user").status_code == 200

    client.post(f"/settings/authorized-apps/{app.pk}/revoke/")

    assert ApiClient(token).get("/rest/v2/user").status_code == 401
    assert "No app has access to your account." in text(client.get("/settings/authorized-apps/"))


def test_the_pages_need_a_login():
    for path in ("/settings/apps/", "/settings/authorized-apps/", "/settings/tokens/"):
        assert Client().get(path).status_code == 302


def test_the_openapi_document_and_its_docs_page_are_served_without_a_cdn():
    schema = Client().get("/rest/v2/schema/", headers={"Accept": "application/json"})
    assert schema.status_code == 200 and "/rest/v2/things/search/" in schema.json()["paths"]
    docs = Client().get("/rest/v2/schema/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower()
    assert re.findall(r'src="(https?://[^"]+)"', docs) == []


def test_a_consent_posted_for_an_unknown_app_is_refused_with_a_page():
    client = logged_in(UserFactory())
    response = client.post(
        "/oauth/authorize/",
        {
            "client_id": "nobody",
            "redirect_uri": REDIRECT,
            "scope": "flattr",
            "allow": "1",
            "response_type": "code",
            "state": "s",
        },
    )
    assert response.status_code == 400
    assert "This app is not registered here." in text(response)
