"""Canonical URLs for things, and web origins for the embed hand-off.

One thing per canonical URL: two links to the same content must canonicalise
to the same string, so ``https://Example.com:443/a?utm_source=x#top`` and
``https://example.com/a`` name one thing. Query parameters that only track
the visitor are dropped; the others are kept (they may select the content) in
a stable order so their original order does not matter.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.utils.translation import gettext_lazy as _

MAX_URL_LENGTH = 2000


# Parameters that identify a campaign or a click, never the content.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
    }
)


TRACKING_PREFIXES = ("utm_",)


_DEFAULT_PORTS = {"http": 80, "https": 443}


_ORIGIN_RE = re.compile(r"^https?://(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$")


class InvalidURL(ValueError):
    """The text is not an http(s) URL a thing can have; ``message`` says why, for people."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(raw: str) -> str:
    """The canonical form of an http(s) URL; raises ``InvalidURL`` for anything else.

    Scheme and host are lowercased, the default port, the fragment, user info and
    tracking parameters removed, an empty path becomes ``/`` and the remaining
    query parameters are sorted by name (values of one name keep their order).
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidURL(_("Enter the address of your content."))
    if len(text) > MAX_URL_LENGTH:
        raise InvalidURL(_("This address is too long (2000 characters at most)."))
    if any(ch.isspace() for ch in text):
        raise InvalidURL(_("An address cannot contain spaces."))
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise InvalidURL(_("This is not a valid web address.")) from error
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise InvalidURL(_("Use a web address starting with http:// or https://."))
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or not re.fullmatch(r"[a-z0-9.\-_:\[\]\u00a1-\uffff]+", host):
        raise InvalidURL(_("This web address has no valid host name."))
    if ":" in host:  # IPv6 literal; hostname strips its brackets.
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path or "/"
    params = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(name)
    ]
    # sorted() is stable: repeated names keep their relative order.
    query = urlencode(sorted(params, key=lambda item: item[0]))
    result = urlunsplit((scheme, netloc, path, query, ""))
    if len(result) > MAX_URL_LENGTH:
        raise InvalidURL(_("This address is too long (2000 characters at most)."))
    return result


def web_origin(value: str | None) -> str | None:
    """``value`` if it is exactly an http(s) origin (``https://site.example[:port]``), else None.

    The popup posts its message to this origin only, so anything looser (a path,
    a wildcard, another scheme) is refused rather than repaired.
    """
    if not value or len(value) > 300:
        return None
    if not _ORIGIN_RE.match(value):
        return None
    return value
