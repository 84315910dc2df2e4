"""What the wallet page shows of saved cards and charges, and the notice on every page when
a charge waits for the reader."""

from __future__ import annotations

from django.conf import settings

from payouts.cards.selectors import card_works, charges_needing_action, reader_charges
from payouts.cards.services import card_in_use, consent_text, funding_of
from payouts.funding.models import FundingMode


def wallet_card_context(user) -> dict:
    funding = funding_of(user)
    card = card_in_use(user)
    return {
        "funding": funding,
        "pays_after_month": funding.mode == FundingMode.AFTER_MONTH,
        "pay_after_month_offered": settings.PAY_AFTER_MONTH_ENABLED,
        "card": card,
        "card_works": card is not None and card_works(user),
        "consent_text": consent_text(),
        "charges": list(reader_charges(user)[:6]),
        "charge_minimum_cents": settings.CHARGE_MINIMUM_CENTS,
        "auto_top_up_choices": settings.TOP_UP_PRESETS_CENTS,
    }


def charge_notices(request) -> dict:
    """Context processor: the charges the signed-in reader must pay from the link."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    waiting = list(charges_needing_action(user)[:3])
    return {"charge_notices": [(charge, "") for charge in waiting]}
