"""Refuse requests that carry control characters, before any view runs.

PostgreSQL cannot store a NUL byte in text: a NUL in a handle, a URL or a title made the
database raise, and the page answered 500. The other C0 control characters (escape,
backspace, bell...) have no place in a web address or a form field either; stored, they
can forge log lines or garble terminals and e-mails. So this middleware answers 400 with a
page that says why, and the view never runs, so nothing is stored, when:

- the path, or a name or value of the query string, holds any C0 character
  (U+0000 to U+001F);
- a name or value of a form body (POST, url-encoded or multipart) holds one other than
  tab, carriage return and line feed, which a multi-line text field legitimately sends.

Bodies of CSRF-exempt views are not parsed. Those are the signed Stripe webhooks: they read
their raw JSON body themselves and verify its signature, and parsing a multipart body here
would consume the stream they need. Their path and query string are still checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

_ANY_CONTROL = re.compile(r"[\x00-\x1f]")

# Bidirectional overrides and isolates: they make text read differently from what it is
# (an address or a name shown backwards). Refused in URLs, titles, handles and display names.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def has_forbidden_characters(text: str) -> bool:
    """``text`` holds a control character (C0 but tab and line breaks, DEL, C1), NUL or a
    bidirectional override. (Tabs and line breaks are white space: titles collapse them, URLs
    refuse all white space.)"""
    return any(
        (ord(ch) < 0x20 and ch not in "\t\r\n") or 0x7F <= ord(ch) <= 0x9F or ch in BIDI_CONTROLS
        for ch in text
    )


def validate_plain_text(value: str) -> None:
    """A form validator for one-line names and titles (see ``has_forbidden_characters``)."""
    if has_forbidden_characters(value or ""):
        raise ValidationError(
            _("Remove the control characters and text-direction overrides from this text."),
            code="forbidden_characters",
        )


_CONTROL_BUT_TAB_AND_LINE_BREAKS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _holds(values: QueryDict, pattern: re.Pattern[str]) -> bool:
    return any(
        pattern.search(name) or any(pattern.search(value) for value in given)
        for name, given in values.lists()
    )


def _refuse(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/rest/"):
        # The API answers its own error form (docs/API-V2.md, Conventions), never a page.
        return JsonResponse(
            {
                "error": "invalid_request",
                "error_description": str(_("The request contains control characters.")),
                "error_uri": f"{settings.SITE_URL}/rest/v2/schema/docs/",
            },
            status=400,
        )
    return render(request, "request_refused.html", status=400)


class ControlCharactersMiddleware:
    """Answer 400 to a request with control characters (the module docstring says which)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _ANY_CONTROL.search(request.path) or _holds(request.GET, _ANY_CONTROL):
            return _refuse(request)
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if request.method != "POST" or getattr(view_func, "csrf_exempt", False):
            return None
        if _holds(request.POST, _CONTROL_BUT_TAB_AND_LINE_BREAKS):
            return _refuse(request)
        return None
