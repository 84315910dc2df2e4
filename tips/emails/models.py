"""Monthly e-mails (summaries after payday, subscription notices on the 1st): one row per
user, month and kind, written before sending."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MonthlyEmail(models.Model):
    """A claim on sending one monthly summary.

    The row is inserted *before* the e-mail goes out and the unique constraint
    makes the insert succeed once, so a task that runs twice (or two workers at
    once) sends each summary at most once. ``sent_at`` stays empty when the
    sending process died between the claim and the send.
    """

    class Kind(models.TextChoices):
        READER = "reader", _("Reader summary")
        CREATOR = "creator", _("Creator summary")
        # What a reader's subscriptions could not do this month, and which ones ended.
        SUBSCRIPTIONS = "subscriptions", _("Subscription notice")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="monthly_emails_sent",
        verbose_name=_("user"),
    )
    month = models.DateField(_("month"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("monthly e-mail")
        verbose_name_plural = _("monthly e-mails")
        ordering = ["-month", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "month", "kind"], name="tips_monthly_email_once_per_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.month:%Y-%m} {self.kind}"
