"""Personal access tokens: a creator's own scripts call the API with chosen scopes.

Only a SHA-256 hash of the token is stored; the token itself is shown once, when made."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Tells a personal access token from an OAuth access token at a glance (and to scanners).
TOKEN_PREFIX = "flattr_pat_"  # noqa: S105 (a prefix, not a secret)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class PersonalAccessToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="personal_access_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=80)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    # The first characters, so that its owner can tell their tokens apart.
    token_start = models.CharField(_("starts with"), max_length=20, editable=False)
    scope = models.CharField(_("scopes"), max_length=100, help_text=_("Space-separated."))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal access token")
        verbose_name_plural = _("personal access tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_start}…)"

    @property
    def scopes(self) -> list[str]:
        return self.scope.split()
