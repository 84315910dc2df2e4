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


class NewTermsMiddleware:
    """A signed-in user who has not accepted the current terms of service or privacy policy
    is sent to accept them before any other page (PRODUCT.md, "Leaving"). Left open: the
    documents, signing out, the e-mail links, leaving the platform, the administration,
    the widget and badge other sites show, webhooks and health checks."""

    OPEN_NAMES = frozenset(
        {
            "legal_accept",
            "legal_document",
            "account_logout",
            "email_unsubscribe",
            "set_language",
            "healthz",
            "widget",
            "badge",
            "stripe_webhook",
            "connect_webhook",
            "export_download",
            "close_account",
            "withdraw",
            "leaving",
            "export_start",
        }
    )
    OPEN_PREFIXES = ("/admin/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(self.OPEN_PREFIXES):
            return None
        match = request.resolver_match
        if match is None or match.url_name in self.OPEN_NAMES:
            return None
        from accounts.legal import must_accept

        if not must_accept(user, request.session):
            return None
        from django.shortcuts import redirect
        from django.urls import reverse
        from django.utils.http import urlencode

        next_url = request.get_full_path() if request.method == "GET" else ""
        query = f"?{urlencode({'next': next_url})}" if next_url else ""
        return redirect(reverse("legal_accept") + query)
