import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def production_environment(**overrides) -> dict:
    # Nothing of the test process leaks in (the browser fixture sets DJANGO_ALLOW_ASYNC_UNSAFE).
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("STRIPE_", "DEBUG", "SECRET_KEY", "SILENCED", "DJANGO_"))
    }
    env.update(
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="flattr.example.org",
        DATABASE_URL="postgres://flattr:secret@db.example.org:5432/flattr",
        REDIS_URL="redis://redis.example.org:6379/0",
        STRIPE_SECRET_KEY="sk_live_example",
        DJANGO_SETTINGS_MODULE="flattr_clone.settings",
    )
    env.update(overrides)
    return env


def check_deploy(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_production_configuration_passes_the_deployment_checklist():
    result = check_deploy(production_environment())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_in_production_is_reported():
    result = check_deploy(production_environment(DEBUG="true"))

    assert result.returncode != 0
    assert "security.W018" in result.stderr
