"""Building blocks for saved-card tests: cards saved the way a reader saves them (the Checkout
setup session at the fake Stripe, or the sandbox's test-card page), and readers who pay after
the month."""

from __future__ import annotations

from payouts.cards.models import Charge, SavedCard
from payouts.cards.providers import SandboxCards
from payouts.cards.services import card_saved, card_setup_start, funding_mode_set
from tests.fake_stripe.cards import complete_setup
from tests.fake_stripe.checkout import deliver, event
from tests.tips.payday.helpers import set_budget


def save_stripe_card(client, fake, user, number: str = "4242424242424242") -> SavedCard:
    """Consent, Stripe's setup page with test card ``number``, then the signed webhook."""
    setup, _url = card_setup_start(user=user, consent=True)
    session = complete_setup(fake, setup.session_id, number)
    response = deliver(client, event(fake, "checkout.session.completed", session))
    assert response.status_code == 200, response.content
    return SavedCard.objects.get(setup=setup)


def save_sandbox_card(user, number: str = "4242424242424242") -> SavedCard:
    setup, _url = card_setup_start(user=user, consent=True)
    return card_saved(setup=setup, card=SandboxCards.card_details(number))


def pay_after_month(user, budget_cents: int = 1000) -> None:
    """Budget from the start of the test month (payday's MONTH), then the switch."""
    set_budget(user, budget_cents)
    funding_mode_set(user=user, mode="after_month")


def month_charge(user) -> Charge:
    return Charge.objects.get(user=user, kind=Charge.Kind.MONTH)


def intent_event(fake, charge_or_pi, event_type: str = "payment_intent.succeeded"):
    intent = fake.get("payment_intents", charge_or_pi)
    return event(fake, event_type, dict(intent))
