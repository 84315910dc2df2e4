"""Reads for things: a creator's things with their counts, public profiles."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from flattr_clone.months import month_of
from tips.things.models import Thing


def _with_counts(things: QuerySet, month: dt.date) -> QuerySet:
    active = Q(clicks__revoked_at__isnull=True)
    return things.annotate(
        total_clicks=Count("clicks", filter=active),
        month_clicks=Count("clicks", filter=active & Q(clicks__month=month)),
    )


def creator_things(creator) -> QuerySet:
    """All of a creator's things, hidden and retired ones included, with their counts."""
    return _with_counts(Thing.objects.filter(owner=creator), month_of())


def profile_things(creator) -> QuerySet:
    """A creator's visible things, for their public profile: not the hidden or retired ones,
    nor those a reader's click created that the creator has not accepted (docs/PRODUCT.md,
    Ownership)."""
    things = Thing.objects.filter(owner=creator, hidden=False, retired=False, awaiting_owner=False)
    return _with_counts(things, month_of())


def public_creator(handle: str):
    """The active user with this handle (case-insensitive), or None."""
    return get_user_model().objects.filter(handle__iexact=handle, is_active=True).first()


def is_first_thing(*, owner) -> bool:
    """``owner`` has exactly one thing: the one just registered."""
    return Thing.objects.filter(owner=owner).count() == 1
