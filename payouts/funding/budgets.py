"""Budget services: what a reader gives per month.

Budgets are never edited in place. Each change is a new ``BudgetChange`` row
with its time, because payday uses the budget in effect at the end of the
month being paid, not the one of the day payday runs.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from flattr_clone.money import format_cents
from payouts.funding.models import BudgetChange, FundingMode, ReaderFunding
from payouts.funding.selectors import budget_in_effect


class BudgetError(ValueError):
    """The budget was refused; the message is for the reader and nothing changed."""


def budget_validate(amount_cents: int, *, minimum: int | None = None) -> None:
    """Raise ``BudgetError`` unless ``amount_cents`` is an allowed monthly budget (``minimum``:
    a higher floor, e.g. the minimum charge of a reader who pays after the month)."""
    if type(amount_cents) is not int:
        raise BudgetError(_("A budget is a whole number of cents."))
    low, high = max(settings.BUDGET_MIN_CENTS, minimum or 0), settings.BUDGET_MAX_CENTS
    if not low <= amount_cents <= high:
        raise BudgetError(
            _("Choose a monthly budget between %(min)s and %(max)s.")
            % {"min": format_cents(low), "max": format_cents(high)}
        )


def budget_set(*, user, amount_cents: int, at: datetime | None = None) -> BudgetChange:
    """Set the reader's monthly budget from ``at`` (now) on.

    Writes a new ``BudgetChange`` unless the budget in effect already has this
    amount, in which case that row is returned and nothing is written.
    """
    after_month = ReaderFunding.objects.filter(user=user, mode=FundingMode.AFTER_MONTH).exists()
    budget_validate(amount_cents, minimum=settings.CHARGE_MINIMUM_CENTS if after_month else None)
    at = at or timezone.now()
    current = budget_in_effect(user, at=at)
    if current is not None and current.amount_cents == amount_cents:
        return current
    return BudgetChange.objects.create(user=user, amount_cents=amount_cents, created_at=at)
