"""Closing an account (PRODUCT.md, "Leaving"), step by step; every cent ends in one place.

``account_close`` revokes the current month's clicks and cancels subscriptions, then either
waits (an ended month with the reader's clicks has no finished payday: the request is kept and
``finish_waiting_closings`` completes it after that payday) or finishes at once:
things retired, available earnings paid out where possible, the whole wallet withdrawn,
the confirmation sent, then personal data erased in every table. The ledger is never touched
except by the payout and the withdrawal, which are ordinary ledger movements.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import Avatar, DataExport, RetiredHandle, User, handle_digest
from flattr_clone.months import month_of
from payouts.batches.models import Payout, PayoutBatch
from payouts.batches.services import batch_settle, payout_create, payout_send
from payouts.funding.models import TopUp
from payouts.funding.topups import topup_cancel
from payouts.ledger.services import earnings_of
from payouts.providers import TopUpUnavailable, TransientError
from payouts.webhooks.models import ProviderEvent
from payouts.withdrawals.models import Withdrawal
from payouts.withdrawals.services import (
    WithdrawalError,
    WithdrawalTransientError,
    withdrawable,
    withdrawal_send,
    withdrawal_start,
)
from tips.clicks.models import Click
from tips.feeds.models import Feed
from tips.leaving.selectors import months_waiting_for_payday
from tips.subscriptions.models import Subscription
from tips.things.cards import forget_thing_card
from tips.things.models import Thing

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class Closing:
    """What a closing did, for the page and the confirmation e-mail."""

    status: str  # "waiting" or "closed"
    waiting_for: list = dataclasses.field(default_factory=list)
    refunded_cents: int = 0
    refund_refused_cents: int = 0
    paid_out_cents: int = 0
    earnings_kept_cents: int = 0


def _revoke_and_cancel(user: User, now) -> None:
    month = month_of(now)
    thing_ids = list(
        Click.objects.filter(reader=user, month=month, revoked_at__isnull=True).values_list(
            "thing_id", flat=True
        )
    )
    Click.objects.filter(reader=user, month=month, revoked_at__isnull=True).update(revoked_at=now)
    for thing_id in thing_ids:
        forget_thing_card(thing_id)
    Subscription.objects.filter(reader=user, status__in=Subscription.OPEN).update(
        status=Subscription.Status.CANCELLED, cancelled_at=now
    )


def account_close(*, user: User, now=None) -> Closing:
    """Close ``user``'s account, or start waiting for a payday first (see the module)."""
    now = now or timezone.now()
    if user.closed_at is not None:
        return Closing(status="closed")
    _revoke_and_cancel(user, now)
    waiting = months_waiting_for_payday(user, now=now)
    if waiting:
        if user.closing_requested_at is None:
            User.objects.filter(pk=user.pk).update(closing_requested_at=now)
            user.closing_requested_at = now
        return Closing(status="waiting", waiting_for=waiting)
    return _finish(user, now)


def finish_waiting_closings(*, now=None) -> int:
    """Finish the closings that waited for a payday which has now run; returns how many."""
    finished = 0
    for user in User.objects.filter(closing_requested_at__isnull=False, closed_at__isnull=True):
        if account_close(user=user, now=now).status == "closed":
            finished += 1
    return finished


def _pay_out_earnings(user: User) -> tuple[int, int]:
    """(paid, kept): the available earnings paid out now where possible, else kept."""
    earnings = earnings_of(user)
    earnings.refresh_from_db(fields=["balance_cents"])
    if not earnings.balance_cents:
        return 0, 0
    batch = PayoutBatch.objects.create(trigger=f"closing:{user.pk}")
    payout = payout_create(batch=batch, user=user, any_amount=True)
    paid = 0
    if payout is not None:
        try:
            if payout_send(payout_id=payout.pk) == Payout.Status.PAID:
                paid = payout.amount_cents
        except Exception as error:  # noqa: BLE001 - an unknown outcome stays in transit
            logger.warning("closing %s: payout %s not sent yet: %s", user.pk, payout.pk, error)
    batch_settle(batch_id=batch.pk)
    if payout is None:
        PayoutBatch.objects.filter(pk=batch.pk, payouts__isnull=True).delete()
    earnings.refresh_from_db(fields=["balance_cents"])
    return paid, earnings.balance_cents


def _withdraw_all(user: User) -> tuple[int, int]:
    """(refunded, refused): the whole wallet back to the cards, nothing reserved."""
    amount = withdrawable(user, reserved_cents=0).amount_cents
    if not amount:
        return 0, 0
    try:
        withdrawal = withdrawal_start(
            user=user, amount_cents=amount, reserved_cents=0, reason=Withdrawal.Reason.CLOSING
        )
    except WithdrawalError:
        return 0, 0  # a closing running at the same moment took it first (the wallet is locked)
    try:
        withdrawal = withdrawal_send(withdrawal_id=withdrawal.pk)
    except (WithdrawalTransientError, TransientError):
        # Asked again by the beat task with the same keys; counted as on its way.
        withdrawal = Withdrawal.objects.get(pk=withdrawal.pk)
    returned = withdrawal.returned_cents
    return amount - returned, returned


def _close_open_top_ups(user: User) -> None:
    """Close the payment pages of unpaid top-ups, so nothing is paid into a closed wallet. One
    the provider cannot close now expires by itself; if it was paid meanwhile, the money is in
    the wallet and is withdrawn with the rest."""
    for topup in TopUp.objects.filter(
        user=user, status__in=[TopUp.Status.CREATED, TopUp.Status.PENDING]
    ):
        try:
            topup_cancel(user=user, topup_id=topup.pk)
        except TopUpUnavailable as error:
            logger.warning("closing %s: top-up %s left to expire: %s", user.pk, topup.pk, error)


def _finish(user: User, now) -> Closing:
    _revoke_and_cancel(user, now)
    _close_open_top_ups(user)
    # Retired as its owner retires it (the date kept on a thing retired before stays).
    Thing.objects.filter(owner=user, retired=False).update(
        retired=True, retired_at=now, updated_at=now
    )
    paid, kept = _pay_out_earnings(user)
    refunded, refused = _withdraw_all(user)
    closing = Closing(
        status="closed",
        refunded_cents=refunded,
        refund_refused_cents=refused,
        paid_out_cents=paid,
        earnings_kept_cents=kept,
    )
    _send_confirmation(user, closing)
    erase_personal_data(user=user, now=now)
    return closing


def _send_confirmation(user: User, closing: Closing) -> None:
    if not user.email:
        return
    context = {
        "user": user,
        "closing": closing,
        "SITE_NAME": settings.SITE_NAME,
        "CONTACT_EMAIL": settings.CONTACT_EMAIL,
        "keep_days": settings.CLOSED_EARNINGS_KEEP_DAYS,
    }
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = render_to_string("leaving/emails/closed_subject.txt", context).strip()
        body = render_to_string("leaving/emails/closed.txt", context)
    EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body=body, to=[user.email]
    ).send()


# --- Erasing ---------------------------------------------------------------------------

# Keys of provider payloads that describe a person (Stripe's names for them).
_PERSONAL_KEYS = {
    "customer_email",
    "customer_details",
    "billing_details",
    "shipping",
    "shipping_details",
    "receipt_email",
    "email",
    "name",
    "phone",
    "address",
}


def _scrub(value, needles: list[str]):
    if isinstance(value, dict):
        return {k: (None if k in _PERSONAL_KEYS else _scrub(v, needles)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, needles) for v in value]
    if isinstance(value, str) and any(n.lower() in value.lower() for n in needles):
        return ""
    return value


@transaction.atomic
def erase_personal_data(*, user: User, now=None) -> None:
    """Erase or anonymise ``user``'s personal data in every table; the ledger keeps amounts
    and keys, the user row stays (``closed-<id>``) so every record still points somewhere."""
    now = now or timezone.now()
    old = {"email": user.email, "handle": user.handle, "display_name": user.display_name}
    RetiredHandle.objects.get_or_create(digest=handle_digest(user.handle))
    placeholder = f"{User.CLOSED_PREFIX}{user.pk}"
    user.emailaddress_set.all().delete()
    apps.get_model("mfa", "Authenticator").objects.filter(user=user).delete()
    DataExport.objects.filter(user=user).delete()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for session in Session.objects.filter(expire_date__gt=now):
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            # Through the session engine, whatever it keeps besides the row.
            store(session.session_key).delete()
    user.email = f"closed-{user.pk}@closed.invalid"
    user.handle = placeholder
    user.display_name = ""
    # The public profile (issue 17): bio, links, avatar; the feeds it registered things from.
    user.bio = ""
    user.links = []
    Avatar.objects.filter(user=user).delete()
    Feed.objects.filter(owner=user).delete()
    # The API (issue 16): personal access tokens, webhooks, OAuth grants, tokens and the
    # applications the user registered. Looked up by label: the api app sits above tips.
    for label in ("api.PersonalAccessToken", "api.WebhookEndpoint"):
        apps.get_model(label).objects.filter(user=user).delete()
    for label in (
        "oauth2_provider.AccessToken",
        "oauth2_provider.RefreshToken",
        "oauth2_provider.Grant",
        "oauth2_provider.IDToken",
        "oauth2_provider.Application",
    ):
        apps.get_model(label).objects.filter(user=user).delete()
    user.set_unusable_password()
    user.language = ""
    user.monthly_emails = user.payout_emails = user.news_emails = False
    user.suspension_reason = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    user.closed_at = now
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    Thing.objects.filter(owner=user).update(
        title="", description="", tags="", image="", retired=True
    )
    for thing_id in Thing.objects.filter(owner=user).values_list("pk", flat=True):
        forget_thing_card(thing_id)
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(object_repr=placeholder)
    needles = [v for v in old.values() if v and len(v) >= 2]
    for event in ProviderEvent.objects.filter(top_up__user=user):
        event.payload = _scrub(event.payload, needles)
        event.save(update_fields=["payload"])
    _replace_everywhere(old, placeholder=placeholder, email=user.email)


def _replace_everywhere(old: dict, *, placeholder: str, email: str) -> None:
    """Last pass: whatever text still names the person (a message quoting their name in
    another user's records) names ``closed_<id>`` instead. Ledger keys hold no names."""
    replacements = [(old["email"], email)]
    for name in (old["display_name"], old["handle"]):
        if name and len(name) >= 2:
            replacements.append((name, placeholder))
    for model in apps.get_models():
        # Done above (the user, their things), or names no person (sessions, the ledger).
        if model._meta.label in (
            "accounts.User",
            "tips.Thing",
            "sessions.Session",
            "payouts.Transfer",
            "payouts.Account",
            "accounts.RetiredHandle",
        ):
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            # Addresses (URLs) are identities of other people's things: never rewritten.
            if isinstance(f, models.CharField | models.TextField)
            and not isinstance(f, models.URLField)
            and not f.choices
        ]
        for field in fields:
            for needle, replacement in replacements:
                rows = model._default_manager.filter(**{f"{field.name}__icontains": needle})
                pattern = re.compile(rf"(?<!\w){re.escape(needle)}(?!\w)", re.IGNORECASE)
                for pk, value in rows.values_list("pk", field.name):
                    new = pattern.sub(replacement, value)
                    if new != value:
                        model._default_manager.filter(pk=pk).update(**{field.name: new})


__all__ = ["Closing", "account_close", "erase_personal_data", "finish_waiting_closings"]
