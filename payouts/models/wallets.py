"""Wallet-side records: budgets (and, with the top-up work, top-ups and provider events)."""

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
