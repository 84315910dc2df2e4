"""Withdrawals: a reader's unspent wallet going back to the cards it came from."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payouts.funding.models import TopUp


class Withdrawal(models.Model):
    """One request to take money out of the wallet, split into one refund per top-up."""

    class Reason(models.TextChoices):
        WITHDRAW = "withdraw", _("Asked by the reader")
        CLOSING = "closing", _("Account closed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="withdrawals",
        verbose_name=_("user"),
    )
    amount_cents = models.BigIntegerField(_("amount (cents)"))
    reason = models.CharField(
        _("reason"), max_length=10, choices=Reason.choices, default=Reason.WITHDRAW
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0), name="withdrawal_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"withdrawal:{self.pk} {self.amount_cents}"

    @property
    def ledger_key(self) -> str:
        return f"withdrawal:{self.pk}"

    @property
    def refunded_cents(self) -> int:
        return sum(r.amount_cents for r in self.refunds.all() if r.status == r.Status.REFUNDED)

    @property
    def returned_cents(self) -> int:
        return sum(r.amount_cents for r in self.refunds.all() if r.status == r.Status.RETURNED)

    @property
    def is_sending(self) -> bool:
        return any(r.status == r.Status.SENDING for r in self.refunds.all())


class WithdrawalRefund(models.Model):
    """The part of a withdrawal refunded to one top-up's card."""

    class Status(models.TextChoices):
        SENDING = "sending", _("Being refunded")
        REFUNDED = "refunded", _("Refunded")
        # The provider refused: the money went back to the wallet.
        RETURNED = "returned", _("Refused, back in the wallet")

    withdrawal = models.ForeignKey(
        Withdrawal, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("withdrawal")
    )
    topup = models.ForeignKey(
        TopUp, on_delete=models.PROTECT, related_name="withdrawal_refunds", verbose_name=_("top-up")
    )
    amount_cents = models.BigIntegerField(_("amount (cents)"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENDING
    )
    provider_refund_id = models.CharField(_("provider refund"), max_length=255, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("withdrawal refund")
        verbose_name_plural = _("withdrawal refunds")
        ordering = ["withdrawal", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0), name="withdrawal_refund_amount_positive"
            ),
            models.UniqueConstraint(
                fields=["withdrawal", "topup"], name="withdrawal_refund_one_per_topup"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ledger_key} {self.amount_cents} ({self.status})"

    @property
    def ledger_key(self) -> str:
        return f"withdrawal:{self.withdrawal_id}:topup:{self.topup_id}"
