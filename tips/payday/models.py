"""Payday bookkeeping: one run per month, its chunks of readers, and one record per reader.

The money itself is in the ledger (transfers referenced ``payday:<YYYY-MM>``); these rows
say how far a run got, so a crashed run can resume, and what each reader gave.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tips.payday.keys import payday_reference


class PaydayRun(models.Model):
    """The payday of one month. Planned once (its chunks are fixed), then completed chunk by
    chunk; the chunk that completes last marks the run done and stores the totals."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        FAILED = "failed", _("Failed, resumable")
        DONE = "done", _("Done")

    month = models.DateField(_("month"), unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    chunk_size = models.PositiveIntegerField(_("readers per chunk"))
    chunks_total = models.PositiveIntegerField(_("chunks"), default=0)
    chunks_done = models.PositiveIntegerField(_("chunks done"), default=0)
    # Readers with at least one click that was not revoked (some may give nothing).
    eligible_readers = models.PositiveIntegerField(_("readers with clicks"), default=0)
    created_at = models.DateTimeField(_("planned at"), default=timezone.now)
    started_at = models.DateTimeField(_("last started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Totals, stored when the run is done. ``readers``/``creators``: who gave / received money.
    readers = models.PositiveIntegerField(_("readers who gave"), default=0)
    creators = models.PositiveIntegerField(_("creators paid"), default=0)
    given_cents = models.BigIntegerField(_("given (cents)"), default=0)
    commission_cents = models.BigIntegerField(_("commission (cents)"), default=0)
    distributed_cents = models.BigIntegerField(_("distributed (cents)"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # The ledger self-checks payday runs as steps of its own: before planning (it refuses to
    # start on a broken ledger) and after the last chunk (follow-ups wait for it to pass).
    check_before = models.ForeignKey(
        "payouts.LedgerCheck",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ledger check before"),
    )
    check_after = models.ForeignKey(
        "payouts.LedgerCheck",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ledger check after"),
    )

    class Meta:
        verbose_name = _("payday run")
        verbose_name_plural = _("payday runs")
        ordering = ["-month"]
        permissions = [
            ("run_payday", "Can run payday"),
            # The dashboard (tips.dashboards.operator) has no model of its own.
            ("view_operations_dashboard", "Can view the operations dashboard"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(chunks_done__lte=models.F("chunks_total")),
                name="tips_payday_run_chunks_done_within_total",
            ),
            models.CheckConstraint(
                condition=Q(
                    given_cents=models.F("commission_cents") + models.F("distributed_cents")
                ),
                name="tips_payday_run_given_is_commission_plus_distributed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} ({self.get_status_display()})"

    @property
    def reference(self) -> str:
        return payday_reference(self.month)

    @property
    def progress_percent(self) -> int:
        if not self.chunks_total:
            return 100 if self.status == self.Status.DONE else 0
        return self.chunks_done * 100 // self.chunks_total


class PaydayChunk(models.Model):
    """A fixed range of reader ids, processed in one transaction by one task."""

    run = models.ForeignKey(
        PaydayRun, on_delete=models.CASCADE, related_name="chunks", verbose_name=_("run")
    )
    number = models.PositiveIntegerField(_("number"))
    first_reader_id = models.BigIntegerField(_("first reader id"))
    last_reader_id = models.BigIntegerField(_("last reader id"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payday chunk")
        verbose_name_plural = _("payday chunks")
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="tips_payday_chunk_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.run} #{self.number}"


class PaydayRecord(models.Model):
    """What payday did for one reader in one month (the shares are the ledger transfers)."""

    run = models.ForeignKey(
        PaydayRun, on_delete=models.PROTECT, related_name="records", verbose_name=_("run")
    )
    month = models.DateField(_("month"))
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="payday_records",
        verbose_name=_("reader"),
    )
    budget_cents = models.BigIntegerField(_("budget (cents)"))
    wallet_cents = models.BigIntegerField(_("wallet before payday (cents)"))
    given_cents = models.BigIntegerField(_("given (cents)"))
    commission_cents = models.BigIntegerField(_("commission (cents)"))
    creators = models.PositiveIntegerField(_("creators shared"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("payday record")
        verbose_name_plural = _("payday records")
        ordering = ["-month", "reader"]
        constraints = [
            models.UniqueConstraint(fields=["month", "reader"], name="tips_payday_record_unique"),
            models.CheckConstraint(
                condition=Q(given_cents__gte=0)
                & Q(commission_cents__gte=0)
                & Q(commission_cents__lte=models.F("given_cents")),
                name="tips_payday_record_amounts_valid",
            ),
        ]
        indexes = [models.Index(fields=["reader", "month"], name="tips_payday_record_reader")]

    def __str__(self) -> str:
        return f"{self.reader} {self.month:%Y-%m}: {self.given_cents}"

    @property
    def distributed_cents(self) -> int:
        return self.given_cents - self.commission_cents
