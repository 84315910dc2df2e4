"""Sign-in pages while the cache is down: a clear 503 instead of a server error.

allauth counts login, sign-up and password-reset attempts in the cache and raises when it
cannot reach it. Its limits are what stops password guessing, so without them these pages
refuse (503, ``Retry-After``) rather than let attempts through uncounted; nothing was done
when allauth raised (the limit is checked before any work). Pages already open to a
logged-in user keep working: sessions live in the database.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What Django's Redis cache raises when Redis does not answer.
CACHE_UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
RETRY_AFTER_SECONDS = 60


class SignInNeedsCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, CACHE_UNREACHABLE) or not _is_allauth_view(request):
            return None
        logger.warning(
            "cache unavailable: %s refused with 503 (no rate limit without it)",
            request.path,
            exc_info=exception,
        )
        response = render(request, "accounts/sign_in_unavailable.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


def _is_allauth_view(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and match.func.__module__.startswith("allauth.")
