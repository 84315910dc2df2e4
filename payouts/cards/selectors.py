"""Reads about saved cards and charges: the reader's card and mode, whether their card works,
charges waiting for them, and what creators see of money not collected."""

from __future__ import annotations

from django.db.models import QuerySet

from payouts.cards.models import Charge, SavedCard


def card_works(user) -> bool:
    """A card in use, and no month charge that finally failed since it was saved."""
    card = SavedCard.objects.filter(user=user, removed_at__isnull=True).first()
    if card is None:
        return False
    return not Charge.objects.filter(
        user=user,
        kind=Charge.Kind.MONTH,
        status=Charge.Status.FAILED,
        finished_at__gte=card.created_at,
    ).exists()


def charges_needing_action(user) -> QuerySet[Charge]:
    """Charges the reader must pay themselves (their bank asked for authentication)."""
    return Charge.objects.filter(user=user, status=Charge.Status.NEEDS_ACTION).order_by(
        "created_at"
    )


def reader_charges(user) -> QuerySet[Charge]:
    return Charge.objects.filter(user=user).select_related("card").order_by("-created_at", "-id")


def not_collected_by_creator(creator_pk: int) -> dict:
    """Money a creator was due from charges still pending or not collected, by month:
    ``{month: {"pending": cents, "not_collected": cents}}``."""
    found: dict = {}
    charges = Charge.objects.filter(
        kind=Charge.Kind.MONTH, status__in=[*Charge.OPEN_STATUSES, Charge.Status.FAILED]
    ).only("month", "status", "split")
    for charge in charges.iterator():
        for pk, cents, _key in (charge.split or {}).get("shares", []):
            if pk == creator_pk:
                state = "not_collected" if charge.status == Charge.Status.FAILED else "pending"
                row = found.setdefault(charge.month, {"pending": 0, "not_collected": 0})
                row[state] += cents
    return found
