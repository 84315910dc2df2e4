"""Small helpers for views: a safe ``next`` URL, a path with a query string."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` parameter if it is a path on this site, else ``default`` (no open redirect).

    Only an absolute path counts: a bare word would be taken for a URL name by ``redirect``.
    """
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if (
        candidate.startswith("/")
        and not candidate.startswith("//")
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return default


def with_query(path: str, /, **params) -> str:
    """``path`` with the non-empty ``params`` as its query string."""
    params = {k: v for k, v in params.items() if v}
    return f"{path}?{urlencode(params)}" if params else path
