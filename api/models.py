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


class WebhookEndpoint(models.Model):
    """Where a creator wants to hear about clicks on their things and paydays (Integrations)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="webhook_endpoint",
        verbose_name=_("user"),
    )
    url = models.URLField(_("address"), max_length=2000)
    # Signs each body (HMAC-SHA256); the receiver checks it with the same secret.
    secret = models.CharField(_("signing secret"), max_length=80, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint, delivered at least once (retried with backoff)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    # Stable across retries, unique: receivers drop repeats by it.
    event_id = models.CharField(_("event id"), max_length=80, unique=True)
    event_type = models.CharField(_("event"), max_length=40)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.event_id
