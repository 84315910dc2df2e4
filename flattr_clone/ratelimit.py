"""Rate limits kept in the Django cache, and the client address they count by.

A limit is a fixed one-hour window per key: simple, cheap (one ``add`` and one
``incr``) and good enough to stop a script hammering a button. When the cache
is down the request is allowed and a warning logged: losing a limit for a
while is better than refusing every user. (Sign-in is the exception: allauth
keeps its own limits, and ``accounts.middleware`` answers 503 without them.)

``Throttle`` names one per-user limit (its setting and its message) and
``throttled`` puts it on a view; ``client_ip`` finds the client behind the
reverse proxies (``TRUSTED_PROXY_COUNT``), for allauth's per-IP limits and ours.
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
import logging
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)


WINDOW_SECONDS = 3600


@dataclasses.dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_seconds: int  # until the current window ends


def rate_limit_hit(
    *,
    scope: str,
    key: str,
    limit: int,
    now: float | None = None,
    window_seconds: int = WINDOW_SECONDS,
) -> Verdict:
    """Count one attempt of ``key`` at ``scope`` (e.g. a reader's clicks); not allowed once
    more than ``limit`` attempts fell in the current window (an hour unless
    ``window_seconds`` says otherwise, e.g. a day). Allowed when the cache is down."""
    now = time.time() if now is None else now
    window = int(now // window_seconds)
    retry_after = window_seconds - int(now) % window_seconds
    cache_key = f"ratelimit:{scope}:{key}:{window_seconds}:{window}"
    try:
        # One round trip per attempt: incr() of the window's counter, which exists from the
        # second attempt of the window on. The first attempt creates it with add() (which
        # only writes a new key); if another attempt created it in between, incr() again.
        try:
            count = cache.incr(cache_key)
        except ValueError:
            created = cache.add(cache_key, 1, window_seconds + 60)
            count = 1 if created else cache.incr(cache_key)
    except Exception:  # Any backend error (e.g. redis ConnectionError): allow and log.
        logger.warning("%s rate limit skipped: cache unavailable", scope, exc_info=True)
        return Verdict(allowed=True, retry_after_seconds=0)
    return Verdict(allowed=count <= limit, retry_after_seconds=retry_after)


def rate_limited_response(
    request: HttpRequest, *, message: str, retry_after_seconds: int, template: str = ""
) -> HttpResponse:
    """The 429 page: what the limit is (``message``), when to try again, that nothing was
    done; with a ``Retry-After`` header. ``template`` may extend ``rate_limited.html``."""
    response = render(
        request,
        template or "rate_limited.html",
        {"message": message, "minutes": (retry_after_seconds + 59) // 60},
        status=429,
    )
    response["Retry-After"] = str(retry_after_seconds)
    return response


@dataclasses.dataclass(frozen=True)
class Throttle:
    """A per-user hourly limit on one action: its name in cache keys, the setting holding
    the limit, and the message of the 429 page (an ``ngettext_lazy`` with ``%(counter)s``)."""

    scope: str
    limit_setting: str
    message: str

    def refusal(self, request: HttpRequest) -> HttpResponse | None:
        """Count this request against the user's limit: None to go on, else the 429 page."""
        limit = getattr(settings, self.limit_setting)
        verdict = rate_limit_hit(scope=self.scope, key=str(request.user.pk), limit=limit)
        if verdict.allowed:
            return None
        return rate_limited_response(
            request,
            message=self.message % {"counter": limit},
            retry_after_seconds=verdict.retry_after_seconds,
        )


def throttled(throttle: Throttle, *, methods: Iterable[str] = ("POST",)) -> Callable:
    """Put ``throttle`` on a view, counting the logged-in user's requests of ``methods``
    (others, and anonymous requests, pass uncounted: put it under ``login_required``)."""
    methods = frozenset(methods)

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in methods and request.user.is_authenticated:
                refused = throttle.refusal(request)
                if refused is not None:
                    return refused
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# --- The client's address ------------------------------------------------------------------


def client_ip(request: HttpRequest) -> str:
    """The address of the client that sent ``request``.

    With ``TRUSTED_PROXY_COUNT`` = N > 0 the site sits behind N reverse proxies, each
    appending the address it saw to ``X-Forwarded-For``: the client is the entry N hops
    from the right. Entries further left were written by the client and are ignored, so a
    forged one cannot choose the address. A header with fewer than N entries (a request
    that entered past the outer proxy) gives its left-most entry. With N = 0 (the demo, or
    no proxy) the header is ignored and the address is the connection's.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if trusted > 0 and forwarded.strip():
        hops = [hop.strip() for hop in forwarded.split(",")]
        if len(hops) < trusted:
            logger.warning(
                "X-Forwarded-For has %d entries, TRUSTED_PROXY_COUNT is %d", len(hops), trusted
            )
        address = _address(hops[-trusted] if len(hops) >= trusted else hops[0])
        if address is not None:
            return address
        logger.warning("X-Forwarded-For names no address at its trusted position: %r", forwarded)
    return _address(remote) or remote


def _address(text: str) -> str | None:
    """``text`` as a normalised IP address (a port or IPv6 brackets dropped), else None."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # IPv4 with a port
        text = text.partition(":")[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None
