import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """These tests create many users; a fast hasher keeps them quick (login still checks it)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
