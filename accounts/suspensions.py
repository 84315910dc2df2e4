"""Suspending a creator: payday gives them nothing and their payouts are held until lifted."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User

# The reason is shown to the user and kept in the admin log; the reason form has this limit.
REASON_MAX_LENGTH = 2000


class SuspensionError(ValueError):
    """A suspension was refused; nothing changed."""


@transaction.atomic
def user_suspend(*, user: User, reason: str) -> bool:
    """Suspend ``user`` with a reason operators and the user can read. Returns False when the
    user was already suspended (the first reason and time are kept)."""
    reason = (reason or "").strip()
    if not reason:
        raise SuspensionError("a reason is required to suspend an account")
    if len(reason) > REASON_MAX_LENGTH:
        raise SuspensionError(f"a reason has {REASON_MAX_LENGTH} characters at most")
    # Compare-and-swap: two operators suspending at once write one suspension.
    changed = User.objects.filter(pk=user.pk, suspended_at__isnull=True).update(
        suspended_at=timezone.now(), suspension_reason=reason
    )
    user.refresh_from_db(fields=["suspended_at", "suspension_reason"])
    return changed == 1


@transaction.atomic
def user_unsuspend(*, user: User) -> bool:
    """Lift ``user``'s suspension; from the next payday on they receive money again and held
    earnings are paid in the next payout batch. Returns False when they were not suspended."""
    changed = User.objects.filter(pk=user.pk, suspended_at__isnull=False).update(
        suspended_at=None, suspension_reason=""
    )
    user.refresh_from_db(fields=["suspended_at", "suspension_reason"])
    return changed == 1
