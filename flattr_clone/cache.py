"""Cache access that never breaks a page: the cache is an optimisation, the database is the truth.

A cache outage (Redis down, a timeout) is logged and treated as a miss, so
clicks, badges and widgets keep working, only slower.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache

logger = logging.getLogger(__name__)


_MISSING = object()


def safe_get(key: str) -> Any:
    """The cached value, or None on a miss or when the cache is unreachable."""
    try:
        return cache.get(key)
    except Exception:  # Backends raise their own error types (redis, memcached, ...).
        logger.warning("cache unavailable, reading %s from the database", key, exc_info=True)
        return None


def safe_set(key: str, value: Any, timeout: int) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:
        logger.warning("cache unavailable, could not store %s", key, exc_info=True)


def safe_delete_many(keys: list[str]) -> None:
    """Forget several keys in one round trip."""
    try:
        cache.delete_many(keys)
    except Exception:
        logger.warning("cache unavailable, could not forget %s", keys, exc_info=True)


def safe_delete(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:
        # The entry expires on its own (short timeout); log so operators see the outage.
        logger.warning("cache unavailable, could not forget %s", key, exc_info=True)
