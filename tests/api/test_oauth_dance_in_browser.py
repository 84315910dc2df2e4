"""The whole OAuth 2 dance against a live server: a developer registers an app, a reader
authorizes it with PKCE in Chromium (log in, consent), the app exchanges the code with a
real HTTP client, calls the API, clicks with the flattr scope, is refused a write without
the thing scope; the reader revokes the app and its token answers 401."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser import log_in
from tests.factories import ThingFactory, UserFactory, ready_reader
from tips.clicks.models import Click

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def app_callback():
    """The app's redirect address: a loopback server that keeps the query it was sent."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            parts = urllib.parse.urlsplit(self.path)
            if parts.path == "/callback":  # not the browser's /favicon.ico
                received.append(dict(urllib.parse.parse_qsl(parts.query)))
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(b"<!doctype html><title>App</title><p>Signed in")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/callback", received
    server.shutdown()


def call(method: str, url: str, *, token: str = "", form: dict | None = None):
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_the_oauth_dance_with_pkce_in_chromium(live_server, browser, settings, app_callback):
    settings.SITE_URL = live_server.url
    redirect_uri, received = app_callback
    developer = UserFactory(handle="dev")
    reader = ready_reader(email="reader@example.com", handle="reader")
    thing = ThingFactory(title="A song")

    # The developer registers a public app (it runs on people's devices: PKCE).
    dev_context = browser.new_context(locale="en-US")
    log_in(dev_context, developer, live_server.url)
    page = dev_context.new_page()
    page.goto(live_server.url + "/settings/apps/")
    page.get_by_label("Name").fill("Podcast player")
    page.get_by_label("Redirect addresses").fill(redirect_uri)
    page.get_by_label("Public: it runs on people's devices").check()
    page.get_by_role("button", name="Register the app").click()
    client_id = page.locator("#client-id").inner_text()
    assert page.locator("#client-secret").count() == 0
    dev_context.close()

    # The reader authorizes it: log in, read the consent page, allow.
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": "flattr email",
            "state": "xyz",
            "code_challenge": challenge.decode(),
            "code_challenge_method": "S256",
        }
    )
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/oauth/authorize?{query}")
    page.get_by_label("Email").fill("reader@example.com")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign In").click()
    assert page.get_by_role(
        "heading", name="Allow “Podcast player” to use your account?"
    ).is_visible()
    scopes = page.locator(".consent-scopes li").all_inner_texts()
    assert scopes == [
        "Flattr things for you, from your monthly budget.",
        "See your e-mail address.",
    ]
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(redirect_uri + "*")
    assert received[-1]["state"] == "xyz"
    code = received[-1]["code"]

    # The app exchanges the code (with its PKCE verifier) and calls the API.
    status, token = call(
        "POST",
        f"{live_server.url}/oauth/token",
        form={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": client_id,
            "code_verifier": verifier,
        },
    )
    assert status == 200, token
    assert token["token_type"].lower() == "bearer" and token["scope"] == "flattr email"
    access = token["access_token"]
    status, me = call("GET", f"{live_server.url}/rest/v2/user", token=access)
    assert status == 200 and me["username"] == "reader" and me["email"] == "reader@example.com"

    status, clicked = call(
        "POST", f"{live_server.url}/rest/v2/things/{thing.pk}/flattr", token=access, form={}
    )
    assert status == 200 and clicked["thing"]["id"] == thing.pk
    assert Click.objects.filter(reader=reader, thing=thing).exists()
    status, refused = call(
        "POST",
        f"{live_server.url}/rest/v2/things",
        token=access,
        form={"url": "https://reader.example/post"},
    )
    assert status == 403 and refused["error"] == "insufficient_scope"

    # The refresh token gives a new access token.
    status, refreshed = call(
        "POST",
        f"{live_server.url}/oauth/token",
        form={
            "grant_type": "refresh_token",
            "refresh_token": token["refresh_token"],
            "client_id": client_id,
        },
    )
    assert status == 200 and refreshed["access_token"] != access

    # The reader revokes the app on Authorized apps: its tokens answer 401 at once.
    page.goto(live_server.url + "/settings/authorized-apps/")
    assert "Flattr things for you" in page.locator(".api-list").inner_text()
    page.get_by_role("button", name="Revoke access of “Podcast player”").click()
    assert page.get_by_text("No app has access to your account.").is_visible()
    context.close()
    for bearer in (access, refreshed["access_token"]):
        status, body = call("GET", f"{live_server.url}/rest/v2/user", token=bearer)
        assert status == 401 and body["error"] == "unauthorized"
