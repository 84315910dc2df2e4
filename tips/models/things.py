"""Things (a creator's content, by canonical URL) and clicks (a reader's monthly vote)."""

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

    class Meta:
        verbose_name = _("thing")
        verbose_name_plural = _("things")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("tips:thing", kwargs={"pk": self.pk})

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in (t.strip() for t in self.tags.split(",")) if tag]


class Click(models.Model):
    """A reader's flattr of a thing in one calendar month (``month`` is its first day)."""

    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="clicks",
        verbose_name=_("reader"),
    )
    thing = models.ForeignKey(
        Thing, on_delete=models.PROTECT, related_name="clicks", verbose_name=_("thing")
    )
    # The thing's owner at click time, kept so payday needs no join through things.
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="clicks_received",
        verbose_name=_("creator"),
    )
    month = models.DateField(_("month"))
    created_at = models.DateTimeField(_("clicked at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("click")
        verbose_name_plural = _("clicks")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reader", "thing", "month"], name="tips_click_once_per_thing_and_month"
            ),
        ]
        indexes = [
            models.Index(fields=["month", "reader"], name="tips_click_month_reader"),
            models.Index(fields=["month", "creator"], name="tips_click_month_creator"),
        ]

    def __str__(self) -> str:
        return f"{self.reader} → {self.thing} ({self.month:%Y-%m})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
