"""The authentication backends: Django's and allauth's, with the signed-in user read by a
query compiled once per process (``flattr_clone.db.PreparedQuery``).

Every page a signed-in user opens reads their row through ``get_user``; Django builds and
compiles that ``SELECT`` anew each time, which cost more than running it. What they accept
(passwords, allauth's email login) and whom they refuse (``is_active`` false) are Django's
and allauth's own.

Sessions name the backend that signed them in. Those made under Django's and allauth's own
names (``settings.SESSION_BACKEND_ALIASES``) are read as made by these
(``flattr_clone.sessions``), so nobody was signed out by the change.
"""

from __future__ import annotations

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends as django_backends
from django.contrib.auth import get_user_model

from flattr_clone.db import PreparedQuery

_USER = PreparedQuery(
    lambda *, pk: get_user_model()._default_manager.filter(pk=pk), pk=-7_777_777_777
)


class _PreparedUser:
    def get_user(self, user_id):
        found = _USER.objects(pk=user_id)
        if not found:
            return None
        user = found[0]
        return user if self.user_can_authenticate(user) else None


class ModelBackend(_PreparedUser, django_backends.ModelBackend):
    """Django's ``ModelBackend``: the admin's sign-in and ``Client.login`` in tests."""


class AuthenticationBackend(_PreparedUser, allauth_backends.AuthenticationBackend):
    """allauth's backend: sign-in by email with the rate limits allauth applies."""
