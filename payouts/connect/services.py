"""Creators' payment accounts: Stripe Connect onboarding (or the demo sandbox), kept in sync.

Services (writes) and the selectors the "Get paid" page needs. The creator never
handles API keys: the platform creates a connected account for them and sends
them to Stripe's hosted onboarding; Stripe tells us through ``account.updated``
webhooks (and the return page) when the account can receive transfers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payouts.connect.models import PaymentAccount
from payouts.providers import Provider
from payouts.stripe_gateway import connect as stripe_connect

logger = logging.getLogger(__name__)


NOT_STARTED = "not_started"


class ConnectError(Exception):
    """Onboarding cannot proceed; the message is safe to show to the creator."""


# --- Selectors ------------------------------------------------------------------


def payment_account_of(user) -> PaymentAccount | None:
    return PaymentAccount.objects.filter(user=user).first()


def get_paid_state(user) -> str:
    """``not_started`` or one of ``PaymentAccount.Status``, as the creator should see it."""
    account = payment_account_of(user)
    if account is None:
        return NOT_STARTED
    if account.provider == Provider.SANDBOX and not settings.PAYMENTS_SANDBOX:
        # A demo account means nothing once real payments are configured.
        return NOT_STARTED
    if account.provider == Provider.STRIPE and not account.provider_account_id:
        return NOT_STARTED
    return account.status


def payout_account_ready(user) -> bool:
    """The creator's payment account can receive money."""
    return get_paid_state(user) == PaymentAccount.Status.READY


def stripe_account_of(*, provider_account_id: str) -> PaymentAccount | None:
    """The payment account of a Stripe connected account id (``acct_...``), if it is ours."""
    if not provider_account_id:
        # Accounts still being created at Stripe have no id yet; none of them is meant.
        return None
    return PaymentAccount.objects.filter(
        provider=Provider.STRIPE, provider_account_id=provider_account_id
    ).first()


def stripe_available() -> bool:
    return bool(settings.STRIPE_SECRET_KEY) and not settings.PAYMENTS_SANDBOX


# --- Services --------------------------------------------------------------------


def connect_start(*, user, refresh_url: str, return_url: str) -> str:
    """Create the creator's connected account if needed and return the onboarding URL.

    The row is written before Stripe is called, and the account is created with an
    idempotency key derived from it, so a double click or a retry after a timeout
    never creates two accounts for one creator.
    """
    if not stripe_available():
        raise ConnectError(_("Payouts through Stripe are not configured on this platform."))
    account = _stripe_account_row(user)
    if not account.provider_account_id:
        try:
            created = stripe_connect.create_account(
                email=user.email,
                reference=f"user:{user.pk}",
                idempotency_key=f"connect-account-{account.pk}",
            )
        except (stripe_connect.TransientError, stripe_connect.RefusedError) as error:
            logger.warning("creating a connected account for user %s failed: %s", user.pk, error)
            raise ConnectError(_("Stripe could not be reached. Please try again.")) from error
        # Compare-and-swap: a concurrent request that stored the id first wins; it is
        # the same account, since both used the same idempotency key.
        PaymentAccount.objects.filter(pk=account.pk, provider_account_id="").update(
            provider_account_id=created["id"], updated_at=timezone.now()
        )
        account.refresh_from_db()
        connect_state_apply(
            account=account, state=stripe_connect.account_state(created), at=timezone.now()
        )
    try:
        return stripe_connect.create_onboarding_link(
            account_id=account.provider_account_id,
            refresh_url=refresh_url,
            return_url=return_url,
        )
    except (stripe_connect.TransientError, stripe_connect.RefusedError) as error:
        logger.warning("creating an account link for user %s failed: %s", user.pk, error)
        raise ConnectError(_("Stripe could not be reached. Please try again.")) from error


def _stripe_account_row(user) -> PaymentAccount:
    with transaction.atomic():
        account = PaymentAccount.objects.select_for_update().filter(user=user).first()
        if account is None:
            try:
                with transaction.atomic():
                    return PaymentAccount.objects.create(user=user, provider=Provider.STRIPE)
            except IntegrityError:
                account = PaymentAccount.objects.select_for_update().get(user=user)
        if account.provider == Provider.SANDBOX:
            # Leaving the demo: start over with a real connected account.
            account.provider = Provider.STRIPE
            account.provider_account_id = ""
            account.status = PaymentAccount.Status.INFORMATION_NEEDED
            account.details_submitted = False
            account.synced_at = None
            account.save()
        return account


def connect_dashboard_link(*, user) -> str:
    """A login link to the creator's Express dashboard (payout schedule, bank details)."""
    account = payment_account_of(user)
    if (
        account is None
        or account.provider != Provider.STRIPE
        or not account.provider_account_id
        or not stripe_available()
    ):
        raise ConnectError(_("You have no Stripe account yet."))
    try:
        return stripe_connect.create_dashboard_link(account_id=account.provider_account_id)
    except (stripe_connect.TransientError, stripe_connect.RefusedError) as error:
        raise ConnectError(_("Stripe could not open your dashboard. Please try again.")) from error


def connect_refresh(*, user) -> PaymentAccount | None:
    """Ask Stripe for the account's current state (on return from onboarding)."""
    account = payment_account_of(user)
    if account is None or account.provider != Provider.STRIPE or not account.provider_account_id:
        return account
    at = timezone.now()
    try:
        remote = stripe_connect.retrieve_account(account.provider_account_id)
    except (stripe_connect.TransientError, stripe_connect.RefusedError) as error:
        # The webhook will bring the state; the page shows what we know.
        logger.warning("refreshing connected account %s failed: %s", account.pk, error)
        return account
    connect_state_apply(account=account, state=stripe_connect.account_state(remote), at=at)
    account.refresh_from_db()
    return account


def connect_sandbox(*, user) -> PaymentAccount:
    """The demo: a sandbox payment account that is ready at once. Refused outside the demo."""
    if not settings.PAYMENTS_SANDBOX:
        raise ConnectError(_("The offline sandbox is not available on this platform."))
    with transaction.atomic():
        account = PaymentAccount.objects.select_for_update().filter(user=user).first()
        if account is None:
            account = PaymentAccount(user=user)
        account.provider = Provider.SANDBOX
        account.provider_account_id = f"sandbox_{user.pk}"
        account.status = PaymentAccount.Status.READY
        account.details_submitted = True
        account.disabled_reason = ""
        account.requirements_due = []
        account.synced_at = timezone.now()
        account.save()
    return account


def connect_flag_clear(*, account: PaymentAccount) -> bool:
    """An operator has looked at the failures: payouts to this creator may resume."""
    return bool(
        PaymentAccount.objects.filter(pk=account.pk, payouts_flagged_at__isnull=False).update(
            payouts_flagged_at=None,
            flag_reason="",
            consecutive_failures=0,
            reviewed_at=timezone.now(),
            updated_at=timezone.now(),
        )
    )


def connect_state_apply(
    *, account: PaymentAccount, state: stripe_connect.AccountState, at: dt.datetime
) -> bool:
    """Store the connected account's state read at ``at``, unless a newer one was stored already.

    Stripe stamps events to the second, so times are compared to the second; an event
    of the same second as our last read is applied (it is at least as recent).
    Returns whether the state was stored.
    """
    at = at.replace(microsecond=0)
    updated = (
        PaymentAccount.objects.filter(pk=account.pk)
        .filter(Q(synced_at__isnull=True) | Q(synced_at__lte=at))
        .update(**dataclasses.asdict(state), synced_at=at, updated_at=timezone.now())
    )
    return bool(updated)


def connect_deauthorize(*, provider_account_id: str, at: dt.datetime) -> bool:
    """The creator disconnected their Stripe account from the platform (at ``at``): it can
    no longer receive payouts. Returns False when no account of ours has this id, or when a
    newer state was stored already."""
    if not provider_account_id:
        return False
    updated = (
        PaymentAccount.objects.filter(
            provider=Provider.STRIPE, provider_account_id=provider_account_id
        )
        .filter(Q(synced_at__isnull=True) | Q(synced_at__lte=at))
        .update(
            status=PaymentAccount.Status.RESTRICTED,
            disabled_reason="deauthorized",
            synced_at=at,
            updated_at=timezone.now(),
        )
    )
    return bool(updated)
