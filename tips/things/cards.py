"""The card of a thing: its title and click counts, as widgets and badges show them.

Cached per thing and month; clicks, revokes and edits forget it at once.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q

from flattr_clone.cache import safe_delete_many, safe_get, safe_set
from flattr_clone.months import format_month, month_of
from tips.sites.selectors import owner_verification
from tips.things.models import Thing

# Counts may lag an admin action (e.g. a suspension) by this long; clicks and
# revokes invalidate them at once.
CARD_TIMEOUT_SECONDS = 300


def card_key(thing_pk: int, month: dt.date) -> str:
    return f"tips:card2:{thing_pk}:{format_month(month)}"


# The ready-made answers built from the card and forgotten with it, one per kind and
# language: the embeds (tips.embeds.representations) and the thing page as a visitor with no
# session sees it (tips.embeds.views.thing_detail).
EMBED_KINDS = ("badge", "widget", "page")


def embed_key(kind: str, thing_pk: int, language: str, month: dt.date) -> str:
    return f"tips:embed:{kind}:{thing_pk}:{language}:{format_month(month)}"


def _keys_of(thing_pk: int, month: dt.date) -> list[str]:
    return [card_key(thing_pk, month)] + [
        embed_key(kind, thing_pk, code, month)
        for kind in EMBED_KINDS
        for code, _name in settings.LANGUAGES
    ]


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
    """Drop the cached counts of a thing (and the embeds' answers built on them) now and
    again once the transaction commits.

    Deleting after commit stops a reader who refilled the cache meanwhile from
    keeping the old counts; deleting now keeps the current request consistent. Called
    outside a transaction, the write it follows is committed already: one delete.
    """
    keys = _keys_of(thing_pk, month_of())
    safe_delete_many(keys)
    if transaction.get_connection().in_atomic_block:
        # Outside a transaction (a click is one INSERT) the write is already committed: the
        # delete above was that moment, and a second one would be a wasted round trip.
        transaction.on_commit(partial(safe_delete_many, keys))
