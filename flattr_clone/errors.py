"""The server-error page in the site's layout (400, 403 and 404 use Django's own views with
our templates, which render with the request)."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults

logger = logging.getLogger(__name__)


def server_error(request: HttpRequest) -> HttpResponse:
    """``500.html`` with the request's context (the header, the visitor's language). When
    that fails too (the database is down, say), Django's plain page."""
    try:
        return render(request, "500.html", status=500)
    except Exception:
        logger.exception("the 500 page could not be rendered")
        return defaults.server_error(request, template_name="500-plain-fallback.html")
