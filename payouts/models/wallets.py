"""Wallet-side records: budgets, top-ups and the payment provider events that confirm them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BudgetChange(models.Model):
    """A reader's monthly budget from ``created_at`` on. Rows are never edited: history matters,
    because payday uses the budget in effect at the end of the month."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="budget_changes",
        verbose_name=_("user"),
    )
    amount_cents = models.BigIntegerField(_("monthly budget (cents)"))
    created_at = models.DateTimeField(_("from"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("budget change")
        verbose_name_plural = _("budget changes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gte=0), name="wallet_budget_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["user", "created_at"], name="wallet_budget_user_time")]

    def __str__(self) -> str:
        return f"{self.user}: {self.amount_cents} from {self.created_at:%Y-%m-%d %H:%M}"


class TopUp(models.Model):
    """A reader's payment into their wallet. Written before the provider is called, so every
    checkout session can be traced back to it; the wallet is credited only when the provider
    confirms the payment (the signed webhook, or the sandbox page)."""

    class Provider(models.TextChoices):
        STRIPE = "stripe", _("Stripe")
        SANDBOX = "sandbox", _("Test sandbox (no real money)")

    class Status(models.TextChoices):
        CREATED = "created", _("Created")
        PENDING = "pending", _("Waiting for payment")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        CANCELED = "canceled", _("Canceled")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="top_ups",
        verbose_name=_("user"),
    )
    amount_cents = models.BigIntegerField(_("amount (cents)"))
    currency = models.CharField(_("currency"), max_length=3)
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CREATED
    )
    # Stripe Checkout Session id, or the sandbox's own session token.
    session_id = models.CharField(_("provider session"), max_length=255, blank=True, default="")
    # Stripe PaymentIntent of the paid session: how refunds and disputes find their top-up.
    payment_id = models.CharField(
        _("provider payment"), max_length=255, blank=True, default="", db_index=True
    )
    # Cumulative amount refunded as last booked (Stripe reports refunds cumulatively).
    refunded_cents = models.BigIntegerField(_("refunded (cents)"), default=0)
    failure_reason = models.CharField(_("failure reason"), max_length=255, blank=True, default="")
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    completed_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        verbose_name = _("top-up")
        verbose_name_plural = _("top-ups")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0), name="wallet_topup_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(refunded_cents__gte=0)
                & Q(refunded_cents__lte=models.F("amount_cents")),
                name="wallet_topup_refunded_within_amount",
            ),
            models.UniqueConstraint(
                fields=["provider", "session_id"],
                condition=~Q(session_id=""),
                name="wallet_topup_one_per_provider_session",
            ),
        ]

    def __str__(self) -> str:
        return f"topup:{self.pk} {self.amount_cents} {self.currency} ({self.status})"

    @property
    def ledger_key(self) -> str:
        return f"topup:{self.pk}"


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
