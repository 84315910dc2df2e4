"""A provider's webhook event, stored once per provider and event id."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payouts.funding.models import TopUp


class ProviderEvent(models.Model):
    """One webhook event received from a payment provider, stored once: a replay of the same
    event id finds this row and does nothing."""

    class Outcome(models.TextChoices):
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored (type not handled)")
        UNKNOWN = "unknown", _("Unknown to the platform")
        REJECTED = "rejected", _("Refused (does not match the top-up)")

    provider = models.CharField(_("provider"), max_length=20)
    event_id = models.CharField(_("event id"), max_length=255)
    event_type = models.CharField(_("event type"), max_length=100, db_index=True)
    # The object the event is about (checkout session, charge, dispute).
    object_id = models.CharField(_("object id"), max_length=255, blank=True, db_index=True)
    top_up = models.ForeignKey(
        TopUp,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("top-up"),
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=255, blank=True, default="")
    payload = models.JSONField(_("payload"), default=dict)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("provider event")
        verbose_name_plural = _("provider events")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="wallet_provider_event_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type} {self.event_id}"
