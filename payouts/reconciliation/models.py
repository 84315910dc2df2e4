"""What Stripe says of the platform's balance, and what reconciliation found
(docs/PRODUCT.md, Reconciliation)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StripeBalanceTransaction(models.Model):
    """One of Stripe's balance transactions, as imported (never edited after)."""

    txn_id = models.CharField(_("balance transaction"), max_length=255, unique=True)
    type = models.CharField(_("type"), max_length=40)
    reporting_category = models.CharField(_("category"), max_length=40, blank=True)
    amount_cents = models.BigIntegerField(_("amount (cents)"))
    fee_cents = models.BigIntegerField(_("fee (cents)"))
    currency = models.CharField(_("currency"), max_length=3)
    source_id = models.CharField(_("source"), max_length=255, blank=True, db_index=True)
    # The payment (PaymentIntent) or payout transfer it belongs to, when it has one.
    payment_id = models.CharField(_("payment"), max_length=255, blank=True, db_index=True)
    transfer_id = models.CharField(_("transfer"), max_length=255, blank=True, db_index=True)
    created = models.DateTimeField(_("created at Stripe"), db_index=True)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        verbose_name = _("Stripe balance transaction")
        verbose_name_plural = _("Stripe balance transactions")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.txn_id} {self.type} {self.amount_cents} (fee {self.fee_cents})"


class StripePayout(models.Model):
    """A payout of the platform's Stripe balance to the platform's own bank."""

    payout_id = models.CharField(_("payout"), max_length=255, unique=True)
    amount_cents = models.BigIntegerField(_("amount (cents)"))
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=40)
    created = models.DateTimeField(_("created at Stripe"), db_index=True)
    arrival_date = models.DateTimeField(_("arrival"), null=True, blank=True)

    class Meta:
        verbose_name = _("Stripe payout to the platform")
        verbose_name_plural = _("Stripe payouts to the platform")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.payout_id} {self.amount_cents} ({self.status})"


class ReconciliationRun(models.Model):
    day = models.DateField(_("day"), db_index=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ok = models.BooleanField(_("ok"), default=False)
    report = models.JSONField(_("report"), default=dict)

    class Meta:
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.day} {'ok' if self.ok else 'differences'}"


class Difference(models.Model):
    """Something Stripe and the ledger disagree on; the same disagreement is stored once."""

    class Kind(models.TextChoices):
        PAID = "paid", _("Payment received")
        REFUNDED = "refunded", _("Payment refunded")
        DISPUTED = "disputed", _("Payment disputed")
        PAYOUT_SENT = "payout_sent", _("Payout sent")
        PAYOUT_REVERSED = "payout_reversed", _("Payout reversed")
        FEE = "fee", _("Fee")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The Stripe object (payment intent, transfer, balance transaction) or our row.
    object_id = models.CharField(_("object"), max_length=255)
    stripe_cents = models.BigIntegerField(_("Stripe says (cents)"))
    ledger_cents = models.BigIntegerField(_("ledger says (cents)"))
    day = models.DateField(_("found for day"))
    found_at = models.DateTimeField(_("found"), default=timezone.now, db_index=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("reconciliation difference")
        verbose_name_plural = _("reconciliation differences")
        ordering = ["-found_at", "-id"]
        permissions = [("resolve_difference", "Can resolve reconciliation differences")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "stripe_cents", "ledger_cents"],
                name="reconciliation_one_per_difference",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} {self.object_id}: {self.stripe_cents} ≠ {self.ledger_cents}"
        )
