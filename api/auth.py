"""Who calls the API: a bearer token, either an OAuth 2 access token (django-oauth-toolkit) or
a personal access token; its scopes decide what the call may do."""

from __future__ import annotations

import dataclasses

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from api.errors import ApiError
from api.models import TOKEN_PREFIX, PersonalAccessToken, token_hash


@dataclasses.dataclass(frozen=True)
class Credentials:
    scopes: frozenset[str]
    rate_key: str  # whose hourly call count this call adds to


class BearerAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request)
        if not header:
            return None
        kind, _space, token = header.decode("latin-1").partition(" ")
        token = token.strip()
        if kind.lower() != "bearer" or not token:
            raise exceptions.AuthenticationFailed(
                _("Send your token as: Authorization: Bearer TOKEN")
            )
        if token.startswith(TOKEN_PREFIX):
            return self._personal(token)
        result = OAuth2Authentication().authenticate(request)
        if result is None:
            raise exceptions.AuthenticationFailed(_("This token is invalid, expired or revoked."))
        user, access_token = result
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("This token is invalid, expired or revoked."))
        return user, Credentials(frozenset(access_token.scope.split()), f"oauth:{access_token.pk}")

    def _personal(self, token: str):
        pat = (
            PersonalAccessToken.objects.select_related("user")
            .filter(token_hash=token_hash(token))
            .first()
        )
        if pat is None or not pat.user.is_active:
            raise exceptions.AuthenticationFailed(_("This token is invalid, expired or revoked."))
        now = timezone.now()
        if pat.last_used_at is None or (now - pat.last_used_at).total_seconds() > 60:
            PersonalAccessToken.objects.filter(pk=pat.pk).update(last_used_at=now)
        return pat.user, Credentials(frozenset(pat.scopes), f"pat:{pat.pk}")

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


def scopes_of(request) -> frozenset[str]:
    auth = getattr(request, "auth", None)
    return auth.scopes if isinstance(auth, Credentials) else frozenset()


def require_scope(request, scope: str) -> None:
    """Refuse a call without a token (401) or whose token lacks ``scope`` (403)."""
    if not request.user.is_authenticated:
        raise exceptions.NotAuthenticated(_("This call needs an access token."))
    if scope not in scopes_of(request):
        raise ApiError(
            "insufficient_scope",
            _("This call needs the “%(scope)s” scope.") % {"scope": scope},
            403,
        )


def require_user(request) -> None:
    if not request.user.is_authenticated:
        raise exceptions.NotAuthenticated(_("This call needs an access token."))
