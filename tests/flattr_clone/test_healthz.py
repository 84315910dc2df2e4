import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Runs the real view in a fresh process, so the settings come from its environment.
PROBE = """
import json, django
django.setup()
from django.test import Client
response = Client().get("/healthz")
print(json.dumps({"status": response.status_code, "body": json.loads(response.content),
                  "cache_control": response.headers.get("Cache-Control", "")}))
"""


def probe(**environment) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "SECRET_KEY"}
        and not key.startswith("DJANGO_")
    }
    env.update(DJANGO_SETTINGS_MODULE="flattr_clone.settings", LOG_LEVEL="CRITICAL")
    env.update(environment)
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


@pytest.mark.django_db
def test_it_reports_ok_when_everything_answers(client, settings):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"
    expected_broker = "skipped" if settings.CELERY_BROKER_URL.startswith("memory") else "ok"
    assert body["checks"]["broker"] == expected_broker
    assert "no-cache" in response.headers["Cache-Control"]


def test_it_answers_only_get(client):
    assert client.post("/healthz").status_code == 405


def test_a_database_that_cannot_be_reached_gives_503_naming_it():
    # Port 1 on localhost: nothing listens, the connection is refused at once.
    result = probe(DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere")

    assert result["status"] == 503
    assert result["body"]["status"] == "error"
    assert result["body"]["checks"]["database"] == "error"
    assert result["body"]["checks"]["cache"] == "ok"
    assert result["body"]["failing"] == ["database"]
    assert "no-cache" in result["cache_control"]


def test_a_redis_that_cannot_be_reached_fails_the_cache_and_the_broker(tmp_path):
    result = probe(
        DATABASE_URL=f"sqlite:///{tmp_path / 'probe.sqlite3'}",
        REDIS_URL="redis://127.0.0.1:1/0",
    )

    assert result["status"] == 503
    assert result["body"]["checks"] == {"database": "ok", "cache": "error", "broker": "error"}


def test_a_real_broker_is_checked_when_one_is_configured(tmp_path):
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

    result = probe(DATABASE_URL=f"sqlite:///{tmp_path / 'probe.sqlite3'}", REDIS_URL=redis_url)

    assert result["status"] == 200
    assert result["body"]["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}
