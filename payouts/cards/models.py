"""Saved cards and the charges made to them (docs/PRODUCT.md, "Funding").

- (``payouts.funding.models.ReaderFunding``: how a reader pays and their automatic top-up.)
- ``PaymentCustomer``: the reader's customer at the provider (a Stripe Customer), created
  with an idempotency key from this row.
- ``CardSetup``: one attempt to save a card (a Checkout session in setup mode), with the
  consent text the reader accepted and when.
- ``SavedCard``: the card the provider gave back (brand, last 4, expiry); at most one in use.
- ``Charge``: money owed by a saved card: a month's budget (pay after the month) or an
  automatic top-up. ``ChargeAttempt``: each try to collect it, committed before the
  provider is called, with its own idempotency key; at most one open at a time.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payouts.providers import Provider


class PaymentCustomer(models.Model):
    """The reader at the provider. The row comes first; its key makes a retried create safe."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="payment_customer",
        verbose_name=_("user"),
    )
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    customer_id = models.CharField(_("provider customer"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("payment customer")
        verbose_name_plural = _("payment customers")

    def __str__(self) -> str:
        return f"{self.user}: {self.customer_id or '-'}"

    @property
    def idempotency_key(self) -> str:
        return f"customer:{self.pk}"


class CardSetup(models.Model):
    """One try to save a card: written (with the consent) before the provider is called."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the card")
        COMPLETE = "complete", _("Card saved")
        CANCELED = "canceled", _("Canceled")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="card_setups",
        verbose_name=_("user"),
    )
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    session_id = models.CharField(_("provider session"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    consent_text = models.TextField(_("consent text accepted"))
    consented_at = models.DateTimeField(_("consent accepted at"))
    failure_reason = models.CharField(_("failure reason"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("card setup")
        verbose_name_plural = _("card setups")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "session_id"],
                condition=~Q(session_id=""),
                name="cards_setup_one_per_session",
            ),
        ]

    def __str__(self) -> str:
        return f"setup:{self.pk} {self.user} ({self.status})"

    @property
    def idempotency_key(self) -> str:
        return f"cardsetup:{self.pk}"


class SavedCard(models.Model):
    """A card the reader saved. Replacing or removing it sets ``removed_at``; the row stays."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="saved_cards",
        verbose_name=_("user"),
    )
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    setup = models.OneToOneField(
        CardSetup, on_delete=models.PROTECT, related_name="card", verbose_name=_("setup")
    )
    payment_method_id = models.CharField(_("provider payment method"), max_length=255)
    brand = models.CharField(_("brand"), max_length=40)
    last4 = models.CharField(_("last 4 digits"), max_length=4)
    exp_month = models.PositiveSmallIntegerField(_("expiry month"))
    exp_year = models.PositiveSmallIntegerField(_("expiry year"))
    consent_text = models.TextField(_("consent text accepted"))
    consented_at = models.DateTimeField(_("consent accepted at"))
    created_at = models.DateTimeField(_("saved"), default=timezone.now)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)

    class Meta:
        verbose_name = _("saved card")
        verbose_name_plural = _("saved cards")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(removed_at__isnull=True),
                name="cards_one_card_in_use_per_reader",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand} •••• {self.last4} ({self.exp_month:02d}/{self.exp_year})"


def new_action_token() -> str:
    return secrets.token_urlsafe(24)


class Charge(models.Model):
    """Money to collect from a saved card. Created by payday (a month's budget) or after it
    (an automatic top-up); the ledger moves only when the provider confirms a payment."""

    class Kind(models.TextChoices):
        MONTH = "month", _("Month paid after it ended")
        TOP_UP = "top_up", _("Automatic top-up")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        NEEDS_ACTION = "needs_action", _("Waiting for the reader to authenticate")
        SUCCEEDED = "succeeded", _("Collected")
        FAILED = "failed", _("Not collected")

    OPEN_STATUSES = (Status.PENDING, Status.NEEDS_ACTION)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="charges",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The month whose payday created it.
    month = models.DateField(_("month"))
    amount_cents = models.BigIntegerField(_("amount (cents)"))
    currency = models.CharField(_("currency"), max_length=3)
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    card = models.ForeignKey(
        SavedCard, on_delete=models.PROTECT, related_name="charges", verbose_name=_("card")
    )
    # A month's split as payday computed it: {"reference", "commission": [cents, key],
    # "shares": [[creator pk, cents, key], ...]}, posted as is once the payment succeeds.
    split = models.JSONField(_("split"), default=dict, blank=True)
    commission_cents = models.BigIntegerField(_("commission (cents)"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    declines = models.PositiveSmallIntegerField(_("declines"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # The secret of the link that lets the reader pay it themselves (authentication).
    action_token = models.CharField(_("payment link token"), max_length=64, blank=True)
    payment_id = models.CharField(_("provider payment"), max_length=255, blank=True)
    topup = models.OneToOneField(
        "payouts.TopUp",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="charge",
        verbose_name=_("top-up"),
    )
    failure_reason = models.CharField(_("failure reason"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        ordering = ["-created_at", "-id"]
        permissions = [("retry_charge", "Can retry a charge now")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "month"], name="cards_one_charge_per_kind_and_month"
            ),
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0), name="cards_charge_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(commission_cents__gte=0)
                & Q(commission_cents__lte=models.F("amount_cents")),
                name="cards_charge_commission_within_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="cards_charge_due"),
        ]

    def __str__(self) -> str:
        return f"charge:{self.pk} {self.amount_cents} {self.currency} ({self.status})"

    @property
    def ledger_key(self) -> str:
        return f"charge:{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class ChargeAttempt(models.Model):
    """One try to collect a charge. Committed before the provider is called; the provider's
    payment id is stored as soon as it answers, so a later retry can ask what happened."""

    class Via(models.TextChoices):
        OFF_SESSION = "off_session", _("Card charged while the reader was away")
        CHECKOUT = "checkout", _("Paid by the reader from the link")

    class Status(models.TextChoices):
        CREATED = "created", _("Sent, no answer yet")
        PROCESSING = "processing", _("Processing")
        REQUIRES_ACTION = "requires_action", _("Authentication required")
        SUCCEEDED = "succeeded", _("Succeeded")
        DECLINED = "declined", _("Declined")
        CANCELED = "canceled", _("Canceled")
        REFUNDED = "refunded", _("Succeeded twice: refunded")

    OPEN_STATUSES = (Status.CREATED, Status.PROCESSING, Status.REQUIRES_ACTION)

    charge = models.ForeignKey(
        Charge, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("charge")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    via = models.CharField(_("how"), max_length=20, choices=Via.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CREATED
    )
    payment_intent_id = models.CharField(
        _("provider payment"), max_length=255, blank=True, db_index=True
    )
    session_id = models.CharField(_("provider session"), max_length=255, blank=True)
    error_code = models.CharField(_("error code"), max_length=100, blank=True)
    # For a second successful payment of a charge: the provider's refund of it.
    refund_id = models.CharField(_("provider refund"), max_length=255, blank=True)
    error_message = models.CharField(_("error message"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("charge attempt")
        verbose_name_plural = _("charge attempts")
        ordering = ["charge", "number"]
        constraints = [
            models.UniqueConstraint(fields=["charge", "number"], name="cards_attempt_number"),
            # docs/PRODUCT.md, Funding: at most one open payment attempt per charge.
            models.UniqueConstraint(
                fields=["charge"],
                condition=Q(status__in=["created", "processing", "requires_action"]),
                name="cards_one_open_attempt_per_charge",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.idempotency_key} ({self.status})"

    @property
    def idempotency_key(self) -> str:
        return f"charge:{self.charge_id}:attempt:{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES
