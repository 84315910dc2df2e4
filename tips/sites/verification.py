"""The three proofs that a creator controls a site (docs/PRODUCT.md, Ownership).

Each check answers a code: ``ok``, ``missing`` (reached, no token), ``none`` (no such file or
record) or the name of the fetcher's error. Nothing is written here; tips.ownership applies.
"""

from __future__ import annotations

from html.parser import HTMLParser

import dns.exception
import dns.resolver
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from flattr_clone.fetcher import FetchError, fetch
from tips.sites.models import Site

WELL_KNOWN_PATH = "/.well-known/flattr-verification.txt"
META_NAME = "flattr-verification"
TXT_PREFIX = "flattr-verification="

RESULT_MESSAGES = {
    "ok": _("Passed."),
    "missing": _("Reached, but your token is not there."),
    "none": _("Not found."),
    "dns_error": _("The DNS lookup failed."),
    "BadURL": _("This is not an address the server can fetch."),
    "BlockedAddress": _("The site's address is on a private or reserved network."),
    "TooManyRedirects": _("Too many redirects."),
    "RedirectNotAllowed": _("It redirects to another site."),
    "ResponseTooLarge": _("The answer is too large."),
    "FetchTimeout": _("The site took too long to answer."),
    "NetworkError": _("The site could not be reached."),
    "FetchError": _("The site could not be reached."),
    "taken": _("Another creator already verified this site."),
}


def result_message(code: str):
    return RESULT_MESSAGES.get(code, RESULT_MESSAGES["FetchError"])


class _MetaFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.contents: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "meta":
            values = {name.lower(): (value or "") for name, value in attrs}
            if values.get("name", "").lower() == META_NAME:
                self.contents.append(values.get("content", "").strip())


def _fetch_first(site: Site, path: str | None):
    """The first answer of https then http, or the last error's code."""
    error = "FetchError"
    schemes = ("https", "http") if settings.SITE_CHECKS_ALLOW_HTTP else ("https",)
    for scheme in schemes:
        try:
            response = fetch(site.url(scheme, path))
        except FetchError as failure:
            error = type(failure).__name__
            continue
        if response.ok:
            return response, None
        error = "none"
    return None, error


def check_file(site: Site) -> str:
    response, error = _fetch_first(site, WELL_KNOWN_PATH)
    if response is None:
        return error
    return "ok" if site.token in response.text().split() else "missing"


def check_meta(site: Site) -> str:
    response, error = _fetch_first(site, None)
    if response is None:
        return error
    finder = _MetaFinder()
    finder.feed(response.text())
    return "ok" if site.token in finder.contents else "missing"


def _resolver() -> dns.resolver.Resolver:
    servers = getattr(settings, "SITES_DNS_NAMESERVERS", None)  # test-only: [(ip, port)]
    if not servers:
        resolver = dns.resolver.Resolver()
    else:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [ip for ip, _port in servers]
        resolver.port = servers[0][1]
    resolver.lifetime = settings.FETCHER_TIMEOUT
    resolver.timeout = settings.FETCHER_TIMEOUT
    return resolver


def check_dns(site: Site) -> str:
    try:
        answer = _resolver().resolve(site.host, "TXT")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return "none"
    except (dns.exception.DNSException, OSError):
        return "dns_error"
    for record in answer:
        text = b"".join(record.strings).decode("utf-8", errors="replace").strip()
        if text == TXT_PREFIX + site.token:
            return "ok"
    return "missing"


CHECKS = (
    (Site.Method.FILE, check_file),
    (Site.Method.META, check_meta),
    (Site.Method.DNS, check_dns),
)


def run_checks(site: Site) -> tuple[str, dict[str, str]]:
    """(the method that passed or "", every method's code). Stops at the first that passes."""
    results: dict[str, str] = {}
    for method, check in CHECKS:
        results[method] = check(site)
        if results[method] == "ok":
            return method, results
    return "", results
