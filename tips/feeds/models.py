"""Creators' feeds (RSS or Atom) whose entries become things, polled by a beat task."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Feed(models.Model):
    class Mode(models.TextChoices):
        # Every new entry becomes a thing at once.
        AUTOMATIC = "auto", _("Register automatically")
        # New entries wait on the creator's feeds page for approval.
        SUGGEST = "suggest", _("Suggest, I approve")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="feeds",
        verbose_name=_("creator"),
    )
    url = models.URLField(_("feed address"), max_length=2000)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.SUGGEST)
    title = models.CharField(_("title"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Polled by the beat task while active.")
    )
    # Conditional GET: what the server said last time, sent back as If-None-Match/-Modified-Since.
    etag = models.CharField(_("ETag"), max_length=300, blank=True)
    last_modified = models.CharField(_("Last-Modified"), max_length=100, blank=True)
    next_poll_at = models.DateTimeField(_("next poll"), default=timezone.now, db_index=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    # Consecutive failures; the wait before the next poll doubles with each (backoff).
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # A <podcast:funding> or rel="payment" link of the feed pointing at this platform.
    funding_url = models.URLField(_("funding link"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("feed")
        verbose_name_plural = _("feeds")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "url"], name="tips_feed_once_per_creator"),
        ]

    def __str__(self) -> str:
        return self.title or self.url


class FeedEntry(models.Model):
    """An entry seen in a feed, once: what became of it."""

    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("Waiting for approval")
        REGISTERED = "registered", _("Registered")
        REJECTED = "rejected", _("Rejected")
        SKIPPED = "skipped", _("Not registered")

    feed = models.ForeignKey(
        Feed, on_delete=models.CASCADE, related_name="entries", verbose_name=_("feed")
    )
    # The entry's id (guid) in the feed, else its link: how a changed feed's old entries are known.
    key = models.CharField(_("entry id"), max_length=500)
    link = models.URLField(_("link"), max_length=2000)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    tags = models.CharField(_("tags"), max_length=300, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    payment_url = models.URLField(_("payment link"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    thing = models.ForeignKey(
        "tips.Thing",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("thing"),
    )
    seen_at = models.DateTimeField(_("seen"), default=timezone.now)

    class Meta:
        verbose_name = _("feed entry")
        verbose_name_plural = _("feed entries")
        ordering = ["-seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["feed", "key"], name="tips_feedentry_once_per_feed"),
        ]

    def __str__(self) -> str:
        return self.title
