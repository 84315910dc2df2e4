"""Wallet-side records: budgets and top-ups."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payouts.providers import Provider


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

    class Status(models.TextChoices):
        CREATED = "created", _("Created")
        PENDING = "pending", _("Waiting for payment")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        CANCELED = "canceled", _("Canceled")
        # Left unpaid until its payment page closed (Stripe's session expired, or the
        # sandbox's page after TOP_UP_EXPIRY_MINUTES).
        EXPIRED = "expired", _("Expired")

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
    # Of this payment's money, how much has left the wallet (payday, refunds, disputes):
    # wallets are spent oldest payment first (docs/PRODUCT.md, Holds).
    spent_cents = models.BigIntegerField(_("spent (cents)"), default=0)
    # Risky payments (docs/PRODUCT.md, Holds): what they fund is held until then.
    hold_until = models.DateTimeField(_("held until"), null=True, blank=True)
    # The paying card's fingerprint at the provider (the same card, the same value), if known.
    card_fingerprint = models.CharField(
        _("card fingerprint"), max_length=64, blank=True, default="", db_index=True
    )

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
            models.CheckConstraint(
                condition=Q(spent_cents__gte=0) & Q(spent_cents__lte=models.F("amount_cents")),
                name="wallet_topup_spent_within_amount",
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

    @property
    def expires_at(self):
        """When its payment page closes, if it is still unpaid then."""
        return self.created_at + dt.timedelta(minutes=settings.TOP_UP_EXPIRY_MINUTES)

    @property
    def is_open(self) -> bool:
        """Still waiting for the reader to pay: they may pay, cancel or start again."""
        return self.status in (self.Status.CREATED, self.Status.PENDING)


class FundingMode(models.TextChoices):
    PREPAID = "prepaid", _("Prepaid wallet")
    AFTER_MONTH = "after_month", _("Pay after the month")


class ReaderFunding(models.Model):
    """A reader's funding choice. Readers without a row are prepaid, with no top-up."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="funding",
        verbose_name=_("user"),
    )
    mode = models.CharField(
        _("funding mode"), max_length=20, choices=FundingMode.choices, default=FundingMode.PREPAID
    )
    # Prepaid readers with a saved card: after payday, top the wallet up by this amount when
    # it holds less than next month's budget. 0 = off.
    auto_top_up_cents = models.BigIntegerField(_("automatic top-up (cents)"), default=0)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    # Set when the operators switched "pay after the month" off and the reader was moved
    # back to prepaid (they are told on the wallet page).
    moved_to_prepaid_at = models.DateTimeField(_("moved back to prepaid"), null=True, blank=True)
    # The month whose upcoming charge the reader was last told about (sent once per month).
    upcoming_notice_month = models.DateField(_("upcoming charge told for"), null=True, blank=True)

    class Meta:
        verbose_name = _("funding choice")
        verbose_name_plural = _("funding choices")
        constraints = [
            models.CheckConstraint(
                condition=Q(auto_top_up_cents__gte=0), name="cards_auto_top_up_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.mode}"


class Dispute(models.Model):
    """A provider's dispute (chargeback) of a top-up (docs/PRODUCT.md, Disputes)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")
        # An inquiry: no money was withdrawn.
        INQUIRY = "inquiry", _("Inquiry")

    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    dispute_id = models.CharField(_("provider dispute"), max_length=255)
    top_up = models.ForeignKey(
        TopUp, on_delete=models.PROTECT, related_name="disputes", verbose_name=_("top-up")
    )
    amount_cents = models.BigIntegerField(_("amount (cents)"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=100, blank=True, default="")
    # What the take-back moved (wallet, holds, losses), and what came back when won.
    taken_cents = models.BigIntegerField(_("taken back (cents)"), default=0)
    reinstated_cents = models.BigIntegerField(_("reinstated (cents)"), default=0)
    created_at = models.DateTimeField(_("opened"), default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "dispute_id"], name="wallet_dispute_one_per_provider_id"
            ),
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0)
                & Q(taken_cents__gte=0)
                & Q(reinstated_cents__gte=0)
                & Q(reinstated_cents__lte=models.F("taken_cents")),
                name="wallet_dispute_amounts",
            ),
        ]

    def __str__(self) -> str:
        return f"dispute {self.dispute_id} of topup:{self.top_up_id} ({self.status})"

    @property
    def ledger_key(self) -> str:
        return f"topup:{self.top_up_id}:dispute:{self.dispute_id}"


class Hold(models.Model):
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="holds",
        verbose_name=_("creator"),
    )
    top_up = models.ForeignKey(
        TopUp, on_delete=models.PROTECT, related_name="holds", verbose_name=_("top-up")
    )
    # The payday share this piece belongs to (``payday:YYYY-MM:<reader>:<creator>``).
    share_key = models.CharField(_("payday share"), max_length=150)
    amount_cents = models.BigIntegerField(_("held at payday (cents)"))
    held_cents = models.BigIntegerField(_("still held (cents)"))
    released_cents = models.BigIntegerField(_("released (cents)"), default=0)
    taken_cents = models.BigIntegerField(_("taken back (cents)"), default=0)
    available_on = models.DateTimeField(_("available on"), db_index=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        ordering = ["available_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["top_up", "share_key"], name="holds_one_per_piece"),
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0)
                & Q(held_cents__gte=0)
                & Q(released_cents__gte=0)
                & Q(taken_cents__gte=0)
                & Q(amount_cents=F("held_cents") + F("released_cents") + F("taken_cents")),
                name="holds_parts_add_up",
            ),
        ]
        indexes = [
            models.Index(fields=["available_on"], condition=Q(held_cents__gt=0), name="holds_due"),
        ]

    def __str__(self) -> str:
        return f"hold #{self.pk}: {self.held_cents}/{self.amount_cents} for {self.creator}"

    @property
    def ledger_key(self) -> str:
        return f"hold:{self.top_up_id}:{self.share_key}"
