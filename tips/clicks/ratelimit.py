"""Per-reader click rate limit: the shared hourly limiter (``flattr_clone.ratelimit``) with
``CLICK_RATE_LIMIT_PER_HOUR``, or ``CLICK_RATE_LIMIT_PER_HOUR_NEW_ACCOUNT`` during an
account's first ``VELOCITY_NEW_ACCOUNT_DAYS`` days (docs/PRODUCT.md, First payouts and
velocity). Each limit reached is recorded for operators (``accounts.limits``). When the
cache is down the click is allowed (and logged): losing the limit for a while is better
than refusing every reader."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from accounts.limits import limit_check
from accounts.models import LimitHit
from flattr_clone.ratelimit import WINDOW_SECONDS

__all__ = ["WINDOW_SECONDS", "click_allowed", "click_limit"]


def _is_new(reader) -> bool:
    joined = getattr(reader, "date_joined", None)
    age = dt.timedelta(days=settings.VELOCITY_NEW_ACCOUNT_DAYS)
    return joined is not None and joined > timezone.now() - age


def click_limit(reader) -> int:
    """The reader's hourly click limit: lower for a new account."""
    if _is_new(reader):
        return min(
            settings.CLICK_RATE_LIMIT_PER_HOUR_NEW_ACCOUNT, settings.CLICK_RATE_LIMIT_PER_HOUR
        )
    return settings.CLICK_RATE_LIMIT_PER_HOUR


def click_allowed(reader, *, now: float | None = None) -> bool:
    """Count one click attempt of ``reader`` (a user); False once the hourly limit is passed."""
    new = _is_new(reader)
    verdict = limit_check(
        LimitHit.Kind.CLICK_NEW_ACCOUNT_HOUR if new else LimitHit.Kind.CLICK_HOUR,
        key=str(reader.pk),
        limit=click_limit(reader),
        window_seconds=WINDOW_SECONDS,
        user=reader,
        now=now,
    )
    return verdict.allowed
