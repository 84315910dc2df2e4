"""Reading a feed's bytes with feedparser (RSS 0.9x/1.0/2.0, Atom, podcast feeds).

Only bytes already fetched (through flattr_clone.fetcher) are parsed: feedparser is given a
stream, never an address, so it never fetches anything itself.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass, field

import feedparser
import nh3

TITLE_MAX = 200
SUMMARY_MAX = 5000
TAGS_MAX = 300


@dataclass(frozen=True)
class ParsedEntry:
    key: str
    link: str
    title: str
    summary: str
    tags: str
    language: str
    payment_url: str


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    language: str
    funding_urls: list[str] = field(default_factory=list)
    entries: list[ParsedEntry] = field(default_factory=list)


class NotAFeed(Exception):
    pass


def _plain(text: str, limit: int) -> str:
    """HTML (as feeds carry it) to plain text."""
    plain = html.unescape(nh3.clean(text or "", tags=set()))
    return " ".join(plain.split())[:limit]


def _language(code: str) -> str:
    code = (code or "").strip().replace("_", "-")
    return code[:10]


def _tags(terms: list[str]) -> str:
    kept: list[str] = []
    for term in terms:
        term = " ".join(term.replace(",", " ").split())[:50]
        if not term or term.lower() in (k.lower() for k in kept):
            continue
        if len(", ".join([*kept, term])) > TAGS_MAX:
            break
        kept.append(term)
    return ", ".join(kept)


def _payment_urls(node) -> list[str]:
    """rel="payment" links and <podcast:funding url=…> of a feed or an entry."""
    urls = [link.get("href", "") for link in node.get("links", []) if link.get("rel") == "payment"]
    funding = node.get("podcast_funding")
    if isinstance(funding, dict) and funding.get("url"):
        urls.append(funding["url"])
    return [url for url in urls if url]


def parse_feed(body: bytes, content_type: str = "") -> ParsedFeed:
    parsed = feedparser.parse(
        io.BytesIO(body), response_headers={"content-type": content_type or "application/xml"}
    )
    version = parsed.get("version", "")
    if not version and not parsed.entries:
        raise NotAFeed(str(parsed.get("bozo_exception", "")) or "not a feed")
    feed = parsed.feed
    language = _language(feed.get("language", ""))
    entries = []
    for entry in parsed.entries:
        link = entry.get("link", "")
        key = (entry.get("id") or link)[:500]
        if not key:
            continue
        payment = _payment_urls(entry)
        entries.append(
            ParsedEntry(
                key=key,
                link=link,
                title=_plain(entry.get("title", ""), TITLE_MAX),
                summary=_plain(entry.get("summary", ""), SUMMARY_MAX),
                tags=_tags([tag.get("term", "") for tag in entry.get("tags", [])]),
                language=_language(entry.get("language", "")) or language,
                payment_url=payment[0] if payment else "",
            )
        )
    return ParsedFeed(
        title=_plain(feed.get("title", ""), TITLE_MAX),
        language=language,
        funding_urls=_payment_urls(feed),
        entries=entries,
    )
