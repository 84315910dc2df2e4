"""The one way the server fetches a user-given URL (site checks, feeds, webhooks).

Every fetch of an address a user typed goes through :func:`fetch`, which guards against
server-side request forgery (SSRF):

- only ``http`` and ``https`` URLs, without user name or password;
- the host is resolved first and *every* address it resolves to is checked: loopback,
  private, link-local, shared (CGNAT), multicast, unspecified and reserved addresses are
  refused (also IPv4 inside IPv6); the connection then goes to the checked address, so a
  second DNS answer cannot swap it (DNS rebinding);
- a short timeout for each network step and for the whole fetch;
- at most ``FETCHER_MAX_REDIRECTS`` redirects (3), each one checked again, and each staying on
  the same registrable domain as the first URL (``blog.example.org`` may send to
  ``www.example.org``, not to ``example.net``); the public-suffix list is the snapshot bundled
  with ``tldextract`` (it never downloads one);
- a size limit on the body (``FETCHER_MAX_BYTES``);
- HTTPS certificates are always verified, against the system's authorities.

Any HTTP status is returned as it is (a feed's ``304``, a webhook's ``500``); only a refusal or
a network failure raises, always a :class:`FetchError` whose ``message`` a person can read.

Two settings exist for tests only and are never read from the environment:
``FETCHER_ALLOW_LOOPBACK_HOSTS`` (host names that may resolve to a loopback address) and
``FETCHER_TEST_RESOLVE`` (host name -> address, used instead of DNS; the address is checked like
any other). ``FETCHER_CA_FILE`` adds a certificate authority (a test's ``trustme`` authority).
"""

from __future__ import annotations

import functools
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

__all__ = [
    "BadURL",
    "BlockedAddress",
    "FetchError",
    "FetchResponse",
    "FetchTimeout",
    "NetworkError",
    "RedirectNotAllowed",
    "ResponseTooLarge",
    "TooManyRedirects",
    "check_address",
    "fetch",
    "registrable_domain",
]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class FetchError(Exception):
    """A fetch was refused or failed. ``message`` is translated and safe to show to the user."""

    default_message = _("The address could not be fetched.")

    def __init__(self, message=None, *, url: str = ""):
        self.message = message or self.default_message
        self.url = url
        super().__init__(str(self.message))


class BadURL(FetchError):
    default_message = _("This is not an http or https address the server can fetch.")


class BlockedAddress(FetchError):
    default_message = _(
        "This address points to a private or reserved network; the server does not fetch it."
    )


class TooManyRedirects(FetchError):
    default_message = _("The address redirects too many times.")


class RedirectNotAllowed(FetchError):
    default_message = _("The address redirects to another site, which the server does not follow.")


class ResponseTooLarge(FetchError):
    default_message = _("The answer is too large.")


class FetchTimeout(FetchError):
    default_message = _("The site took too long to answer.")


class NetworkError(FetchError):
    default_message = _("The site could not be reached.")


@dataclass(frozen=True)
class FetchResponse:
    """What the site answered (after redirects)."""

    url: str  # the final URL, after redirects
    status: int
    headers: dict[str, str]  # lower-case names; repeated headers are joined with ", "
    body: bytes
    address: str  # the IP address the answer came from
    redirects: list[str] = field(default_factory=list)  # the URLs redirected through

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def text(self, default_charset: str = "utf-8") -> str:
        """The body decoded with the charset of ``Content-Type`` (else ``default_charset``)."""
        charset = default_charset
        for part in self.headers.get("content-type", "").split(";")[1:]:
            name, _sep, value = part.strip().partition("=")
            if name.lower() == "charset" and value:
                charset = value.strip("\"' ")
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode(default_charset, errors="replace")


@functools.cache
def _extractor():
    import tldextract

    # suffix_list_urls=() and no cache: the snapshot bundled in the package, never a download.
    return tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
    )


def registrable_domain(host: str) -> str:
    """The registrable domain of ``host`` (``blog.example.co.uk`` -> ``example.co.uk``).

    Private suffixes count (``dana.github.io`` is its own domain). An IP address, or a name
    under no known suffix (``localhost``, ``site.test``), is its own registrable domain.
    """
    host = host.lower().rstrip(".")
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host
    except ValueError:
        pass
    result = _extractor()(host)
    return result.top_domain_under_public_suffix or host


def _is_blocked(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo:
            embedded = address.teredo[1]
        if embedded is not None and _is_blocked(embedded):
            return True
    return (
        not address.is_global
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
        or address.is_loopback
        or address.is_link_local
        or address.is_private
    )


def check_address(host: str, address: str) -> None:
    """Raise :class:`BlockedAddress` unless the server may connect to ``address`` for ``host``."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    allowed_loopback = {h.lower() for h in getattr(settings, "FETCHER_ALLOW_LOOPBACK_HOSTS", ())}
    if ip.is_loopback and host.lower() in allowed_loopback:
        return
    if _is_blocked(ip):
        raise BlockedAddress()


def _resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, each checked; raises if any is refused."""
    test_resolve = getattr(settings, "FETCHER_TEST_RESOLVE", {}) or {}
    if host.lower() in test_resolve:
        addresses = [test_resolve[host.lower()]]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise NetworkError(_("The site's name could not be found.")) from exc
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise NetworkError(_("The site's name could not be found."))
    # All of them, not just the first: a name with one public and one private address is refused.
    for address in addresses:
        check_address(host, address)
    return addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to a checked address, with ``Host`` still the site's name."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    default_port = 443

    def __init__(self, host, port, address, timeout, context):
        super().__init__(host, port, address, timeout)
        self._context = context

    def connect(self):
        super().connect()
        # The certificate is checked against the site's name, not the address.
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.host)


def _tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca_file = getattr(settings, "FETCHER_CA_FILE", None)
    if ca_file:
        context.load_verify_locations(cafile=str(ca_file))
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def _split(url: str):
    """(scheme, host in ASCII, port, path with query) of ``url``; raises :class:`BadURL`."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BadURL(url=url) from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise BadURL(url=url)
    if parts.username is not None or parts.password is not None:
        raise BadURL(_("Addresses with a user name or password are not fetched."), url=url)
    host = parts.hostname.rstrip(".")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise BadURL(url=url) from exc
    if any(c.isspace() or ord(c) < 0x20 for c in url):
        raise BadURL(url=url)
    port = port or (443 if scheme == "https" else 80)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return scheme, host, port, target


def _once(method, url, body, headers, timeout, deadline, max_bytes):
    scheme, host, port, target = _split(url)
    addresses = _resolve(host, port)
    last_error: Exception | None = None
    for address in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchTimeout(url=url)
        step_timeout = min(timeout, remaining)
        if scheme == "https":
            conn = _PinnedHTTPSConnection(host, port, address, step_timeout, _tls_context())
        else:
            conn = _PinnedHTTPConnection(host, port, address, step_timeout)
        try:
            try:
                conn.request(method, target, body=body, headers=headers)
            except ssl.SSLError as exc:
                raise NetworkError(
                    _("The site's HTTPS certificate could not be verified."), url=url
                ) from exc
            except TimeoutError as exc:
                raise FetchTimeout(url=url) from exc
            except OSError as exc:  # refused, unreachable: try the next address
                last_error = exc
                continue
            try:
                response = conn.getresponse()
                length = response.getheader("content-length")
                if length and length.isdigit() and int(length) > max_bytes:
                    raise ResponseTooLarge(url=url)
                chunks, size = [], 0
                while True:
                    if time.monotonic() > deadline:
                        raise FetchTimeout(url=url)
                    chunk = response.read(min(65536, max_bytes + 1 - size))
                    if not chunk:
                        break
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > max_bytes:
                        raise ResponseTooLarge(url=url)
            except TimeoutError as exc:
                raise FetchTimeout(url=url) from exc
            except (OSError, http.client.HTTPException) as exc:
                raise NetworkError(url=url) from exc
            merged: dict[str, str] = {}
            for name, value in response.getheaders():
                key = name.lower()
                merged[key] = f"{merged[key]}, {value}" if key in merged else value
            return response.status, merged, b"".join(chunks), address
        finally:
            conn.close()
    raise NetworkError(url=url) from last_error


def fetch(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float | None = None,
    max_bytes: int | None = None,
    max_redirects: int | None = None,
    follow_redirects: bool | None = None,
) -> FetchResponse:
    """Fetch ``url`` safely (see the module's docstring); any HTTP status is returned.

    ``timeout`` is for each network step and, doubled, for the whole fetch (default
    ``FETCHER_TIMEOUT``). Redirects are followed for GET and HEAD by default; a 303, or a 301/302
    after a POST, turns into a GET without body, as browsers do. Raises :class:`FetchError`.
    """
    method = method.upper()
    timeout = timeout if timeout is not None else settings.FETCHER_TIMEOUT
    max_bytes = max_bytes if max_bytes is not None else settings.FETCHER_MAX_BYTES
    if max_redirects is None:
        max_redirects = settings.FETCHER_MAX_REDIRECTS
    if follow_redirects is None:
        follow_redirects = method in ("GET", "HEAD")
    sent_headers = {"User-Agent": settings.FETCHER_USER_AGENT, "Accept-Encoding": "identity"}
    sent_headers.update(headers or {})
    deadline = time.monotonic() + 2 * timeout

    _scheme, first_host, _port, _target = _split(url)
    site = registrable_domain(first_host)
    current, redirects = url, []
    while True:
        status, response_headers, content, address = _once(
            method, current, body, sent_headers, timeout, deadline, max_bytes
        )
        location = response_headers.get("location")
        if not (follow_redirects and status in REDIRECT_STATUSES and location):
            return FetchResponse(current, status, response_headers, content, address, redirects)
        if len(redirects) >= max_redirects:
            raise TooManyRedirects(url=url)
        following = urljoin(current, location.strip())
        _s, next_host, _p, _t = _split(following)
        if registrable_domain(next_host) != site:
            raise RedirectNotAllowed(url=following)
        redirects.append(current)
        if status == 303 or (status in (301, 302) and method == "POST"):
            method, body = "GET", None
            sent_headers.pop("Content-Type", None)
        current = following
