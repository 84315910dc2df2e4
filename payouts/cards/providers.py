"""Saved cards at the payment provider: Stripe, or the offline sandbox of the demo.

Like ``payouts.providers``: these classes talk to the provider and never touch the ledger.
The sandbox offers test cards that succeed, decline, or require authentication
(``SANDBOX_CARDS``), so the demo goes through every path of a real card.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payouts.providers import Provider
from payouts.stripe_gateway import StripeNotConfigured
from payouts.stripe_gateway import cards as stripe_cards
from payouts.stripe_gateway.cards import CardsUnavailable, PaymentOutcome

if TYPE_CHECKING:
    from payouts.cards.models import CardSetup, ChargeAttempt, PaymentCustomer, SavedCard

__all__ = ["SANDBOX_CARDS", "CardsUnavailable", "PaymentOutcome", "card_provider_for"]


# The sandbox's test cards (Stripe's own test numbers): number -> (what happens, label).
SANDBOX_CARDS = {
    "4242424242424242": ("succeeded", _("Always succeeds")),
    "4000000000000002": ("declined", _("Always declined")),
    "4000000000009995": ("insufficient_funds", _("Declined: insufficient funds")),
    "4000002760003184": ("requires_action", _("The bank asks for authentication")),
}


def metadata_of(attempt: ChargeAttempt) -> dict:
    return {
        "charge": str(attempt.charge_id),
        "attempt": attempt.idempotency_key,
        "user": str(attempt.charge.user_id),
    }


class StripeCards:
    name = Provider.STRIPE

    @staticmethod
    def _call(function, **kwargs):
        try:
            return function(**kwargs)
        except StripeNotConfigured as error:
            raise CardsUnavailable(str(error)) from error

    def create_customer(self, customer: PaymentCustomer) -> str:
        return self._call(
            stripe_cards.create_customer,
            email=customer.user.email,
            user_id=customer.user_id,
            idempotency_key=customer.idempotency_key,
        )

    def start_setup(
        self, setup: CardSetup, *, customer_id: str, return_url: str
    ) -> tuple[str, str]:
        session = self._call(
            stripe_cards.create_setup_session,
            customer_id=customer_id,
            setup_id=setup.pk,
            currency=settings.PLATFORM_CURRENCY,
            success_url=f"{return_url}?session_id={{CHECKOUT_SESSION_ID}}",
            cancel_url=return_url,
            idempotency_key=f"{setup.idempotency_key}:checkout",
        )
        return session["id"], session["url"]

    def setup_card(self, setup: CardSetup) -> dict | None:
        return self._call(stripe_cards.setup_session_card, session_id=setup.session_id)

    def remove_card(self, card: SavedCard) -> None:
        self._call(stripe_cards.detach_payment_method, payment_method_id=card.payment_method_id)

    def charge(self, attempt: ChargeAttempt, *, customer_id: str) -> PaymentOutcome:
        charge = attempt.charge
        return self._call(
            stripe_cards.charge_off_session,
            amount_cents=charge.amount_cents,
            currency=charge.currency,
            customer_id=customer_id,
            payment_method_id=charge.card.payment_method_id,
            metadata=metadata_of(attempt),
            description=str(charge.get_kind_display()),
            idempotency_key=attempt.idempotency_key,
        )

    def find(self, attempt: ChargeAttempt, *, customer_id: str) -> PaymentOutcome | None:
        if attempt.payment_intent_id:
            return self._call(
                stripe_cards.retrieve_payment, payment_intent_id=attempt.payment_intent_id
            )
        return self._call(
            stripe_cards.find_payment, customer_id=customer_id, attempt_key=attempt.idempotency_key
        )

    def cancel(self, attempt: ChargeAttempt) -> PaymentOutcome:
        return self._call(stripe_cards.cancel_payment, payment_intent_id=attempt.payment_intent_id)

    def start_checkout(
        self, attempt: ChargeAttempt, *, customer_id: str, return_url: str
    ) -> tuple[str, str]:
        charge = attempt.charge
        session = self._call(
            stripe_cards.create_payment_session,
            customer_id=customer_id,
            amount_cents=charge.amount_cents,
            currency=charge.currency,
            product_name=str(charge.get_kind_display()),
            metadata=metadata_of(attempt),
            success_url=return_url,
            cancel_url=return_url,
            idempotency_key=f"{attempt.idempotency_key}:checkout",
        )
        return session["id"], session["url"]

    def refund(self, *, payment_id: str, idempotency_key: str) -> str:
        return self._call(
            stripe_cards.refund_payment,
            payment_intent_id=payment_id,
            idempotency_key=idempotency_key,
        )


class SandboxCards:
    """The demo's cards: the reader picks a test card on the platform's own setup page;
    payments answer as that card says, with no real money, and only while the sandbox is on."""

    name = Provider.SANDBOX

    @staticmethod
    def _on() -> None:
        if not settings.PAYMENTS_SANDBOX:
            raise CardsUnavailable("the payment sandbox is off")

    def create_customer(self, customer: PaymentCustomer) -> str:
        self._on()
        return f"sbx_cus_{customer.pk}"

    def start_setup(
        self, setup: CardSetup, *, customer_id: str, return_url: str
    ) -> tuple[str, str]:
        self._on()
        session_id = f"sbx_setup_{secrets.token_urlsafe(18)}"
        return session_id, reverse("payouts:card_sandbox", args=[session_id])

    def setup_card(self, setup: CardSetup) -> dict | None:
        return None  # the sandbox page saves the card itself (cards.services.card_saved)

    @staticmethod
    def card_details(number: str) -> dict:
        return {
            "id": f"sbx_pm_{number}",
            "brand": "visa",
            "last4": number[-4:],
            "exp_month": 12,
            "exp_year": timezone.now().year + 3,
        }

    def remove_card(self, card: SavedCard) -> None:
        return None

    def charge(self, attempt: ChargeAttempt, *, customer_id: str) -> PaymentOutcome:
        self._on()
        number = attempt.charge.card.payment_method_id.removeprefix("sbx_pm_")
        behaviour = SANDBOX_CARDS.get(number, ("declined", ""))[0]
        payment_id = f"sbx_pi_{attempt.pk}"
        if behaviour == "succeeded":
            return PaymentOutcome("succeeded", payment_id)
        if behaviour == "requires_action":
            return PaymentOutcome("requires_action", payment_id, "authentication_required")
        code = "insufficient_funds" if behaviour == "insufficient_funds" else "card_declined"
        return PaymentOutcome("declined", payment_id, code, "test card declined")

    def find(self, attempt: ChargeAttempt, *, customer_id: str) -> PaymentOutcome | None:
        # The sandbox answers at once; an attempt without an answer never reached it.
        return None

    def cancel(self, attempt: ChargeAttempt) -> PaymentOutcome:
        return PaymentOutcome("canceled", attempt.payment_intent_id)

    def start_checkout(
        self, attempt: ChargeAttempt, *, customer_id: str, return_url: str
    ) -> tuple[str, str]:
        self._on()
        session_id = f"sbx_pay_{secrets.token_urlsafe(18)}"
        return session_id, reverse("payouts:charge_sandbox", args=[session_id])

    def refund(self, *, payment_id: str, idempotency_key: str) -> str:
        return f"sbx_re_{payment_id}"


def card_provider_for(name: str) -> StripeCards | SandboxCards:
    if name == Provider.STRIPE:
        return StripeCards()
    if name == Provider.SANDBOX:
        return SandboxCards()
    raise ValueError(f"unknown payment provider {name!r}")


def deployment_card_provider() -> StripeCards | SandboxCards:
    return card_provider_for(Provider.SANDBOX if settings.PAYMENTS_SANDBOX else Provider.STRIPE)
