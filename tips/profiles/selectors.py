"""Reads for public profiles."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from flattr_clone.months import month_of, previous_month
from tips.clicks.models import Click
from tips.things.models import Thing


def supporters_last_month(creator) -> int:
    """Readers who flattred anything of the creator's last month (revoked clicks left out)."""
    return (
        Click.objects.filter(
            creator=creator, month=previous_month(month_of()), revoked_at__isnull=True
        )
        .values("reader")
        .distinct()
        .count()
    )


def profile_things(creator, *, limit: int | None = None) -> QuerySet:
    """The creator's visible things (not the profile itself) with their counts."""
    month = month_of()
    active = Q(clicks__revoked_at__isnull=True)
    things = (
        Thing.objects.filter(
            owner=creator, hidden=False, retired=False, is_profile=False, awaiting_owner=False
        )
        .annotate(
            total_clicks=Count("clicks", filter=active),
            month_clicks=Count("clicks", filter=active & Q(clicks__month=month)),
        )
        .order_by("-created_at", "-id")
    )
    return things[:limit] if limit else things
