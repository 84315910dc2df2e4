"""Velocity limits (docs/PRODUCT.md, First payouts and velocity) and their record.

Counting is the shared limiter's (``flattr_clone.ratelimit``: fixed windows in the cache,
allowed when the cache is down); this module adds the record operators see: each limit
reached leaves a ``LimitHit`` row, at most one per limit, key and window (a cache ``add``
decides; without the cache, one per hit).
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from accounts.models import LimitHit
from flattr_clone.ratelimit import Verdict, client_ip, rate_limit_hit

logger = logging.getLogger(__name__)

DAY_SECONDS = 86400


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def limit_hit_record(
    kind: str,
    *,
    key: str,
    user=None,
    ip: str = "",
    detail: str = "",
    window_seconds: int = 3600,
    now: float | None = None,
) -> LimitHit | None:
    """Record that ``kind`` was reached for ``key``, once per window; None when this
    window's row exists already."""
    now = time.time() if now is None else now
    digest = key_digest(key)
    marker = f"limithit:{kind}:{digest}:{int(now // window_seconds)}"
    try:
        if not cache.add(marker, 1, window_seconds + 60):
            return None
    except Exception:  # Cache down: record every hit rather than none.
        logger.warning("limit hit recorded without de-duplication", exc_info=True)
    return LimitHit.objects.create(
        kind=kind,
        key_digest=digest,
        ip=ip or None,
        user=user if user is not None and user.pk else None,
        detail=detail[:200],
    )


def limit_check(
    kind: str,
    *,
    key: str,
    limit: int,
    window_seconds: int,
    user=None,
    ip: str = "",
    now: float | None = None,
) -> Verdict:
    """Count one attempt against the limit ``kind`` (``limit`` per ``window_seconds`` for
    ``key``) and record it when it is refused."""
    verdict = rate_limit_hit(
        scope=kind, key=key, limit=limit, now=now, window_seconds=window_seconds
    )
    if not verdict.allowed:
        limit_hit_record(
            kind,
            key=key,
            user=user,
            ip=ip,
            detail=f"{limit} / {window_seconds // 3600} h",
            window_seconds=window_seconds,
            now=now,
        )
    return verdict


# --- Sign-ups per IP ------------------------------------------------------------------------


def signup_refusal(request) -> str:
    """Count a sign-up from the request's client (``client_ip``); the message refusing it
    when the hourly or daily number of sign-ups from that address is reached, else ''."""
    if request is None:
        return ""
    ip = client_ip(request)
    for kind, limit, window in (
        (LimitHit.Kind.SIGNUP_IP_HOUR, settings.SIGNUP_PER_IP_PER_HOUR, 3600),
        (LimitHit.Kind.SIGNUP_IP_DAY, settings.SIGNUP_PER_IP_PER_DAY, DAY_SECONDS),
    ):
        verdict = limit_check(kind, key=ip, limit=limit, window_seconds=window, ip=ip)
        if not verdict.allowed:
            return _(
                "Too many accounts were created from your network recently. No account was "
                "created; please try again in %(hours)s h."
            ) % {"hours": (verdict.retry_after_seconds + 3599) // 3600}
    return ""
