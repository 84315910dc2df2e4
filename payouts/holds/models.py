"""Holds (docs/PRODUCT.md, Holds): creators' earnings from risky payments, held until a date.

A ``Hold`` is one piece of one payday share that came from one risky top-up. Its money sits
in the creator's held-earnings account; ``held_cents + released_cents + taken_cents`` is
always what payday held (``amount_cents``).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payouts.funding.models import TopUp


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
