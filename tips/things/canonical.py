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

from flattr_clone.control_characters import has_forbidden_characters

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


_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Path parameters that identify a session, never the content.
SESSION_PARAMETERS = frozenset({"jsessionid", "phpsessid", "sid", "sessionid"})


def _normalise_escapes(component: str, safe: str) -> str:
    """RFC 3986 6.2.2: decode escapes of unreserved characters, uppercase the others, and
    percent-encode (as UTF-8) what may not appear raw."""
    out = []
    i = 0
    while i < len(component):
        ch = component[i]
        if ch == "%" and re.fullmatch(r"[0-9A-Fa-f]{2}", component[i + 1 : i + 3]):
            decoded = chr(int(component[i + 1 : i + 3], 16))
            out.append(
                decoded if decoded in _UNRESERVED else "%" + component[i + 1 : i + 3].upper()
            )
            i += 3
            continue
        if ch in _UNRESERVED or ch in safe:
            out.append(ch)
        else:
            out.append("".join(f"%{byte:02X}" for byte in ch.encode("utf-8")))
        i += 1
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4."""
    output: list[str] = []
    for segment in path.split("/")[1:]:
        if segment == ".":
            continue
        if segment == "..":
            if output:
                output.pop()
            continue
        output.append(segment)
    result = "/" + "/".join(output)
    if path.endswith(("/.", "/..")):
        result = result.rstrip("/") + "/"
    return result


def _clean_path(path: str) -> str:
    path = _normalise_escapes(path or "/", safe="/;=:@!$&'()*+,")
    if not path.startswith("/"):
        path = "/" + path
    path = _remove_dot_segments(path)
    segments = []
    for segment in path.split("/"):
        name, *params = segment.split(";")
        kept = [p for p in params if p.split("=", 1)[0].lower() not in SESSION_PARAMETERS]
        segments.append(";".join([name, *kept]))
    path = "/".join(segments)
    # One trailing-slash policy: only the root keeps it.
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    return path


def _ascii_host(host: str) -> str:
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError as error:
        raise InvalidURL(_("This web address has no valid host name.")) from error


def canonical_url(raw: str) -> str:
    """The canonical form of an http(s) URL (docs/PRODUCT.md, "Canonical URLs"); raises
    ``InvalidURL`` for anything else.

    Scheme and host are lowercased (the host in punycode), the default port, the fragment,
    user info, session path parameters and tracking parameters removed, escapes normalised,
    dot segments removed, an empty path becomes ``/`` and no other path ends with ``/``; the
    remaining query parameters are sorted by name (values of one name keep their order).
    The scheme is kept: ``url_identity`` is what makes http and https one thing.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidURL(_("Enter the address of your content."))
    if has_forbidden_characters(text):
        raise InvalidURL(
            _("An address cannot contain control characters or text-direction overrides.")
        )
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
    elif not host.isascii():
        host = _ascii_host(host)
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _clean_path(parts.path)
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


def url_identity(canonical: str) -> str:
    """What makes two canonical URLs one thing: the URL without its scheme (http and https
    of the same host, port and path are the same thing)."""
    return canonical.split(":", 1)[1] if ":" in canonical else canonical


def same_thing(a: str, b: str) -> bool:
    """``a`` and ``b`` name the same thing (both are canonicalised first)."""
    return url_identity(canonical_url(a)) == url_identity(canonical_url(b))


def display_url(canonical: str) -> str:
    """A canonical URL as people read it: its host in Unicode where that is safe."""
    parts = urlsplit(canonical)
    if not parts.hostname or "xn--" not in parts.hostname:
        return canonical
    from tips.sites.addresses import display_host

    shown = display_host(parts.hostname)
    netloc = shown if parts.port is None else f"{shown}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


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
