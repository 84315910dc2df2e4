"""Subscriptions, what each did in each month, and the monthly runs that make their clicks."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from flattr_clone.months import next_month
from tips.clicks.models import Click
from tips.things.models import Thing

# How long a reader may subscribe for, in months; None is "until cancelled".
DURATIONS = (3, 6, 12)


def last_month_of(first_month: dt.date, months: int | None) -> dt.date | None:
    """The last month a subscription of ``months`` months started in ``first_month`` flattrs:
    the start month counts as the first (it is flattred at once)."""
    if months is None:
        return None
    month = first_month
    for _step in range(months - 1):
        month = next_month(month)
    return month


class Subscription(models.Model):
    """A reader's standing order to flattr ``thing`` every month from ``first_month`` to
    ``last_month`` (None: until cancelled). Paused months are skipped, not added at the end."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        CANCELLED = "cancelled", _("Cancelled")
        # Past its last month. Stored lazily (by the monthly run, or when the reader subscribes
        # again); ``status_in`` tells it from the dates in the meantime.
        ENDED = "ended", _("Ended")

    OPEN = (Status.ACTIVE, Status.PAUSED)

    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="subscriptions",
        verbose_name=_("reader"),
    )
    thing = models.ForeignKey(
        Thing, on_delete=models.PROTECT, related_name="subscriptions", verbose_name=_("thing")
    )
    months = models.PositiveSmallIntegerField(
        _("months"), null=True, blank=True, help_text=_("Empty: until cancelled.")
    )
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("marked ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One running subscription per reader and thing; ended and cancelled ones stay.
            models.UniqueConstraint(
                fields=["reader", "thing"],
                condition=Q(status__in=["active", "paused"]),
                name="tips_subscription_one_open_per_thing",
            ),
            models.CheckConstraint(
                condition=(Q(months__isnull=True) & Q(last_month__isnull=True))
                | (Q(months__in=DURATIONS) & Q(last_month__gte=models.F("first_month"))),
                name="tips_subscription_duration_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="paused", paused_at__isnull=False) | ~Q(status="paused"),
                name="tips_subscription_paused_has_time",
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False)
                | ~Q(status="cancelled"),
                name="tips_subscription_cancelled_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["thing", "status"], name="tips_subscription_thing"),
            models.Index(fields=["status", "first_month"], name="tips_subscription_due"),
        ]

    def __str__(self) -> str:
        return f"{self.reader} → {self.thing}"

    def has_ended_by(self, month: dt.date) -> bool:
        """Its last month is before ``month``."""
        return self.last_month is not None and self.last_month < month

    def status_in(self, month: dt.date) -> str:
        """The status as the reader sees it in ``month``: an open subscription whose last
        month has passed has ended, even before the monthly run has stored it."""
        if self.status in self.OPEN and self.has_ended_by(month):
            return self.Status.ENDED
        return self.status

    def next_click_month(self, month: dt.date) -> dt.date | None:
        """The next month whose first day it will flattr, seen from ``month``; None when it
        will not (paused, cancelled or ended by then)."""
        upcoming = next_month(month)
        if self.status_in(month) != self.Status.ACTIVE or self.has_ended_by(upcoming):
            return None
        return upcoming


class SubscriptionMonth(models.Model):
    """What one subscription did in one month: written once (unique), in the transaction of
    the click it made, so a run repeated or resumed after a crash never clicks twice."""

    class Outcome(models.TextChoices):
        CLICKED = "clicked", _("Flattred")
        # The reader had flattred the thing themselves that month (or revoked that flattr:
        # a subscription never restores what the reader took back).
        ALREADY = "already", _("Already flattred by the reader")
        PAUSED = "paused", _("Skipped: paused")
        REFUSED = "refused", _("Skipped: the click was refused")

    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.PROTECT,
        related_name="month_entries",
        verbose_name=_("subscription"),
    )
    month = models.DateField(_("month"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    click = models.ForeignKey(
        Click,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("click"),
    )
    # A refusal: the click rule's code (``tips.clicks.selectors.Blocker``), its words in the
    # reader's language when it happened, and where to fix it.
    refusal_code = models.CharField(_("refusal"), max_length=30, blank=True)
    refusal_message = models.TextField(_("refusal message"), blank=True)
    fix_url = models.CharField(_("where to fix it"), max_length=2000, blank=True)
    fix_label = models.CharField(_("fix link text"), max_length=200, blank=True)
    # The reader is e-mailed about a refusal once, not again each month for the same reason.
    notify = models.BooleanField(_("in the e-mail notice"), default=False)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("subscription month")
        verbose_name_plural = _("subscription months")
        ordering = ["-month", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "month"], name="tips_subscription_month_once"
            ),
            models.CheckConstraint(
                condition=Q(outcome="refused", refusal_code__gt="")
                | (~Q(outcome="refused") & Q(refusal_code="")),
                name="tips_subscription_month_refusal_has_code",
            ),
        ]
        indexes = [
            models.Index(fields=["month", "outcome"], name="tips_subscr_month_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.subscription} {self.month:%Y-%m}: {self.outcome}"


class SubscriptionRun(models.Model):
    """The subscription clicks of one month, made on its first day. Planned once (its chunks
    of subscription ids are fixed), completed chunk by chunk, like a payday run."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        FAILED = "failed", _("Failed, resumable")
        DONE = "done", _("Done")

    month = models.DateField(_("month"), unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    chunk_size = models.PositiveIntegerField(_("subscriptions per chunk"))
    chunks_total = models.PositiveIntegerField(_("chunks"), default=0)
    chunks_done = models.PositiveIntegerField(_("chunks done"), default=0)
    subscriptions = models.PositiveIntegerField(_("subscriptions planned"), default=0)
    ended = models.PositiveIntegerField(_("subscriptions ended"), default=0)
    clicked = models.PositiveIntegerField(_("flattred"), default=0)
    already = models.PositiveIntegerField(_("already flattred"), default=0)
    paused = models.PositiveIntegerField(_("paused"), default=0)
    refused = models.PositiveIntegerField(_("refused"), default=0)
    created_at = models.DateTimeField(_("planned at"), default=timezone.now)
    started_at = models.DateTimeField(_("last started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("subscription run")
        verbose_name_plural = _("subscription runs")
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(chunks_done__lte=models.F("chunks_total")),
                name="tips_subscription_run_chunks_done_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} ({self.get_status_display()})"


class SubscriptionChunk(models.Model):
    """A fixed range of subscription ids, processed in one transaction by one task."""

    run = models.ForeignKey(
        SubscriptionRun, on_delete=models.CASCADE, related_name="chunks", verbose_name=_("run")
    )
    number = models.PositiveIntegerField(_("number"))
    first_subscription_id = models.BigIntegerField(_("first subscription id"))
    last_subscription_id = models.BigIntegerField(_("last subscription id"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscription chunk")
        verbose_name_plural = _("subscription chunks")
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "number"], name="tips_subscription_chunk_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run} #{self.number}"
