"""The card of a thing: its title and click counts, as widgets and badges show them.

Cached per thing and month; clicks, revokes and edits forget it at once.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.db import transaction
from django.db.models import Count, Q

from flattr_clone.cache import safe_delete, safe_get, safe_set
from flattr_clone.months import format_month, month_of
from tips.sites.selectors import owner_verification
from tips.things.models import Thing

# Counts may lag an admin action (e.g. a suspension) by this long; clicks and
# revokes invalidate them at once.
CARD_TIMEOUT_SECONDS = 300


def card_key(thing_pk: int, month: dt.date) -> str:
    return f"tips:card2:{thing_pk}:{format_month(month)}"


def thing_card(thing_pk: int) -> dict | None:
    """What widgets and badges show: ``{"pk", "title", "retired", "total", "this_month",
    "verified"}``.

    Read through the cache (no query when warm); the month is in the key, so
    a new month starts from fresh counts. None when the thing does not exist.
    """
    month = month_of()
    key = card_key(thing_pk, month)
    card = safe_get(key)
    if card is not None:
        return card
    counted = Q(clicks__revoked_at__isnull=True)
    card = (
        Thing.objects.filter(pk=thing_pk)
        .annotate(
            total=Count("clicks", filter=counted),
            this_month=Count("clicks", filter=counted & Q(clicks__month=month)),
        )
        .values("pk", "title", "retired", "total", "this_month", "url", "owner_id")
        .first()
    )
    if card is None:
        return None
    # Whether its owner verified the site of its URL (docs/PRODUCT.md, Ownership).
    card["verified"] = owner_verification(card.pop("url"), card.pop("owner_id")) is not None
    safe_set(key, card, CARD_TIMEOUT_SECONDS)
    return card


def forget_thing_card(thing_pk: int) -> None:
    """Drop the cached counts of a thing now and again once the transaction commits.

    Deleting after commit stops a reader who refilled the cache meanwhile from
    keeping the old counts; deleting now keeps the current request consistent.
    """
    key = card_key(thing_pk, month_of())
    safe_delete(key)
    transaction.on_commit(partial(safe_delete, key))
