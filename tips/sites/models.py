"""Verified sites and the ownership history of things (docs/PRODUCT.md, Ownership)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    """32 random bytes, in hex."""
    return secrets.token_hex(32)


class Site(models.Model):
    """A host, optionally with a path prefix, whose control a creator proves with a token."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not verified yet")
        VERIFIED = "verified", _("Verified")
        # Verified, but the last check failed: still verified until the grace period ends.
        FAILING = "failing", _("Verified, check failing")
        LAPSED = "lapsed", _("Verification lapsed")

    class Method(models.TextChoices):
        FILE = "file", _("Well-known file")
        META = "meta", _("Meta tag")
        DNS = "dns", _("DNS TXT record")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="sites",
        verbose_name=_("creator"),
    )
    host = models.CharField(_("host"), max_length=253, help_text=_("In punycode."))
    # Where the checks knock when the site is not on the default ports; None for 443/80.
    port = models.PositiveIntegerField(_("port"), null=True, blank=True)
    # "" for the whole host, else a path ending with "/" (e.g. "/~dana/").
    path_prefix = models.CharField(_("path prefix"), max_length=200, blank=True)
    token = models.CharField(_("token"), max_length=64, default=new_token, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    method = models.CharField(_("proof"), max_length=10, choices=Method.choices, blank=True)
    verified_at = models.DateTimeField(_("verified since"), null=True, blank=True)
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    # What the last check found, method by method, for the creator to read.
    last_result = models.JSONField(_("last result"), default=dict, blank=True)
    checking = models.BooleanField(_("check under way"), default=False)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["host", "path_prefix"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "host", "path_prefix"], name="tips_site_once_per_creator"
            ),
            # One verified holder of the same host and prefix (overlapping prefixes are
            # refused by tips.sites.services).
            models.UniqueConstraint(
                fields=["host", "path_prefix"],
                condition=Q(status__in=["verified", "failing"]),
                name="tips_site_one_verified_holder",
            ),
        ]

    def __str__(self) -> str:
        return self.address

    @property
    def address(self) -> str:
        from tips.sites.addresses import display_host

        port = f":{self.port}" if self.port else ""
        return display_host(self.host) + port + (self.path_prefix.rstrip("/") or "")

    @property
    def is_verified(self) -> bool:
        return self.status in (self.Status.VERIFIED, self.Status.FAILING)

    def url(self, scheme: str, path: str | None = None) -> str:
        """The address the checks fetch: ``path`` (default: the prefix's page) on this host."""
        port = f":{self.port}" if self.port else ""
        return f"{scheme}://{self.host}{port}{path or self.path_prefix or '/'}"


class OwnershipChange(models.Model):
    """One change of a thing's owner. Never edited; the history operators read."""

    class Reason(models.TextChoices):
        CLAIM = "claim", _("Claimed by verifying its site")
        OPERATOR = "operator", _("Reassigned by an operator")

    thing = models.ForeignKey(
        "tips.Thing",
        on_delete=models.PROTECT,
        related_name="ownership_changes",
        verbose_name=_("thing"),
    )
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("from"),
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("to"),
    )
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    note = models.TextField(_("note"), blank=True)
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("site")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    clicks_moved = models.PositiveIntegerField(_("clicks moved"), default=0)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("ownership change")
        verbose_name_plural = _("ownership history")
        ordering = ["-created_at", "-id"]
        # The admin's "Reassign" (tips.ownership.admin): a change of owner with its history.
        permissions = [("reassign_thing", _("Can reassign a thing to another creator"))]

    def __str__(self) -> str:
        return f"{self.thing}: {self.from_owner} → {self.to_owner}"
