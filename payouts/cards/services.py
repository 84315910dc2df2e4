"""Saved cards and funding modes (docs/PRODUCT.md, "Funding").

- ``card_setup_start``: the reader accepted the consent text; a ``CardSetup`` (with the text
  and the time) is committed, the provider customer made (once, keyed by our row), then a
  Checkout session in setup mode is opened.
- ``card_saved``: the provider says the card was saved (Stripe's signed webhook or the
  return page's call to Stripe; the sandbox's page); the previous card is replaced.
- ``card_remove``; ``funding_mode_set``; ``auto_top_up_set``.
"""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from flattr_clone.money import format_cents
from payouts.cards.models import CardSetup, Charge, PaymentCustomer, SavedCard
from payouts.cards.providers import CardsUnavailable, card_provider_for, deployment_card_provider
from payouts.funding.models import FundingMode, ReaderFunding
from payouts.funding.selectors import budget_in_effect
from payouts.ledger.models import Account
from payouts.ledger.selectors import balance_cents


class FundingError(ValueError):
    """Refused; the message is for the reader and nothing changed."""


def consent_text() -> str:
    """What the reader agrees to when saving a card (kept with the date on the card)."""
    return _(
        "I authorise %(site)s to charge this card while I am away: after each month, the "
        "monthly budget I set when I pay after the month, and the automatic top-up amount I "
        "choose when my wallet runs low. I can change the amounts, remove the card or switch "
        "back to a prepaid wallet at any time on my wallet page."
    ) % {"site": settings.SITE_NAME}


def funding_of(user) -> ReaderFunding:
    """The reader's funding choice (a prepaid reader may have no row yet: one is made)."""
    funding = ReaderFunding.objects.filter(user=user).first()
    if funding is not None:
        return funding
    try:
        with transaction.atomic():
            return ReaderFunding.objects.create(user=user)
    except IntegrityError:
        return ReaderFunding.objects.get(user=user)


def card_in_use(user) -> SavedCard | None:
    return SavedCard.objects.filter(user=user, removed_at__isnull=True).first()


def customer_id_for(user, provider_name: str) -> str:
    """The reader's customer at the provider, made once with an idempotency key from our row
    (the row is committed before the provider is called)."""
    customer, _created = PaymentCustomer.objects.get_or_create(
        user=user, defaults={"provider": provider_name}
    )
    if customer.customer_id:
        return customer.customer_id
    customer_id = card_provider_for(provider_name).create_customer(customer)
    PaymentCustomer.objects.filter(pk=customer.pk, customer_id="").update(customer_id=customer_id)
    customer.refresh_from_db()
    return customer.customer_id


def card_setup_start(*, user, consent: bool) -> tuple[CardSetup, str]:
    """Open the provider's page where the reader saves a card; returns the setup and its URL.
    Refused (``FundingError``) without the consent; ``CardsUnavailable`` when the provider
    cannot be reached (the setup is marked failed, nothing else changed)."""
    if not consent:
        raise FundingError(
            _("Tick the box to accept that this card may be charged while you are away.")
        )
    provider = deployment_card_provider()
    setup = CardSetup.objects.create(
        user=user,
        provider=provider.name,
        consent_text=consent_text(),
        consented_at=timezone.now(),
    )
    return_url = settings.SITE_URL + reverse("payouts:card_return", args=[setup.pk])
    try:
        customer_id = customer_id_for(user, provider.name)
        session_id, url = provider.start_setup(
            setup, customer_id=customer_id, return_url=return_url
        )
    except CardsUnavailable as error:
        CardSetup.objects.filter(pk=setup.pk).update(
            status=CardSetup.Status.FAILED, failure_reason=str(error)[:255]
        )
        raise
    CardSetup.objects.filter(pk=setup.pk, session_id="").update(session_id=session_id)
    setup.refresh_from_db()
    return setup, url


@transaction.atomic
def card_saved(*, setup: CardSetup, card: dict) -> SavedCard:
    """Keep the card a completed setup saved (once per setup); it replaces the previous card."""
    setup = CardSetup.objects.select_for_update().get(pk=setup.pk)
    existing = SavedCard.objects.filter(setup=setup).first()
    if existing is not None:
        return existing
    now = timezone.now()
    previous = card_in_use(setup.user)
    if previous is not None:
        previous.removed_at = now
        previous.save(update_fields=["removed_at"])
    saved = SavedCard.objects.create(
        user=setup.user,
        provider=setup.provider,
        setup=setup,
        payment_method_id=card["id"],
        brand=card["brand"],
        last4=card["last4"],
        exp_month=card["exp_month"],
        exp_year=card["exp_year"],
        consent_text=setup.consent_text,
        consented_at=setup.consented_at,
        created_at=now,
    )
    setup.status = CardSetup.Status.COMPLETE
    setup.completed_at = now
    setup.save(update_fields=["status", "completed_at"])
    if previous is not None:
        old = previous
        transaction.on_commit(lambda: _detach_quietly(old))
    # Charges waiting for the next attempt now use the new card.
    Charge.objects.filter(user=setup.user, status=Charge.Status.PENDING).update(card=saved)
    return saved


def card_setup_check(setup: CardSetup) -> SavedCard | None:
    """Ask the provider whether the setup saved a card (the return page; the webhook path
    calls ``card_saved`` itself). Returns the saved card, if any."""
    existing = SavedCard.objects.filter(setup=setup).first()
    if existing is not None or setup.status != CardSetup.Status.OPEN or not setup.session_id:
        return existing
    card = card_provider_for(setup.provider).setup_card(setup)
    if card is None:
        return None
    return card_saved(setup=setup, card=card)


def _detach_quietly(card: SavedCard) -> None:
    # Removed on our side already: we never charge it again, whatever the provider says.
    with contextlib.suppress(CardsUnavailable):
        card_provider_for(card.provider).remove_card(card)


def card_remove(*, user) -> SavedCard | None:
    """Remove the reader's card. A reader who pays after the month goes back to prepaid;
    charges still open keep trying the card they were made with until they end."""
    card = card_in_use(user)
    if card is None:
        return None
    card_provider_for(card.provider).remove_card(card)
    with transaction.atomic():
        SavedCard.objects.filter(pk=card.pk).update(removed_at=timezone.now())
        funding = funding_of(user)
        funding.mode = FundingMode.PREPAID
        funding.auto_top_up_cents = 0
        funding.changed_at = timezone.now()
        funding.save(update_fields=["mode", "auto_top_up_cents", "changed_at"])
    return card


def pay_after_month_available() -> bool:
    return settings.PAY_AFTER_MONTH_ENABLED


def funding_mode_set(*, user, mode: str) -> ReaderFunding:
    """Switch between prepaid and pay after the month (docs/PRODUCT.md, Funding)."""
    funding = funding_of(user)
    if mode == funding.mode:
        return funding
    if mode == FundingMode.AFTER_MONTH:
        if not pay_after_month_available():
            raise FundingError(_("Paying after the month is not offered on this platform."))
        if card_in_use(user) is None:
            raise FundingError(_("Save a card first: it is charged after each month."))
        if balance_cents(user, Account.Kind.WALLET) > 0:
            raise FundingError(
                _(
                    "Your wallet still holds money. Spend it or take it out before you switch "
                    "to paying after the month."
                )
            )
        budget = budget_in_effect(user)
        minimum = settings.CHARGE_MINIMUM_CENTS
        if budget is None or budget.amount_cents < minimum:
            raise FundingError(
                _(
                    "When you pay after the month, the monthly budget starts at %(min)s. "
                    "Set it first."
                )
                % {"min": format_cents(minimum)}
            )
    elif mode != FundingMode.PREPAID:
        raise FundingError(_("Choose a prepaid wallet or paying after the month."))
    funding.mode = mode
    funding.changed_at = timezone.now()
    funding.moved_to_prepaid_at = None
    funding.save(update_fields=["mode", "changed_at", "moved_to_prepaid_at"])
    return funding


def auto_top_up_set(*, user, amount_cents: int) -> ReaderFunding:
    """Choose the automatic top-up amount (0 turns it off)."""
    from payouts.funding.topups import TopUpError, topup_validate_amount

    funding = funding_of(user)
    if amount_cents:
        if card_in_use(user) is None:
            raise FundingError(_("Save a card first: automatic top-ups are charged to it."))
        if funding.mode != FundingMode.PREPAID:
            raise FundingError(_("Automatic top-ups are for a prepaid wallet."))
        try:
            topup_validate_amount(amount_cents)
        except TopUpError as error:
            raise FundingError(str(error)) from error
    funding.auto_top_up_cents = amount_cents
    funding.save(update_fields=["auto_top_up_cents"])
    return funding


def pay_after_month_readers(user_ids) -> set[int]:
    """Of ``user_ids``, the readers who pay after the month (payday charges them)."""
    return set(
        ReaderFunding.objects.filter(
            user_id__in_array=user_ids, mode=FundingMode.AFTER_MONTH
        ).values_list("user_id", flat=True)
    )


def move_everyone_to_prepaid() -> int:
    """The operators switched paying after the month off: readers in it are moved back to
    prepaid (their pending charges still complete) and told on their wallet page."""
    return ReaderFunding.objects.filter(mode=FundingMode.AFTER_MONTH).update(
        mode=FundingMode.PREPAID, moved_to_prepaid_at=timezone.now(), changed_at=timezone.now()
    )
