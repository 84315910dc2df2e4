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
    hidden = models.BooleanField(_("hidden"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # The creator as a whole: the thing behind the button on their profile (tips.profiles).
    # Its clicks go to the creator at payday like any thing's; at most one per creator.
    is_profile = models.BooleanField(_("profile"), default=False)

    class Meta:
        verbose_name = _("thing")
        verbose_name_plural = _("things")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner"],
                condition=models.Q(is_profile=True),
                name="tips_thing_one_profile_per_creator",
            ),
        ]

    def __str__(self) -> str:
        return self.title

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
