"""Per-reader click rate limit, kept in the Django cache.

A fixed one-hour window per reader: simple, cheap (one ``add`` and one
``incr``) and good enough to stop a script hammering the button. When the
cache is down the click is allowed: losing the limit for a while is better
than refusing every reader.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


WINDOW_SECONDS = 3600


def click_allowed(reader_pk: int, *, now: float | None = None) -> bool:
    """Count one click attempt for ``reader_pk``; False once the hourly limit is passed."""
    limit = settings.CLICK_RATE_LIMIT_PER_HOUR
    window = int((now if now is not None else time.time()) // WINDOW_SECONDS)
    key = f"tips:ratelimit:click:{reader_pk}:{window}"
    try:
        # add() only writes when the key is new, so the first attempt of a window starts at 0.
        cache.add(key, 0, WINDOW_SECONDS + 60)
        try:
            count = cache.incr(key)
        except ValueError:
            # The key expired between add() and incr(): this is the window's first attempt.
            cache.set(key, 1, WINDOW_SECONDS + 60)
            count = 1
    except Exception:  # Any backend error (e.g. redis ConnectionError): allow and log.
        logger.warning("click rate limit skipped: cache unavailable", exc_info=True)
        return True
    return count <= limit
