"""Payout batches and the payouts in them; a payout's id makes its idempotency keys."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payouts.connect.models import PaymentAccount
from payouts.providers import Provider


class PayoutBatch(models.Model):
    """One run of the payout batch: every eligible creator gets one payout."""

    class Status(models.TextChoices):
        # Payouts written; some are still being sent (or waiting for a transient retry).
        SENDING = "sending", _("Sending")
        DONE = "done", _("Done")

    created_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SENDING
    )
    # What started it: "payday:2026-10", "manual", "retry".
    trigger = models.CharField(_("trigger"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("payout batch")
        verbose_name_plural = _("payout batches")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.created_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def transfer_group(self) -> str:
        return f"payout-batch-{self.pk}"


class Payout(models.Model):
    """One creator's whole earnings balance on its way to their payment account."""

    class Status(models.TextChoices):
        # Money in transit; the provider has not confirmed yet (or a transient error is retried).
        SENDING = "sending", _("Sending")
        PAID = "paid", _("Paid")
        # Refused by the provider; the money went back to earnings.
        FAILED = "failed", _("Failed")
        # Paid, then reversed by the provider; the money went back to earnings.
        REVERSED = "reversed", _("Reversed")

    batch = models.ForeignKey(
        PayoutBatch, on_delete=models.PROTECT, related_name="payouts", verbose_name=_("batch")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="payouts",
        verbose_name=_("creator"),
    )
    payment_account = models.ForeignKey(
        PaymentAccount,
        on_delete=models.PROTECT,
        related_name="payouts",
        verbose_name=_("payment account"),
    )
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    # The destination at the time of the payout (the account's id could change later).
    destination = models.CharField(_("destination"), max_length=255)
    amount_cents = models.BigIntegerField(_("amount (cents)"))
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SENDING, db_index=True
    )
    # Calls made to the provider (all with the same idempotency key).
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    provider_transfer_id = models.CharField(
        _("provider transfer id"), max_length=255, blank=True, db_index=True
    )
    failure_code = models.CharField(_("failure code"), max_length=100, blank=True)
    failure_reason = models.TextField(_("failure reason"), blank=True)
    # The last transient error, while the payout waits for a retry.
    last_error = models.TextField(_("last error"), blank=True)
    reversed_cents = models.BigIntegerField(_("reversed (cents)"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["-created_at", "-id"]
        permissions = [("retry_payout", "Can retry failed payouts")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0), name="payouts_payout_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(reversed_cents__gte=0)
                & Q(reversed_cents__lte=models.F("amount_cents")),
                name="payouts_payout_reversed_within_amount",
            ),
            # At most one payout in flight per creator: two batches can never pay twice.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="sending"),
                name="payouts_payout_one_sending_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"payout #{self.pk}: {self.amount_cents} to {self.user} ({self.status})"

    @property
    def ledger_reference(self) -> str:
        return f"payout:{self.pk}"

    @property
    def idempotency_key(self) -> str:
        """The provider idempotency key: the same for every attempt of this payout."""
        return f"payout-{self.pk}"
