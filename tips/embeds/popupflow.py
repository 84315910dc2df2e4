"""The popup keeps its link to the page that opened it while the reader logs in or signs up.

Django sends ``Cross-Origin-Opener-Policy: same-origin`` on every page, which cuts a window
opened by another site (the widget's popup) off from its opener as soon as it shows such a
page: after logging in inside the popup, the popup could no longer hand the new count back.
The popup and the click keep ``window.opener`` (``views.keeps_opener``); this middleware does
the same for the pages the popup's login link leads through (log in, sign up, the page that
says a verification e-mail was sent): the ones whose ``next`` (in the query, the form, or the
query of the page they came from) returns to a popup. Every other page keeps
``same-origin``. What stands in the way of a click other than logging in (budget, wallet,
e-mail) is fixed in a new tab, so the popup never leaves for those pages.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from django.http import HttpRequest, HttpResponse

_POPUP_NEXT_RE = re.compile(r"^/(t/\d{1,18}/popup/|submit/\?)")


def _returns_to_popup(next_url: str | None) -> bool:
    return bool(next_url) and bool(_POPUP_NEXT_RE.match(next_url))


def in_popup_flow(request: HttpRequest) -> bool:
    if _returns_to_popup(request.GET.get("next")):
        return True
    if request.method == "POST" and _returns_to_popup(request.POST.get("next")):
        return True
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    if referer.netloc and referer.netloc != request.get_host():
        return False
    return any(_returns_to_popup(value) for value in parse_qs(referer.query).get("next", []))


class PopupFlowMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Cross-Origin-Opener-Policy" not in response and in_popup_flow(request):
            response["Cross-Origin-Opener-Policy"] = "unsafe-none"
        return response
