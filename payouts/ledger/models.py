"""The double-entry ledger: accounts and append-only transfers.

A transfer moves ``amount_cents`` from its debit account to its credit account.
An account's balance is the sum of its credits minus the sum of its debits;
``balance_cents`` caches it and is updated in the same transaction as the
transfer (see ``payouts.ledger.services.post_transfers``). Money that entered from
outside sits, negated, on an external account, so all balances sum to zero.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from flattr_clone.db import TimeOrderedIndex


class Account(models.Model):
    class Kind(models.TextChoices):
        WALLET = "wallet", _("Reader wallet")
        EARNINGS = "earnings", _("Creator earnings")
        # A creator's earnings held against disputes until their date (payouts.funding.holds).
        HELD = "held", _("Held earnings")
        IN_TRANSIT = "in_transit", _("Payouts in transit")
        COMMISSION = "commission", _("Platform commission")
        LOSSES = "losses", _("Losses")
        # Stripe's fees (an expense, below zero like losses).
        FEES = "fees", _("Payment provider fees")
        EXTERNAL = "external", _("External (payment provider)")

    # Kinds owned by a user, one of each per user.
    USER_KINDS = (Kind.WALLET, Kind.EARNINGS, Kind.HELD)
    # Kinds whose balance may go below zero: the outside world, written-off money and fees.
    UNBOUNDED_KINDS = (Kind.EXTERNAL, Kind.LOSSES, Kind.FEES)

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_accounts",
        verbose_name=_("user"),
    )
    # Distinguishes system accounts of one kind, e.g. the external account per provider.
    name = models.CharField(_("name"), max_length=40, blank=True, default="")
    balance_cents = models.BigIntegerField(_("balance (cents)"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "user"],
                condition=Q(user__isnull=False),
                name="ledger_account_one_per_user_and_kind",
            ),
            models.UniqueConstraint(
                fields=["kind", "name"],
                condition=Q(user__isnull=True),
                name="ledger_account_one_system_account_per_name",
            ),
            models.CheckConstraint(
                condition=Q(balance_cents__gte=0) | Q(kind__in=["external", "losses", "fees"]),
                name="ledger_account_balance_not_negative",
            ),
            models.CheckConstraint(
                condition=(Q(kind__in=["wallet", "earnings", "held"]) & Q(user__isnull=False))
                | (~Q(kind__in=["wallet", "earnings", "held"]) & Q(user__isnull=True)),
                name="ledger_account_owner_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        if self.user_id:
            return f"{self.get_kind_display()}: {self.user}"
        if self.name:
            return f"{self.get_kind_display()}: {self.name}"
        return str(self.get_kind_display())


class Transfer(models.Model):
    """One movement of money. Never edited or deleted; mistakes are corrected by new transfers."""

    class Kind(models.TextChoices):
        TOP_UP = "top_up", _("Top-up")
        CHARGE = "charge", _("Card charged after the month")
        REFUND = "refund", _("Refund")
        DISPUTE = "dispute", _("Dispute")
        LOSS = "loss", _("Loss written off")
        COMMISSION = "commission", _("Commission")
        DISTRIBUTION = "distribution", _("Monthly distribution")
        PAYOUT = "payout", _("Payout started")
        PAYOUT_PAID = "payout_paid", _("Payout paid")
        PAYOUT_RETURNED = "payout_returned", _("Payout returned")
        REVERSAL = "reversal", _("Payout reversed")
        CORRECTION = "correction", _("Correction")
        HOLD = "hold", _("Held against disputes")
        HOLD_RELEASE = "hold_release", _("Hold released")
        DISPUTE_WON = "dispute_won", _("Dispute won")
        FEE = "fee", _("Payment provider fee")

    # Every index of this table is paid for by every row payday writes, so it has only those
    # a query uses (docs/PRODUCT.md, "The ledger's indexes"): the account columns are
    # searched through the (account, time) indexes below, never alone.
    debit = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="debits",
        verbose_name=_("debit account"),
        db_index=False,
    )
    credit = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="credits",
        verbose_name=_("credit account"),
        db_index=False,
    )
    amount_cents = models.BigIntegerField(_("amount (cents)"))
    # Unique through the constraint below (same name as the column's former UNIQUE), which
    # has no varchar_pattern_ops twin: keys are only ever looked up whole.
    idempotency_key = models.CharField(_("idempotency key"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # What caused it, e.g. "topup:17", "payday:2026-10", "payout:5". Not indexed: a month's
    # payday shares one reference over a million rows; its queries also bound created_at.
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"], name="payouts_transfer_idempotency_key_key"
            ),
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0), name="ledger_transfer_amount_positive"
            ),
            models.CheckConstraint(
                condition=~Q(debit=F("credit")), name="ledger_transfer_two_different_accounts"
            ),
        ]
        indexes = [
            models.Index(fields=["debit", "created_at"], name="ledger_transfer_debit_time"),
            models.Index(fields=["credit", "created_at"], name="ledger_transfer_credit_time"),
            # Append-only by time: BRIN on PostgreSQL (flattr_clone.db.TimeOrderedIndex).
            TimeOrderedIndex(fields=["created_at"], name="ledger_transfer_time_brin"),
        ]

    def __str__(self) -> str:
        return f"{self.idempotency_key}: {self.amount_cents} {self.debit_id}->{self.credit_id}"


class LedgerCheck(models.Model):
    """The outcome of one run of the ledger self-check, kept for operators."""

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    ok = models.BooleanField(_("ok"))
    report = models.JSONField(_("report"), default=dict)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("ledger check")
        verbose_name_plural = _("ledger checks")
        ordering = ["-created_at"]
        permissions = [("run_ledger_check", "Can run the ledger check")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'FAILED'}"
