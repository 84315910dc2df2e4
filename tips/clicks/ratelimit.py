"""Per-reader click rate limit: the shared hourly limiter (``flattr_clone.ratelimit``) with
``CLICK_RATE_LIMIT_PER_HOUR``. When the cache is down the click is allowed (and logged):
losing the limit for a while is better than refusing every reader."""

from __future__ import annotations

from django.conf import settings

from flattr_clone.ratelimit import WINDOW_SECONDS, rate_limit_hit

__all__ = ["WINDOW_SECONDS", "click_allowed"]


def click_allowed(reader_pk: int, *, now: float | None = None) -> bool:
    """Count one click attempt for ``reader_pk``; False once the hourly limit is passed."""
    verdict = rate_limit_hit(
        scope="click", key=str(reader_pk), limit=settings.CLICK_RATE_LIMIT_PER_HOUR, now=now
    )
    return verdict.allowed
