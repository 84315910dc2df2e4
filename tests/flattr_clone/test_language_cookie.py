"""The language switcher's cookie: Secure, HttpOnly and SameSite=Lax in production; plain in
the demo (served over http://, where a Secure cookie would never come back)."""

import json
import subprocess
import sys

from tests.flattr_clone.test_check_deploy import ROOT, production_environment

# The real switcher in a fresh process, so the settings come from its environment.
PROBE = """
import json, django
django.setup()
from django.test import Client
response = Client().post(
    "/i18n/setlang/", {"language": "fr", "next": "/"}, secure=True,
    headers={"host": "flattr.example.org"},
)
cookie = response.cookies["django_language"]
print(json.dumps({"status": response.status_code, "value": cookie.value,
                  "secure": bool(cookie["secure"]), "httponly": bool(cookie["httponly"]),
                  "samesite": cookie["samesite"]}))
"""


def switch_language(env: dict) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_in_production_the_language_cookie_is_secure_httponly_and_same_site(tmp_path):
    env = production_environment(
        DATABASE_URL=f"sqlite:///{tmp_path / 'probe.sqlite3'}", LOG_LEVEL="CRITICAL"
    )

    cookie = switch_language(env)

    assert cookie["status"] == 302
    assert cookie["value"] == "fr"
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_in_the_demo_the_language_cookie_still_works_over_http(client):
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})

    cookie = response.cookies["django_language"]
    assert cookie.value == "fr"
    assert not cookie["secure"]
