"""Reads of verified sites: who holds the site covering a URL."""

from __future__ import annotations

from tips.sites.addresses import prefix_covers, url_host_and_path
from tips.sites.models import Site

VERIFIED_STATUSES = (Site.Status.VERIFIED, Site.Status.FAILING)


def covering_site(canonical: str) -> Site | None:
    """The verified site covering this canonical URL (the longest prefix wins), or None."""
    host, path = url_host_and_path(canonical)
    candidates = [
        site
        for site in Site.objects.filter(host=host, status__in=VERIFIED_STATUSES).select_related(
            "owner"
        )
        if prefix_covers(site.path_prefix, path)
    ]
    return max(candidates, key=lambda site: len(site.path_prefix), default=None)


def verified_by_someone_else(canonical: str, creator) -> Site | None:
    """The verified site of another creator covering this URL, or None."""
    site = covering_site(canonical)
    if site is not None and site.owner_id != getattr(creator, "pk", None):
        return site
    return None


def owner_verification(canonical: str, owner_id: int) -> Site | None:
    """The site its owner verified that covers this URL, or None (the thing is unverified)."""
    site = covering_site(canonical)
    return site if site is not None and site.owner_id == owner_id else None


def creator_sites(creator):
    return Site.objects.filter(owner=creator).order_by("host", "path_prefix")


def verified_sites(creator):
    return creator_sites(creator).filter(status__in=VERIFIED_STATUSES)
