"""A thing: a piece of a creator's work, identified by its canonical URL."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """Flattr's categories (docs/API-V2.md), the ids its clients send."""

    TEXT = "text", _("Text")
    IMAGES = "images", _("Images")
    VIDEO = "video", _("Video")
    AUDIO = "audio", _("Audio")
    SOFTWARE = "software", _("Software")
    PEOPLE = "people", _("People")
    REST = "rest", _("Other")


class Thing(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="things",
        verbose_name=_("creator"),
    )
    # Canonical form (see tips.canonical); one thing per canonical URL, enforced here.
    url = models.URLField(_("canonical URL"), max_length=2000, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    tags = models.CharField(_("tags"), max_length=300, blank=True, help_text=_("Comma-separated."))
    # What makes two URLs one thing: the canonical URL without its scheme (http and https of
    # one page are one thing, docs/PRODUCT.md "Canonical URLs"); set by save().
    url_key = models.CharField(_("identity"), max_length=2000, unique=True, editable=False)
    category = models.CharField(
        _("category"), max_length=10, choices=Category.choices, default=Category.REST
    )
    image = models.URLField(_("image"), max_length=2000, blank=True)
    # Flattr's meaning (docs/PRODUCT.md, "Words"): left out of public listings and search,
    # still clickable by whoever has its button or link.
    hidden = models.BooleanField(
        _("hidden"), default=False, help_text=_("Left out of public listings; still clickable.")
    )
    # Its owner withdrew it: no longer clickable, earns nothing from then on, on no public page.
    retired = models.BooleanField(
        _("retired"), default=False, help_text=_("Withdrawn: nobody can flattr it any more.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # When it was retired (set together with ``retired``).
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    # Created by a reader's click through an auto-submit link and not yet accepted by its
    # creator: on "My things", not on the public profile (docs/PRODUCT.md, Ownership).
    awaiting_owner = models.BooleanField(_("created by a reader's click"), default=False)
    # Its creator reported it as not theirs (operators see it in the admin).
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("thing")
        verbose_name_plural = _("things")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        from tips.things.canonical import url_identity

        self.url_key = url_identity(self.url)
        if kwargs.get("update_fields") is not None and "url" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "url_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("tips:thing", kwargs={"pk": self.pk})

    @property
    def is_retired(self) -> bool:
        """Its owner withdrew it: no longer clickable, no longer on any public page."""
        return self.retired

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in (t.strip() for t in self.tags.split(",")) if tag]
