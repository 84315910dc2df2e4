"""Framing policy: every page refuses to be framed, except the embed widget.

``X_FRAME_OPTIONS = "DENY"`` covers older browsers; this adds the modern
``Content-Security-Policy: frame-ancestors 'none'`` to every response that
has not set its own policy. The widget views set ``frame-ancestors *`` (and
are exempt from X-Frame-Options), so they are the only framable pages.
"""

from django.http import HttpRequest, HttpResponse


class FrameAncestorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = "frame-ancestors 'none'"
        return response
