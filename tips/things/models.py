"""A thing: a piece of a creator's work, identified by its canonical URL."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
    hidden = models.BooleanField(_("hidden"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Withdrawn by its owner (retire): hidden is set with it, so nothing can click it.
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
        """Its owner withdrew it: no longer clickable, no longer on any public page.

        Stored in ``hidden`` until a later change tells hidden (left out of listings, still
        clickable) and retired apart; read it through this property, not the field.
        """
        return self.hidden

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in (t.strip() for t in self.tags.split(",")) if tag]
