"""Monthly e-mails: the summaries sent after payday (what a reader gave, what a creator
received) and the subscription notice sent after the month's subscription run (which
subscriptions could not flattr, and why; which ones ended).

Each e-mail is sent at most once per user, month and kind: the ``MonthlyEmail``
row is inserted first and its unique constraint lets exactly one sender win,
however many times (or how concurrently) the tasks run. Only users who keep
``monthly_emails`` on receive the summaries; the notice goes to every active reader
it concerns (it tells them that something they set up did not happen).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.emails import Kind as EmailKind
from accounts.emails import optional_email_headers, unsubscribe_url
from payouts.cards.models import Charge
from payouts.cards.selectors import not_collected_by_creator
from payouts.ledger.models import Account, Transfer
from tips.dashboards.selectors import creator_earnings_by_month
from tips.emails.models import MonthlyEmail
from tips.firststeps.selectors import payout_account_missing
from tips.payday.keys import payday_reference
from tips.payday.models import PaydayRun
from tips.payday.selectors import reader_month
from tips.subscriptions.selectors import (
    subscription_click_count,
    subscription_notice_recipients,
    subscription_notices,
)

logger = logging.getLogger(__name__)


User = get_user_model()


Kind = MonthlyEmail.Kind


class MonthlyEmailFailed(Exception):
    def __init__(self, user_ids: list[int]):
        self.user_ids = user_ids
        super().__init__(f"monthly e-mails to users {user_ids} could not be sent")


def payday_is_done(month: dt.date) -> bool:
    """Summaries wait for a finished payday: a creator's total is final only then."""
    return PaydayRun.objects.filter(month=month, status=PaydayRun.Status.DONE).exists()


def monthly_email_recipients(*, month: dt.date) -> dict[str, list[int]]:
    """Ids of the users to write to about ``month``, by kind: readers whose wallet gave money at
    that payday and creators whose earnings received some, among those who want the e-mails."""
    reference = payday_reference(month)
    wanted = {"monthly_emails": True, "is_active": True}
    readers = (
        User.objects.filter(
            ledger_accounts__kind=Account.Kind.WALLET,
            ledger_accounts__debits__reference=reference,
            ledger_accounts__debits__kind__in=[
                Transfer.Kind.COMMISSION,
                Transfer.Kind.DISTRIBUTION,
            ],
            **wanted,
        )
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    creators = (
        User.objects.filter(
            ledger_accounts__kind=Account.Kind.EARNINGS,
            ledger_accounts__credits__reference=reference,
            ledger_accounts__credits__kind=Transfer.Kind.DISTRIBUTION,
            **wanted,
        )
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # Readers who pay after the month hear about their charge, whatever became of it.
    charged = User.objects.filter(
        charges__kind=Charge.Kind.MONTH, charges__month=month, **wanted
    ).values_list("pk", flat=True)
    return {
        Kind.READER: sorted(set(readers) | set(charged)),
        Kind.CREATOR: list(creators),
    }


def _language_of(user) -> str:
    return user.language or settings.LANGUAGE_CODE


def _render(user, month: dt.date, kind: str) -> tuple[str, str, str] | None:
    """Subject, text and HTML of the summary, or None when there is nothing to tell."""
    context = {
        "user": user,
        "month": month,
        "dashboard_url": settings.SITE_URL + reverse("dashboards:reader"),
        "creator_dashboard_url": settings.SITE_URL + reverse("dashboards:creator"),
        "subscriptions_url": settings.SITE_URL + reverse("subscriptions:list"),
        "settings_url": settings.SITE_URL + reverse("account_settings"),
        "LANGUAGE_CODE": translation.get_language(),
        "SITE_NAME": settings.SITE_NAME,
        "get_paid_url": settings.SITE_URL + reverse("payouts:get_paid"),
        "unsubscribe_url": (
            unsubscribe_url(user, EmailKind.MONTHLY) if kind != Kind.SUBSCRIPTIONS else ""
        ),
    }
    if kind == Kind.READER:
        entry = reader_month(reader=user, month=month)
        charge = Charge.objects.filter(user=user, kind=Charge.Kind.MONTH, month=month).first()
        if not entry.given_cents and charge is None:
            return None
        context["entry"] = entry
        context["charge"] = charge
        context["subscription_clicks"] = subscription_click_count(reader=user, month=month)
        subject = _("What you gave in %(month)s") % {"month": _month_name(month)}
    elif kind == Kind.SUBSCRIPTIONS:
        notices = subscription_notices(reader=user, month=month)
        if not notices:
            return None
        context["notices"] = notices
        context["site_url"] = settings.SITE_URL
        subject = _("Your subscriptions in %(month)s") % {"month": _month_name(month)}
    else:
        earned = creator_earnings_by_month(creator=user, months=[month])[0]
        if not earned.amount_cents:
            return None
        context["earned"] = earned
        context["charges_due"] = not_collected_by_creator(user.pk).get(month)
        context["payout_account_missing"] = payout_account_missing(creator=user)
        subject = _("What you received in %(month)s") % {"month": _month_name(month)}
    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject
    text = render_to_string(f"emails/monthly_{kind}.txt", context)
    html = render_to_string(f"emails/monthly_{kind}.html", context)
    return subject, text, html


def _month_name(month: dt.date) -> str:
    from django.utils.formats import date_format

    return date_format(month, "YEAR_MONTH_FORMAT")


def send_monthly_email(*, user_id: int, month: dt.date, kind: str) -> bool:
    """Send ``user_id`` their ``kind`` summary of ``month`` unless it was already sent (or is
    being sent) or they opted out. Returns True when this call sent it.

    The claim row commits before the e-mail leaves, so a second run finds it and
    sends nothing. If sending fails the claim is removed so a retry can send.
    """
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.is_active or not user.email:
        return False
    if kind != Kind.SUBSCRIPTIONS and not user.monthly_emails:
        return False  # the summaries are optional; a notice is not
    if MonthlyEmail.objects.filter(user=user, month=month, kind=kind).exists():
        return False
    with translation.override(_language_of(user)):
        message = _render(user, month, kind)
    if message is None:
        return False
    try:
        with transaction.atomic():
            claim = MonthlyEmail.objects.create(user=user, month=month, kind=kind)
    except IntegrityError:
        return False  # another run claimed it first
    subject, text, html = message
    # The summaries are optional: one-click unsubscribe (RFC 8058); the notice is not.
    headers = optional_email_headers(user, EmailKind.MONTHLY) if kind != Kind.SUBSCRIPTIONS else {}
    email = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [user.email], headers=headers
    )
    email.attach_alternative(html, "text/html")
    try:
        email.send()
    except Exception:
        MonthlyEmail.objects.filter(pk=claim.pk, sent_at__isnull=True).delete()
        raise
    MonthlyEmail.objects.filter(pk=claim.pk).update(sent_at=timezone.now())
    return True


def send_monthly_email_batch(*, month: dt.date, kind: str, user_ids: list[int]) -> int:
    """Send the ``kind`` summary of ``month`` to each of ``user_ids``; returns how many were
    sent by this call. One failing address does not stop the others; ``MonthlyEmailFailed``
    is raised at the end when some could not be sent."""
    sent, failed = 0, []
    for user_id in user_ids:
        try:
            sent += send_monthly_email(user_id=user_id, month=month, kind=kind)
        except Exception:
            logger.exception("monthly %s e-mail for %s to user %s failed", kind, month, user_id)
            failed.append(user_id)
    if failed:
        # Raised after the others were sent, so the task can retry: sent ones are skipped.
        raise MonthlyEmailFailed(failed)
    return sent


def monthly_email_batches(
    *, month: dt.date, batch_size: int, kind: str | None = None
) -> list[tuple[str, list[int]]]:
    """The recipients of ``month``'s summaries (or, with ``kind=SUBSCRIPTIONS``, of its
    subscription notices) cut into batches of at most ``batch_size``."""
    if batch_size < 1:
        raise ValueError("batch size must be at least 1")
    if kind == Kind.SUBSCRIPTIONS:
        recipients = {Kind.SUBSCRIPTIONS: subscription_notice_recipients(month=month)}
    else:
        recipients = monthly_email_recipients(month=month)
    batches = []
    for recipient_kind, user_ids in recipients.items():
        for start in range(0, len(user_ids), batch_size):
            batches.append((str(recipient_kind), user_ids[start : start + batch_size]))
    return batches
