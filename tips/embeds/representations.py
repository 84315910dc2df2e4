"""The badge and the widget as ready-made answers: the platform's hottest path.

Every page view of every site that embeds a button asks for one of them, and they read
nothing of the visitor. So they are rendered once per thing, kind and language (the
language comes from the URL's ``lang``, never from ``Accept-Language`` or a cookie: one URL
is one answer), kept in the shared cache next to the thing's card (and forgotten with it on
every click, revoke or edit, ``tips.things.cards.forget_thing_card``), and kept for
``EMBED_LOCAL_CACHE_SECONDS`` in each process, in front of the shared cache. A warm answer
costs no query and at most one cache round trip, and ``EmbedMiddleware`` serves it before
the session, authentication, messages and CSRF middleware run.

Caching by browsers and CDNs (docs/PRODUCT.md, Buttons and embeds; README):
``Cache-Control: public`` with ``max-age`` and ``s-maxage`` of ``EMBED_MAX_AGE_SECONDS``,
``stale-while-revalidate``, a strong ``ETag`` (a digest of the bytes) and 304 answers; no
``Vary``, no cookie. A request with ``fresh`` in its query (the widget's own fetch right
after a click) skips the per-process copy, so it sees the count the click just changed.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from flattr_clone.cache import local_get, local_set, safe_get, safe_set
from flattr_clone.months import month_of
from tips.clicks.selectors import retired_message
from tips.things.cards import CARD_TIMEOUT_SECONDS, embed_key, thing_card

# Widgets may sit in any site's page; only they get this policy.
FRAMABLE_POLICY = "frame-ancestors *"

_PATH_RE = re.compile(r"^/t/(\d{1,18})/(badge\.svg|widget/)$")
_KIND_OF_PATH = {"badge.svg": "badge", "widget/": "widget"}


def cache_control() -> str:
    """The one cache policy of the badge and the widget (README, Embeds)."""
    max_age = settings.EMBED_MAX_AGE_SECONDS
    return (
        f"public, max-age={max_age}, s-maxage={max_age}, "
        f"stale-while-revalidate={settings.EMBED_STALE_SECONDS}"
    )


def embed_language(request: HttpRequest) -> str:
    """The language the URL asks for (``lang=fr``, ``lang=fr-CA``), else the default one."""
    wanted = request.GET.get("lang", "")[:16].lower().replace("_", "-").split("-")[0]
    codes = {code for code, _name in settings.LANGUAGES}
    return wanted if wanted in codes else settings.LANGUAGE_CODE


# --- Rendering ----------------------------------------------------------------------------


def _retired(card: dict) -> bool:
    """Whether the card's thing is retired (the card's copy of ``Thing.is_retired``)."""
    return bool(card["retired"])


def _render_badge(card: dict) -> dict[str, Any]:
    retired = _retired(card)
    # A retired thing's badge says so instead of its count, and answers 410 Gone.
    count = str(translation.gettext("no longer available")) if retired else str(card["total"])
    label_width = 46
    # About 7 px a digit and 6 px a letter in 11 px Verdana, plus the padding.
    count_width = 10 + 6 * len(count) if retired else 12 + 7 * len(count)
    context = {
        "card": card,
        "retired": retired,
        "count": count,
        "label_width": label_width,
        "count_width": count_width,
        "width": label_width + count_width,
        "count_x": label_width + count_width // 2,
    }
    return {
        "body": render_to_string("tips/badge.svg", context).encode(),
        "status": 410 if retired else 200,
        "content_type": "image/svg+xml",
        "headers": {},
    }


def _render_widget(card: dict) -> dict[str, Any]:
    """The widget's page. It knows nothing of the embedding site: its script reads the
    ``origin`` from its own URL, so one answer serves every site."""
    pk = card["pk"]
    context = {
        "card": card,
        "message": retired_message() if _retired(card) else "",
        "thing_url": settings.SITE_URL + reverse("tips:thing", kwargs={"pk": pk}),
        "popup_path": reverse("tips:popup", kwargs={"pk": pk}),
    }
    return {
        "body": render_to_string("tips/widget.html", context).encode(),
        "status": 410 if _retired(card) else 200,
        "content_type": "text/html; charset=utf-8",
        # The only framable page (flattr_clone.middleware refuses framing everywhere else).
        "headers": {"Content-Security-Policy": FRAMABLE_POLICY},
    }


_RENDERERS = {"badge": _render_badge, "widget": _render_widget}


def build_representation(kind: str, pk: int, language: str) -> dict[str, Any] | None:
    """The answer for ``kind`` of thing ``pk`` in ``language``; None if no such thing."""
    card = thing_card(pk)
    if card is None:
        return None
    with translation.override(language):
        representation = _RENDERERS[kind](card)
    digest = hashlib.blake2b(representation["body"], digest_size=12).hexdigest()
    representation["etag"] = f'"{kind[0]}{pk}-{digest}"'
    return representation


def representation_of(kind: str, pk: int, language: str, *, fresh: bool) -> dict | None:
    """Read through this process's copy (unless ``fresh``), then the shared cache (one round
    trip), then render from the card."""
    key = embed_key(kind, pk, language, month_of())
    if not fresh:
        representation = local_get(key)
        if representation is not None:
            return representation
    representation = safe_get(key)
    if representation is None:
        representation = build_representation(kind, pk, language)
        if representation is None:
            return None
        safe_set(key, representation, CARD_TIMEOUT_SECONDS)
    local_set(key, representation)
    return representation


# --- Answers ------------------------------------------------------------------------------


def _etag_matches(request: HttpRequest, etag: str) -> bool:
    header = request.META.get("HTTP_IF_NONE_MATCH", "")
    if not header:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in candidates or etag in candidates


def embed_response(request: HttpRequest, kind: str, pk: int) -> HttpResponse | None:
    """The badge or widget answer, a 304 when the client's copy is current, or None when
    the thing does not exist (the caller answers 404)."""
    representation = representation_of(
        kind, pk, embed_language(request), fresh="fresh" in request.GET
    )
    if representation is None:
        return None
    etag = representation["etag"]
    if _etag_matches(request, etag):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(
            representation["body"],
            status=representation["status"],
            content_type=representation["content_type"],
        )
        for name, value in representation["headers"].items():
            response[name] = value
    response["ETag"] = etag
    response["Cache-Control"] = cache_control()
    if kind == "badge":
        # An image, never a page: framing it is pointless, refuse it like every other page.
        response["Content-Security-Policy"] = "frame-ancestors 'none'"
        response["X-Frame-Options"] = "DENY"
    return response


class EmbedMiddleware:
    """Answers ``GET``/``HEAD /t/<pk>/badge.svg`` and ``/t/<pk>/widget/`` before the session,
    locale, CSRF, authentication and messages middleware (settings.MIDDLEWARE): they need
    none of them. Anything else, and a thing that does not exist, goes down the usual
    stack."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD"):
            match = _PATH_RE.match(request.path_info)
            if match is not None:
                request.get_host()  # ALLOWED_HOSTS still holds (DisallowedHost: 400)
                response = embed_response(
                    request, _KIND_OF_PATH[match.group(2)], int(match.group(1))
                )
                if response is not None:
                    return response
        return self.get_response(request)
