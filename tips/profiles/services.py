"""The creator as a thing: the profile's own thing, made the first time it is needed."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.profiles.bios import bio_text
from tips.things.canonical import canonical_url
from tips.things.models import Category, Thing


def profile_url(creator) -> str:
    return canonical_url(
        settings.SITE_URL + reverse("tips:profile", kwargs={"handle": creator.handle})
    )


def profile_thing(creator) -> Thing:
    """The creator's profile thing (created once, race-safe): flattring it flattrs them."""
    existing = Thing.objects.filter(owner=creator, is_profile=True).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Thing.objects.create(
                owner=creator,
                is_profile=True,
                category=Category.PEOPLE,
                url=profile_url(creator),
                title=creator.name[:200],
                description=bio_text(creator.bio, limit=500),
            )
    except IntegrityError:
        # Made at the same moment by another request.
        return Thing.objects.get(owner=creator, is_profile=True)
