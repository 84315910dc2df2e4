"""``{% ownership_mark thing %}``: "verified owner: NAME, since DATE", or "unverified", wherever
a reader decides to click (thing page, popup, auto-submit page) and on profiles."""

from __future__ import annotations

from django import template

from tips.sites.selectors import owner_verification
from tips.things.canonical import display_url as _display_url

register = template.Library()


@register.filter
def display_url(url: str) -> str:
    """A canonical URL with its host in Unicode where that cannot deceive (punycode else)."""
    return _display_url(url or "")


@register.inclusion_tag("tips/_ownership.html")
def ownership_mark(thing, *, compact: bool = False) -> dict:
    site = owner_verification(thing.url, thing.owner_id) if thing.url else None
    return {"thing": thing, "site": site, "compact": compact}
