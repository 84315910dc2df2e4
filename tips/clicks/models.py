"""A click: one reader's flattr of one thing in one month."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tips.things.models import Thing


class Click(models.Model):
    """A reader's flattr of a thing in one calendar month (``month`` is its first day)."""

    class Source(models.TextChoices):
        # The reader pressed a button: the thing page, the popup, an auto-submit link.
        BUTTON = "button", _("Button")
        # A subscription made it on the first day of the month (tips.subscriptions).
        SUBSCRIPTION = "subscription", _("Subscription")

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
    # Who made the click. Every source obeys the same rules (``click_register``).
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.BUTTON
    )

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
