"""The API's hourly call limit, per token and per IP for anonymous calls, counted in the cache
(Redis in production): answered in the ``X-RateLimit-*`` headers and ``/rest/v2/rate_limit``."""

from __future__ import annotations

import dataclasses
import logging
import time

from django.conf import settings
from django.core.cache import cache

from api.auth import Credentials
from flattr_clone.ratelimit import client_ip

logger = logging.getLogger(__name__)
WINDOW_SECONDS = 3600


@dataclasses.dataclass(frozen=True)
class RateState:
    limit: int
    current: int
    reset: int  # Unix time the window ends

    @property
    def remaining(self) -> int:
        return max(self.limit - self.current, 0)

    @property
    def exceeded(self) -> bool:
        return self.current > self.limit

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Current": str(self.current),
            "X-RateLimit-Reset": str(self.reset),
        }


def _who(request) -> tuple[str, int]:
    auth = getattr(request, "auth", None)
    if isinstance(auth, Credentials):
        return auth.rate_key, settings.API_RATE_LIMIT_PER_HOUR
    return f"ip:{client_ip(request)}", settings.API_ANONYMOUS_RATE_LIMIT_PER_HOUR


def rate_state(request, *, count: bool = True) -> RateState:
    """Count this call (``count``) and say where its caller stands. Never refuses when the
    cache is down (logged): the API stays up without Redis."""
    now = int(time.time())
    window = now // WINDOW_SECONDS
    reset = (window + 1) * WINDOW_SECONDS
    who, limit = _who(request)
    key = f"api:ratelimit:{who}:{window}"
    try:
        if count:
            cache.add(key, 0, WINDOW_SECONDS + 60)
            try:
                current = cache.incr(key)
            except ValueError:
                cache.set(key, 1, WINDOW_SECONDS + 60)
                current = 1
        else:
            current = cache.get(key, 0)
    except Exception:
        logger.warning("API rate limit skipped: cache unavailable", exc_info=True)
        current = 0
    return RateState(limit=limit, current=current, reset=reset)
