"""The e-mail a creator gets when a payout was sent or failed."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from accounts.emails import Kind, optional_email_headers, unsubscribe_url, wants
from payouts.batches.models import Payout
from payouts.providers import Provider


def send_payout_email(*, payout_id: int) -> None:
    """Tell the creator their payout was sent, or failed and what to do about it."""
    payout = Payout.objects.select_related("user").get(pk=payout_id)
    user = payout.user
    if not user.is_active or user.closed_at is not None:
        return
    headers = {}
    if payout.status == Payout.Status.PAID:
        # Optional (PRODUCT.md, "Leaving"): a failure asks the creator to act, and is always sent.
        if not wants(user, Kind.PAYOUTS):
            return
        name = "payout_sent"
        headers = optional_email_headers(user, Kind.PAYOUTS)
    elif payout.status == Payout.Status.FAILED:
        name = "payout_failed"
    else:
        return
    context = {
        "payout": payout,
        "user": payout.user,
        "site_url": settings.SITE_URL,
        "SITE_NAME": settings.SITE_NAME,
        "provider_is_sandbox": payout.provider == Provider.SANDBOX,
        "unsubscribe_url": unsubscribe_url(user, Kind.PAYOUTS) if headers else "",
    }
    with translation.override(payout.user.language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"payouts/emails/{name}_subject.txt", context).strip()
        body = render_to_string(f"payouts/emails/{name}.txt", context)
        html = render_to_string(f"payouts/emails/{name}.html", context)
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=body,
        to=[payout.user.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    message.send()
