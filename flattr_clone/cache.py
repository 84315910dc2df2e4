"""Cache access that never breaks a page: the cache is an optimisation, the database is the truth.

A cache outage (Redis down, a timeout) is logged and treated as a miss, so
clicks, badges and widgets keep working, only slower.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
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


# --- The per-process copy -----------------------------------------------------------------
# In front of the shared cache for the hottest answers (an embed, a visitor's thing page,
# the current terms' ids): kept ``EMBED_LOCAL_CACHE_SECONDS`` (a couple of seconds) in each
# process, so a change made elsewhere shows that much later at most.

_local: dict[str, tuple[float, Any]] = {}
_local_lock = threading.Lock()
_LOCAL_MAX_ENTRIES = 10_000


def local_get(key: str) -> Any:
    """This process's copy of ``key``, if still fresh; None otherwise."""
    entry = _local.get(key)
    if entry is None or entry[0] < time.monotonic():
        return None
    return entry[1]


def local_set(key: str, value: Any) -> None:
    seconds = settings.EMBED_LOCAL_CACHE_SECONDS
    if seconds <= 0:
        return
    with _local_lock:
        if len(_local) >= _LOCAL_MAX_ENTRIES:
            _local.clear()
        _local[key] = (time.monotonic() + seconds, value)


def local_delete(key: str) -> None:
    """Forget this process's copy of ``key`` (the change was made here)."""
    with _local_lock:
        _local.pop(key, None)


def forget_local_copies() -> None:
    """Empty this process's copies (tests; the shared cache is the one that matters)."""
    with _local_lock:
        _local.clear()
